"""The coordinator's monthly report: what the board, referrals, escalations, check-ins and the partner network did
in a period, as plain figures.

DESIGN's rule: reports read, never write. Each measure is one aggregate query (their number is constant, whatever
the data's size: the benchmark counts them) returning counts and histograms; medians and percentiles are taken
from the histograms here, so both databases give the same figures without PostgreSQL's percentile functions. The
page and the charts (bot/report_render.py) are pure functions of these figures.

Nothing personal leaves this module: no client codes, no notes, no user ids; property and partner names are
organisations. Counts of households or clients (referrals, escalations) below PORCHLIGHT_REPORT_MIN_COUNT are
shown as "fewer than N", as homelessness data systems do; counts of units, meetings and items are shown as they
are. A median of fewer cases than that is not shown either: it would tell about those few.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, cast, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.types import String

from bot.domain import escalations, partners, referral_deadlines, referrals, vacancies
from bot.domain.schedule import local_instant
from bot.domain.statuses import ReferralStatus
from storage import outbox
from storage.models import (
    Agenda,
    AuditEntry,
    CheckinItem,
    Escalation,
    Partner,
    PartnerBroadcast,
    PartnerContactDay,
    Referral,
    Reminder,
    Vacancy,
)

REPORT_DM = "report.dm"  # outbox kind: one coordinator's report (summary, charts, the page); detail {"month"}
REPORT_JOB = "report.monthly"  # community job: the first business day of each month
CARRIED_DAYS = 14  # an item open longer than this was carried over "more than two weeks"
SILENCES = 5  # the longest silences listed
PARTNER_MONTHS = 6  # the partner network's share heard from, month by month
MOVED_MOST = 3  # measures the DM puts in words


class Counts(StrEnum):
    """What a figure counts, which decides whether the small-count rule hides it."""

    HOUSEHOLDS = "households"  # referrals, escalations: people; below the threshold it is "fewer than N"
    UNITS = "units"  # units, meetings, items, partners, broadcasts: shown as they are


class BoardEvent(StrEnum):
    LISTED = "listed"
    FILLED = "filled"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


# The audit actions that say a unit joined or left the board (a move-in fills it too).
BOARD_ACTIONS = {
    "vacancy.logged": BoardEvent.LISTED,
    "vacancy.filled": BoardEvent.FILLED,
    "vacancy.moved_in": BoardEvent.FILLED,
    "vacancy.withdrawn": BoardEvent.WITHDRAWN,
    "vacancy.expired": BoardEvent.EXPIRED,
}
LEFT_ACTIONS = tuple(action for action, event in BOARD_ACTIONS.items() if event is not BoardEvent.LISTED)
BEDROOM_GROUPS = ("Studio", "1 bedroom", "2 bedrooms", "3 bedrooms", "4+ bedrooms")
NO_SUBSIDY = "No subsidy listed"
OUTCOME_LABELS = {
    ReferralStatus.PENDING: "Waiting for an answer",
    ReferralStatus.ACCEPTED: "Accepted",
    ReferralStatus.DENIED: "Denied",
    ReferralStatus.MOVED_IN: "Moved in",
}


# -- the period --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Local days [start, end): what a report covers, in the community's zone."""

    start: date
    end: date  # the day after the last

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError("a period ends after it starts")

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def last(self) -> date:
        return self.end - timedelta(days=1)

    def instants(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        return local_instant(self.start, time(0), zone), local_instant(self.end, time(0), zone)

    @property
    def label(self) -> str:
        if self.is_month:
            return self.start.strftime("%B %Y")
        return f"{_day(self.start)} to {_day(self.last)}"

    @property
    def is_month(self) -> bool:
        return self.start.day == 1 and self.end == _next_month(self.start)


def _day(d: date) -> str:
    return f"{d.day} {d.strftime('%b %Y')}"


def _next_month(d: date) -> date:
    return date(d.year + (d.month == 12), d.month % 12 + 1, 1)


def of_month(text: str) -> Period:
    """ "2026-03" as a period; ValueError with the reason for anything else."""
    try:
        year, number = (int(part) for part in text.split("-"))
        first = date(year, number, 1)
    except ValueError:
        raise ValueError(f"{text!r} is not a month: write it as YYYY-MM, e.g. 2026-03") from None
    return Period(first, _next_month(first))


def last_full_month(today: date) -> Period:
    first = today.replace(day=1)
    previous = (first - timedelta(days=1)).replace(day=1)
    return Period(previous, first)


def month_before(period: Period) -> Period:
    previous = (period.start - timedelta(days=1)).replace(day=1)
    return Period(previous, period.start)


def change_windows(change: date, *, length: int) -> tuple[Period, Period]:
    """Equal lengths of time each side of the change: [change - length, change) and [change, change + length)."""
    if length < 1:
        raise ValueError("a test of change needs at least one day after the change")
    return Period(change - timedelta(days=length), change), Period(change, change + timedelta(days=length))


# -- figures -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spread:
    """How long something took across `n` cases, from a histogram of whole units (days or hours)."""

    n: int
    median: int | None
    p90: int | None

    @staticmethod
    def of(histogram: Iterable[tuple[int, int]]) -> Spread:
        """Nearest-rank median and 90th percentile of (value, how many) pairs."""
        pairs = sorted((int(v), int(c)) for v, c in histogram if c)
        n = sum(c for _, c in pairs)
        if not n:
            return Spread(0, None, None)

        def rank(share: float) -> int:
            wanted, seen = max(1, math.ceil(share * n)), 0
            for value, count in pairs:
                seen += count
                if seen >= wanted:
                    return value
            return pairs[-1][0]

        return Spread(n, rank(0.5), rank(0.9))


@dataclass(frozen=True)
class Week:
    start: date
    listed: int = 0
    filled: int = 0
    withdrawn: int = 0
    expired: int = 0


@dataclass(frozen=True)
class Board:
    weeks: tuple[Week, ...]
    open_units: tuple[tuple[date, int], ...]  # units on the board at the end of each day (or week)
    on_board: Spread  # days on the board of the units that left it in the period
    by_bedrooms: tuple[tuple[str, Spread], ...]
    by_subsidy: tuple[tuple[str, Spread], ...]

    def total(self, event: BoardEvent) -> int:
        return sum(getattr(week, event.value) for week in self.weeks)


@dataclass(frozen=True)
class LateAnswers:
    property: str
    late: int
    answered: int


@dataclass(frozen=True)
class Referrals:
    made: int
    answer_days: Spread  # calendar days from referral to accepted or denied (answered in the period)
    move_in_days: Spread  # days from referral to the recorded move-in (moved in during the period)
    outcomes: tuple[tuple[str, int], ...]  # referrals made in the period, by where they stand now
    denials: tuple[tuple[str, int], ...]  # denied in the period, by reason, most first
    late: tuple[LateAnswers, ...]  # answered in the period after the 48-business-hour promise, by property
    with_deadline: int  # answered in the period with a promise to measure against
    late_total: int


@dataclass(frozen=True)
class Escalations:
    raised: int
    by_category: tuple[tuple[str, int, int], ...]  # (category, normal, urgent), raised in the period
    ack_hours: Spread  # hours from raising to acknowledging (acknowledged in the period)
    resolve_days: Spread  # days from raising to resolving (resolved in the period)
    acked: int
    acked_first: int  # within the first deadline (24 business hours; urgent 4)
    acked_second: int  # within the second (48; urgent 8)
    resolved: int
    resolved_second: int
    outcomes: tuple[tuple[str, int], ...]  # resolved in the period, by outcome


@dataclass(frozen=True)
class Checkins:
    meetings_held: int
    items_raised: int
    carried_over: int  # open longer than two weeks at some time in the period
    closed: int


@dataclass(frozen=True)
class Share:
    heard: int
    total: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.heard / self.total) if self.total else None


