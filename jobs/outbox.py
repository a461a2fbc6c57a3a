"""Deliver outbox rows to Slack: in order per channel, with backoff, never the same row twice."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.errors import SlackApiError, SlackRequestError
from sqlalchemy.orm import Session

from bot.delivery import Context, Custom, Delivery, Gone, Message, Private, Upload
from bot.deps import Deps
from bot.slack import ids
from bot.slack.blocks.messages import delivery_failure_notice
from storage import audit, outbox, posted
from storage.models import OutboxMessage

log = logging.getLogger("porchlight.outbox")

CLAIM_HOLD = timedelta(seconds=60)
MAX_ATTEMPTS = 12
MAX_BACKOFF = timedelta(minutes=5)
NOTICE = "notice.delivery_failed"
# Errors that retrying cannot fix: someone has to change a channel, a token or the message.
PERMANENT = frozenset(
    {
        "channel_not_found", "not_in_channel", "is_archived", "invalid_blocks", "invalid_blocks_format",
        "invalid_auth", "not_authed", "account_inactive", "token_revoked", "missing_scope", "msg_too_long",
        "no_text", "user_not_found", "cant_update_message", "message_not_found", "invalid_arguments",
        "restricted_action", "too_many_attachments",
    }
)  # fmt: skip
# An ephemeral can fail because the person is not in that channel; then a DM from the bot reaches them.
EPHEMERAL_FALLBACK = frozenset({"channel_not_found", "not_in_channel", "user_not_in_channel"})


class Permanent(Exception):
    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


@dataclass
class Report:
    sent: list[int] = field(default_factory=list)
    retried: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def run(*, deps: Deps, now: datetime | None = None, limit: int = 50, max_rounds: int = 20) -> Report:
    """Deliver what is due now; returns which rows were sent, put back for retry, or failed for good.

    A row waits for the older rows of its channel, so after a round that delivered something the next
    round picks up what that unblocked, until nothing more is due (or `max_rounds`, to share the tick).
    """
    now = now or deps.clock.now()
    report = Report()
    blocked_channels: set[str] = set()
    for _ in range(max_rounds):
        delivered = _deliver_round(deps, now=now, limit=limit, report=report, blocked=blocked_channels)
        if not delivered:
            break
    return report


def _deliver_round(deps: Deps, *, now: datetime, limit: int, report: Report, blocked: set[str]) -> int:
    with deps.session_factory.begin() as session:
        candidates = [(row.id, row.channel) for row in outbox.due(session, now=now, limit=limit)]
    delivered = 0
    for row_id, channel in candidates:
        if channel in blocked:
            continue
        with deps.session_factory.begin() as session:
            if not outbox.claim(session, row_id, now=now, hold=CLAIM_HOLD, by=deps.claimant):
                continue  # another worker has it
        outcome = _deliver_one(deps, row_id, now)
        getattr(report, outcome).append(row_id)
        if outcome == "retried":
            blocked.add(channel)  # keep the channel's order: nothing overtakes a retried row
        else:
            delivered += 1
    return delivered


def _deliver_one(deps: Deps, row_id: int, now: datetime) -> str:
    try:
        with deps.session_factory() as session:  # read what to send, then let go of the database
            row = session.get(OutboxMessage, row_id)
            assert row is not None
            send = _prepare(deps, session, row)
    except (Permanent, Gone) as exc:
        _fail(deps, row_id, exc.error, now)
        return "failed"
    except Exception as exc:
        # A renderer that breaks on a row breaks on it every time: retrying would hold up the channel behind it for
        # good. It fails now, so a coordinator is told, and the cause is in the log.
        log.exception("outbox #%s: its renderer failed", row_id)
        _fail(deps, row_id, f"render_failed: {type(exc).__name__}", now)
        return "failed"
    try:
        channel, ts = send()  # Slack calls, with no transaction open
    except (Permanent, Gone) as exc:
        _fail(deps, row_id, exc.error, now)
        return "failed"
    except SlackApiError as exc:
        return _retry_or_fail(deps, row_id, exc, now)
    except OSError as exc:  # connection refused, reset, DNS, timeouts (socket.timeout is an OSError)
        return _retry(deps, row_id, f"network: {type(exc).__name__}", now, None)
    except Exception as exc:  # the client itself failed: its outcome is unknown, so the next attempt looks first
        log.exception("outbox #%s: sending failed unexpectedly", row_id)
        return _retry(deps, row_id, f"unexpected: {type(exc).__name__}", now, None)
    with deps.session_factory.begin() as session:
        row = session.get(OutboxMessage, row_id)
        assert row is not None
        row.status, row.result_channel, row.result_ts = outbox.Status.SENT, channel, ts
        row.delivered_at, row.claimed_until = now, None
        if send.keep is not None and ts:
            posted.record(session, send.keep, channel=channel, ts=ts, now=now)  # later changes edit it here
    return "sent"


def _retry_or_fail(deps: Deps, row_id: int, exc: SlackApiError, now: datetime) -> str:
    error = str(exc.response.get("error") or "unknown")
    status = exc.response.status_code
    if error in PERMANENT:
        _fail(deps, row_id, error, now)
        return "failed"
    retry_after = None
    if status == 429:
        retry_after = timedelta(seconds=int(exc.response.headers.get("Retry-After", "1") or 1))
    return _retry(deps, row_id, f"{status} {error}", now, retry_after)


def _retry(deps: Deps, row_id: int, reason: str, now: datetime, retry_after: timedelta | None) -> str:
    with deps.session_factory.begin() as session:
        row = session.get(OutboxMessage, row_id)
        assert row is not None
        row.last_error = reason[:200]
        row.claimed_until = None
        if row.attempts >= MAX_ATTEMPTS:
            log.error("outbox #%s gave up after %s attempts: %s", row_id, row.attempts, reason)
            _mark_failed(deps, session, row, f"gave up after {row.attempts} attempts: {reason}", now)
            return "failed"
        backoff = min(MAX_BACKOFF, timedelta(seconds=2 ** (row.attempts - 1)))
        jitter = timedelta(seconds=random.uniform(0, 0.25) * backoff.total_seconds())
        row.next_attempt_at = now + (retry_after if retry_after is not None else backoff + jitter)
        log.warning("outbox #%s (%s) will retry at %s: %s", row_id, row.kind, row.next_attempt_at, reason)
    return "retried"


def _fail(deps: Deps, row_id: int, error: str, now: datetime) -> None:
    with deps.session_factory.begin() as session:
        row = session.get(OutboxMessage, row_id)
        assert row is not None
        log.error("outbox #%s (%s to %s) failed for good: %s", row_id, row.kind, row.channel, error)
        _mark_failed(deps, session, row, error, now)


def _mark_failed(deps: Deps, session: Session, row: OutboxMessage, error: str, now: datetime) -> None:
    row.status, row.last_error, row.claimed_until = outbox.Status.FAILED, error[:200], None
    audit.record(
        session, actor="system", actor_team=None, action="outbox.failed", subject_type="outbox",
        subject_id=row.id, at=now, detail={"kind": row.kind, "channel": row.channel, "error": error[:200]},
    )  # fmt: skip
    if row.kind == NOTICE:
        return  # never a notice about a notice
    for coordinator in deps.settings.coordinators:
        outbox.enqueue(session, kind=NOTICE, channel=coordinator, subject_id=row.id, now=now)
    if not deps.settings.coordinators:
        log.error("no PORCHLIGHT_COORDINATORS set: nobody can be told that outbox #%s failed", row.id)


# -- posting without ever posting twice -------------------------------------------------------------------------
LOOKBACK = timedelta(minutes=5)


def _metadata(row: OutboxMessage) -> dict[str, Any]:
    return {"event_type": ids.OUTBOX_METADATA_TYPE, "event_payload": {"outbox_id": row.id}}


def _post(deps: Deps, row: OutboxMessage, *, channel: str, **message: Any) -> tuple[str, str]:
    """Post with the row id in the message metadata; after an earlier attempt whose outcome is unknown
    (timeout, dropped connection, 5xx, a worker that died), first look for that message and adopt it."""
    if row.attempts > 1:  # this attempt was counted when claimed; an earlier one may have reached Slack
        found = _already_posted(deps, row, channel, thread_ts=message.get("thread_ts"))
        if found is not None:
            log.info("outbox #%s was already posted (ts %s); not posting again", row.id, found[1])
            return found
    response = deps.delivery_client.chat_postMessage(channel=channel, metadata=_metadata(row), **message)
    return response["channel"], response["ts"]


def _already_posted(deps: Deps, row: OutboxMessage, channel: str, *, thread_ts: str | None) -> tuple[str, str] | None:
    try:
        return _find_by_metadata(deps, row, channel, thread_ts)
    except SlackApiError as exc:
        if exc.response.get("error") in PERMANENT:
            # We cannot look here (no access to history); the post itself will say what is wrong.
            log.warning("outbox #%s: cannot look for an earlier copy: %s", row.id, exc.response.get("error"))
            return None
        raise


def _find_by_metadata(deps: Deps, row: OutboxMessage, channel: str, thread_ts: str | None) -> tuple[str, str] | None:
    if not channel.startswith(("C", "G", "D")):  # a user id: find the DM channel first
        channel = deps.delivery_client.conversations_open(users=channel)["channel"]["id"]
    oldest = f"{(row.created_at - LOOKBACK).timestamp():.6f}"
    if thread_ts:  # a reply lives in its thread, not in the channel's history
        history = deps.delivery_client.conversations_replies(
            channel=channel, ts=thread_ts, oldest=oldest, limit=200, include_all_metadata=True
        )
    else:
        history = deps.delivery_client.conversations_history(
            channel=channel, oldest=oldest, limit=200, include_all_metadata=True
        )
    for message in history.get("messages") or []:
        payload = (message.get("metadata") or {}).get("event_payload") or {}
        if payload.get("outbox_id") == row.id:
            return channel, message["ts"]
    return None


# -- what a row posts: its kind's renderer, from the features' table ---------------------------------------------


@dataclass(frozen=True)
class _Send:
    """The Slack calls for one row, read and rendered beforehand; `keep` is recorded once it has landed."""

    call: Callable[[], tuple[str, str | None]]
    keep: posted.Kept | None = None

    def __call__(self) -> tuple[str, str | None]:
        return self.call()


def _notice(context: Context, row: OutboxMessage) -> Delivery:
    """The engine's own kind: a coordinator told that a row failed for good."""
    failed = context.session.get(OutboxMessage, row.subject_id)
    text = delivery_failure_notice(
        kind=failed.kind if failed else "?", channel=failed.channel if failed else "?",
        error=(failed.last_error or "?") if failed else "?", row_id=row.subject_id or 0,
    )  # fmt: skip
    return Message(channel=row.channel, text=text)


