"""Escalations: `/escalate` (form, list, help), the message shortcut, the property hub's *Raise an issue*, and the
status card's buttons (Acknowledge, Schedule mediation, Add note, Resolve, Reopen, the welfare steps).

Each listener parses the payload once, calls one domain function inside one transaction (a short compare-and-set)
and answers; the posts are outbox rows written in that transaction. Refusals are told privately and change nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any, Protocol

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.deps import Deps
from bot.domain import access, escalations, home, properties
from bot.domain.actors import Actor
from bot.domain.escalations import Category, Desk
from bot.errors import FormErrors, UserError
from bot.slack import ids, zones
from bot.slack.blocks import escalations as blocks
from bot.slack.client import open_modal
from bot.slack.guard import Listener, action_guard, command_guard, first_submission, view_guard
from bot.slack.payloads import action_value, actor_of, input_value, row_id, submission_key
from handlers.commands import parse_verb
from handlers.forms import open_form

log = logging.getLogger("porchlight.escalations")
VERBS = {"list": "list", "ls": "list", "cases": "list"}
FORM_FIELDS = ("property_id", "category", "urgency", "other_party", "what_happened", "tried", "client_code", "roi")


def register(app: App, deps: Deps) -> None:
    app.command(ids.COMMAND_ESCALATE)(_command(deps))
    app.shortcut(ids.SHORTCUT_ESCALATE)(_shortcut(deps))
    app.action(ids.ACTION_ESCALATION_RAISE)(_hub_button(deps))
    app.action(ids.ACTION_ESCALATION_CATEGORY)(_category_chosen(deps))
    app.view(ids.VIEW_ESCALATION_NEW)(_submitted(deps))
    app.action(ids.ACTION_ESCALATION_ACK)(_case_button(deps, escalations.acknowledge))
    app.action(ids.ACTION_ESCALATION_REOPEN)(_case_button(deps, escalations.reopen))
    app.action(ids.ACTION_ESCALATION_STEP)(_step(deps))
    app.action(ids.ACTION_ESCALATION_MEDIATION)(_open_case_form(deps, _mediation_form))
    app.action(ids.ACTION_ESCALATION_NOTE)(_open_case_form(deps, _note_form))
    app.action(ids.ACTION_ESCALATION_RESOLVE)(_open_case_form(deps, _resolve_form))
    app.view(ids.VIEW_ESCALATION_MEDIATION)(_mediation_submitted(deps))
    app.view(ids.VIEW_ESCALATION_NOTE)(_note_submitted(deps))
    app.view(ids.VIEW_ESCALATION_RESOLVE)(_resolve_submitted(deps))


def desk_of(deps: Deps) -> Desk:
    settings = deps.settings
    if settings.escalation_channel is None:
        raise UserError("Porchlight has no escalation channel set up yet; ask your admin to set "
                        "PORCHLIGHT_ESCALATION_CHANNEL.")  # fmt: skip
    return Desk(channel=settings.escalation_channel, coordinators=tuple(settings.coordinators),
                backups=tuple(settings.backup_coordinators), hours=settings.hours, zone=settings.zone)  # fmt: skip


def _today(deps: Deps) -> date:
    return deps.clock.now().astimezone(deps.settings.zone).date()


# -- raising -----------------------------------------------------------------------------------------------------


def _form(deps: Deps, actor: Actor, meta: blocks.FormMeta, *, chosen: int | None = None) -> dict[str, Any]:
    """The form, offering the properties the person may raise issues about; refused for an outsider."""
    desk_of(deps)  # no escalation channel: said before anyone types a word
    # While they type: the zones of those the case's reminders will reach (read when the case is stored).
    zones.learn_soon(deps, deps.client, (*zones.staff_on_call(deps), actor.user_id))
    with deps.session_factory() as session:
        reach = access.reach_of(session, deps.roles, actor)
        access.require_reach(reach)
        if chosen is not None and not reach.covers(chosen):
            raise UserError("You can raise issues only about your company's properties.")
        listed = tuple((pid, name) for pid, name in properties.listed(session) if reach.covers(pid))
    if not listed:
        raise UserError("No property is listed yet: a housing coordinator lists them with `/vacancy property`.")
    return blocks.escalation_modal(meta, properties=listed, chosen_property=chosen, linked=meta.ts is not None)


def parse_command(text: str) -> tuple[str, str]:
    """(verb, the rest): "form", "help" or "list"; UserError for anything else."""
    return parse_verb("/escalate", text, VERBS)


def _command(deps: Deps) -> Listener:
    @command_guard
    def escalate_command(
        ack: Ack, body: dict[str, Any], command: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        verb, rest = parse_command(command.get("text") or "")
        if verb == "help":
            ack(text=blocks.HELP_TEXT)
            return
        actor = actor_of(body)
        if verb == "list":
            text, shown = list_cases(deps, actor, rest)
            ack(text=text, blocks=shown)
            return
        view = _form(deps, actor, blocks.FormMeta())
        ack()
        trigger = str(command.get("trigger_id"))
        deps.after_ack.submit(
            open_form, client=client, respond=respond, trigger_id=trigger, view=view, command="/escalate"
        )

    return escalate_command


def list_cases(deps: Deps, actor: Actor, query: str) -> tuple[str, list[dict[str, Any]]]:
    """Open cases by next deadline: every case for a coordinator, one's own for anyone else (privately)."""
    filters = escalations.parse_filters(query)
    desk = desk_of(deps)
    everyone = desk.is_coordinator(actor)
    now = deps.clock.now()
    with deps.session_factory() as session:
        if not everyone:
            access.require_reach(access.reach_of(session, deps.roles, actor))
        lines, total = escalations.open_cases(session, filters, now=now, party=None if everyone else actor.user_id)
    return blocks.case_list(lines, total=total, query=query, everyone=everyone, now=now, zone=deps.settings.zone)


