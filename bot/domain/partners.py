"""The partner network: our partner organisations, when we last heard from each, a monthly nudge to whoever owns
a quiet relationship, last month's coverage for the coordinators, and one update told to every chosen partner.

Contact itself is counted by bot.domain.contacts (messages, reactions, clicks) and here (logged by hand, and a
broadcast): one row per partner and local day (storage.partners), so "who is silent this month" is an index probe
per partner however chatty their channels are. Months and days are the community's (PORCHLIGHT_TIMEZONE); a
nudge reaches each owner at the start of their own working day, in their own zone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import cast
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from bot.domain import people, privacy
from bot.domain.actors import Actor
from bot.domain.contacts import SignalKind
from bot.domain.schedule import MonthlyOn, local_instant
from bot.domain.working_time import WorkingHours
from bot.errors import FormErrors, UserError
from storage import audit, outbox, reminders
from storage import partners as rows
from storage.models import (
    OutboxMessage,
    Partner,
    PartnerBroadcast,
    PartnerChannel,
    PartnerNudge,
    PartnerTouch,
    Reminder,
)
from storage.rows import changed


class PartnerKind(StrEnum):
    PROPERTY_MANAGEMENT = "property_management"  # what the property form creates for a management company
    RESIDENT_SERVICES = "resident_services"
    HOUSING_AUTHORITY = "housing_authority"
    SERVICE_PROVIDER = "service_provider"
    POLICE_LIAISON = "police_liaison"
    FAIR_HOUSING = "fair_housing"
    OTHER = "other"


KIND_LABELS: dict[str, str] = {  # keyed by PartnerKind, read with a stored string (equal to its member)
    PartnerKind.PROPERTY_MANAGEMENT: "Property management company",
    PartnerKind.RESIDENT_SERVICES: "Resident services agency",
    PartnerKind.HOUSING_AUTHORITY: "Housing authority",
    PartnerKind.SERVICE_PROVIDER: "Service provider",
    PartnerKind.POLICE_LIAISON: "Police liaison unit",
    PartnerKind.FAIR_HOUSING: "Fair housing / renters' rights organisation",
    PartnerKind.OTHER: "Other",
}


def kind_label(kind: str) -> str:
    """A stored kind's label; an unknown kind as it is."""
    return KIND_LABELS.get(kind, kind)


class TouchKind(StrEnum):
    """A contact logged by hand."""

    CALL = "call"
    MEETING = "meeting"
    EMAIL = "email"
    VISIT = "visit"


TOUCH_LABELS = {TouchKind.CALL: "Call", TouchKind.MEETING: "Meeting", TouchKind.EMAIL: "Email",
                TouchKind.VISIT: "Visit"}  # fmt: skip


class NudgeState(StrEnum):
    """What became of one partner in an owner's monthly nudge."""

    LISTED = "listed"  # in a nudge sent this month
    SNOOZED = "snoozed"  # listed again once `snoozed_until` has passed, if still silent
    NOT_NEEDED = "not_needed"  # the owner says no contact is needed this month
    LOGGED = "logged"  # the owner logged a call from the nudge


class Audience(StrEnum):
    ALL = "all"
    KIND = "kind"
    CHOSEN = "chosen"


class BroadcastStatus(StrEnum):
    DRAFT = "draft"
    SENT = "sent"  # confirmed: its posts are in the outbox


TEAM_ID_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
NAME_MAX, NOTE_MAX, BROADCAST_MAX = 120, 500, 1500
SNOOZE = timedelta(days=7)

# Reminder, outbox and scheduled-job names (jobs/features/partners.py renders and runs them).
NUDGE = "partners.nudge"  # reminder kind: one per owner and month
NUDGE_SUBJECT = "partner_month"  # its subject id is the month as a number, 202612
NUDGE_DM = "partners.nudge_dm"  # outbox kind: the nudge, by DM
COVERAGE_DM = "partners.coverage"  # outbox kind: last month's coverage, to a coordinator
BROADCAST_POST = "partners.broadcast"  # outbox kind: the update in one shared channel
BROADCAST_PROGRESS = "partners.broadcast_progress"  # outbox kind: the coordinator's progress message, kept in place
BROADCAST_SUBJECT, PROGRESS_ROLE = "partner_broadcast", "progress"