def _prepare(deps: Deps, session: Session, row: OutboxMessage) -> _Send:
    """Read and render everything a row needs; the returned call only talks to Slack."""
    renderer = _notice if row.kind == NOTICE else deps.plugins.renderers.get(row.kind)
    if renderer is None:
        raise Permanent(f"no renderer for outbox kind {row.kind!r}")
    delivery = renderer(Context(settings=deps.settings, session=session, now=deps.clock.now()), row)
    slack = _EngineSlack(deps, row)
    if isinstance(delivery, Message):
        if delivery.keep is None:
            return _Send(lambda: slack.post(delivery))
        where = posted.find(session, delivery.keep, channel=delivery.channel)
        return _Send(lambda: slack.keep(delivery, where), keep=delivery.keep)
    if isinstance(delivery, Private):
        return _Send(lambda: slack.private(delivery))
    if isinstance(delivery, Custom):
        return _Send(lambda: delivery.send(slack))
    raise Permanent(f"outbox kind {row.kind!r} rendered {type(delivery).__name__}, not a delivery")


class _EngineSlack:
    """Slack as the engine lets a delivery use it: posts carry the row id and are looked for before a re-post."""

    def __init__(self, deps: Deps, row: OutboxMessage) -> None:
        self._deps, self._row = deps, row

    def post(self, message: Message) -> tuple[str, str | None]:
        extra: dict[str, Any] = {"blocks": message.blocks} if message.blocks is not None else {}
        if message.thread_ts:
            extra["thread_ts"] = message.thread_ts
        return _post(self._deps, self._row, channel=message.channel, text=message.text, **extra)

    def keep(self, message: Message, ts: str | None) -> tuple[str, str | None]:
        if ts is None:
            return self.post(message)
        self._deps.delivery_client.chat_update(
            channel=message.channel, ts=ts, text=message.text, blocks=message.blocks or []
        )
        return message.channel, ts

    def private(self, message: Private) -> tuple[str, str | None]:
        if message.channel != message.user:
            try:
                self._deps.delivery_client.chat_postEphemeral(
                    channel=message.channel, user=message.user, text=message.text
                )
                return message.channel, None
            except SlackApiError as exc:
                if exc.response.get("error") not in EPHEMERAL_FALLBACK:
                    raise
        return self.post(Message(channel=message.user, text=message.text))

    def permalink(self, channel: str, ts: str) -> str | None:
        link = self._deps.delivery_client.chat_getPermalink(channel=channel, message_ts=ts)
        return link.get("permalink")

    def upload(self, channel: str, files: Sequence[Upload], *, after_ts: str) -> None:
        """files.uploadV2 (getUploadURLExternal, the upload, completeUploadExternal) into one message; after an
        earlier attempt whose outcome is unknown, first look after `after_ts` for a message sharing them."""
        titles = {f.title for f in files}
        if self._row.attempts > 1 and self._already_shared(channel, titles, after_ts):
            log.info("outbox #%s: its files were already shared; not sharing them again", self._row.id)
            return
        uploads = [{"content": f.content, "filename": f.filename, "title": f.title,
                    **({"alt_txt": f.alt_text} if f.alt_text else {})} for f in files]  # fmt: skip
        try:
            self._deps.delivery_client.files_upload_v2(file_uploads=uploads, channel=channel)
        except SlackRequestError as exc:  # the upload POST itself was refused: retried (and looked for) later
            raise ConnectionError("file upload refused") from exc

    def _already_shared(self, channel: str, titles: set[str], after_ts: str) -> bool:
        history = self._deps.delivery_client.conversations_history(channel=channel, oldest=after_ts, limit=200)
        for message in history.get("messages") or []:
            if titles <= {str(f.get("title")) for f in message.get("files") or []}:
                return True
        return False
