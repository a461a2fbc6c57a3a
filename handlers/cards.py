"""Buttons on vacancy cards: Mark filled, Withdraw, Still available, Update, Refer a client.

Property managers of the property (including partners' users in Slack Connect, known by their team) and
coordinators may fill, withdraw, confirm and update; our own case managers may refer. Everyone else is told
privately, and nothing changes. Every change is a compare-and-set, so a double click applies once.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.deps import Deps
from bot.domain import access, referrals, vacancies
from bot.domain.actors import Actor
from bot.domain.statuses import VacancyStatus
from bot.slack import blocks, ids
from bot.slack.client import open_modal
from bot.slack.guard import Listener, action_guard, first_submission, view_guard
from bot.slack.payloads import action_value, actor_of, input_value, row_id, submission_key
from storage.models import Vacancy

EDITABLE = tuple(name for name in ids.VACANCY_FIELDS if name not in ("property_id", "property_name"))


def register(app: App, deps: Deps) -> None:
    app.action(ids.ACTION_FILL)(_status_button(deps, to=VacancyStatus.FILLED, event=vacancies.Event.FILLED))
    app.action(ids.ACTION_WITHDRAW)(_status_button(deps, to=VacancyStatus.WITHDRAWN, event=vacancies.Event.WITHDRAWN))
    app.action(ids.ACTION_STILL_AVAILABLE)(_still_available(deps))
    app.action(ids.ACTION_UPDATE)(_open_update(deps))
    app.action(ids.ACTION_REFER)(_open_referral(deps))
    app.view(ids.VIEW_VACANCY_UPDATE)(_update_submitted(deps))
    app.view(ids.VIEW_REFERRAL_NEW)(_referral_submitted(deps))


def _managed(session: Session, deps: Deps, actor: Actor, vacancy_id: int) -> Vacancy:
    """The vacancy, if `actor` manages its property or is a coordinator; NotAllowed (told privately) otherwise."""
    vacancy = vacancies.get_vacancy(session, vacancy_id)
    access.require_manager_or_coordinator(session, deps.roles, actor, vacancy.property_id)
    return vacancy


def _status_button(deps: Deps, *, to: VacancyStatus, event: vacancies.Event) -> Listener:
    @action_guard
    def change_vacancy_status(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        actor, vacancy_id = actor_of(body), row_id(action_value(body))
        with deps.session_factory.begin() as session:
            _managed(session, deps, actor, vacancy_id)
            vacancies.change_status(
                session, vacancy_id, allowed_from=vacancies.LIVE, to=to, actor=actor, now=deps.clock.now(),
                board_channel=deps.board, event=event,
            )  # fmt: skip
        deps.wake_outbox()

    change_vacancy_status.__name__ = f"vacancy_{event}"
    return change_vacancy_status


def _still_available(deps: Deps) -> Listener:
    @action_guard
    def confirm_still_available(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        actor, vacancy_id = actor_of(body), row_id(action_value(body))
        with deps.session_factory.begin() as session:
            _managed(session, deps, actor, vacancy_id)
            vacancies.confirm_available(
                session, vacancy_id, actor=actor, now=deps.clock.now(), board_channel=deps.board
            )
        deps.wake_outbox()

    return confirm_still_available


def _open_update(deps: Deps) -> Listener:
    @action_guard
    def open_vacancy_update(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        actor, vacancy_id = actor_of(body), row_id(action_value(body))
        with deps.session_factory() as session:
            vacancy = _managed(session, deps, actor, vacancy_id)
            vacancies.require_live(vacancy)
            view = blocks.vacancy_edit_modal(vacancy)
        open_modal(client, str(body.get("trigger_id")), view)

    return open_vacancy_update


def _update_submitted(deps: Deps) -> Listener:
    @view_guard(fallback_block="unit")
    def vacancy_update_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        actor, meta = actor_of(body), blocks.VacancyEditMeta.load(view.get("private_metadata"))
        values = view["state"]["values"]
        now = deps.clock.now()
        try:
            with deps.session_factory.begin() as session:
                vacancy = vacancies.get_vacancy(session, meta.row_id)
                draft = vacancies.VacancyDraft(
                    property_name=vacancy.property_name, **{name: input_value(values, name) for name in EDITABLE}
                )
                facts = vacancies.check_vacancy(draft, today=now.astimezone(deps.settings.zone).date())
                access.require_manager_or_coordinator(session, deps.roles, actor, vacancy.property_id)
                vacancies.update_facts(
                    session, meta.row_id, facts=facts, actor=actor, now=now, board_channel=deps.board,
                    seen_version=meta.version,
                )  # fmt: skip
        except vacancies.Stale as stale:
            # Someone changed the listing after this form opened: saving would undo their change. The form
            # stays open, now showing the listing as it is, and says who changed it.
            with deps.session_factory() as session:
                fresh = blocks.vacancy_edit_modal(vacancies.get_vacancy(session, meta.row_id), notice=stale.message)
            ack(response_action="update", view=fresh)
            return
        ack()
        deps.wake_outbox()

    return vacancy_update_submitted


def _open_referral(deps: Deps) -> Listener:
    @action_guard
    def open_referral_form(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        actor, vacancy_id = actor_of(body), row_id(action_value(body))
        access.require_staff(deps.roles, actor, "refer clients")
        with deps.session_factory() as session:
            vacancy = vacancies.get_vacancy(session, vacancy_id)
            vacancies.require_live(vacancy)
            view = blocks.referral_modal(vacancy)
        open_modal(client, str(body.get("trigger_id")), view)

    return open_referral_form


REFERRAL_FIELDS = ("client_code", "household_size", "subsidy", "roi", "note")


def _referral_submitted(deps: Deps) -> Listener:
    @view_guard(fallback_block="client_code")
    def referral_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        actor, meta = actor_of(body), blocks.RowMeta.load(view.get("private_metadata"))
        values = view["state"]["values"]
        facts = referrals.check_referral(
            referrals.ReferralDraft(**{name: input_value(values, name) for name in REFERRAL_FIELDS}),
            code_format=deps.settings.client_code_format,
            today=deps.clock.now().astimezone(deps.settings.zone).date(),
        )
        access.require_staff(deps.roles, actor, "refer clients")
        with deps.session_factory.begin() as session:
            if first_submission(session, submission_key(body), now=deps.clock.now()):  # else a replay: stored once
                referrals.refer(
                    session, meta.row_id, facts=facts, actor=actor, now=deps.clock.now(), board_channel=deps.board,
                    deadlines=deps.answer_deadlines,
                )  # fmt: skip
        ack()
        deps.wake_outbox()

    return referral_submitted