# -- partners --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartnerDraft:
    name: str = ""
    kind: str = ""
    team_id: str = ""
    channels: tuple[str, ...] = ()
    contact_users: tuple[str, ...] = ()
    owner_id: str = ""
    active: bool = True


def check_partner(draft: PartnerDraft) -> PartnerDraft:
    """The draft cleaned, or FormErrors under every wrong field (the name goes through the detector)."""
    errors: dict[str, str] = {}
    name = privacy.clean_text(draft.name).strip()
    if not name or len(name) > NAME_MAX:
        errors["name"] = f"Enter the organisation's name (at most {NAME_MAX} characters)."
    privacy.check_fields({"name": name}, {"name": privacy.FieldKind.LABEL}, errors=errors)
    if draft.kind not in set(PartnerKind):
        errors["kind"] = "Choose the kind of organisation."
    team = draft.team_id.strip().upper()
    if team and not (team[0] in "TE" and 3 <= len(team) <= 32 and set(team) <= TEAM_ID_CHARS):
        errors["team_id"] = "A Slack team id looks like T0123ABCD (from the partner's workspace)."
    if errors:
        raise FormErrors(errors)
    return PartnerDraft(
        name=name, kind=draft.kind, team_id=team, channels=tuple(dict.fromkeys(c for c in draft.channels if c)),
        contact_users=tuple(dict.fromkeys(u for u in draft.contact_users if u)), owner_id=draft.owner_id.strip(),
        active=draft.active,
    )  # fmt: skip


def save_partner(
    session: Session, draft: PartnerDraft, *, partner_id: int | None, actor: Actor, now: datetime
) -> Partner:
    """Add a partner (partner_id None) or replace an existing one's details; audited."""
    clash = session.scalar(select(Partner).where(func.lower(Partner.name) == draft.name.lower()))
    if clash is not None and clash.id != partner_id:
        raise FormErrors({"name": f"{clash.name} is already a partner; edit that one."})
    if draft.team_id:
        holder = session.scalar(select(Partner).where(Partner.slack_team_id == draft.team_id))
        if holder is not None and holder.id != partner_id:
            raise FormErrors({"team_id": f"That Slack team already belongs to {holder.name}."})
    if partner_id is None:
        partner = Partner(name=draft.name, created_at=now)
        session.add(partner)
    else:
        found = session.get(Partner, partner_id, with_for_update=True)
        if found is None:
            raise UserError("That partner is no longer listed.")
        partner = found
    partner.name, partner.kind, partner.slack_team_id = draft.name, draft.kind, draft.team_id or None
    partner.contact_users, partner.owner_id = list(draft.contact_users), draft.owner_id or None
    partner.active, partner.updated_at = draft.active, now
    session.flush()
    session.execute(delete(PartnerChannel).where(PartnerChannel.partner_id == partner.id))
    session.add_all(PartnerChannel(partner_id=partner.id, channel=c) for c in draft.channels)
    audit.record(
        session, actor=actor.user_id, actor_team=actor.team_id,
        action="partner.created" if partner_id is None else "partner.updated", subject_type="partner",
        subject_id=partner.id, at=now,
        detail={"kind": partner.kind, "channels": list(draft.channels), "owner": partner.owner_id,
                "active": partner.active},
    )  # fmt: skip
    return partner


def channels_of(session: Session, partner_ids: Sequence[int]) -> dict[int, list[str]]:
    return rows.channels_of(session, partner_ids)


@dataclass(frozen=True)
class PartnerLine:
    id: int
    name: str
    kind: str
    owner_id: str | None
    last_heard: datetime | None
    active: bool


def quietest_first(session: Session, *, limit: int = 30, offset: int = 0) -> tuple[list[PartnerLine], int]:
    """Partners, the longest silent first (never heard from before anyone), inactive ones last; and the total."""
    heard = rows.last_heard_column().label("heard")
    query = (
        select(Partner.id, Partner.name, Partner.kind, Partner.owner_id, Partner.active, heard)
        .order_by(Partner.active.desc(), heard.is_not(None), heard, Partner.name)
        .limit(limit)
        .offset(offset)
    )
    lines = [PartnerLine(r.id, r.name, r.kind, r.owner_id, r.heard, r.active) for r in session.execute(query)]
    total = session.scalar(select(func.count()).select_from(Partner)) or 0
    return lines, total