@dataclass(frozen=True)
class Silence:
    partner: str
    kind: str
    last_heard: date | None


@dataclass(frozen=True)
class PartnerNetwork:
    months: tuple[str, ...]  # "2026-03", oldest first
    overall: tuple[Share, ...]
    by_kind: tuple[tuple[str, tuple[Share, ...]], ...]
    silences: tuple[Silence, ...]
    broadcasts: int
    broadcast_channels: int


@dataclass(frozen=True)
class Report:
    period: Period
    zone: str
    min_count: int
    data_to: date | None  # the last day anything happened, up to the period's end
    board: Board
    referrals: Referrals
    escalations: Escalations
    checkins: Checkins
    partners: PartnerNetwork


# -- the small-count rule ------------------------------------------------------------------------------------------


def hidden(n: int | None, counts: Counts, min_count: int) -> bool:
    """A count of households below the threshold is not shown (zero is: it identifies nobody)."""
    return counts is Counts.HOUSEHOLDS and n is not None and 0 < n < min_count


def shown(n: int, counts: Counts, min_count: int) -> str:
    return f"fewer than {min_count}" if hidden(n, counts, min_count) else f"{n:,}"


def shown_spread(spread: Spread, min_count: int, unit: str) -> str:
    """ "median 3 days (90th percentile 9), 12 cases"; a spread of too few cases says only that."""
    if spread.n == 0:
        return "no cases"
    if spread.n < min_count:
        return f"fewer than {min_count} cases"
    return f"median {spread.median} {unit} (90th percentile {spread.p90}), {spread.n:,} cases"


