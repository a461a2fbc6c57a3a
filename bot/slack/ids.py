"""Every command, callback_id, action_id and block_id Porchlight uses; tests check them against manifest.yml."""

from __future__ import annotations

from typing import Final

COMMAND_VACANCY: Final = "/vacancy"
COMMANDS: Final = (COMMAND_VACANCY,)

# Modal callback ids.
VIEW_VACANCY_NEW: Final = "vacancy_new"
VIEW_VACANCY_UPDATE: Final = "vacancy_update"
VIEW_REFERRAL_NEW: Final = "referral_new"
VIEW_REFERRAL_DENY: Final = "referral_deny"
VIEW_REFERRAL_MOVED_IN: Final = "referral_moved_in"
VIEW_PROPERTY: Final = "property_edit"
VIEWS: Final = (
    VIEW_VACANCY_NEW,
    VIEW_VACANCY_UPDATE,
    VIEW_REFERRAL_NEW,
    VIEW_REFERRAL_DENY,
    VIEW_REFERRAL_MOVED_IN,
    VIEW_PROPERTY,
)

# Buttons (action_id); their value is the row id they act on.
ACTION_REFER: Final = "vacancy_refer"
ACTION_FILL: Final = "vacancy_fill"
ACTION_WITHDRAW: Final = "vacancy_withdraw"
ACTION_UPDATE: Final = "vacancy_update"
ACTION_STILL_AVAILABLE: Final = "vacancy_still_available"
ACTION_REFERRAL_ACCEPT: Final = "referral_accept"
ACTION_REFERRAL_DENY: Final = "referral_deny"
ACTION_REFERRAL_MOVED_IN: Final = "referral_moved_in"
ACTION_REFERRAL_DETAILS: Final = "referral_details"
ACTION_LIST_PAGE: Final = "vacancy_list_page"
ACTIONS: Final = (
    ACTION_REFER,
    ACTION_FILL,
    ACTION_WITHDRAW,
    ACTION_UPDATE,
    ACTION_STILL_AVAILABLE,
    ACTION_REFERRAL_ACCEPT,
    ACTION_REFERRAL_DENY,
    ACTION_REFERRAL_MOVED_IN,
    ACTION_REFERRAL_DETAILS,
    ACTION_LIST_PAGE,
)

# Block ids of the vacancy modal are the domain's field names, so errors map onto fields one to one.
VACANCY_FIELDS: Final = (
    "property_id",
    "property_name",
    "unit",
    "bedrooms",
    "rent",
    "available_on",
    "subsidies",
    "accessibility",
    "screening",
    "screening_notes",
    "contact",
    "notes",
)

# Events the bot listens to; manifest.yml subscribes to BOT_EVENTS (message.* all arrive as "message").
EVENTS: Final = ("app_home_opened", "message")
BOT_EVENTS: Final = ("app_home_opened", "message.channels", "message.groups")

OUTBOX_METADATA_TYPE: Final = "porchlight_outbox"