HOME_SHOWN = 5


def quiet_this_month(
    session: Session, *, today: date, owner: str | None, limit: int = HOME_SHOWN
) -> tuple[list[PartnerLine], int]:
    """For the Home tab: active partners not heard from since the first of `today`'s month, quietest first, with
    their last contact; and how many there are. `owner` None: everyone's (a coordinator's view); else that
    owner's partners only. Two statements: the day index answers both, however many messages there were."""
    since = today.replace(day=1)
    owners = None if owner is None else [owner]
    silent = rows.silent_since(since, owners=owners).order_by(None)
    heard = rows.last_heard_column().label("heard")
    quiet = silent.with_only_columns(Partner.id, Partner.name, Partner.kind, Partner.owner_id, Partner.active, heard)
    found = session.execute(quiet.order_by(heard.is_not(None), heard, Partner.name).limit(limit)).all()
    total = session.scalar(silent.with_only_columns(func.count(Partner.id))) or 0
    return [PartnerLine(r.id, r.name, r.kind, r.owner_id, r.heard, r.active) for r in found], total


def has_partners(session: Session) -> bool:
    return session.scalar(select(Partner.id).limit(1)) is not None


def owns_partners(session: Session, user_id: str) -> bool:
    return session.scalar(select(Partner.id).where(Partner.owner_id == user_id).limit(1)) is not None


def active_partners(session: Session, *, limit: int | None = None) -> list[tuple[int, str]]:
    """(id, name) of the active partners by name; `limit`: the pickers read one more than a static select holds
    to know whether they must search instead."""
    query = select(Partner.id, Partner.name).where(Partner.active.is_(True)).order_by(Partner.name).limit(limit)
    return [(r.id, r.name) for r in session.execute(query)]


def search_partners(session: Session, typed: str, *, limit: int = 100) -> list[tuple[int, str]]:
    """Active partners whose name contains what was typed (any case), names starting with it first: the
    pickers' options beyond 100 partners. Organisations' names only."""
    words = typed.strip().lower()[:NAME_MAX]
    if not words:
        return []
    name = func.lower(Partner.name)
    found = session.execute(
        select(Partner.id, Partner.name)
        .where(Partner.active.is_(True), name.contains(words, autoescape=True))
        .order_by(~name.startswith(words, autoescape=True), Partner.name)
        .limit(limit)
    )
    return [(r.id, r.name) for r in found]


def find_by_name(session: Session, name: str) -> Partner | None:
    return session.scalar(select(Partner).where(func.lower(Partner.name) == name.strip().lower()))


def get_partner(session: Session, partner_id: int) -> Partner:
    partner = session.get(Partner, partner_id)
    if partner is None:
        raise UserError("That partner is no longer listed.")
    return partner


# -- contact logged by hand --------------------------------------------------------------------------------------


def check_note(note: str, *, today: date) -> str:
    text = privacy.clean_text(note).strip()
    if len(text) > NOTE_MAX:
        raise FormErrors({"note": f"At most {NOTE_MAX} characters."})
    finding = privacy.check_text(text, field=privacy.FieldKind.NOTE, today=today) if text else None
    if finding is not None:
        raise FormErrors({"note": finding.message})
    return text


def record_signals(
    session: Session, partner_ids: Sequence[int], *, kind: SignalKind, at: datetime, zone: ZoneInfo
) -> None:
    day = at.astimezone(zone).date()
    rows.add_signals(session, [rows.DaySignal(p, day, 1, at, str(kind)) for p in partner_ids])


