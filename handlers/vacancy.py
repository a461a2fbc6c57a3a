"""/vacancy: open the form, check a submission in the ack, then store it and queue its card.

Slack needs an answer within 3 seconds, so each listener parses and checks in the ack (where form errors go
back) and hands plain values to work that runs after the answer (Slack calls, database writes).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import OperationalError

from bot.deps import Deps
from bot.domain import access, board, properties, vacancies
from bot.domain.actors import Actor
from bot.errors import UserError
from bot.slack import blocks, ids
from bot.slack.guard import action_guard, command_guard, reference, view_guard
from bot.slack.payloads import action_value, actor_of, input_value
from handlers.properties import property_form

log = logging.getLogger("porchlight.vacancy")
HELP_WORDS = {"help", "?", "-h", "--help"}
SAVE_ATTEMPTS = 3


def register(app: App, deps: Deps) -> None:
    app.command(ids.COMMAND_VACANCY)(_vacancy_command(deps))
    app.view(ids.VIEW_VACANCY_NEW)(_vacancy_submitted(deps))
    app.action(ids.ACTION_LIST_PAGE)(_list_page(deps))


def parse_command(text: str) -> tuple[str, str]:
    """(verb, the rest): "form", "help", "list" or "property"; UserError for anything else."""
    verb, _, rest = text.strip().partition(" ")
    verb = verb.lower()
    if not verb:
        return "form", ""
    if verb in HELP_WORDS:
        return "help", ""
    if verb in ("list", "find", "search"):
        return "list", rest
    if verb in ("property", "properties"):
        return "property", rest
    raise UserError(f"I don't know `/vacancy {verb}`. Try `/vacancy`, `/vacancy list` or `/vacancy help`.")


def _vacancy_command(deps: Deps) -> Any:
    @command_guard
    def vacancy_command(
        ack: Ack, body: dict[str, Any], command: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        verb, rest = parse_command(command.get("text") or "")
        if verb == "help":
            ack(text=blocks.HELP_TEXT, blocks=blocks.help_blocks())
            return
        if verb == "list":
            text, page = list_page(deps, rest, page=0)
            ack(text=text, blocks=page)
            return
        trigger = str(command.get("trigger_id"))
        if verb == "property":
            access.require_coordinator(deps.roles, actor_of(body))
            ack()
            deps.after_ack.submit(open_form, client=client, respond=respond, trigger_id=trigger,
                                  build=lambda: property_form(deps, rest))  # fmt: skip
            return
        ack()
        channel = command.get("channel_id")
        deps.after_ack.submit(open_form, client=client, respond=respond, trigger_id=trigger,
                              build=lambda: vacancy_form(deps, channel))  # fmt: skip

    return vacancy_command


def vacancy_form(deps: Deps, channel: str | None) -> dict[str, Any]:
    today = deps.clock.now().astimezone(deps.settings.zone).date()
    with deps.session_factory() as session:
        listed = properties.listed(session)
    return blocks.vacancy_modal(blocks.VacancyModalMeta(channel=channel), today=today, properties=listed)


def open_form(*, client: WebClient, respond: Respond, trigger_id: str, build: Callable[[], dict[str, Any]]) -> None:
    """Open a form with the command's trigger (valid for 3 s); tell the person if Slack refuses."""
    try:
        client.views_open(trigger_id=trigger_id, view=build())
    except SlackApiError as exc:
        error = exc.response.get("error")
        log.warning("views.open failed for /vacancy: %s", error)
        respond(text=f"Slack would not open the form ({error}). Please run /vacancy again.")


def list_page(deps: Deps, query: str, *, page: int) -> tuple[str, list[dict[str, Any]]]:
    filters = board.parse_filters(query)
    with deps.session_factory() as session:
        found, total = board.find(session, filters, page=page)
        return blocks.board_page(found, total=total, page=page, page_size=board.PAGE_SIZE, query=query)


def _list_page(deps: Deps) -> Any:
    @action_guard
    def vacancy_list_page(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        query, page = blocks.read_page_value(action_value(body))
        text, page_blocks = list_page(deps, query, page=page)
        respond(text=text, blocks=page_blocks, response_type="ephemeral", replace_original=True)

    return vacancy_list_page


def _draft(view: dict[str, Any]) -> vacancies.VacancyDraft:
    values = view["state"]["values"]
    return vacancies.VacancyDraft(**{name: input_value(values, name) for name in ids.VACANCY_FIELDS})


def _vacancy_submitted(deps: Deps) -> Any:
    @view_guard(fallback_block="property_name")
    def vacancy_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        now = deps.clock.now()
        facts = vacancies.check_vacancy(_draft(view), today=now.astimezone(deps.settings.zone).date())
        board_channel = deps.board
        ack()
        meta = blocks.VacancyModalMeta.load(view.get("private_metadata"))
        deps.after_ack.submit(
            save_vacancy, deps, client=client, facts=facts, actor=actor_of(body), board=board_channel,
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
