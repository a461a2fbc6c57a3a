"""/vacancy: open the form, check and store a submission, queue its card."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from bot.domain import vacancies
from bot.errors import UserError
from bot.slack import blocks, ids
from bot.slack.guard import command_guard, view_guard
from bot.slack.payloads import actor_of, input_value

HELP_WORDS = {"help", "?", "-h", "--help"}


def register(app: App, deps: Deps) -> None:
    app.command(ids.COMMAND_VACANCY)(_vacancy_command(deps))
    app.view(ids.VIEW_VACANCY_NEW)(_vacancy_submitted(deps))


def _vacancy_command(deps: Deps) -> Any:
    @command_guard
    def vacancy_command(ack: Ack, command: dict[str, Any], client: WebClient) -> None:
        words = (command.get("text") or "").strip().lower().split()
        if words and words[0] in HELP_WORDS:
            ack(text=blocks.HELP_TEXT, blocks=blocks.help_blocks())
            return
        if words:
            raise UserError(f"I don't know `/vacancy {words[0]}`. Try `/vacancy` or `/vacancy help`.")
        today = deps.clock.now().astimezone(deps.settings.zone).date()
        view = blocks.vacancy_modal(blocks.VacancyModalMeta(channel=command.get("channel_id")), today=today)
        try:
            client.views_open(trigger_id=command["trigger_id"], view=view)
        except SlackApiError as exc:
            raise UserError(
                f"Slack would not open the vacancy form ({exc.response.get('error')}). Please run /vacancy again."
            ) from exc
        ack()

    return vacancy_command


def _draft(values: dict[str, Any]) -> vacancies.VacancyDraft:
    return vacancies.VacancyDraft(**{name: input_value(values, name) for name in ids.VACANCY_FIELDS})


def _vacancy_submitted(deps: Deps) -> Any:
    @view_guard(fallback_block="property_name")
    def vacancy_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        draft = _draft(view["state"]["values"])
        meta = blocks.VacancyModalMeta.load(view.get("private_metadata"))
        now = deps.clock.now()
        facts = vacancies.check_vacancy(draft, today=now.astimezone(deps.settings.zone).date())
        board = deps.settings.vacancy_channel
        if board is None:
            raise UserError("Porchlight has no vacancies channel set up yet; ask your admin to set one.")
        with deps.session_factory.begin() as session:
            vacancies.log_vacancy(
                session, facts=facts, actor=actor_of(body), now=now, board_channel=board, reply_channel=meta.channel
            )
        ack()
        deps.wake_outbox()

    return vacancy_submitted
