"""/vacancy: open the form, check a submission in the ack, then store it and queue its card.

Slack needs an answer within 3 seconds, so each listener parses and checks in the ack (where form errors go
back) and hands plain values to work that runs after the answer (Slack calls, database writes).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import OperationalError

from bot.deps import Deps
from bot.domain import vacancies
from bot.domain.actors import Actor
from bot.errors import UserError
from bot.slack import blocks, ids
from bot.slack.guard import command_guard, reference, view_guard
from bot.slack.payloads import actor_of, input_value

log = logging.getLogger("porchlight.vacancy")
HELP_WORDS = {"help", "?", "-h", "--help"}
SAVE_ATTEMPTS = 3


def register(app: App, deps: Deps) -> None:
    app.command(ids.COMMAND_VACANCY)(_vacancy_command(deps))
    app.view(ids.VIEW_VACANCY_NEW)(_vacancy_submitted(deps))


def wants_form(text: str) -> bool:
    """True for a bare `/vacancy`; False for help; UserError for anything else."""
    words = text.strip().lower().split()
    if not words:
        return True
    if words[0] in HELP_WORDS:
        return False
    raise UserError(f"I don't know `/vacancy {words[0]}`. Try `/vacancy` or `/vacancy help`.")


def _vacancy_command(deps: Deps) -> Any:
    @command_guard
    def vacancy_command(ack: Ack, command: dict[str, Any], client: WebClient, respond: Respond) -> None:
        if not wants_form(command.get("text") or ""):
            ack(text=blocks.HELP_TEXT, blocks=blocks.help_blocks())
            return
        ack()
        deps.after_ack.submit(
            open_vacancy_form, deps, client=client, respond=respond, trigger_id=str(command.get("trigger_id")),
            channel=command.get("channel_id"),
        )  # fmt: skip

    return vacancy_command


def open_vacancy_form(deps: Deps, *, client: WebClient, respond: Respond, trigger_id: str, channel: str | None) -> None:
    """Open the form with the command's trigger (valid for 3 s); tell the person if Slack refuses."""
    today = deps.clock.now().astimezone(deps.settings.zone).date()
    view = blocks.vacancy_modal(blocks.VacancyModalMeta(channel=channel), today=today)
    try:
        client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as exc:
        error = exc.response.get("error")
        log.warning("views.open failed for /vacancy: %s", error)
        respond(text=f"Slack would not open the vacancy form ({error}). Please run /vacancy again.")


def _draft(view: dict[str, Any]) -> vacancies.VacancyDraft:
    values = view["state"]["values"]
    return vacancies.VacancyDraft(**{name: input_value(values, name) for name in ids.VACANCY_FIELDS})


def _vacancy_submitted(deps: Deps) -> Any:
    @view_guard(fallback_block="property_name")
    def vacancy_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        now = deps.clock.now()
        facts = vacancies.check_vacancy(_draft(view), today=now.astimezone(deps.settings.zone).date())
        board = deps.settings.vacancy_channel
        if board is None:
            raise UserError("Porchlight has no vacancies channel set up yet; ask your admin to set one.")
        ack()
        meta = blocks.VacancyModalMeta.load(view.get("private_metadata"))
        deps.after_ack.submit(
            save_vacancy, deps, client=client, facts=facts, actor=actor_of(body), board=board,
            reply_channel=meta.channel,
        )  # fmt: skip

    return vacancy_submitted


def save_vacancy(
    deps: Deps, *, client: WebClient, facts: vacancies.VacancyFacts, actor: Actor, board: str, reply_channel: str | None
) -> None:
    """Store the vacancy and queue its card; if the database will not take it, tell the person by DM."""
    for attempt in range(1, SAVE_ATTEMPTS + 1):
        try:
            with deps.session_factory.begin() as session:
                vacancies.log_vacancy(
                    session, facts=facts, actor=actor, now=deps.clock.now(), board_channel=board,
                    reply_channel=reply_channel,
                )  # fmt: skip
            deps.wake_outbox()
            return
        except OperationalError:
            if attempt == SAVE_ATTEMPTS:
                break
            time.sleep(0.2 * attempt)  # the database was busy or briefly away
        except Exception:
            break
    _tell_not_saved(client, actor.user_id, facts)


def _tell_not_saved(client: WebClient, user: str, facts: vacancies.VacancyFacts) -> None:
    """The form has closed, so the person hears by DM, with what they entered, that it was not saved."""
    ref = reference()
    log.exception("could not save a vacancy (ref %s)", ref)
    try:
        client.chat_postMessage(channel=user, text=blocks.vacancy_not_saved(facts, ref))
    except SlackApiError as exc:
        log.error(
            "could not tell %s that their vacancy was not saved (ref %s): %s", user, ref, exc.response.get("error")
        )