def log_touch(
    session: Session, partner_id: int, *, kind: str, note: str, actor: Actor, now: datetime, zone: ZoneInfo
) -> PartnerTouch:
    """A call, meeting, email or visit logged by hand counts as contact today; audited (without the note)."""
    if kind not in set(TouchKind):
        raise FormErrors({"kind": "Choose how you were in touch."})
    partner = get_partner(session, partner_id)
    touch = PartnerTouch(partner_id=partner.id, kind=kind, note=note, logged_by=actor.user_id, at=now)
    session.add(touch)
    record_signals(session, [partner.id], kind=SignalKind(kind), at=now, zone=zone)
    session.flush()
    audit.record(session, actor=actor.user_id, actor_team=actor.team_id, action="partner.contact_logged",
                 subject_type="partner", subject_id=partner.id, at=now, detail={"kind": kind})  # fmt: skip
    return touch


# -- months --------------------------------------------------------------------------------------------------------


def month_of(day: date) -> str:
    return f"{day.year}-{day.month:02d}"


def first_of(month: str) -> date:
    year, number = month.split("-")
    return date(int(year), int(number), 1)


def month_number(month: str) -> int:
    first = first_of(month)
    return first.year * 100 + first.month


def month_from_number(number: int) -> str:
    return f"{number // 100}-{number % 100:02d}"


def shift(month: str, by: int) -> str:
    first = first_of(month)
    index = first.year * 12 + first.month - 1 + by
    return f"{index // 12}-{index % 12 + 1:02d}"


def last_day(month: str) -> date:
    return first_of(shift(month, 1)) - timedelta(days=1)


# -- the monthly nudge ---------------------------------------------------------------------------------------------


def nudge_rule(*, day: int, zone: ZoneInfo, country: str | None) -> MonthlyOn:
    """The community job that starts each month's nudges: the configured day (the business day before when it
    falls on a weekend or holiday), just after midnight, so every owner's own working day is still ahead."""
    return MonthlyOn(day=day, at=time(0, 5), zone=zone, country=country)


@dataclass(frozen=True)
class NudgePlan:
    """Who the community's nudge goes to: owners, and the coordinators for partners nobody owns."""

    coordinators: Sequence[str]
    zone: ZoneInfo
    hours: WorkingHours


def start_nudges(session: Session, *, month: str, on: date, plan: NudgePlan, now: datetime) -> list[str]:
    """One reminder per owner with silent partners this month, due at the start of their working day on `on`.

    Unique per (kind, month, owner): running this twice, on one instance or two, adds nothing. Returns the owners.
    """
    silent = rows.silent_since(first_of(month)).with_only_columns(Partner.owner_id).order_by(None).distinct()
    recipients: set[str] = set()
    for owner in session.scalars(silent):
        if owner is None:
            recipients.update(plan.coordinators)
        else:
            recipients.add(owner)
    for recipient in sorted(recipients):
        zone = people.zone_of(session, recipient, fallback=plan.zone)
        due = plan.hours.next_working_moment(local_instant(on, plan.hours.start, zone), zone)
        reminders.add(session, kind=NUDGE, subject_type=NUDGE_SUBJECT, subject_id=month_number(month),
                      recipient=recipient, zone=zone.key, due_at=max(due, now), now=now)  # fmt: skip
    return sorted(recipients)


def _owners_for(recipient: str, coordinators: Sequence[str]) -> list[str | None]:
    return [recipient, None] if recipient in coordinators else [recipient]


def due_partners(
    session: Session, *, recipient: str, month: str, coordinators: Sequence[str], now: datetime
) -> list[Partner]:
    """The partners a nudge to `recipient` lists now: theirs (and nobody's, for a coordinator), silent this month,
    not yet listed, marked not needed or logged, or snoozed until a time that has passed."""
    settled = select(PartnerNudge.partner_id).where(
        PartnerNudge.month == month,
        (PartnerNudge.state != NudgeState.SNOOZED) | (PartnerNudge.snoozed_until > now),
    )
    query = rows.silent_since(first_of(month), owners=_owners_for(recipient, coordinators))
    return list(session.scalars(query.where(Partner.id.not_in(settled))))


def list_in_nudge(session: Session, partners: Sequence[Partner], *, month: str, now: datetime) -> None:
    for partner in partners:
        _set_state(session, partner.id, month, NudgeState.LISTED, by=None, now=now)


