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


class Partner(Base):
    """An organisation we coordinate with. `slack_team_id` recognises its people in Slack Connect channels."""

    __tablename__ = "partner"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(40), default="property_management")
    slack_team_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The partner network (issue 12): who owns the relationship on our side, the partner's own people, and
    # whether we still work with them (an inactive partner is never nudged about, counted or told).
    owner_id: Mapped[str | None] = mapped_column(String(32), index=True)
    contact_users: Mapped[list[str]] = mapped_column(default=list)
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime | None]


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


class Escalation(Base):
    """A landlord/RSC conflict brought to the coordinator: one case, one status card, one thread.

    Free text (`what_happened`, `tried`, `summary`) passed the personal-data check and is shown only in the
    coordinators' channel and in DMs to the two parties; a shared channel only ever sees `E-<id>` and the status.
    `client_code` is the agency's reference code, never a name. A message it was raised from is linked by
    channel and ts only: its text is never copied. The deadlines (`remind_due_at`, `overdue_due_at`) are the
    due times of its reminder rows, kept here so lists sort by next deadline in SQL.
    """

    __tablename__ = "escalation"
    __table_args__ = (Index("ix_escalation_status_property", "status", "property_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    property_id: Mapped[int] = mapped_column(ForeignKey("property.id"))
    category: Mapped[str] = mapped_column(String(30))
    urgency: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20))
    raised_by: Mapped[str] = mapped_column(String(32), index=True)
    raised_by_team: Mapped[str] = mapped_column(String(32))
    other_party: Mapped[str] = mapped_column(String(32), index=True)
    what_happened: Mapped[str] = mapped_column(Text)
    tried: Mapped[str] = mapped_column(Text, default="")
    client_code: Mapped[str] = mapped_column(String(40), default="")
    roi_on_file: Mapped[bool] = mapped_column(default=False)
    source_channel: Mapped[str | None] = mapped_column(String(32))
    source_ts: Mapped[str | None] = mapped_column(String(32))
    remind_due_at: Mapped[datetime | None]
    overdue_due_at: Mapped[datetime | None]
    overdue_since: Mapped[datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(String(32))
    acknowledged_at: Mapped[datetime | None]
    mediation_at: Mapped[datetime | None]
    mediation_by: Mapped[str | None] = mapped_column(String(32))
    resolved_by: Mapped[str | None] = mapped_column(String(32))
    resolved_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(30))
    summary: Mapped[str] = mapped_column(Text, default="")
    reopened_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class EscalationNote(Base):
    """A coordinator's or a party's note on a case (checked for personal data), shown in the case's thread."""

    __tablename__ = "escalation_note"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalation.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    added_by: Mapped[str] = mapped_column(String(32))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class EscalationStep(Base):
    """A ticked step of a welfare concern's protocol: who and when (each step once)."""

    __tablename__ = "escalation_step"
    __table_args__ = (UniqueConstraint("escalation_id", "step", name="uq_escalation_step"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalation.id", ondelete="CASCADE"), index=True)
    step: Mapped[str] = mapped_column(String(30))
    done_by: Mapped[str] = mapped_column(String(32))
    done_at: Mapped[datetime]


# -- check-ins (issue 11) ---------------------------------------------------------------------------------------


class Meeting(Base):
    """A recurring meeting with an agenda: a property's check-in (its managers and its RSCs), or partner agencies'
    case consultation (its own channel and members). When it is held is its `schedule` row (job "checkin.agenda",
    subject "meeting"); this row says who meets, where the agenda goes, and the rule's values for the form."""

    __tablename__ = "meeting"
    __table_args__ = (UniqueConstraint("kind", "property_id", name="uq_meeting_property"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))  # bot.domain.checkins.MeetingKind
    name: Mapped[str] = mapped_column(String(100))
    property_id: Mapped[int | None] = mapped_column(ForeignKey("property.id", ondelete="CASCADE"))
    channel: Mapped[str | None] = mapped_column(String(32))  # None: the property's shared channel
    members: Mapped[list[str]] = mapped_column(default=list)  # user ids: RSCs, or the consultation's agencies' people
    weekday: Mapped[int]
    at: Mapped[str] = mapped_column(String(5))  # HH:MM local
    zone: Mapped[str] = mapped_column(String(64))
    every_weeks: Mapped[int] = mapped_column(default=1)
    anchor: Mapped[date]
    holiday_rule: Mapped[str] = mapped_column(String(30))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class CheckinItem(Base):
    """Something to raise at a meeting: a section, a unit and a client reference code (both optional), a note that
    passed the personal-data check, and who raised it. Open until someone closes it; it carries over till then."""

    __tablename__ = "checkin_item"
    __table_args__ = (Index("ix_checkin_item_open", "meeting_id", "closed_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    section: Mapped[str] = mapped_column(String(30))
    unit: Mapped[str] = mapped_column(String(30), default="")
    client_code: Mapped[str] = mapped_column(String(40), default="")
    note: Mapped[str] = mapped_column(String(500), default="")
    raised_by: Mapped[str] = mapped_column(String(32))
    raised_by_team: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(32))


class Agenda(Base):
    """One meeting's agenda for one period (the schedule's period key): planned ahead (its day-before reminder
    hangs on it), posted at the meeting's time, edited into a summary after. `derived` holds what the board and the
    escalations contributed when it was compiled (units, referral and case numbers only)."""

    __tablename__ = "agenda"
    __table_args__ = (UniqueConstraint("meeting_id", "period", name="uq_agenda_period"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    period: Mapped[str] = mapped_column(String(20))
    held_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20), default="planned")  # bot.domain.checkins.AgendaStatus
    channel: Mapped[str | None] = mapped_column(String(32))
    derived: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    posted_at: Mapped[datetime | None]
    summarised_at: Mapped[datetime | None]


class AgendaEntry(Base):
    """An item as one agenda shows it, and what the meeting did with it (compare-and-set on `outcome`)."""

    __tablename__ = "agenda_entry"
    __table_args__ = (
        UniqueConstraint("agenda_id", "item_id", name="uq_agenda_entry_item"),
        Index("ix_agenda_entry_item", "item_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    agenda_id: Mapped[int] = mapped_column(ForeignKey("agenda.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("checkin_item.id", ondelete="CASCADE"))
    position: Mapped[int]
    carried: Mapped[int] = mapped_column(default=0)  # earlier agendas the item was on
    outcome: Mapped[str] = mapped_column(String(20), default="pending")  # bot.domain.checkins.Outcome
    outcome_by: Mapped[str | None] = mapped_column(String(32))
    outcome_at: Mapped[datetime | None]


# -- the partner network (issue 12) -----------------------------------------------------------------------------


class PartnerChannel(Base):
    """A channel shared with a partner (one partner may have several; a channel may be shared with several)."""

    __tablename__ = "partner_channel"
    __table_args__ = (UniqueConstraint("channel", "partner_id", name="uq_partner_channel"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(32))


class PartnerContactDay(Base):
    """How often we heard from a partner on one local day, and when last: one row per partner and day, upserted
    from batches, so it grows with partners and days, never with messages. Never what was said, nor by whom."""

    __tablename__ = "partner_contact_day"
    __table_args__ = (Index("ix_partner_contact_day_day", "day", "partner_id"),)

    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    signals: Mapped[int] = mapped_column(default=0)
    last_at: Mapped[datetime]
    last_kind: Mapped[str] = mapped_column(String(20))


class PartnerTouch(Base):
    """A contact logged by hand (a call, a meeting, an email, a visit): who logged it, and an optional note that
    went through the personal-data detector. Grows with what people log, not with messages."""

    __tablename__ = "partner_touch"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(String(500), default="")
    logged_by: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime]


class PartnerOwnerZone(Base):
    """An owner's time zone (users.info `tz`), cached when they are made an owner: nudges reach them at the start
    of their own working day."""

    __tablename__ = "partner_owner_zone"

    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    zone: Mapped[str] = mapped_column(String(64))
    checked_at: Mapped[datetime]


class PartnerNudge(Base):
    """What an owner did with one partner in one month's nudge: listed, snoozed (until when), not needed, logged."""

    __tablename__ = "partner_nudge"

    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # "2026-12"
    state: Mapped[str] = mapped_column(String(20))
    snoozed_until: Mapped[datetime | None]
    by: Mapped[str | None] = mapped_column(String(32))
    updated_at: Mapped[datetime]


class PartnerBroadcast(Base):
    """An update for partners (/partners notify): drafted, previewed, then sent once through the outbox.

    `audience` is {"mode": all|kind|chosen, "kind": ..., "partners": [...]}; `channels` the shared channels it
    goes to, fixed when it is confirmed; `progress_channel` the coordinator's DM where its progress is kept.
    """

    __tablename__ = "partner_broadcast"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    audience: Mapped[dict[str, Any]] = mapped_column(default=dict)
    channels: Mapped[list[str]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(12), default="draft")
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    progress_channel: Mapped[str | None] = mapped_column(String(32))
