"""Every command, callback_id, action_id and block_id Porchlight uses; tests check them against manifest.yml."""

from __future__ import annotations

from typing import Final

COMMAND_VACANCY: Final = "/vacancy"

# Modal callback ids.
VIEW_VACANCY_NEW: Final = "vacancy_new"
VIEW_VACANCY_UPDATE: Final = "vacancy_update"
VIEW_REFERRAL_NEW: Final = "referral_new"
VIEW_REFERRAL_DENY: Final = "referral_deny"
VIEW_REFERRAL_MOVED_IN: Final = "referral_moved_in"
VIEW_PROPERTY: Final = "property_edit"

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

# -- escalations (issue 10): COMMAND_*, SHORTCUT_*, VIEW_*, ACTION_* ----------------------------------------------
COMMAND_ESCALATE: Final = "/escalate"
SHORTCUT_ESCALATE: Final = "escalate_message"  # the message shortcut "Escalate to coordinator"
VIEW_ESCALATION_NEW: Final = "escalation_new"
VIEW_ESCALATION_MEDIATION: Final = "escalation_mediation"
VIEW_ESCALATION_NOTE: Final = "escalation_note"
VIEW_ESCALATION_RESOLVE: Final = "escalation_resolve"
ACTION_ESCALATION_RAISE: Final = "escalation_raise"  # the property hub's "Raise an issue"; value: property id
ACTION_ESCALATION_CATEGORY: Final = "escalation_category"  # the form's category: shows what that kind needs
ACTION_ESCALATION_ACK: Final = "escalation_acknowledge"  # buttons on the status card; value: case id
ACTION_ESCALATION_MEDIATION: Final = "escalation_schedule_mediation"
ACTION_ESCALATION_NOTE: Final = "escalation_add_note"
ACTION_ESCALATION_RESOLVE: Final = "escalation_resolve"
ACTION_ESCALATION_REOPEN: Final = "escalation_reopen"
ACTION_ESCALATION_STEP: Final = "escalation_step"  # a welfare protocol step; value: "<case id>:<step>"

# -- check-ins (issue 11) -----------------------------------------------------------------------------------------
COMMAND_CHECKIN: Final = "/checkin"
VIEW_CHECKIN_ITEM: Final = "checkin_item"  # add an item to a meeting's next agenda
VIEW_MEETING: Final = "checkin_meeting"  # set up a meeting that is not a property's (case consultation)
ACTION_CHECKIN_HUB_ADD: Final = "checkin_hub_add"  # on the property's message; value: the property id
ACTION_CHECKIN_ADD: Final = "checkin_add"  # on an agenda and its reminder; value: the meeting id
ACTION_CHECKIN_DISCUSSED: Final = "checkin_discussed"  # on an agenda's item; value: the agenda entry id
ACTION_CHECKIN_CARRY: Final = "checkin_carry"
ACTION_CHECKIN_CLOSE: Final = "checkin_close"

# -- the partner network (issue 12) -------------------------------------------------------------------------------
COMMAND_PARTNERS: Final = "/partners"
COMMAND_TOUCH: Final = "/touch"
VIEW_PARTNER: Final = "partner_edit"
VIEW_PARTNER_TOUCH: Final = "partner_touch"
VIEW_PARTNER_NOTIFY: Final = "partner_notify"
VIEW_PARTNER_NOTIFY_CONFIRM: Final = "partner_notify_confirm"
ACTION_PARTNER_ADD: Final = "partner_add"
ACTION_PARTNER_EDIT: Final = "partner_edit"
ACTION_PARTNER_LOG: Final = "partner_log"
ACTION_PARTNER_NOTIFY: Final = "partner_notify"
ACTION_NUDGE_LOGGED: Final = "partner_nudge_logged"
ACTION_NUDGE_SNOOZE: Final = "partner_nudge_snooze"
ACTION_NUDGE_NOT_NEEDED: Final = "partner_nudge_not_needed"
ACTION_PARTNERS_PAGE: Final = "partners_page"  # /partners' Previous / Next; value: the page number
# Partner pickers beyond a static select's 100 options: external selects, answered by an options listener.
OPTIONS_PARTNER_PICK: Final = "partner_pick"
OPTIONS_PARTNER_PICK_MANY: Final = "partner_pick_many"

# -- the coordinator's report (issue 15) --------------------------------------------------------------------------

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
EVENTS: Final = ("app_home_opened", "message", "reaction_added")
BOT_EVENTS: Final = ("app_home_opened", "message.channels", "message.groups", "reaction_added")

OUTBOX_METADATA_TYPE: Final = "porchlight_outbox"


# Every constant above by its prefix, so a feature adds an id in one place and the manifest test sees it.
COMMANDS: Final = tuple(v for k, v in dict(globals()).items() if k.startswith("COMMAND_"))
SHORTCUTS: Final = tuple(v for k, v in dict(globals()).items() if k.startswith("SHORTCUT_"))  # message shortcuts
VIEWS: Final = tuple(v for k, v in dict(globals()).items() if k.startswith("VIEW_"))
ACTIONS: Final = tuple(v for k, v in dict(globals()).items() if k.startswith("ACTION_"))