def shown_share(part: int, whole: int, counts: Counts, min_count: int) -> str:
    if whole == 0:
        return "no cases"
    if counts is Counts.HOUSEHOLDS and (hidden(part, counts, min_count) or whole < min_count):
        return f"fewer than {min_count} cases" if whole < min_count else f"fewer than {min_count} of {whole:,}"
    return f"{round(100 * part / whole)}% ({part:,} of {whole:,})"


# -- the queries -----------------------------------------------------------------------------------------------------


def build(session: Session, period: Period, *, zone: ZoneInfo, min_count: int = 5) -> Report:
    """Every section's figures for `period`: a constant number of aggregate queries (see each section)."""
    return Report(
        period=period, zone=zone.key, min_count=min_count, data_to=data_to(session, period, zone=zone),
        board=board(session, period, zone=zone), referrals=referral_figures(session, period, zone=zone),
        escalations=escalation_figures(session, period, zone=zone),
        checkins=checkin_figures(session, period, zone=zone),
        partners=partner_figures(session, period, zone=zone),
    )  # fmt: skip


def data_to(session: Session, period: Period, *, zone: ZoneInfo) -> date | None:
    """The last day anything was recorded, up to the period's end: one query."""
    _, end = period.instants(zone)
    last = session.scalar(select(func.max(AuditEntry.at)).where(AuditEntry.at < end))
    heard = session.scalar(select(func.max(PartnerContactDay.day)).where(PartnerContactDay.day < period.end))
    days = [d for d in ((_as_utc(last).astimezone(zone).date() if last else None), heard) if d is not None]
    return max(days) if days else None


def _as_utc(value: Any) -> datetime:
    if isinstance(value, str):  # SQLite's max() of a datetime column comes back as text
        value = datetime.fromisoformat(value)
    instant: datetime = value
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant


def _seconds(session: Session, start: Any, finish: Any) -> Any:
    """finish - start in seconds, in SQL, on either database."""
    if session.get_bind().dialect.name == "sqlite":
        return (func.julianday(finish) - func.julianday(start)) * 86400.0
    return func.extract("epoch", finish - start)


def _bucket(column: Any, edges: Sequence[date]) -> Any:
    """Which of the windows [edges[i], edges[i+1]) the column falls in (the period's local weeks or months)."""
    return case(*((column < edge, index) for index, edge in enumerate(edges[1:])), else_=len(edges) - 2)


def _weeks(period: Period) -> list[date]:
    """Seven-day windows from the period's first day; the last may be shorter."""
    starts, day = [], period.start
    while day < period.end:
        starts.append(day)
        day += timedelta(days=7)
    return starts


