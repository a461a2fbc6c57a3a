"""Referral outcome buttons in a card's thread: Accept, Deny (with a reason), Moved in (with a date), Details."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.deps import Deps
from bot.domain import access, referrals, vacancies
from bot.domain.actors import Actor
from bot.domain.statuses import IN_PLAY, ReferralStatus
from bot.errors import FormErrors
from bot.slack import blocks, ids
from bot.slack.client import open_modal
from bot.slack.guard import Listener, action_guard, view_guard
from bot.slack.payloads import action_value, actor_of, input_value, row_id
from storage.models import Referral

# Builds the Deny or Moved-in form for a referral, given today's date in the community's zone.
OutcomeForm = Callable[[Referral, date], dict[str, Any]]


def register(app: App, deps: Deps) -> None:
    app.action(ids.ACTION_REFERRAL_ACCEPT)(_accept(deps))
    app.action(ids.ACTION_REFERRAL_DENY)(_open_outcome_form(deps, build=lambda r, _: blocks.deny_modal(r)))
    app.action(ids.ACTION_REFERRAL_MOVED_IN)(
        _open_outcome_form(deps, build=lambda r, today: blocks.moved_in_modal(r, today=today))
    )
    app.action(ids.ACTION_REFERRAL_DETAILS)(_details(deps))
    app.view(ids.VIEW_REFERRAL_DENY)(_denied(deps))
    app.view(ids.VIEW_REFERRAL_MOVED_IN)(_moved_in(deps))


def _require_property_side(deps: Deps, session: Session, actor: Actor, referral_id: int) -> None:
    referral = referrals.get_referral(session, referral_id)
    vacancy = vacancies.get_vacancy(session, referral.vacancy_id)
    access.require_manager_or_coordinator(session, deps.roles, actor, vacancy.property_id)


def _accept(deps: Deps) -> Listener:
    @action_guard
    def accept_referral(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        actor, referral_id = actor_of(body), row_id(action_value(body))
        with deps.session_factory.begin() as session:
            _require_property_side(deps, session, actor, referral_id)
            referrals.decide(
                session, referral_id, outcome=ReferralStatus.ACCEPTED, actor=actor, now=deps.clock.now(),
                board_channel=deps.board,
            )  # fmt: skip
        deps.wake_outbox()
        respond(text=f"Accepted R-{referral_id}; the case manager has been told.", response_type="ephemeral",
                replace_original=False)  # fmt: skip

    return accept_referral


def _details(deps: Deps) -> Listener:
    @action_guard
    def show_referral_details(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        """Privately, to the property's managers, coordinators and the referring case manager only."""
        actor, referral_id = actor_of(body), row_id(action_value(body))
        with deps.session_factory() as session:
            referral = referrals.get_referral(session, referral_id)
            if actor.user_id != referral.created_by:
                _require_property_side(deps, session, actor, referral_id)
            text = blocks.referral_details(referral)
        respond(text=text, response_type="ephemeral", replace_original=False)

    return show_referral_details


def _open_outcome_form(deps: Deps, *, build: OutcomeForm) -> Listener:
    @action_guard
    def open_referral_outcome(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        actor, referral_id = actor_of(body), row_id(action_value(body))
        with deps.session_factory() as session:
            _require_property_side(deps, session, actor, referral_id)
            referral = referrals.get_referral(session, referral_id)
            if referral.status not in IN_PLAY:
                raise vacancies.AlreadyDone(f"Referral R-{referral.id} is already {referral.status.replace('_', ' ')}.")
            view = build(referral, deps.clock.now().astimezone(deps.settings.zone).date())
        open_modal(client, str(body.get("trigger_id")), view)

    return open_referral_outcome


def _denied(deps: Deps) -> Listener:
    @view_guard(fallback_block="reason")
    def referral_denied(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        actor, meta = actor_of(body), blocks.RowMeta.load(view.get("private_metadata"))
        values = view["state"]["values"]
        today = deps.clock.now().astimezone(deps.settings.zone).date()
        note = referrals.check_denial_note(str(input_value(values, "note")), today=today)
        with deps.session_factory.begin() as session:
            _require_property_side(deps, session, actor, meta.row_id)
            referrals.decide(
                session, meta.row_id, outcome=ReferralStatus.DENIED, actor=actor, now=deps.clock.now(),
                board_channel=deps.board, reason=str(input_value(values, "reason")) or None, note=note[:500],
            )  # fmt: skip
        ack()
        deps.wake_outbox()

    return referral_denied


def _moved_in(deps: Deps) -> Listener:
    @view_guard(fallback_block="move_in_on")
    def referral_moved_in(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        actor, meta = actor_of(body), blocks.RowMeta.load(view.get("private_metadata"))
        try:
            move_in_on = date.fromisoformat(str(input_value(view["state"]["values"], "move_in_on")))
        except ValueError as exc:
            raise FormErrors({"move_in_on": "Pick the move-in date."}) from exc
        with deps.session_factory.begin() as session:
            _require_property_side(deps, session, actor, meta.row_id)
            referrals.decide(
                session, meta.row_id, outcome=ReferralStatus.MOVED_IN, actor=actor, now=deps.clock.now(),
                board_channel=deps.board, move_in_on=move_in_on,
            )  # fmt: skip
        ack()
        deps.wake_outbox()

    return referral_moved_in