def _shortcut(deps: Deps) -> Listener:
    @action_guard
    def escalate_message(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        channel, message = _object(body, "channel"), _object(body, "message")
        where, ts = channel.get("id"), message.get("ts") or body.get("message_ts")
        # The message is linked by channel and ts; its text is never read, copied or stored.
        meta = blocks.FormMeta(
            channel=where if isinstance(where, str) else None, ts=ts if isinstance(ts, str) else None
        )
        open_modal(client, str(body.get("trigger_id")), _form(deps, actor_of(body), meta))

    return escalate_message


def _object(body: dict[str, Any], name: str) -> dict[str, Any]:
    value = body.get(name)
    return value if isinstance(value, dict) else {}


def _hub_button(deps: Deps) -> Listener:
    @action_guard
    def raise_from_hub(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        property_id = row_id(action_value(body))
        channel = _object(body, "channel")
        where = channel.get("id") if isinstance(channel.get("id"), str) else None
        view = _form(deps, actor_of(body), blocks.FormMeta(channel=where), chosen=property_id)
        open_modal(client, str(body.get("trigger_id")), view)

    return raise_from_hub


def _category_chosen(deps: Deps) -> Listener:
    @action_guard
    def escalation_category(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        view = body.get("view") if isinstance(body.get("view"), dict) else None
        actions = body.get("actions") or [{}]
        selected = actions[0].get("selected_option") if isinstance(actions[0], dict) else None
        category = selected.get("value") if isinstance(selected, dict) else None
        if view is None or not isinstance(view.get("id"), str) or category not in set(Category):
            return  # nothing to show: the form stays as it is
        try:
            client.views_update(view_id=view["id"], hash=view.get("hash"), view=blocks.with_category(view, category))
        except SlackApiError as exc:  # a newer version of the form is open (hash_conflict): it is current
            log.info("the escalation form was not updated for its category: %s", exc.response.get("error"))

    return escalation_category


def _submitted(deps: Deps) -> Listener:
    @view_guard(fallback_block="what_happened")
    def escalation_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        actor, now = actor_of(body), deps.clock.now()
        values = view["state"]["values"]
        draft = escalations.Draft(**{name: input_value(values, name) for name in FORM_FIELDS})
        facts = escalations.check(draft, raised_by=actor.user_id, today=_today(deps),
                                  code_format=deps.settings.client_code_format)  # fmt: skip
        meta = blocks.FormMeta.load(view.get("private_metadata"))
        desk = desk_of(deps)
        with deps.session_factory.begin() as session:
            escalations.require_may_raise(access.reach_of(session, deps.roles, actor), facts.property_id)
            if first_submission(session, submission_key(body), now=now):  # else a replay: stored once
                escalations.raise_case(session, facts, actor=actor, source=escalations.Source(meta.channel, meta.ts),
                                       desk=desk, now=now)  # fmt: skip
        ack()
        deps.wake_outbox()
        zones.learn_soon(deps, deps.client, (facts.other_party,))  # reminded of a mediation in their own zone

    return escalation_submitted


# -- the card's buttons ------------------------------------------------------------------------------------------


class _Transition(Protocol):
    def __call__(
        self, session: Session, escalation_id: int, /, *, actor: Actor, desk: escalations.Desk, now: datetime
    ) -> object: ...


def _case_button(deps: Deps, transition: _Transition) -> Listener:
    """A card button that moves the case in one step (Acknowledge, Reopen): the domain checks who and when."""

    def case_button(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        actor, case_id = actor_of(body), row_id(action_value(body))
        with deps.session_factory.begin() as session:
            transition(session, case_id, actor=actor, desk=desk_of(deps), now=deps.clock.now())
        deps.wake_outbox()

    case_button.__name__ = f"{getattr(transition, '__name__', 'change')}_escalation"  # the guard logs it by name
    return action_guard(case_button)


def _step(deps: Deps) -> Listener:
    @action_guard
    def tick_welfare_step(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        case_id, step = blocks.read_step_value(action_value(body))
        with deps.session_factory.begin() as session:
            escalations.tick_step(session, case_id, step=step, actor=actor_of(body), desk=desk_of(deps),
                                  now=deps.clock.now())  # fmt: skip
        deps.wake_outbox()

    return tick_welfare_step


def _mediation_form(deps: Deps, desk: Desk, actor: Actor, case: Any) -> dict[str, Any]:
    escalations.require_coordinator(desk, actor, "schedule a mediation")
    _require_live(case)
    zones.learn_soon(deps, deps.client, escalations.parties_of(case))  # their reminders read them on submit
    return blocks.mediation_modal(case, today=_today(deps))


def _note_form(deps: Deps, desk: Desk, actor: Actor, case: Any) -> dict[str, Any]:
    escalations.require_coordinator_or_party(desk, case, actor, "add notes")
    return blocks.note_modal(case)


def _resolve_form(deps: Deps, desk: Desk, actor: Actor, case: Any) -> dict[str, Any]:
    escalations.require_coordinator(desk, actor, "resolve a case")
    _require_live(case)
    return blocks.resolve_modal(case, ask_debrief=case.category == Category.WELFARE)


def _require_live(case: Any) -> None:
    if case.status not in escalations.LIVE:
        raise escalations.AlreadyDone(
            f"{escalations.case_number(case.id)} is already resolved by <@{case.resolved_by}>."
        )


def _open_case_form(deps: Deps, build: Callable[[Deps, Desk, Actor, Any], dict[str, Any]]) -> Listener:
    @action_guard
    def open_escalation_form(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        actor, case_id = actor_of(body), row_id(action_value(body))
        desk = desk_of(deps)
        with deps.session_factory() as session:
            view = build(deps, desk, actor, escalations.get(session, case_id))
        open_modal(client, str(body.get("trigger_id")), view)

    open_escalation_form.__name__ = f"open_{build.__name__.strip('_')}"
    return open_escalation_form


def _mediation_submitted(deps: Deps) -> Listener:
    @view_guard(fallback_block="day")
    def mediation_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        meta = blocks.CaseMeta.load(view.get("private_metadata"))
        values = view["state"]["values"]
        try:
            on = date.fromisoformat(str(input_value(values, "day")))
        except ValueError as exc:
            raise FormErrors({"day": "Pick the day."}) from exc
        try:
            at = time.fromisoformat(str(input_value(values, "time")))
        except ValueError as exc:
            raise FormErrors({"time": "Pick the time."}) from exc
        with deps.session_factory.begin() as session:
            # A replay of this very form would pass the compare-and-set again (a mediation may be moved while it
            # is scheduled) and tell both parties twice; a new form (Reschedule) is a new submission.
            if first_submission(session, submission_key(body), now=deps.clock.now()):
                escalations.schedule_mediation(session, meta.case_id, on=on, at=at, actor=actor_of(body),
                                               desk=desk_of(deps), now=deps.clock.now())  # fmt: skip
        ack()
        deps.wake_outbox()

    return mediation_submitted


def _note_submitted(deps: Deps) -> Listener:
    @view_guard(fallback_block="note")
    def note_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        meta = blocks.CaseMeta.load(view.get("private_metadata"))
        text = escalations.check_note(str(input_value(view["state"]["values"], "note")), field="note",
                                      today=_today(deps))  # fmt: skip
        with deps.session_factory.begin() as session:
            if first_submission(session, submission_key(body), now=deps.clock.now()):
                escalations.add_note(session, meta.case_id, text=text, actor=actor_of(body), desk=desk_of(deps),
                                     now=deps.clock.now())  # fmt: skip
        ack()
        deps.wake_outbox()

    return note_submitted


def _resolve_submitted(deps: Deps) -> Listener:
    @view_guard(fallback_block="summary")
    def resolve_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        meta = blocks.CaseMeta.load(view.get("private_metadata"))
        values = view["state"]["values"]
        summary = escalations.check_note(str(input_value(values, "summary")), field="summary", today=_today(deps))
        with deps.session_factory.begin() as session:
            escalations.resolve(
                session, meta.case_id, outcome=str(input_value(values, "outcome")), summary=summary,
                debrief_held="held" in input_value(values, "debrief"), actor=actor_of(body), desk=desk_of(deps),
                now=deps.clock.now(),
            )  # fmt: skip
        ack()
        deps.wake_outbox()

    return resolve_submitted


# -- the Home tab's section --------------------------------------------------------------------------------------


def home_blocks(deps: Deps, session: Any, actor: Actor, *, scope: str) -> list[dict[str, Any]]:
    """Open cases by next deadline for a coordinator, a party's own cases for anyone else: three queries at most.
    Someone of a workspace we do not know sees nothing (`scope`: bot.domain.home's)."""
    if deps.settings.escalation_channel is None or scope == home.NOTHING:
        return []
    desk = desk_of(deps)
    everyone = desk.is_coordinator(actor)
    now = deps.clock.now()
    party = None if everyone else actor.user_id
    lines, total = escalations.open_cases(session, now=now, party=party)
    resolved = [] if everyone else escalations.recently_resolved(session, party=actor.user_id)
    return blocks.home_section(lines, total=total, resolved=resolved, everyone=everyone, now=now,
                               zone=deps.settings.zone)  # fmt: skip