def board(session: Session, period: Period, *, zone: ZoneInfo) -> Board:
    """Three queries: the week's events from the audit log, units on the board at each sample, days on the board."""
    start, end = period.instants(zone)
    weeks = _weeks(period)
    edges = [local_instant(d, time(0), zone) for d in weeks] + [end]
    events = session.execute(
        select(AuditEntry.action, _bucket(AuditEntry.at, edges).label("week"), func.count())
        .where(AuditEntry.at >= start, AuditEntry.at < end, AuditEntry.subject_type == vacancies.SUBJECT,
               AuditEntry.action.in_(BOARD_ACTIONS))
        .group_by(AuditEntry.action, "week")
    ).all()  # fmt: skip
    counts = [dict.fromkeys(BoardEvent, 0) for _ in weeks]
    for action, week, n in events:
        counts[int(week)][BOARD_ACTIONS[action]] += int(n)
    week_rows = tuple(Week(d, *(c[e] for e in BoardEvent)) for d, c in zip(weeks, counts, strict=True))

    left = (
        select(AuditEntry.subject_id.label("vacancy_id"), func.min(AuditEntry.at).label("left_at"))
        .where(AuditEntry.subject_type == vacancies.SUBJECT, AuditEntry.action.in_(LEFT_ACTIONS))
        .group_by(AuditEntry.subject_id)
        .subquery()
    )
    step = 1 if period.days <= 62 else 7
    samples = [period.start + timedelta(days=i) for i in range(step - 1, period.days, step)]
    if not samples or samples[-1] != period.last:
        samples.append(period.last)
    ends = [local_instant(d + timedelta(days=1), time(0), zone) for d in samples]
    columns = [
        func.sum(case((and_(Vacancy.created_at < at, or_(left.c.left_at.is_(None), left.c.left_at >= at)), 1),
                      else_=0))
        for at in ends
    ]  # fmt: skip
    on_board = session.execute(
        select(*columns).select_from(Vacancy).outerjoin(left, left.c.vacancy_id == Vacancy.id)
        .where(Vacancy.created_at < end, or_(left.c.left_at.is_(None), left.c.left_at >= start))
    ).one()  # fmt: skip
    open_units = tuple((d, int(n or 0)) for d, n in zip(samples, on_board, strict=True))

    days = func.floor(_seconds(session, Vacancy.created_at, left.c.left_at) / 86400).label("days")
    bedrooms = case((Vacancy.bedrooms >= 4, 4), else_=Vacancy.bedrooms).label("bedrooms")
    subsidies = cast(Vacancy.subsidies, String)
    per_subsidy = [func.sum(case((subsidies.like(f'%"{code}"%'), 1), else_=0)) for code in vacancies.SUBSIDIES]
    rows = session.execute(
        select(days, bedrooms, func.count(), *per_subsidy)
        .select_from(Vacancy).join(left, left.c.vacancy_id == Vacancy.id)
        .where(left.c.left_at >= start, left.c.left_at < end)
        .group_by(days, bedrooms)
    ).all()  # fmt: skip
    by_bed: dict[int, dict[int, int]] = {}
    by_sub: dict[str, dict[int, int]] = {}
    overall: dict[int, int] = {}
    for d, beds, n, *subs in rows:
        d, n = max(0, int(d or 0)), int(n)
        overall[d] = overall.get(d, 0) + n
        by_bed.setdefault(int(beds), {}).setdefault(d, 0)
        by_bed[int(beds)][d] += n
        for code, count in zip(vacancies.SUBSIDIES, subs, strict=True):
            if count:
                by_sub.setdefault(code, {}).setdefault(d, 0)
                by_sub[code][d] += int(count)
        if not any(subs):
            by_sub.setdefault(NO_SUBSIDY, {}).setdefault(d, 0)
            by_sub[NO_SUBSIDY][d] += n
    return Board(
        weeks=week_rows, open_units=open_units, on_board=Spread.of(overall.items()),
        by_bedrooms=tuple((BEDROOM_GROUPS[b], Spread.of(h.items())) for b, h in sorted(by_bed.items())),
        by_subsidy=tuple((vacancies.SUBSIDIES.get(code, code), Spread.of(by_sub[code].items()))
                         for code in [*vacancies.SUBSIDIES, NO_SUBSIDY] if code in by_sub),
    )  # fmt: skip


def referral_figures(session: Session, period: Period, *, zone: ZoneInfo) -> Referrals:
    """Five queries: outcomes of the period's referrals, answer and move-in times, denial reasons, late answers."""
    start, end = period.instants(zone)
    outcomes = dict(
        session.execute(
            select(Referral.status, func.count()).where(Referral.created_at >= start, Referral.created_at < end)
            .group_by(Referral.status)
        ).all()
    )  # fmt: skip
    decided = and_(Referral.decided_at >= start, Referral.decided_at < end)
    days = func.floor(_seconds(session, Referral.created_at, Referral.decided_at) / 86400).label("days")
    answered = Referral.status.in_((ReferralStatus.ACCEPTED, ReferralStatus.DENIED))
    moved_in = Referral.status == ReferralStatus.MOVED_IN
    times = session.execute(
        select(days, func.sum(case((answered, 1), else_=0)), func.sum(case((moved_in, 1), else_=0)))
        .where(decided).group_by(days)
    ).all()  # fmt: skip
    denials = session.execute(
        select(Referral.denial_reason, func.count())
        .where(decided, Referral.status == ReferralStatus.DENIED).group_by(Referral.denial_reason)
        .order_by(func.count().desc(), Referral.denial_reason)
    ).all()  # fmt: skip
    # The promise is the coordinators' reminder row's due time (48 business hours after the referral, counted in
    # the community's working time when it was made): no business-hour arithmetic here.
    promise = (
        select(Reminder.subject_id.label("referral_id"), func.min(Reminder.due_at).label("due_at"))
        .where(Reminder.subject_type == referral_deadlines.SUBJECT,
               Reminder.kind == referral_deadlines.Due.TELL_COORDINATORS)
        .group_by(Reminder.subject_id).subquery()
    )  # fmt: skip
    late = session.execute(
        select(Vacancy.property_name, func.sum(case((Referral.decided_at > promise.c.due_at, 1), else_=0)),
               func.count())
        .select_from(Referral).join(promise, promise.c.referral_id == Referral.id)
        .join(Vacancy, Vacancy.id == Referral.vacancy_id)
        .where(decided).group_by(Vacancy.property_name)
    ).all()  # fmt: skip
    by_property = sorted((LateAnswers(name, int(n_late or 0), int(n)) for name, n_late, n in late),
                         key=lambda line: (-line.late, line.property))  # fmt: skip
    return Referrals(
        made=sum(int(n) for n in outcomes.values()),
        answer_days=Spread.of((max(0, int(d or 0)), int(a or 0)) for d, a, _ in times),
        move_in_days=Spread.of((max(0, int(d or 0)), int(m or 0)) for d, _, m in times),
        outcomes=tuple((label, int(outcomes.get(status, 0))) for status, label in OUTCOME_LABELS.items()),
        denials=tuple((referrals.DENIAL_REASONS.get(r or "other", r or "Other"), int(n)) for r, n in denials),
        late=tuple(line for line in by_property if line.late),
        with_deadline=sum(line.answered for line in by_property),
        late_total=sum(line.late for line in by_property),
    )


