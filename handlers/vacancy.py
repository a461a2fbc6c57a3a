"""/vacancy: open the form, check a submission in the ack, then store it and queue its card.

Slack needs an answer within 3 seconds, so each listener parses and checks in the ack (where form errors go
back) and hands plain values to work that runs after the answer (Slack calls, database writes).
"""

from __future__ import annotations

import dataclasses
import logging
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import DBAPIError, OperationalError

from bot.deps import Deps
from bot.domain import access, board, properties, vacancies
from bot.domain.actors import Actor
from bot.slack import blocks, ids
from bot.slack.guard import Listener, action_guard, command_guard, first_submission, reference, view_guard
from bot.slack.payloads import action_value, actor_of, input_value, submission_key
from handlers import forms
from handlers.commands import parse_verb
from handlers.properties import property_form
from handlers.report import report_verb

log = logging.getLogger("porchlight.vacancy")
SAVE_ATTEMPTS = 3


def register(app: App, deps: Deps) -> None:
    app.command(ids.COMMAND_VACANCY)(_vacancy_command(deps))
    app.view(ids.VIEW_VACANCY_NEW)(_vacancy_submitted(deps))
    app.action(ids.ACTION_LIST_PAGE)(_list_page(deps))


VERBS = {"list": "list", "find": "list", "search": "list", "property": "property", "properties": "property",
         "report": "report"}  # fmt: skip


def parse_command(text: str) -> tuple[str, str]:
    """(verb, the rest): "form", "help", "list", "property" or "report"; UserError for anything else."""
    return parse_verb(ids.COMMAND_VACANCY, text, VERBS)


