"""Typed SQLAlchemy models. Timestamps are timezone-aware UTC; no resident personal data is ever stored."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored as UTC; SQLite gives naive values back, so they are re-tagged."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[str]: JSON}


BigId = BigInteger().with_variant(Integer, "sqlite")


class Vacancy(Base):
    """A unit available now or soon. Unit facts only."""

    __tablename__ = "vacancy"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    property_name: Mapped[str] = mapped_column(String(100))
    unit: Mapped[str] = mapped_column(String(30))
    bedrooms: Mapped[int]
    rent_cents: Mapped[int]
    available_on: Mapped[date]
    subsidies: Mapped[list[str]] = mapped_column(default=list)
    accessibility: Mapped[list[str]] = mapped_column(default=list)
    screening: Mapped[list[str]] = mapped_column(default=list)
    screening_notes: Mapped[str] = mapped_column(String(500), default="")
    contact: Mapped[str] = mapped_column(String(200))
    notes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    created_by: Mapped[str] = mapped_column(String(32))
    created_by_team: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_confirmed_at: Mapped[datetime] = mapped_column(default=utcnow)
    property_id: Mapped[int | None] = mapped_column(ForeignKey("property.id"), index=True)
    confirm_asked_at: Mapped[datetime | None]
    status_changed_by: Mapped[str | None] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(default=1)


class OutboxMessage(Base):
    """A post or edit to be delivered to Slack, written in the same transaction as the change that causes it.

    `kind` names what to render (from the database's current truth) at delivery time; `subject_id` is the row
    it shows. Delivery records the channel and ts it got, and never posts a row twice.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        # "Is an older row for this channel still pending?" is asked for every due row.
        Index("ix_outbox_channel_pending", "channel", "status", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int | None] = mapped_column(BigInteger)
    channel: Mapped[str] = mapped_column(String(32))
    user: Mapped[str | None] = mapped_column(String(32))
    thread_ts: Mapped[str | None] = mapped_column(String(32))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    after_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"))
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_until: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(64))  # the delivering process (bot.worker.new_claimant)
    last_error: Mapped[str | None] = mapped_column(String(200))
    result_channel: Mapped[str | None] = mapped_column(String(32))
    result_ts: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]