def escalation_figures(session: Session, period: Period, *, zone: ZoneInfo) -> Escalations:
    """Four queries: raised by category and urgency, acknowledgements, resolutions, outcomes."""
    start, end = period.instants(zone)
    raised = session.execute(
        select(Escalation.category, Escalation.urgency, func.count())
        .where(Escalation.created_at >= start, Escalation.created_at < end)
        .group_by(Escalation.category, Escalation.urgency)
    ).all()  # fmt: skip
    categories: dict[str, list[int]] = {}
    for category, urgency, n in raised:
        categories.setdefault(category, [0, 0])[urgency == escalations.Urgency.URGENT] += int(n)
    by_category = tuple(
        (_label(escalations.CATEGORY_LABELS, c), counts[0], counts[1])
        for c, counts in sorted(categories.items(), key=lambda item: (-sum(item[1]), item[0]))
    )
    hours = func.floor(_seconds(session, Escalation.created_at, Escalation.acknowledged_at) / 3600).label("hours")
    acks = session.execute(
        select(hours, func.count(),
               func.sum(case((Escalation.acknowledged_at <= Escalation.remind_due_at, 1), else_=0)),
               func.sum(case((Escalation.acknowledged_at <= Escalation.overdue_due_at, 1), else_=0)))
        .where(Escalation.acknowledged_at >= start, Escalation.acknowledged_at < end).group_by(hours)
    ).all()  # fmt: skip
    days = func.floor(_seconds(session, Escalation.created_at, Escalation.resolved_at) / 86400).label("days")
    resolved = session.execute(
        select(days, func.count(), func.sum(case((Escalation.resolved_at <= Escalation.overdue_due_at, 1), else_=0)))
        .where(Escalation.resolved_at >= start, Escalation.resolved_at < end).group_by(days)
    ).all()  # fmt: skip
    outcomes = session.execute(
        select(Escalation.outcome, func.count())
        .where(Escalation.resolved_at >= start, Escalation.resolved_at < end).group_by(Escalation.outcome)
        .order_by(func.count().desc(), Escalation.outcome)
    ).all()  # fmt: skip
    return Escalations(
        raised=sum(int(n) for _, _, n in raised), by_category=by_category,
        ack_hours=Spread.of((max(0, int(h or 0)), int(n)) for h, n, _, _ in acks),
        resolve_days=Spread.of((max(0, int(d or 0)), int(n)) for d, n, _ in resolved),
        acked=sum(int(n) for _, n, _, _ in acks), acked_first=sum(int(f or 0) for _, _, f, _ in acks),
        acked_second=sum(int(s or 0) for _, _, _, s in acks),
        resolved=sum(int(n) for _, n, _ in resolved), resolved_second=sum(int(s or 0) for _, _, s in resolved),
        outcomes=tuple((_outcome_label(o), int(n)) for o, n in outcomes),
    )  # fmt: skip


def _outcome_label(outcome: str | None) -> str:
    return _label(escalations.OUTCOME_LABELS, outcome or "", outcome or "Not recorded")


def _label(labels: Mapping[Any, str], value: str, default: str | None = None) -> str:
    """A stored string's label in a table keyed by StrEnum members (equal to their strings, so it finds them)."""
    found = labels.get(value)
    return found if found is not None else (value if default is None else default)