def _set_state(
    session: Session,
    partner_id: int,
    month: str,
    state: NudgeState,
    *,
    by: str | None,
    now: datetime,
    until: datetime | None = None,
) -> None:
    row = session.get(PartnerNudge, (partner_id, month))
    if row is None:
        session.add(PartnerNudge(partner_id=partner_id, month=month, state=state, snoozed_until=until, by=by,
                                 updated_at=now))  # fmt: skip
    else:
        row.state, row.snoozed_until, row.by, row.updated_at = state, until, by, now
    session.flush()


def nudge_states(session: Session, month: str, partner_ids: Sequence[int]) -> dict[int, PartnerNudge]:
    if not partner_ids:
        return {}
    found = session.scalars(
        select(PartnerNudge).where(PartnerNudge.month == month, PartnerNudge.partner_id.in_(list(partner_ids)))
    )
    return {n.partner_id: n for n in found}


def _require_nudged(session: Session, partner_id: int, actor: Actor, coordinators: Sequence[str]) -> Partner:
    partner = get_partner(session, partner_id)
    if partner.owner_id != actor.user_id and actor.user_id not in coordinators:
        raise UserError(f"{partner.name} is not one of your partners.")
    return partner


def nudge_logged_call(
    session: Session,
    partner_id: int,
    *,
    month: str,
    actor: Actor,
    coordinators: Sequence[str],
    now: datetime,
    zone: ZoneInfo,
) -> Partner:
    """*Logged a call*: the call counts as contact today, and the partner leaves this month's nudges."""
    partner = _require_nudged(session, partner_id, actor, coordinators)
    log_touch(session, partner.id, kind=TouchKind.CALL, note="", actor=actor, now=now, zone=zone)
    _set_state(session, partner.id, month, NudgeState.LOGGED, by=actor.user_id, now=now)
    return partner


def nudge_not_needed(
    session: Session, partner_id: int, *, month: str, actor: Actor, coordinators: Sequence[str], now: datetime
) -> Partner:
    partner = _require_nudged(session, partner_id, actor, coordinators)
    _set_state(session, partner.id, month, NudgeState.NOT_NEEDED, by=actor.user_id, now=now)
    audit.record(session, actor=actor.user_id, actor_team=actor.team_id, action="partner.nudge_not_needed",
                 subject_type="partner", subject_id=partner.id, at=now, detail={"month": month})  # fmt: skip
    return partner


def nudge_snooze(
    session: Session, partner_id: int, *, month: str, actor: Actor, coordinators: Sequence[str], now: datetime
) -> datetime:
    """*Snooze a week*: the partner comes back in the owner's nudge in a week (if still silent that month).

    The owner's reminder row for the month is opened again for one more send, due then (reminders.snooze holds
    it until that time); compare-and-set on the row as read, so two clicks make one more send, not two.
    """
    partner = _require_nudged(session, partner_id, actor, coordinators)
    until = now + SNOOZE
    _set_state(session, partner.id, month, NudgeState.SNOOZED, by=actor.user_id, now=now, until=until)
    reminder = session.scalar(select(Reminder).where(
        Reminder.kind == NUDGE, Reminder.subject_type == NUDGE_SUBJECT, Reminder.subject_id == month_number(month),
        Reminder.recipient == actor.user_id))  # fmt: skip
    if reminder is not None:
        reminders.send_once_more(session, reminder, at=until)
        reminders.snooze(session, reminder.id, until=until)
    return until


# -- coverage ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    contacted: int
    total: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.contacted / self.total) if self.total else None


@dataclass(frozen=True)
class Coverage:
    month: str
    overall: Share
    before: tuple[Share, ...]  # the three months before, oldest first
    by_kind: dict[str, tuple[Share, tuple[Share, ...]]] = field(default_factory=dict)
    silences: tuple[tuple[int, date | None], ...] = ()  # (partner id, last day heard), longest silent first

    def as_detail(self) -> dict[str, object]:
        return {
            "month": self.month,
            "overall": [self.overall.contacted, self.overall.total],
            "before": [[s.contacted, s.total] for s in self.before],
            "by_kind": {k: [[a.contacted, a.total], [[b.contacted, b.total] for b in bs]]
                        for k, (a, bs) in self.by_kind.items()},
            "silences": [[pid, day.isoformat() if day else None] for pid, day in self.silences],
        }  # fmt: skip