def _vacancy_command(deps: Deps) -> Listener:
    @command_guard
    def vacancy_command(
        ack: Ack, body: dict[str, Any], command: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        verb, rest = parse_command(command.get("text") or "")
        if verb == "help":
            ack(text=blocks.HELP_TEXT, blocks=blocks.help_blocks())
            return
        actor = actor_of(body)
        if verb == "list":
            text, page = list_page(deps, rest, page=0, actor=actor)
            ack(text=text, blocks=page)
            return
        if verb == "report":
            report_verb(deps, actor=actor, ack=ack)  # handlers/report.py
            return
        trigger = str(command.get("trigger_id"))
        if verb == "property":
            access.require_coordinator(deps.roles, actor)
            ack()
            deps.after_ack.submit(open_form, client=client, respond=respond, trigger_id=trigger,
                                  build=lambda: property_form(deps, rest))  # fmt: skip
            return
        with deps.session_factory() as session:
            reach = access.reach_of(session, deps.roles, actor)  # our own people: no query
        access.require_reach(reach)  # someone of an unknown workspace is told here, and no form opens
        ack()
        channel = command.get("channel_id")
        deps.after_ack.submit(open_form, client=client, respond=respond, trigger_id=trigger,
                              build=lambda: vacancy_form(deps, channel, reach))  # fmt: skip

    return vacancy_command


def vacancy_form(deps: Deps, channel: str | None, reach: access.Reach = access.WHOLE_BOARD) -> dict[str, Any]:
    """The new-vacancy form; a partner is offered their own company's properties only."""
    today = deps.clock.now().astimezone(deps.settings.zone).date()
    with deps.session_factory() as session:
        listed = tuple((pid, name) for pid, name in properties.listed(session) if reach.covers(pid))
    return blocks.vacancy_modal(blocks.VacancyModalMeta(channel=channel), today=today, properties=listed)


def open_form(*, client: WebClient, respond: Respond, trigger_id: str, build: Callable[[], dict[str, Any]]) -> None:
    """Build the form after the ack (it reads the database) and open it as every command's form opens."""
    forms.open_form(client=client, respond=respond, trigger_id=trigger_id, view=build(), command=ids.COMMAND_VACANCY)


def list_page(deps: Deps, query: str, *, page: int, actor: Actor) -> tuple[str, list[dict[str, Any]]]:
    """One page of the board as `actor` may see it: all of it, their company's listings, or a refusal."""
    filters = board.parse_filters(query)
    with deps.session_factory() as session:
        reach = access.reach_of(session, deps.roles, actor)
        access.require_reach(reach)
        found, total = board.find(session, filters, page=page, reach=reach)
        return blocks.board_page(found, total=total, page=page, page_size=board.PAGE_SIZE, query=query)


def _list_page(deps: Deps) -> Listener:
    @action_guard
    def vacancy_list_page(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        query, page = blocks.read_page_value(action_value(body))
        text, page_blocks = list_page(deps, query, page=page, actor=actor_of(body))
        respond(text=text, blocks=page_blocks, response_type="ephemeral", replace_original=True)

    return vacancy_list_page


def _draft(view: dict[str, Any]) -> vacancies.VacancyDraft:
    values = view["state"]["values"]
    return vacancies.VacancyDraft(**{name: input_value(values, name) for name in ids.VACANCY_FIELDS})


def _chosen_property_label(view: dict[str, Any]) -> str:
    """The name shown on the listed property the person chose ('' if none): what they saw, for their DM."""
    element = next(iter((view["state"]["values"].get("property_id") or {}).values()), None) or {}
    text = ((element.get("selected_option") or {}).get("text") or {}).get("text")
    return text if isinstance(text, str) else ""


def _vacancy_submitted(deps: Deps) -> Listener:
    @view_guard(fallback_block="property_name")
    def vacancy_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        now, actor = deps.clock.now(), actor_of(body)
        facts = vacancies.check_vacancy(_draft(view), today=now.astimezone(deps.settings.zone).date())
        with deps.session_factory() as session:
            reach = access.reach_of(session, deps.roles, actor)  # our own people: no query
            if not reach.whole_board:
                listed = vacancies.property_for(session, facts)
                access.require_may_log_at(reach, listed.id if listed else None, chosen=facts.property_id is not None)
        if facts.property_id is not None and not facts.property_name:
            # Stored under the listed property's own name; this one is only for the DM if the save fails.
            facts = dataclasses.replace(facts, property_name=_chosen_property_label(view))
        board_channel = deps.board
        ack()
        meta = blocks.VacancyModalMeta.load(view.get("private_metadata"))
        deps.after_ack.submit(
            save_vacancy, deps, client=client, facts=facts, actor=actor, board=board_channel,
            reply_channel=meta.channel, submission=submission_key(body),
        )  # fmt: skip

    return vacancy_submitted


def save_vacancy(
    deps: Deps,
    *,
    client: WebClient,
    facts: vacancies.VacancyFacts,
    actor: Actor,
    board: str,
    reply_channel: str | None,
    submission: str | None = None,
) -> None:
    """Store the vacancy and queue its card; if the database will not take it, tell the person by DM."""
    for attempt in range(1, SAVE_ATTEMPTS + 1):
        try:
            with deps.session_factory.begin() as session:
                if not first_submission(session, submission, now=deps.clock.now()):
                    return  # the same signed submission again (a replay): it was stored the first time
                vacancies.log_vacancy(
                    session, facts=facts, actor=actor, now=deps.clock.now(), board_channel=board,
                    reply_channel=reply_channel,
                )  # fmt: skip
            deps.wake_outbox()
            return
        except OperationalError as exc:
            if attempt == SAVE_ATTEMPTS:
                _tell_not_saved(client, actor.user_id, facts, exc)
                return
            time.sleep(0.2 * attempt)  # the database was busy or briefly away
        except Exception as exc:
            _tell_not_saved(client, actor.user_id, facts, exc)
            return


def failure_cause(exc: BaseException) -> str:
    """What went wrong and where, without any error's message: a database error's text carries the row's values
    (what was typed, and a driver's DETAIL line), and no log may hold them. Class names, SQLSTATE, constraint
    and column names, and code locations are enough to find the cause."""
    chain: list[str] = []
    seen: BaseException | None = exc
    while seen is not None and len(chain) < 4:
        name = f"{type(seen).__module__}.{type(seen).__qualname__}".removeprefix("builtins.")
        if isinstance(seen, DBAPIError) and seen.orig is not None:
            name += f" ({_driver_error(seen.orig)})"
        chain.append(name)
        seen = seen.__cause__ or (None if seen.__suppress_context__ else seen.__context__)
    frames = traceback.extract_tb(exc.__traceback__)[-4:]
    where = " < ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(frames))
    return f"{' from '.join(chain)} at {where or 'an unknown place'}"


def _driver_error(orig: BaseException) -> str:
    """The driver's error class and its identifiers (psycopg's diagnostics, sqlite3's error name), no text."""
    parts = [f"{type(orig).__module__}.{type(orig).__qualname__}"]
    for attr in ("sqlstate", "sqlite_errorname"):
        if isinstance(value := getattr(orig, attr, None), str):
            parts.append(value)
    diag = getattr(orig, "diag", None)
    for attr in ("table_name", "column_name", "constraint_name"):
        if isinstance(value := getattr(diag, attr, None), str):
            parts.append(f"{attr.removesuffix('_name')} {value}")
    return ", ".join(parts)


def _tell_not_saved(client: WebClient, user: str, facts: vacancies.VacancyFacts, exc: BaseException) -> None:
    """The form has closed, so the person hears by DM, with what they entered, that it was not saved."""
    ref = reference()
    log.error("could not save a vacancy (ref %s): %s", ref, failure_cause(exc))
    try:
        client.chat_postMessage(channel=user, text=blocks.vacancy_not_saved(facts, ref))
    except SlackApiError as exc:
        log.error(
            "could not tell %s that their vacancy was not saved (ref %s): %s", user, ref, exc.response.get("error")
        )