def checkin_figures(session: Session, period: Period, *, zone: ZoneInfo) -> Checkins:
    """One query: meetings held, items raised, items carried over more than two weeks, items closed."""
    start, end = period.instants(zone)
    held = (
        select(func.count()).select_from(Agenda)
        .where(Agenda.held_at >= start, Agenda.held_at < end, Agenda.posted_at.is_not(None))
        .scalar_subquery()
    )  # fmt: skip
    raised = (
        select(func.count()).select_from(CheckinItem)
        .where(CheckinItem.created_at >= start, CheckinItem.created_at < end).scalar_subquery()
    )  # fmt: skip
    # Open more than two weeks while the period ran: raised before (end - 14 days), and not closed within 14 days
    # of being raised nor before the period began.
    carried = (
        select(func.count()).select_from(CheckinItem)
        .where(CheckinItem.created_at < end - timedelta(days=CARRIED_DAYS),
               or_(CheckinItem.closed_at.is_(None), CheckinItem.closed_at >= start),
               or_(CheckinItem.closed_at.is_(None),
                   _seconds(session, CheckinItem.created_at, CheckinItem.closed_at) > CARRIED_DAYS * 86400))
        .scalar_subquery()
    )  # fmt: skip
    closed = (
        select(func.count()).select_from(CheckinItem)
        .where(CheckinItem.closed_at >= start, CheckinItem.closed_at < end).scalar_subquery()
    )  # fmt: skip
    row = session.execute(select(held, raised, carried, closed)).one()
    return Checkins(*(int(n or 0) for n in row))


def _months_ending(last: date, count: int) -> list[str]:
    key = partners.month_of(last)
    return [partners.shift(key, -n) for n in range(count - 1, -1, -1)]


def partner_figures(session: Session, period: Period, *, zone: ZoneInfo) -> PartnerNetwork:
    """Four queries: partners heard from per month and kind, partners per month and kind, the longest silences,
    broadcasts sent. Counted over the partners active now (an inactive one is never counted, as in the nudge)."""
    months = _months_ending(period.last, PARTNER_MONTHS)
    firsts = [partners.first_of(m) for m in months]
    day_edges = [*firsts, partners.last_day(months[-1]) + timedelta(days=1)]
    heard = session.execute(
        select(Partner.kind, _bucket(PartnerContactDay.day, day_edges).label("month"),
               func.count(func.distinct(PartnerContactDay.partner_id)))
        .select_from(PartnerContactDay).join(Partner, Partner.id == PartnerContactDay.partner_id)
        .where(Partner.active.is_(True), PartnerContactDay.day >= day_edges[0], PartnerContactDay.day < day_edges[-1])
        .group_by(Partner.kind, "month")
    ).all()  # fmt: skip
    month_ends = [local_instant(d, time(0), zone) for d in day_edges[1:]]
    totals = session.execute(
        select(Partner.kind, *(func.sum(case((Partner.created_at < at, 1), else_=0)) for at in month_ends))
        .where(Partner.active.is_(True)).group_by(Partner.kind)
    ).all()  # fmt: skip
    heard_by: dict[tuple[str, int], int] = {(kind, int(m)): int(n) for kind, m, n in heard}
    by_kind = []
    for kind, *per_month in sorted(totals, key=lambda row: str(row[0])):
        label = partners.kind_label(kind)
        by_kind.append((label, tuple(Share(heard_by.get((kind, i), 0), int(t or 0))
                                     for i, t in enumerate(per_month))))  # fmt: skip
    overall = tuple(
        Share(sum(s[i].heard for _, s in by_kind), sum(s[i].total for _, s in by_kind)) for i in range(len(months))
    )
    last = func.max(PartnerContactDay.day)
    quiet = session.execute(
        select(Partner.name, Partner.kind, last)
        .select_from(Partner)
        .outerjoin(PartnerContactDay, and_(PartnerContactDay.partner_id == Partner.id,
                                           PartnerContactDay.day < period.end))
        .where(Partner.active.is_(True), Partner.created_at < period.instants(zone)[1])
        .group_by(Partner.id, Partner.name, Partner.kind)
        .order_by(case((last.is_(None), 0), else_=1), last, Partner.name).limit(SILENCES)
    ).all()  # fmt: skip
    start, end = period.instants(zone)
    sent = session.execute(
        select(func.count(), func.coalesce(func.sum(func.json_array_length(PartnerBroadcast.channels)), 0))
        .where(PartnerBroadcast.sent_at >= start, PartnerBroadcast.sent_at < end)
    ).one()  # fmt: skip
    return PartnerNetwork(
        months=tuple(months), overall=overall, by_kind=tuple(by_kind),
        silences=tuple(Silence(name, partners.kind_label(kind), _as_date(day)) for name, kind, day in quiet),
        broadcasts=int(sent[0] or 0), broadcast_channels=int(sent[1] or 0),
    )  # fmt: skip


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