def coverage_from(detail: dict[str, object]) -> Coverage:
    def share(pair: object) -> Share:
        contacted, total = cast("tuple[int, int]", pair)
        return Share(int(contacted), int(total))

    by_kind = {str(k): (share(v[0]), tuple(share(b) for b in v[1]))
               for k, v in dict(detail.get("by_kind") or {}).items()}  # type: ignore[call-overload]  # fmt: skip
    silences = tuple((int(p), date.fromisoformat(d) if d else None)
                     for p, d in list(detail.get("silences") or []))  # type: ignore[call-overload]  # fmt: skip
    return Coverage(str(detail["month"]), share(detail["overall"]),
                    tuple(share(b) for b in list(detail.get("before") or [])),  # type: ignore[call-overload]
                    by_kind, silences)  # fmt: skip


def coverage(session: Session, *, month: str, zone: ZoneInfo, silences: int = 5) -> Coverage:
    """Of the partners active at the end of `month`, the share heard from in it, by kind, beside each of the
    three months before (partners that existed then); and the longest silences as of the month's end."""
    partners = session.execute(
        select(Partner.id, Partner.kind, Partner.created_at).where(Partner.active.is_(True))
    ).all()

    def share_in(m: str) -> tuple[Share, dict[str, Share]]:
        end = local_instant(last_day(m) + timedelta(days=1), time(0), zone)
        existing = [(pid, kind) for pid, kind, created in partners if created.astimezone(UTC) < end]
        heard = rows.contacted_between(session, first_of(m), last_day(m))
        kinds: dict[str, list[int]] = {}
        for pid, kind in existing:
            kinds.setdefault(kind, [0, 0])
            kinds[kind][1] += 1
            kinds[kind][0] += pid in heard
        overall = Share(sum(pid in heard for pid, _ in existing), len(existing))
        return overall, {k: Share(c, t) for k, (c, t) in kinds.items()}

    overall, kinds = share_in(month)
    earlier = [share_in(shift(month, -n)) for n in (3, 2, 1)]
    by_kind = {k: (s, tuple(e[1].get(k, Share(0, 0)) for e in earlier)) for k, s in sorted(kinds.items())}
    heard_col = rows.last_heard_column().label("heard")
    quiet = session.execute(
        select(Partner.id, heard_col).where(Partner.active.is_(True))
        .order_by(heard_col.is_not(None), heard_col, Partner.name).limit(silences)
    ).all()  # fmt: skip
    return Coverage(month, overall, tuple(e[0] for e in earlier), by_kind,
                    tuple((pid, heard.astimezone(zone).date() if heard else None) for pid, heard in quiet))  # fmt: skip


def queue_coverage(
    session: Session, *, month: str, zone: ZoneInfo, coordinators: Sequence[str], now: datetime
) -> Coverage:
    report = coverage(session, month=month, zone=zone)
    for coordinator in coordinators:
        outbox.enqueue(session, kind=COVERAGE_DM, channel=coordinator, now=now, detail=report.as_detail())
    return report


# -- telling every partner -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BroadcastDraft:
    text: str
    audience: Audience
    kind: str = ""
    chosen: tuple[int, ...] = ()


def check_broadcast(draft: BroadcastDraft, *, today: date) -> BroadcastDraft:
    errors: dict[str, str] = {}
    text = privacy.clean_text(draft.text).strip()
    if not text or len(text) > BROADCAST_MAX:
        errors["text"] = f"Write the update (at most {BROADCAST_MAX} characters)."
    elif finding := privacy.check_text(text, field=privacy.FieldKind.NOTE, today=today):
        errors["text"] = finding.message
    if draft.audience is Audience.KIND and draft.kind not in set(PartnerKind):
        errors["kind"] = "Choose which kind of partner to tell."
    if draft.audience is Audience.CHOSEN and not draft.chosen:
        errors["partners"] = "Choose the partners to tell."
    if errors:
        raise FormErrors(errors)
    return BroadcastDraft(text, draft.audience, draft.kind, tuple(dict.fromkeys(draft.chosen)))


