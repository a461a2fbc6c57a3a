"""Check-ins: `/checkin` (our people), *Add to check-in* (the property's message, the agenda, its reminder: how
property managers of another company reach it), the item form, the agenda's Discussed / Carry over / Close, the
consultation's meeting form, and the check-in inputs of the property form.

Who may take part in a meeting: our own people, its members (RSCs, a partner agency's people), and the managers
of its property (listed, or of its company's Slack team). Everyone else is told privately and nothing changes.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.deps import Deps
from bot.domain import access, checkins, home
from bot.domain.actors import Actor
from bot.errors import NotAllowed, UserError
from bot.slack import ids
from bot.slack.blocks import checkins as views
from bot.slack.client import open_modal
from bot.slack.guard import Listener, action_guard, command_guard, first_submission, view_guard
from bot.slack.payloads import action_value, actor_of, input_value, row_id, submission_key
from handlers.forms import open_form
from storage.models import Meeting, Property

NOT_IN_IT = "Only the people of this check-in (its property's managers, its coordinators, our staff) can do that."
CHANNEL_LABEL = "Channel for the agenda (default: the shared channel)"


def register(app: App, deps: Deps) -> None:
    app.command(ids.COMMAND_CHECKIN)(_checkin_command(deps))
    app.view(ids.VIEW_CHECKIN_ITEM)(_item_submitted(deps))
    app.view(ids.VIEW_MEETING)(_meeting_submitted(deps))
    app.action(ids.ACTION_CHECKIN_HUB_ADD)(_open_item_form(deps, from_hub=True))
    app.action(ids.ACTION_CHECKIN_ADD)(_open_item_form(deps, from_hub=False))
    for action, outcome in (
        (ids.ACTION_CHECKIN_DISCUSSED, checkins.Outcome.DISCUSSED),
        (ids.ACTION_CHECKIN_CARRY, checkins.Outcome.CARRIED),
        (ids.ACTION_CHECKIN_CLOSE, checkins.Outcome.CLOSED),
    ):
        app.action(action)(_outcome_button(deps, outcome))


def require_part(session: Session, deps: Deps, actor: Actor, meeting: Meeting) -> None:
    """Our people, the meeting's members and its property's managers take part; NotAllowed for anyone else."""
    if deps.roles.is_staff(actor) or actor.user_id in meeting.members:
        return
    if meeting.property_id is not None and access.manages(session, actor, meeting.property_id):
        return
    raise NotAllowed(NOT_IN_IT)


def parse_command(text: str) -> tuple[str, str]:
    """(verb, the rest): "list", "help", "add", "meeting" or "show" (a meeting's name)."""
    verb, _, rest = text.strip().partition(" ")
    lowered = verb.lower()
    if not lowered:
        return "list", ""
    if lowered in ("help", "?", "-h", "--help"):
        return "help", ""
    if lowered in ("add", "meeting"):
        return lowered, rest.strip()
    return "show", text.strip()


def _checkin_command(deps: Deps) -> Listener:
    @command_guard
    def checkin_command(
        ack: Ack, body: dict[str, Any], command: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        verb, rest = parse_command(command.get("text") or "")
        actor, now = actor_of(body), deps.clock.now()
        if verb == "help":
            ack(text=views.HELP)
            return
        trigger, channel = str(command.get("trigger_id")), command.get("channel_id")
        if verb == "meeting":
            access.require_coordinator(deps.roles, actor)
            with deps.session_factory() as session:
                if rest and checkins.property_checkin_named(session, rest) is not None:
                    raise UserError(checkins.PROPERTY_CHECKIN_NAMED)
                current = checkins.find_meeting(session, rest) if rest else None
                view = views.meeting_modal(current, name=rest, default_zone=deps.settings.timezone)
            ack()
            deps.after_ack.submit(
                open_form, client=client, respond=respond, trigger_id=trigger, view=view, command=ids.COMMAND_CHECKIN
            )
            return
        with deps.session_factory() as session:
            if verb == "list":
                mine = checkins.all_meetings(session) if deps.roles.is_staff(actor) else checkins.meetings_of(
                    session, actor.user_id)  # fmt: skip
                listed = []
                for meeting in mine[:30]:
                    nxt = checkins.next_occurrence(meeting, after=now, country=deps.settings.holidays)
                    listed.append((meeting.name, nxt[1] if nxt else None, _zone(meeting)))
                ack(text=views.meetings_list(listed))
                return
            meeting = _meeting_named(session, deps, actor, rest)
            require_part(session, deps, actor, meeting)
            if verb == "show":
                shown = checkins.upcoming_view(session, meeting, now=now, country=deps.settings.holidays)
                text, blocks = views.upcoming_message(shown)
                ack(text=text, blocks=blocks)
                return
            view = views.item_modal(meeting, channel=channel if isinstance(channel, str) else None)
        ack()
        deps.after_ack.submit(
            open_form, client=client, respond=respond, trigger_id=trigger, view=view, command=ids.COMMAND_CHECKIN
        )

    return checkin_command


def _zone(meeting: Meeting) -> ZoneInfo:
    return ZoneInfo(meeting.zone)


def _meeting_named(session: Session, deps: Deps, actor: Actor, name: str) -> Meeting:
    """The meeting `name` names, or the person's only meeting when they name none."""
    if name:
        found = checkins.find_meeting(session, name)
        if found is None:
            raise UserError(f"There is no check-in called {name[:60]!r}. `/checkin` lists yours.")
        return found
    mine = checkins.meetings_of(session, actor.user_id)
    if len(mine) == 1:
        return mine[0]
    raise UserError("Which check-in? Say `/checkin add NAME` (a property's name, or the meeting's); `/checkin` lists "
                    "yours.")  # fmt: skip


def _open_item_form(deps: Deps, *, from_hub: bool) -> Listener:
    @action_guard
    def open_checkin_item(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        actor, value = actor_of(body), row_id(action_value(body))
        channel = (body.get("channel") or {}).get("id") if isinstance(body.get("channel"), dict) else None
        with deps.session_factory() as session:
            if from_hub:
                meeting = checkins.property_meeting(session, value)
                if meeting is None or not meeting.active:
                    if session.get(Property, value) is None:
                        raise UserError("That property is no longer listed.")
                    raise UserError("This property has no check-in set up yet; a housing coordinator can set one.")
            else:
                meeting = checkins.get_meeting(session, value)
            require_part(session, deps, actor, meeting)
            view = views.item_modal(meeting, channel=channel if isinstance(channel, str) else None)
        open_modal(client, str(body.get("trigger_id")), view)

    open_checkin_item.__name__ = "checkin_hub_add" if from_hub else "checkin_add"
    return open_checkin_item


def _item_submitted(deps: Deps) -> Listener:
    @view_guard(fallback_block="note")
    def checkin_item_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        actor, meta = actor_of(body), views.ItemMeta.load(view.get("private_metadata"))
        values = view["state"]["values"]
        now = deps.clock.now()
        draft = checkins.ItemDraft(**{name: input_value(values, name) for name in checkins.ITEM_FIELDS})
        with deps.session_factory.begin() as session:
            meeting = checkins.get_meeting(session, meta.row_id)
            require_part(session, deps, actor, meeting)
            facts = checkins.check_item(draft, kind=checkins.MeetingKind(meeting.kind),
                                        code_format=deps.settings.client_code_format,
                                        today=now.astimezone(deps.settings.zone).date())  # fmt: skip
            if first_submission(session, submission_key(body), now=now):  # else a replay: stored once
                checkins.add_item(session, meeting, facts, actor=actor, now=now, reply_channel=meta.channel)
        ack()
        deps.wake_outbox()

    return checkin_item_submitted


def _outcome_button(deps: Deps, outcome: checkins.Outcome) -> Listener:
    @action_guard
    def checkin_outcome(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        actor, entry_id = actor_of(body), row_id(action_value(body))
        with deps.session_factory.begin() as session:
            require_part(session, deps, actor, checkins.entry_meeting(session, entry_id))
            checkins.mark(session, entry_id, outcome, actor=actor, now=deps.clock.now())
        deps.wake_outbox()

    checkin_outcome.__name__ = f"checkin_{outcome}"
    return checkin_outcome


def _meeting_submitted(deps: Deps) -> Listener:
    @view_guard(fallback_block="meeting_name")
    def checkin_meeting_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        actor = actor_of(body)
        access.require_coordinator(deps.roles, actor)
        values = view["state"]["values"]
        setup = read_setup(deps, values, required=True)
        now = deps.clock.now()
        with deps.session_factory.begin() as session:
            if first_submission(session, submission_key(body), now=now):
                checkins.set_meeting(session, input_value(values, "meeting_name"), setup, actor=actor, now=now,
                                     country=deps.settings.holidays)  # fmt: skip
        ack()

    return checkin_meeting_submitted


# -- the Home tab (called from handlers/home.py) ------------------------------------------------------------------


def home_blocks(deps: Deps, session: Session, actor: Actor, *, scope: str) -> list[dict[str, Any]]:
    """The viewer's check-ins, soonest first, with their open items: every one for a coordinator; for anyone else
    those they take part in (a member, or a manager of the property: a partner sees their own company's)."""
    if scope == home.NOTHING:  # a workspace we do not know: nothing
        return []
    everyone = deps.roles.is_coordinator(actor)
    managed = None if everyone else access.managed_properties(actor)
    lines, total = checkins.home_meetings(session, actor.user_id, everyone=everyone, managed=managed)
    return views.home_section(lines, total=total, everyone=everyone)


# -- the property form's check-in (called from handlers/properties.py) -----------------------------------------


def with_checkin_inputs(session: Session, deps: Deps, view: dict[str, Any], prop: Property | None) -> dict[str, Any]:
    """The property form with the check-in's inputs appended, prefilled from the property's meeting."""
    meeting = checkins.property_meeting(session, prop.id) if prop is not None else None
    inputs = views.setup_inputs(meeting, default_zone=deps.settings.timezone, channel_label=CHANNEL_LABEL)
    return {**view, "blocks": [*view["blocks"], *inputs]}


def read_setup(deps: Deps, values: dict[str, Any], *, required: bool = False) -> checkins.Setup:
    draft = checkins.SetupDraft(**{name: input_value(values, name) for name in checkins.SETUP_FIELDS})
    return checkins.check_setup(draft, default_zone=deps.settings.timezone, required=required)


def save_setup(session: Session, deps: Deps, prop: Property, setup: checkins.Setup, actor: Actor) -> None:
    checkins.set_property_checkin(session, prop, setup, actor=actor, now=deps.clock.now(),
                                  country=deps.settings.holidays)  # fmt: skip