# -- comparing two periods -------------------------------------------------------------------------------------------


class Better(StrEnum):
    HIGHER = "higher"
    LOWER = "lower"


@dataclass(frozen=True)
class Figure:
    """One headline measure of a report: a count, or a median or share over `n` cases."""

    key: str
    label: str
    value: float | None
    n: int
    counts: Counts
    unit: str = ""  # "days", "%": what `value` is in; "" for a count
    better: Better = Better.HIGHER

    def hidden(self, min_count: int) -> bool:
        if self.unit == "":
            return hidden(self.n, self.counts, min_count)
        return self.counts is Counts.HOUSEHOLDS and 0 < self.n < min_count

    def text(self, min_count: int) -> str:
        if self.value is None:
            return "—"
        if self.hidden(min_count):
            return f"fewer than {min_count}" + (" cases" if self.unit else "")
        if self.unit == "%":
            return f"{self.value:.0f}%"
        if self.unit:
            return f"{self.value:g} {self.unit}"
        return f"{int(self.value):,}"


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def figures(report: Report) -> list[Figure]:
    """The headline measures, in the page's order: what a test of change and the DM compare."""
    b, r, e, c, p = report.board, report.referrals, report.escalations, report.checkins, report.partners
    H, U = Counts.HOUSEHOLDS, Counts.UNITS
    late_on_time = r.with_deadline - r.late_total
    return [
        Figure("listed", "Units listed", b.total(BoardEvent.LISTED), b.total(BoardEvent.LISTED), U),
        Figure("filled", "Units filled", b.total(BoardEvent.FILLED), b.total(BoardEvent.FILLED), U),
        Figure("withdrawn", "Units withdrawn", b.total(BoardEvent.WITHDRAWN), b.total(BoardEvent.WITHDRAWN), U,
               better=Better.LOWER),
        Figure("expired", "Units expired", b.total(BoardEvent.EXPIRED), b.total(BoardEvent.EXPIRED), U,
               better=Better.LOWER),
        Figure("on_board", "Median days on the board", b.on_board.median, b.on_board.n, U, "days", Better.LOWER),
        Figure("referrals", "Referrals made", r.made, r.made, H),
        Figure("answer_days", "Median days from referral to answer", r.answer_days.median, r.answer_days.n, H,
               "days", Better.LOWER),
        Figure("move_in_days", "Median days from referral to move-in", r.move_in_days.median, r.move_in_days.n, H,
               "days", Better.LOWER),
        Figure("moved_in", "Moves-in", r.move_in_days.n, r.move_in_days.n, H),
        Figure("denied", "Referrals denied", sum(n for _, n in r.denials), sum(n for _, n in r.denials), H,
               better=Better.LOWER),
        Figure("on_time", "Answers within the 48-hour promise", _share(late_on_time, r.with_deadline),
               r.with_deadline, H, "%"),
        Figure("escalations", "Escalations raised", e.raised, e.raised, H, better=Better.LOWER),
        Figure("acked_first", "Escalations acknowledged within 24 business hours (urgent: 4)",
               _share(e.acked_first, e.acked), e.acked, H, "%"),
        Figure("resolve_days", "Median days to resolve an escalation", e.resolve_days.median, e.resolve_days.n, H,
               "days", Better.LOWER),
        Figure("meetings", "Check-in meetings held", c.meetings_held, c.meetings_held, U),
        Figure("items_closed", "Check-in items closed", c.closed, c.closed, U),
        Figure("carried", "Check-in items open more than two weeks", c.carried_over, c.carried_over, U,
               better=Better.LOWER),
        Figure("partners_heard", "Partners heard from", p.overall[-1].percent if p.overall else None,
               p.overall[-1].total if p.overall else 0, U, "%"),
        Figure("broadcasts", "Updates sent to partners", p.broadcasts, p.broadcasts, U),
    ]  # fmt: skip