def audience_of(session: Session, draft: BroadcastDraft) -> tuple[list[int], list[str]]:
    """The active partners an update goes to, and their shared channels (each channel once)."""
    query = select(Partner.id).where(Partner.active.is_(True))
    if draft.audience is Audience.KIND:
        query = query.where(Partner.kind == draft.kind)
    elif draft.audience is Audience.CHOSEN:
        query = query.where(Partner.id.in_(list(draft.chosen)))
    ids = list(session.scalars(query.order_by(Partner.name)))
    by_partner = channels_of(session, ids)
    told = [pid for pid in ids if by_partner.get(pid)]  # a partner with no shared channel cannot be told here
    channels = list(dict.fromkeys(c for pid in told for c in by_partner[pid]))
    return told, channels


def draft_broadcast(session: Session, draft: BroadcastDraft, *, actor: Actor, now: datetime) -> PartnerBroadcast:
    ids, channels = audience_of(session, draft)
    if not channels:
        raise FormErrors({"audience": "None of those partners has a shared channel with us yet."})
    row = PartnerBroadcast(
        text=draft.text, audience={"mode": str(draft.audience), "kind": draft.kind, "partners": ids},
        channels=channels, status=BroadcastStatus.DRAFT, created_by=actor.user_id, created_at=now,
    )  # fmt: skip
    session.add(row)
    session.flush()
    return row


def send_broadcast(
    session: Session, broadcast_id: int, *, actor: Actor, progress_channel: str, now: datetime, zone: ZoneInfo
) -> PartnerBroadcast:
    """Confirm a draft: compare-and-set to sent, one outbox row per channel, a kept progress message in the
    coordinator's DM edited after each post lands (or fails), and contact for every partner it tells."""
    won = changed(session.execute(
        update(PartnerBroadcast)
        .where(PartnerBroadcast.id == broadcast_id, PartnerBroadcast.status == BroadcastStatus.DRAFT,
               PartnerBroadcast.created_by == actor.user_id)
        .values(status=BroadcastStatus.SENT, sent_at=now, progress_channel=progress_channel)
        .execution_options(synchronize_session=False)
    ))  # fmt: skip
    broadcast = session.get(PartnerBroadcast, broadcast_id)
    if not won or broadcast is None:
        raise UserError("That update has already been sent.")
    session.refresh(broadcast)
    outbox.enqueue(session, kind=BROADCAST_PROGRESS, channel=progress_channel, subject_id=broadcast.id, now=now)
    for channel in broadcast.channels:
        post = outbox.enqueue(session, kind=BROADCAST_POST, channel=channel, subject_id=broadcast.id, now=now)
        # The progress message follows every post: the last edit comes after the last post has landed or failed.
        outbox.enqueue(session, kind=BROADCAST_PROGRESS, channel=progress_channel, subject_id=broadcast.id,
                       now=now, after=post)  # fmt: skip
    partner_ids = [int(p) for p in broadcast.audience.get("partners", [])]
    record_signals(session, partner_ids, kind=SignalKind.BROADCAST, at=now, zone=zone)
    audit.record(session, actor=actor.user_id, actor_team=actor.team_id, action="partner.broadcast_sent",
                 subject_type=BROADCAST_SUBJECT, subject_id=broadcast.id, at=now,
                 detail={"partners": len(partner_ids), "channels": len(broadcast.channels)})  # fmt: skip
    return broadcast


@dataclass(frozen=True)
class Progress:
    delivered: int
    pending: int
    failed: tuple[tuple[str, str], ...]  # (channel, reason)


def progress(session: Session, broadcast_id: int) -> Progress:
    """The outbox's truth about a broadcast's posts: delivered, pending, and each failure with its reason."""
    posts = session.execute(
        select(OutboxMessage.channel, OutboxMessage.status, OutboxMessage.last_error)
        .where(OutboxMessage.kind == BROADCAST_POST, OutboxMessage.subject_id == broadcast_id)
        .order_by(OutboxMessage.id)
    ).all()
    return Progress(
        delivered=sum(p.status == outbox.Status.SENT for p in posts),
        pending=sum(p.status == outbox.Status.PENDING for p in posts),
        failed=tuple((p.channel, p.last_error or "unknown") for p in posts if p.status == outbox.Status.FAILED),
    )
