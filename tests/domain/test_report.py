"""The monthly report, specified on a small March 2026 whose figures are worked out by hand below.

The community is in America/Chicago (UTC-6 until 8 March, UTC-5 after); every instant is 15:00 UTC, which is
09:00 or 10:00 local, so each event falls on the local day written.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.domain import privacy
from bot.domain import report as r
from bot.report_render import EMPTY, charts, page
from bot.slack.blocks.report import dm_text
from storage.models import (
    Agenda,
    AuditEntry,
    CheckinItem,
    Escalation,
    Meeting,
    Partner,
    PartnerBroadcast,
    PartnerContactDay,
    Property,
    Referral,
    Reminder,
    Vacancy,
)

ZONE = ZoneInfo("America/Chicago")
MARCH = r.of_month("2026-03")
CODE, NOTE = "HMIS-0153", "Maria Lopez called from 555-123-4567"  # what must never reach the report


def at(month: int, day: int, hour: int = 15) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def _unit(session: Session, bedrooms: int, subsidies: list[str], listed: datetime, *, left: tuple[str, datetime] | None
          = None, name: str = "Maple Court") -> Vacancy:  # fmt: skip
    unit = Vacancy(property_name=name, unit=f"{bedrooms}{listed.day}", bedrooms=bedrooms, rent_cents=90000,
                   available_on=listed.date(), subsidies=subsidies, contact="leasing office", notes=NOTE,
                   status="open" if left is None else left[0].split(".")[1], created_by="U0CASEMGR",
                   created_by_team="T0PORCH", created_at=listed, updated_at=listed,
                   last_confirmed_at=listed)  # fmt: skip
    session.add(unit)
    session.flush()
    session.add(AuditEntry(at=listed, actor="U0CASEMGR", action="vacancy.logged", subject_type="vacancy",
                           subject_id=unit.id, detail={}))  # fmt: skip
    if left is not None:
        session.add(AuditEntry(at=left[1], actor="U0PM", action=left[0], subject_type="vacancy", subject_id=unit.id,
                               detail={}))  # fmt: skip
    return unit


def board_fixture(session: Session) -> None:
    """V1 1br HCV, listed 2 Mar, filled 6 Mar (4 days); V2 2br, listed 3 Mar, withdrawn 13 Mar (10 days);
    V3 studio HCV+VASH, listed 9 Mar, expired 30 Mar (21 days); V4 1br, listed 20 Feb, moved in 10 Mar (18 days);
    V5 3br, listed 20 Mar, still open."""
    _unit(session, 1, ["hcv"], at(3, 2), left=("vacancy.filled", at(3, 6)))
    _unit(session, 2, [], at(3, 3), left=("vacancy.withdrawn", at(3, 13)))
    _unit(session, 0, ["hcv", "vash"], at(3, 9), left=("vacancy.expired", at(3, 30)))
    _unit(session, 1, [], at(2, 20), left=("vacancy.moved_in", at(3, 10)))
    _unit(session, 3, [], at(3, 20))


def test_the_board_section_figure_by_figure(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as session:
        board_fixture(session)
    with session_factory() as session:
        board = r.board(session, MARCH, zone=ZONE)
    # Weeks of seven days from 1 March: listed V1 V2 | V3 | V5 | - | -; filled V1 | V4; withdrawn V2; expired V3.
    assert [(w.start.day, w.listed, w.filled, w.withdrawn, w.expired) for w in board.weeks] == [
        (1, 2, 1, 0, 0), (8, 1, 1, 1, 0), (15, 1, 0, 0, 0), (22, 0, 0, 0, 0), (29, 0, 0, 0, 1),
    ]  # fmt: skip
    assert [board.total(e) for e in r.BoardEvent] == [4, 2, 1, 1]
    # On the board at the end of each local day: 1 Mar only V4; 3 Mar V4 V1 V2; 31 Mar only V5.
    shown = dict(board.open_units)
    assert (len(shown), shown[date(2026, 3, 1)], shown[date(2026, 3, 3)], shown[date(2026, 3, 31)]) == (31, 1, 3, 1)
    assert shown[date(2026, 3, 10)] == 2  # V2 V3 (V4 left that morning, V1 on the 6th); V5 not yet
    # Days on the board of the four that left: 4, 10, 18, 21 -> nearest-rank median 10, 90th percentile 21.
    assert board.on_board == r.Spread(4, 10, 21)
    assert board.by_bedrooms == (("Studio", r.Spread(1, 21, 21)), ("1 bedroom", r.Spread(2, 4, 18)),
                                 ("2 bedrooms", r.Spread(1, 10, 10)))  # fmt: skip
    assert dict(board.by_subsidy) == {
        "Housing Choice Voucher (Section 8)": r.Spread(2, 4, 21), "VASH": r.Spread(1, 21, 21),
        r.NO_SUBSIDY: r.Spread(2, 10, 18),
    }  # fmt: skip


def test_the_other_sections_on_the_same_month(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as session:
        board_fixture(session)
        place = Property(name="Maple Court")
        session.add(place)
        session.flush()
        unit = session.query(Vacancy).first()
        assert unit is not None
        for i, (reason, decided) in enumerate([("income", 2), ("income", 3), ("credit", 5), (None, 4)]):
            ref = Referral(vacancy_id=unit.id, client_code=CODE, household_size=2, note=NOTE, created_by="U0CASEMGR",
                           created_by_team="T0PORCH", created_at=at(3, 2 + i),
                           status="denied" if reason else "moved_in", denial_reason=reason,
                           decided_at=at(3, 2 + i) + timedelta(days=decided), denial_note=NOTE)  # fmt: skip
            session.add(ref)
            session.flush()
            # The promise: 48 business hours, here two days on; answers after 3 days or more were late.
            session.add(Reminder(kind="referral.answer_overdue", subject_type="referral", subject_id=ref.id,
                                 recipient="U0COORD", zone=ZONE.key, due_at=ref.created_at + timedelta(days=2),
                                 max_sends=1, sent_count=0))  # fmt: skip
        session.add(Escalation(property_id=place.id, category="repair", urgency="urgent", status="resolved",
                               raised_by="U0RSC", raised_by_team="T0PORCH", other_party="U0PM",
                               what_happened=NOTE, client_code=CODE, created_at=at(3, 4),
                               remind_due_at=at(3, 4, 19), overdue_due_at=at(3, 4, 23), acknowledged_at=at(3, 4, 17),
                               resolved_at=at(3, 6), outcome="agreement_reached"))  # fmt: skip
        meeting = Meeting(kind="property", name="Maple check-in", weekday=1, at="10:00", zone=ZONE.key,
                          anchor=date(2026, 1, 6), holiday_rule="skip")  # fmt: skip
        session.add(meeting)
        session.flush()
        for day in (3, 10, 17):
            session.add(Agenda(meeting_id=meeting.id, period=f"2026-03-{day:02}", held_at=at(3, day),
                               status="summarised", posted_at=at(3, day)))  # fmt: skip
        session.add(Agenda(meeting_id=meeting.id, period="2026-03-24", held_at=at(3, 24), status="missed"))
        for raised, closed in ((at(2, 10), None), (at(3, 2), at(3, 5)), (at(2, 25), at(3, 20)), (at(3, 25), None)):
            session.add(CheckinItem(meeting_id=meeting.id, section="units", note=NOTE, client_code=CODE,
                                    raised_by="U0RSC", created_at=raised, closed_at=closed))  # fmt: skip
        heard, quiet = Partner(name="Heard Agency", kind="service_provider", created_at=at(1, 1)), Partner(
            name="Quiet Agency", kind="service_provider", created_at=at(1, 1))  # fmt: skip
        session.add_all([heard, quiet])
        session.flush()
        session.add(PartnerContactDay(partner_id=heard.id, day=date(2026, 3, 12), signals=3, last_at=at(3, 12),
                                      last_kind="message"))  # fmt: skip
        session.add(PartnerBroadcast(text=NOTE, channels=["C1", "C2"], status="sent", created_by="U0COORD",
                                     created_at=at(3, 5), sent_at=at(3, 5)))  # fmt: skip
    with session_factory() as session:
        report = r.build(session, MARCH, zone=ZONE)
    ref = report.referrals
    assert ref.made == 4 and dict(ref.outcomes)["Denied"] == 3 and dict(ref.outcomes)["Moved in"] == 1
    assert ref.denials == (("Income", 2), ("Credit", 1))
    assert ref.answer_days == r.Spread(3, 3, 5) and ref.move_in_days == r.Spread(1, 4, 4)
    assert (ref.with_deadline, ref.late_total) == (4, 3)  # 3, 5 and 4 days against a 2-day promise
    esc = report.escalations
    assert (esc.raised, esc.by_category, esc.acked, esc.acked_first, esc.resolved, esc.resolved_second) == (
        1, (("Maintenance / repair", 0, 1),), 1, 1, 1, 0)  # fmt: skip
    assert esc.ack_hours == r.Spread(1, 2, 2) and esc.outcomes == (("Agreement reached", 1),)
    # Held: three posted agendas (the missed one was not). Carried: the item of 10 Feb (open) and of 25 Feb
    # (closed 20 Mar, after 23 days); the one of 2 Mar closed in 3 days, the one of 25 Mar is 6 days old.
    assert report.checkins == r.Checkins(meetings_held=3, items_raised=2, carried_over=2, closed=2)
    par = report.partners
    assert par.months[-1] == "2026-03" and par.overall[-1] == r.Share(1, 2) and par.overall[0] == r.Share(0, 0)
    assert [s.partner for s in par.silences] == ["Quiet Agency", "Heard Agency"]
    assert (par.broadcasts, par.broadcast_channels) == (1, 2)
    assert report.data_to == date(2026, 3, 30)

    html, text = page(r.Pack(report, previous=report)), dm_text(r.Pack(report, previous=report))
    for output in (html, text):
        assert CODE not in output and "Maria" not in output and "555-123" not in output
    # The detector over what a person reads: the page's text (its charts' words are their alt text) and the DM.
    visible = re.sub(r"<[^>]+>", " ", re.sub(r"<svg.*?</svg>", " ", html, flags=re.S))
    for words in (visible, text, *(c.alt for c in charts(report))):
        assert privacy.check_text(words, field=privacy.FieldKind.NOTE, today=date(2026, 4, 1)) is None


def test_small_counts_of_households_read_fewer_than_the_threshold_and_units_as_they_are() -> None:
    assert r.shown(3, r.Counts.HOUSEHOLDS, 5) == "fewer than 5"
    assert r.shown(0, r.Counts.HOUSEHOLDS, 5) == "0" and r.shown(5, r.Counts.HOUSEHOLDS, 5) == "5"
    assert r.shown(3, r.Counts.UNITS, 5) == "3"
    assert r.shown_spread(r.Spread(4, 2, 9), 5, "days") == "fewer than 5 cases"
    assert r.shown_share(2, 40, r.Counts.HOUSEHOLDS, 5) == "fewer than 5 of 40"
    denied = r.Figure("denied", "Referrals denied", 3, 3, r.Counts.HOUSEHOLDS)
    assert denied.text(5) == "fewer than 5" and denied.text(3) == "3"
    both = r.Compared(denied, r.Figure("denied", "Referrals denied", 9, 9, r.Counts.HOUSEHOLDS))
    assert both.difference(5) == "—"  # the difference would give the hidden side away


def test_the_page_hides_small_counts_in_tables_and_charts(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as session:
        unit = _unit(session, 1, [], at(3, 2))
        for day in (3, 4, 5):
            session.add(Referral(vacancy_id=unit.id, client_code=CODE, household_size=1, created_by="U0CASEMGR",
                                 created_by_team="T0PORCH", created_at=at(3, day), status="denied",
                                 denial_reason="income", decided_at=at(3, day + 1)))  # fmt: skip
    with session_factory() as session:
        report = r.build(session, MARCH, zone=ZONE, min_count=5)
    html = page(r.Pack(report))
    assert "<td>Income</td><td class=n>fewer than 5</td>" in html
    denials = next(c for c in charts(report) if c.key == "denial-reasons")
    assert "Income fewer than 5" in denials.alt and " 3" not in denials.alt


def test_a_test_of_change_compares_equal_lengths_each_side(session_factory: sessionmaker[Session]) -> None:
    """Answers took three days before 15 March and one day after: six referrals each side."""
    with session_factory.begin() as session:
        unit = _unit(session, 1, [], at(2, 20))
        for day, took in [(d, 3) for d in range(2, 8)] + [(d, 1) for d in range(16, 22)]:
            session.add(Referral(vacancy_id=unit.id, client_code=CODE, household_size=1, created_by="U0CASEMGR",
                                 created_by_team="T0PORCH", created_at=at(3, day), status="accepted",
                                 decided_at=at(3, day + took)))  # fmt: skip
    period, on = r.period_from(date(2026, 4, 2), start="2026-03-01", last="2026-03-28", change="2026-03-15")
    assert on == date(2026, 3, 15)
    before, after = r.change_windows(date(2026, 3, 15), length=14)
    assert (before.start, before.end, after.start, after.end) == (date(2026, 3, 1), date(2026, 3, 15),
                                                                  date(2026, 3, 15), date(2026, 3, 29))  # fmt: skip
    with session_factory() as session:
        ahead, behind = (r.build(session, p, zone=ZONE) for p in (before, after))
    answer = next(c for c in r.compare(ahead, behind) if c.after.key == "answer_days")
    assert (answer.before.value, answer.after.value, answer.before.n, answer.after.n) == (3, 1, 6, 6)
    assert answer.difference(5) == "-2 days"
    assert r.moved_most(ahead, behind)[0].startswith("Median days from referral to answer fell from 3 days to 1 days")
    with session_factory() as session:
        pack = r.pack(session, period, change=on, zone=ZONE, min_count=5, today=date(2026, 4, 2))
    html = page(pack)
    assert "Test of change: before and after 15 Mar 2026" in html and "28 days on each side" in html


def test_command_line_periods_and_their_mistakes() -> None:
    today = date(2026, 4, 2)
    assert r.period_from(today)[0] == MARCH
    assert r.period_from(today, month="2026-02")[0] == r.Period(date(2026, 2, 1), date(2026, 3, 1))
    for kwargs, words in [({"month": "2026-13"}, "not a month"), ({"start": "2026-03-01"}, "go together"),
                          ({"month": "2026-03", "start": "2026-03-01", "last": "2026-03-02"}, "not both"),
                          ({"change": "tomorrow"}, "not a date"),
                          ({"change": "2026-04-02"}, "before today")]:  # fmt: skip
        with pytest.raises(ValueError, match=words):
            r.period_from(today, **kwargs)


def test_an_empty_month_draws_charts_that_say_so(session_factory: sessionmaker[Session]) -> None:
    with session_factory() as session:
        report = r.build(session, MARCH, zone=ZONE)
    drawn = charts(report)
    assert all(c.png.startswith(b"\x89PNG") and c.svg.startswith("<svg") for c in drawn)
    assert all("Period: March 2026" in c.svg or c.svg for c in drawn)
    html = page(r.Pack(report))
    # Self-contained: nothing fetched from anywhere (the SVG namespaces are names, not fetches).
    assert not re.search(r"<script|<link|src=|href=\"http|url\(|@import|<metadata", html)
    assert EMPTY  # drawn as paths in the SVG; the alt text says so in words
    assert "none" in next(c for c in drawn if c.key == "board-open").alt