@dataclass(frozen=True)
class Compared:
    """One measure each side of a change (or this month and the last)."""

    before: Figure
    after: Figure

    @property
    def label(self) -> str:
        return self.after.label

    def comparable(self, min_count: int) -> bool:
        a, b = self.before, self.after
        return a.value is not None and b.value is not None and not a.hidden(min_count) and not b.hidden(min_count)

    def difference(self, min_count: int) -> str:
        """After minus before; "—" when either side is missing or hidden (a difference would reveal it)."""
        if not self.comparable(min_count):
            return "—"
        assert self.before.value is not None
        assert self.after.value is not None
        delta = self.after.value - self.before.value
        unit = {"": "", "%": " points"}.get(self.after.unit, f" {self.after.unit}")
        return f"{delta:+g}{unit}"

    def moved(self, min_count: int) -> float:
        """How far it moved, relative to where it was (for ranking; 0 when not comparable)."""
        if not self.comparable(min_count):
            return 0.0
        assert self.before.value is not None
        assert self.after.value is not None
        if self.after.unit == "%":
            return abs(self.after.value - self.before.value) / 100
        return abs(self.after.value - self.before.value) / max(abs(self.before.value), 1.0)


def compare(before: Report, after: Report) -> list[Compared]:
    return [Compared(b, a) for b, a in zip(figures(before), figures(after), strict=True)]


def moved_most(before: Report, after: Report, *, count: int = MOVED_MOST) -> list[str]:
    """The few measures that moved most since `before`, in words (small counts never enter the sentence)."""
    min_count = after.min_count
    ranked = sorted((c for c in compare(before, after) if c.moved(min_count) > 0),
                    key=lambda c: -c.moved(min_count))[:count]  # fmt: skip
    words = []
    for c in ranked:
        assert c.before.value is not None
        assert c.after.value is not None
        went = "rose" if c.after.value > c.before.value else "fell"
        good = (c.after.value > c.before.value) == (c.after.better is Better.HIGHER)
        words.append(f"{c.label} {went} from {c.before.text(min_count)} to {c.after.text(min_count)} "
                     f"({'better' if good else 'worse'}).")  # fmt: skip
    return words


def _day_arg(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{what} {text!r} is not a date: write it as YYYY-MM-DD, e.g. 2026-03-15") from None


def period_from(
    today: date, *, month: str | None = None, start: str | None = None, last: str | None = None,
    change: str | None = None,
) -> tuple[Period, date | None]:  # fmt: skip
    """The period and change day the command line asks for (ValueError, one line, for anything wrong).

    With --change alone, the period is from the change day to yesterday; otherwise the last full month."""
    if month and (start or last):
        raise ValueError("give --month or --from and --to, not both")
    if bool(start) != bool(last):
        raise ValueError("--from and --to go together")
    on = _day_arg(change, "--change") if change else None
    if month:
        period = of_month(month)
    elif start and last:
        first, final = _day_arg(start, "--from"), _day_arg(last, "--to")
        if final < first:
            raise ValueError("--to is before --from")
        period = Period(first, final + timedelta(days=1))
    elif on is not None:
        if on >= today:
            raise ValueError("--change must be a day before today: the days after it are what is measured")
        period = Period(on, today)
    else:
        period = last_full_month(today)
    if period.start > today:
        raise ValueError("that period has not begun yet")
    return period, on


def pack(session: Session, period: Period, *, change: date | None, zone: ZoneInfo, min_count: int, today: date) -> Pack:
    """The report, the period before it (of the same length) for what moved, and the change's two sides."""
    report = build(session, period, zone=zone, min_count=min_count)
    before = (month_before(period) if period.is_month
              else Period(period.start - timedelta(days=period.days), period.start))  # fmt: skip
    previous = build(session, before, zone=zone, min_count=min_count)
    sides = None
    if change is not None:
        ahead, behind = change_windows(change, length=period.days)
        sides = (change, build(session, ahead, zone=zone, min_count=min_count),
                 build(session, behind, zone=zone, min_count=min_count))  # fmt: skip
    notes: tuple[str, ...] = ()
    if sides is not None and sides[2].period.end > today:
        notes = (f"The days after the change run to {_day(sides[2].period.last)}; those after today have no data yet.",)
    return Pack(report, previous=previous, change=sides, generated_on=today, notes=notes)


@dataclass(frozen=True)
class Pack:
    """What `porchlight report` writes and the DM carries: the report, the one it is compared with, and the
    test of change's two sides when asked for."""

    report: Report
    previous: Report | None = None
    change: tuple[date, Report, Report] | None = None
    generated_on: date | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)


def queue(session: Session, *, month: str, coordinators: Sequence[str], now: datetime) -> int:
    """One report DM per coordinator for `month` ("YYYY-MM"), queued in the caller's transaction; rendered and
    uploaded when delivered (jobs/features/report.py)."""
    for coordinator in coordinators:
        outbox.enqueue(session, kind=REPORT_DM, channel=coordinator, now=now, detail={"month": month})
    return len(coordinators)
