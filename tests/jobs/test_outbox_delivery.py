"""The outbox delivers through the local workspace: retries, rate limits, timeouts, permanent errors."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from bot.clock import ManualClock
from bot.deps import Deps
from bot.domain import vacancies
from bot.domain.actors import Actor
from jobs import outbox as delivery
from sandbox import Workspace
from storage import outbox as outbox_rows
from storage import posted
from storage.models import AuditEntry, OutboxMessage
from tests.conftest import CASE_MANAGER, COORDINATOR, VACANCIES

DRAFT = vacancies.VacancyDraft(
    property_name="Maple Court", unit="12B", bedrooms="2", rent="1250", available_on="2026-12-01",
    contact="Office 555-0100",
)  # fmt: skip


def log_one(deps: Deps, *, board: str = VACANCIES, reply: str | None = VACANCIES) -> int:
    facts = vacancies.check_vacancy(DRAFT, today=date(2026, 11, 23))
    with deps.session_factory.begin() as session:
        vacancy = vacancies.log_vacancy(
            session, facts=facts, actor=Actor(CASE_MANAGER, "T0PORCH"), now=deps.clock.now(),
            board_channel=board, reply_channel=reply,
        )  # fmt: skip
        return vacancy.id


def rows(deps: Deps) -> list[OutboxMessage]:
    with deps.session_factory() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def card_ts(deps: Deps, vacancy_id: int, channel: str = VACANCIES) -> str | None:
    with deps.session_factory() as session:
        return posted.find(session, vacancies.card_of(vacancy_id), channel=channel)


def cards(workspace: Workspace) -> list[str]:
    return [m.ts for m in workspace.messages(VACANCIES)]


def test_card_then_confirmation_each_once(deps: Deps, workspace: Workspace) -> None:
    vacancy_id = log_one(deps)
    first = delivery.run(deps=deps, max_rounds=1)
    assert len(first.sent) == 1  # the confirmation waits for the card
    second = delivery.run(deps=deps)
    assert len(second.sent) == 1
    assert delivery.run(deps=deps).sent == []
    assert len(cards(workspace)) == 1
    assert len(workspace.ephemerals_for(CASE_MANAGER)) == 1
    assert card_ts(deps, vacancy_id) == cards(workspace)[0]


def test_one_run_delivers_a_channels_backlog_in_order(deps: Deps, workspace: Workspace) -> None:
    ids = [log_one(deps) for _ in range(5)]
    report = delivery.run(deps=deps)
    assert len(report.sent) == 10
    assert [card_ts(deps, i) for i in ids] == cards(workspace)


def test_server_errors_back_off_then_deliver_once(deps: Deps, workspace: Workspace, clock: ManualClock) -> None:
    log_one(deps)
    workspace.faults.fail("chat.postMessage", times=3, status=500)
    for _ in range(3):
        assert delivery.run(deps=deps).retried
        assert delivery.run(deps=deps).sent == []  # not due yet: backing off
        clock.advance(timedelta(minutes=1))
    assert len(delivery.run(deps=deps).sent) == 2  # the card, then the confirmation it unblocked
    assert len(cards(workspace)) == 1
    assert rows(deps)[0].attempts == 4


def test_a_rate_limit_is_honoured(deps: Deps, workspace: Workspace, clock: ManualClock) -> None:
    log_one(deps)
    workspace.faults.rate_limit("chat.postMessage", retry_after=7)
    assert delivery.run(deps=deps).retried
    assert rows(deps)[0].next_attempt_at == clock.now() + timedelta(seconds=7)
    clock.advance(timedelta(seconds=6))
    assert delivery.run(deps=deps).sent == []
    clock.advance(timedelta(seconds=1))
    assert len(delivery.run(deps=deps).sent) == 2


def test_a_timeout_after_slack_accepted_is_not_posted_twice(
    deps: Deps, workspace: Workspace, clock: ManualClock
) -> None:
    log_one(deps)
    workspace.faults.delay("chat.postMessage", seconds=2.5, after_effect=True)  # the client gives up at 2 s
    assert delivery.run(deps=deps).retried
    assert len(cards(workspace)) == 1  # Slack has it, though we never heard back
    clock.advance(timedelta(minutes=1))
    assert len(delivery.run(deps=deps).sent) == 2
    assert len(cards(workspace)) == 1
    card = rows(deps)[0]
    assert card.result_ts == cards(workspace)[0]


def test_slack_down_for_a_while_then_back(deps: Deps, workspace: Workspace, clock: ManualClock) -> None:
    for _ in range(3):
        log_one(deps)
    workspace.faults.fail("chat.postMessage", times=6, status=503, error="service_unavailable")
    for _ in range(12):
        delivery.run(deps=deps)
        clock.advance(timedelta(minutes=2))
    assert len(cards(workspace)) == 3
    assert [r.status for r in rows(deps)] == ["sent"] * 6
    texts = [m.text for m in workspace.messages(VACANCIES)]
    assert len(set(texts)) == 1  # same facts, three units, posted in the order they were logged
    assert [r.result_ts for r in rows(deps) if r.kind == vacancies.Kind.CARD_POST] == cards(workspace)


def test_a_permanent_error_is_surfaced_to_coordinators_and_the_submitter(deps: Deps, workspace: Workspace) -> None:
    log_one(deps, board="C0GONE")
    report = delivery.run(deps=deps)
    assert len(report.failed) == 1
    for _ in range(3):
        delivery.run(deps=deps)
    card, confirm, notice = rows(deps)
    assert (card.status, card.last_error) == ("failed", "channel_not_found")
    assert confirm.status == "sent"
    assert "could not be posted" in workspace.ephemerals_for(CASE_MANAGER)[-1].text
    assert (notice.kind, notice.channel, notice.status) == (delivery.NOTICE, COORDINATOR, "sent")
    dm = next(c for c in workspace.channels.values() if c.is_im and COORDINATOR in c.members)
    assert "channel_not_found" in dm.messages[-1].text
    with deps.session_factory() as session:
        assert "outbox.failed" in session.scalars(select(AuditEntry.action)).all()


def test_a_bot_not_in_the_channel_fails_for_good(deps: Deps, workspace: Workspace) -> None:
    log_one(deps, board="C0GENERAL")
    assert delivery.run(deps=deps).failed
    assert rows(deps)[0].last_error == "not_in_channel"


def test_giving_up_after_many_attempts_is_surfaced(deps: Deps, workspace: Workspace, clock: ManualClock) -> None:
    log_one(deps)
    workspace.faults.fail("chat.postMessage", times=delivery.MAX_ATTEMPTS, status=500)
    for _ in range(delivery.MAX_ATTEMPTS):
        delivery.run(deps=deps)
        clock.advance(delivery.MAX_BACKOFF * 2)
    card = rows(deps)[0]
    assert card.status == "failed"
    assert card.last_error is not None
    assert card.last_error.startswith("gave up after 12 attempts")


def test_a_worker_that_died_after_slack_took_the_post_causes_no_duplicate(
    deps: Deps, workspace: Workspace, clock: ManualClock
) -> None:
    log_one(deps)
    with deps.session_factory.begin() as session:
        assert outbox_rows.claim(
            session, 1, now=clock.now(), hold=delivery.CLAIM_HOLD, by="worker-a"
        )  # worker A claims row 1 ...
    metadata = {"event_type": "porchlight_outbox", "event_payload": {"outbox_id": 1}}
    deps.delivery_client.chat_postMessage(channel=VACANCIES, text="card", metadata=metadata)  # ... Slack takes it ...
    assert delivery.run(deps=deps).sent == []  # ... and A dies. Its claim holds for a while:
    clock.advance(delivery.CLAIM_HOLD + timedelta(seconds=1))
    assert len(delivery.run(deps=deps).sent) == 2  # worker B adopts the posted card and confirms
    assert len(workspace.messages(VACANCIES)) == 1
    assert rows(deps)[0].result_ts == workspace.messages(VACANCIES)[0].ts


def test_a_dead_workers_released_row_is_delivered_at_once_and_not_twice(
    deps: Deps, workspace: Workspace, clock: ManualClock
) -> None:
    log_one(deps)
    with deps.session_factory.begin() as session:
        assert outbox_rows.claim(session, 1, now=clock.now(), hold=delivery.CLAIM_HOLD, by="worker-a")
    metadata = {"event_type": "porchlight_outbox", "event_payload": {"outbox_id": 1}}
    deps.delivery_client.chat_postMessage(channel=VACANCIES, text="card", metadata=metadata)  # Slack took it; A died
    with deps.session_factory.begin() as session:
        assert outbox_rows.release(session, "worker-a") == 1  # A's supervisor saw it die
    assert len(delivery.run(deps=deps).sent) == 2  # no minute's wait: the card is adopted, the confirmation sent
    assert len(workspace.messages(VACANCIES)) == 1


def test_a_thread_reply_whose_claim_lapsed_is_found_in_its_thread(
    deps: Deps, workspace: Workspace, clock: ManualClock
) -> None:
    log_one(deps)
    delivery.run(deps=deps)
    card = workspace.messages(VACANCIES)[0]
    with deps.session_factory.begin() as session:
        row = outbox_rows.enqueue(session, kind=vacancies.Kind.HISTORY, channel=VACANCIES, subject_id=1,
                                  now=clock.now(), detail={"event": "updated", "by": CASE_MANAGER})  # fmt: skip
        row_id = row.id
    with deps.session_factory.begin() as session:
        assert outbox_rows.claim(session, row_id, now=clock.now(), hold=delivery.CLAIM_HOLD, by="worker-a")
    metadata = {"event_type": "porchlight_outbox", "event_payload": {"outbox_id": row_id}}
    deps.delivery_client.chat_postMessage(channel=VACANCIES, text="line", thread_ts=card.ts, metadata=metadata)
    clock.advance(delivery.CLAIM_HOLD + timedelta(seconds=1))
    assert delivery.run(deps=deps).sent == [row_id]
    assert len([m for m in workspace.messages(VACANCIES) if m.thread_ts == card.ts]) == 1