class AuditEntry(Base):
    """Who changed what, when. `detail` carries ids and unit facts, never resident data."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(32))
    actor_team: Mapped[str | None] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(60))
    subject_type: Mapped[str] = mapped_column(String(30))
    subject_id: Mapped[int | None] = mapped_column(BigInteger)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class InboundEvent(Base):
    """An Events API delivery already handled: Slack re-delivers (X-Slack-Retry-Num), so effects happen once."""

    __tablename__ = "inbound_event"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class Contact(Base):
    """A sign that we and a partner spoke: who, where, when. Never what was said."""

    __tablename__ = "contact"
    __table_args__ = (UniqueConstraint("channel", "ts", name="uq_contact_channel_ts"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    ts: Mapped[str] = mapped_column(String(32))
    thread_ts: Mapped[str | None] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    team_id: Mapped[str | None] = mapped_column(String(32), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(index=True)


class Partner(Base):
    """An organisation we coordinate with. `slack_team_id` recognises its people in Slack Connect channels."""

    __tablename__ = "partner"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(40), default="property_management")
    slack_team_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Property(Base):
    """A property: its management company, its managers (possibly external users) and its shared channel."""

    __tablename__ = "property"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    address: Mapped[str] = mapped_column(String(200), default="")
    area: Mapped[str] = mapped_column(String(60), default="")
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id"))
    shared_channel: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class PropertyManager(Base):
    __tablename__ = "property_manager"
    __table_args__ = (UniqueConstraint("property_id", "user_id", name="uq_property_manager"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    property_id: Mapped[int] = mapped_column(ForeignKey("property.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(String(32), index=True)


class PostedMessage(Base):
    """A message Porchlight keeps in place: a vacancy's card, an escalation's status card, an agenda.

    The subject is the row the message shows (`subject_type`, `subject_id`); `role` tells apart the messages one
    subject keeps in one channel ("card", "thread notice", ...). When the row changes, the message is edited
    (chat.update at this channel and ts), never posted again.
    """

    __tablename__ = "posted_message"
    __table_args__ = (
        UniqueConstraint("subject_type", "subject_id", "channel", "role", name="uq_posted_message_subject"),
        # A reply in a thread names its parent's ts: "which subject is this thread about?"
        Index("ix_posted_message_channel_ts", "channel", "ts"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(30))
    subject_id: Mapped[int] = mapped_column(BigInteger)
    channel: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(30))
    ts: Mapped[str] = mapped_column(String(32))
    posted_at: Mapped[datetime] = mapped_column(default=utcnow)


class Reminder(Base):
    """Somebody to remind about a subject, due at an instant; the reminder kind says what to send.

    Delivery is a compare-and-set on `sent_count`, in the transaction that queues the message, so a reminder is
    sent once whatever the restarts or instances. `done_at` stops it: set when the subject no longer needs it.
    `zone` is the time zone of whoever is reminded: a reminder due outside their working hours waits for them.
    """

    __tablename__ = "reminder"
    __table_args__ = (
        UniqueConstraint("kind", "subject_type", "subject_id", "recipient", name="uq_reminder_subject"),
        Index("ix_reminder_due", "done_at", "due_at"),
        Index("ix_reminder_subject", "subject_type", "subject_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    subject_type: Mapped[str] = mapped_column(String(30))
    subject_id: Mapped[int] = mapped_column(BigInteger)
    recipient: Mapped[str] = mapped_column(String(32))
    zone: Mapped[str] = mapped_column(String(64))
    due_at: Mapped[datetime]
    sent_count: Mapped[int] = mapped_column(default=0)
    max_sends: Mapped[int] = mapped_column(default=1)
    snoozed_until: Mapped[datetime | None]
    done_at: Mapped[datetime | None]
    last_sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Schedule(Base):
    """A subject's recurring work (a property's weekly agenda, an owner's monthly nudge), in its own zone.

    `rule` holds the schedule's shape as plain values (see bot.domain.schedule.rule_from); `next_due_at` is the
    next occurrence, kept current by the tick, so "what is due now" is one indexed range read.
    """

    __tablename__ = "schedule"
    __table_args__ = (
        UniqueConstraint("job", "subject_type", "subject_id", name="uq_schedule_subject"),
        Index("ix_schedule_due", "active", "next_due_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    job: Mapped[str] = mapped_column(String(40))
    subject_type: Mapped[str] = mapped_column(String(30))
    subject_id: Mapped[int] = mapped_column(BigInteger)
    rule: Mapped[dict[str, Any]] = mapped_column(default=dict)
    next_due_at: Mapped[datetime | None]
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Referral(Base):
    """A case manager proposing a client, by reference code only, for a vacancy."""

    __tablename__ = "referral"
    __table_args__ = (Index("ix_referral_vacancy_status", "vacancy_id", "status"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancy.id"))
    client_code: Mapped[str] = mapped_column(String(40))
    household_size: Mapped[int]
    subsidy: Mapped[str] = mapped_column(String(20), default="")
    roi_on_file: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(20), default="pending")
    denial_reason: Mapped[str | None] = mapped_column(String(40))
    denial_note: Mapped[str] = mapped_column(String(500), default="")
    move_in_on: Mapped[date | None]
    created_by: Mapped[str] = mapped_column(String(32), index=True)
    created_by_team: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(32))
    decided_at: Mapped[datetime | None]


class ScheduledRun(Base):
    """A scheduled job's period, claimed once under a unique key before anything is posted for it."""

    __tablename__ = "scheduled_run"
    __table_args__ = (UniqueConstraint("job", "period_key", name="uq_scheduled_run_period"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    job: Mapped[str] = mapped_column(String(40))
    period_key: Mapped[str] = mapped_column(String(120))
    due_at: Mapped[datetime]
    ran_at: Mapped[datetime]


# -- escalations (issue 10) -------------------------------------------------------------------------------------

# -- check-ins (issue 11) ---------------------------------------------------------------------------------------

# -- the partner network (issue 12) -----------------------------------------------------------------------------
