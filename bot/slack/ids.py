"""Every command, callback_id, action_id and block_id Porchlight uses; tests check them against manifest.yml."""

from __future__ import annotations

from typing import Final

COMMAND_VACANCY: Final = "/vacancy"
COMMANDS: Final = (COMMAND_VACANCY,)

# Modal callback ids.
VIEW_VACANCY_NEW: Final = "vacancy_new"
VIEWS: Final = (VIEW_VACANCY_NEW,)

# Block ids of the vacancy modal are the domain's field names, so errors map onto fields one to one.
VACANCY_FIELDS: Final = (
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
