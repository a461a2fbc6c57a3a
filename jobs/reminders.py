"""Deliver reminders whose time has come: once each, within the reminded person's working hours.

A reminder is sent by queueing outbox rows in the transaction that counts the send (compare-and-set on its send
count), so a restart or a second instance never sends it twice, and the outbox never posts a row twice. Before
that, the reminder's kind is asked whether its subject still needs it: a decided referral or an acknowledged case
is finished, not announced. The engine knows no kind: they come from `deps.plugins.reminders`.
"""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from bot.delivery import Context
from bot.deps import Deps
from storage import reminders
from storage.models import Reminder

log = logging.getLogger("porchlight.reminders")


def run(*, deps: Deps, now: datetime) -> list[int]:
    """Send what is due now; returns the ids of the reminders sent by this call."""
    with deps.session_factory() as session:
        due = [r.id for r in reminders.due(session, now=now)]
    sent = []
    for reminder_id in due:
        try:
            with deps.session_factory.begin() as session:
                reminder = session.get(Reminder, reminder_id)
                if reminder is not None and _send_one(deps, session, reminder, now):
                    sent.append(reminder_id)
        except Exception:
            # Its transaction rolled back, so nothing was counted: it is tried again at the next tick. The others
            # due now are not held up behind it.
            log.exception("reminder #%s could not be sent; it is tried again at the next tick", reminder_id)
    return sent


def _send_one(deps: Deps, session: Session, reminder: Reminder, now: datetime) -> bool:
    if reminder.done_at is not None or reminder.due_at > now:
        return False  # finished or moved by someone else since it was read
    kind = deps.plugins.reminders.get(reminder.kind)
    if kind is None:
        log.error("reminder #%s is of kind %r, which no feature registers; it is closed", reminder.id, reminder.kind)
        reminders.close(session, reminder, now=now)
        return False
    context = Context(deps.settings, session, now)
    if not kind.still_needed(context, reminder):
        reminders.close(session, reminder, now=now)
        return False
    hours = deps.settings.hours
    zone = _zone(reminder, deps)
    if not hours.is_working(now, zone):
        reminders.postpone(session, reminder, until=hours.next_working_moment(now, zone))
        return False
    next_due = None
    if kind.repeat_every is not None:
        next_due = hours.next_working_moment(hours.add_business_hours(now, kind.repeat_every.total_seconds() / 3600,
                                                                      zone), zone)  # fmt: skip
    if not reminders.claim_send(session, reminder, now=now, next_due=next_due):
        return False
    kind.send(context, reminder)
    log.info("reminder #%s (%s) sent (%s of %s)", reminder.id, reminder.kind, reminder.sent_count + 1,
             reminder.max_sends)  # fmt: skip
    return True


def _zone(reminder: Reminder, deps: Deps) -> ZoneInfo:
    try:
        return ZoneInfo(reminder.zone)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("reminder #%s has an unknown time zone; the community's is used", reminder.id)
        return deps.settings.zone
