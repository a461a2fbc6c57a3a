"""Pure Block Kit builders: plain values in, Slack payload dicts out. They never query the database.

`cards` draws vacancy cards and their threads, `forms` the modals, `messages` replies, DMs, board pages and the
Home tab. Callers use `from bot.slack import blocks` and the names below.
"""

from bot.slack.blocks.cards import celebration, confirm_ask, history_line, referral_notice, vacancy_card
from bot.slack.blocks.forms import (
    RowMeta,
    VacancyEditMeta,
    VacancyModalMeta,
    deny_modal,
    moved_in_modal,
    property_modal,
    referral_modal,
    vacancy_edit_modal,
    vacancy_modal,
)
from bot.slack.blocks.messages import (
    HELP_TEXT,
    board_page,
    delivery_failure_notice,
    help_blocks,
    home_view,
    read_page_value,
    referral_details,
    referral_outcome_dm,
    vacancy_card_not_posted,
    vacancy_confirmation,
    vacancy_not_saved,
)

__all__ = [
    "HELP_TEXT",
    "RowMeta",
    "VacancyEditMeta",
    "VacancyModalMeta",
    "board_page",
    "celebration",
    "confirm_ask",
    "delivery_failure_notice",
    "deny_modal",
    "help_blocks",
    "history_line",
    "home_view",
    "moved_in_modal",
    "property_modal",
    "read_page_value",
    "referral_details",
    "referral_modal",
    "referral_notice",
    "referral_outcome_dm",
    "vacancy_card",
    "vacancy_card_not_posted",
    "vacancy_confirmation",
    "vacancy_edit_modal",
    "vacancy_modal",
    "vacancy_not_saved",
]
