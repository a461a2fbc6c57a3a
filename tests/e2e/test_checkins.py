"""Weekly property check-ins, as people use them: a coordinator sets the check-in in the property form; the
partner's property manager (the shared channel's button) and our RSC (`/checkin add`) add items; the agenda is
posted at the meeting's time in its zone, taken with Discussed / Carry over / Close, and edited into its summary."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.clock import ManualClock
from jobs import outbox as delivery
from jobs import ticks
from sandbox import SlackSide, Workspace
from sandbox.workspace import Message
from storage.models import Agenda
from tests.conftest import COORDINATOR, PARTNER_PM, VACANCIES
from tests.e2e.board_helpers import SHARED, card_text, log_unit, only_view, thread
from tests.e2e.helpers import eventually

RSC = "U0RSC"
MAPLE = {"name": "Maple Court", "address": "100 Maple Ave", "area": "Northside", "company": "Maple Management",
         "company_team": "T0PARTNER", "managers": [PARTNER_PM], "shared_channel": SHARED}  # fmt: skip
WEDNESDAYS_AT_TEN = {"checkin_day": "2", "checkin_time": "10:00", "checkin_zone": "America/Chicago",
                     "checkin_every": "1", "checkin_holidays": "next_business_day", "checkin_members": [RSC],
                     "checkin_channel": ""}  # fmt: skip


def set_checkin(slack: SlackSide, workspace: Workspace, **changes: Any) -> None:
    """The coordinator lists Maple Court with its check-in in the property form."""
    slack.slash_command(user=COORDINATOR, channel=VACANCIES, command="/vacancy", text="property Maple Court")
    form = only_view(workspace, COORDINATOR)
    result = slack.submit_view(form, user=COORDINATOR, values={**MAPLE, **WEDNESDAYS_AT_TEN, **changes})
    assert result.closed, result.errors


def hub(workspace: Workspace) -> Message:
    def found() -> list[Message]:
        return [m for m in workspace.messages(SHARED) if "checkin_hub_add" in str(m.blocks)]

    return eventually(found, what="the property's Porchlight message")[0]


def agendas(workspace: Workspace, channel: str = SHARED) -> list[Message]:
    return [m for m in workspace.messages(channel) if m.text.startswith(("Check-in agenda", "Check-in summary"))]


def add_from_hub(slack: SlackSide, workspace: Workspace, **values: str) -> Any:
    slack.click(user=PARTNER_PM, channel=SHARED, message_ts=hub(workspace).ts, action_id="checkin_hub_add")
    form = only_view(workspace, PARTNER_PM)
    return slack.submit_view(form, user=PARTNER_PM, values=values)


def add_by_command(slack: SlackSide, workspace: Workspace, **values: str) -> Any:
    slack.slash_command(user=RSC, channel=VACANCIES, command="/checkin", text="add Maple Court")
    form = only_view(workspace, RSC)
    return slack.submit_view(form, user=RSC, values=values)


def at(clock: ManualClock, when: datetime) -> None:
    clock.advance(when - clock.now())


def run_tick(deps: Any) -> list[tuple[str, str]]:
    ran = ticks.run(deps=deps)
    delivery.run(deps=deps)
    return ran


def section_of(message: Message, label: str) -> str:
    return next(b["text"]["text"] for b in message.blocks if b["type"] == "section" and label in b["text"]["text"])


def test_items_from_both_sides_and_a_move_in_appear_in_order_then_carry_over_with_their_age(
    slack: SlackSide, workspace: Workspace, running_bot: Any, clock: ManualClock
) -> None:
    deps = running_bot.deps
    set_checkin(slack, workspace)
    refused = add_from_hub(
        slack, workspace, section="lease_violations", unit="12B", note="Call John Smith at 555-123-4567"
    )
    assert set(refused.errors) == {"note"}  # the detector refuses it inline; nothing is stored
    assert add_from_hub(slack, workspace, section="lease_violations", unit="12B", note="Noise notice issued").closed
    assert add_by_command(slack, workspace, section="arrears", unit="4A", client_code="HMIS-0153",
                          note="Two months behind; payment plan?").closed  # fmt: skip
    assert "I-1" in eventually(lambda: [e.text for e in workspace.ephemerals_for(PARTNER_PM) if "I-1" in e.text],
                               what="the PM is told")[0]  # fmt: skip
    # A move-in on the board: logged, referred and moved in, before the meeting.
    from tests.e2e.test_board import refer

    card = log_unit(slack, workspace, unit="7C")
    refer(slack, workspace, card.ts)
    notice = eventually(lambda: [m for m in thread(workspace, VACANCIES, card.ts) if "R-1" in m.text], what="R-1")[0]
    slack.click(user=COORDINATOR, channel=VACANCIES, message_ts=notice.ts, action_id="referral_moved_in",
                thread_ts=card.ts)  # fmt: skip
    assert slack.submit_view(only_view(workspace, COORDINATOR), user=COORDINATOR, values={"move_in_on": "2026-11-24"})

    # Tuesday 10:00 in Chicago: the day before, the PM and the RSC are reminded in the channel.
    at(clock, datetime(2026, 11, 24, 16, 0, tzinfo=UTC))
    run_tick(deps)
    reminder = eventually(lambda: [m for m in workspace.messages(SHARED) if "check-in is" in m.text], what="reminder")
    assert f"<@{PARTNER_PM}>" in reminder[0].text and f"<@{RSC}>" in reminder[0].text

    # Wednesday 10:00 in Chicago (16:00 UTC): one agenda, sections in order, items with their buttons.
    at(clock, datetime(2026, 11, 25, 16, 0, tzinfo=UTC))
    assert ("checkin.agenda", "meeting:1:2026-W48") in run_tick(deps)
    [agenda] = eventually(lambda: agendas(workspace), what="the agenda")
    body = card_text(agenda)
    labels = ["Resident nonpayment", "Lease violations", "challenging behaviours", "Move-ins / move-outs",
              "Resident event planning", "Other property issues"]  # fmt: skip
    assert [body.index(label) for label in labels] == sorted(body.index(label) for label in labels)
    assert body.index("HMIS-0153") < body.index("Unit 12B")  # arrears before lease violations
    assert "Unit 7C moved in (R-1)" in section_of(agenda, "Move-ins")
    assert "Nothing this week" in section_of(agenda, "Resident event planning")
    assert "Noise notice" not in body and "payment plan" not in body  # notes go in the thread
    notes = eventually(lambda: thread(workspace, SHARED, agenda.ts), what="the notes thread")
    assert "Noise notice issued" in notes[0].text

    # The meeting takes item 2 (12B) as discussed and closes item 1 (4A); an hour later it is a summary.
    slack.click(user=PARTNER_PM, channel=SHARED, message_ts=agenda.ts, action_id="checkin_close")
    eventually(lambda: "closed by" in card_text(agendas(workspace)[0]), what="the agenda edited")
    at(clock, datetime(2026, 11, 25, 17, 0, tzinfo=UTC))
    run_tick(deps)
    # The running bot's own scheduler may be the one that delivers it: wait for the edit, whoever makes it.
    [summary] = eventually(lambda: [m for m in agendas(workspace) if m.text.startswith("Check-in summary")],
                           what="the summary")  # fmt: skip
    assert summary.ts == agenda.ts and summary.text.startswith("Check-in summary")  # edited in place
    assert "1 open item carried over" in card_text(summary)

    # The next two weeks: 12B is carried over each time and shows its age.
    for week, key in ((1, "2026-W49"), (2, "2026-W50")):
        at(clock, datetime(2026, 11, 25, 16, 0, tzinfo=UTC) + timedelta(weeks=week))
        assert ("checkin.agenda", f"meeting:1:{key}") in run_tick(deps)
        at(clock, clock.now() + timedelta(hours=1))
        run_tick(deps)
    latest = eventually(lambda: [m for m in agendas(workspace) if "carried over twice" in card_text(m)],
                        what="the third agenda")[-1]  # fmt: skip
    assert "Unit 12B" in card_text(latest) and "2 weeks old, carried over twice" in card_text(latest)
    assert "HMIS-0153" not in card_text(latest)  # closed: it does not come back
    assert "R-1" not in card_text(latest)  # the move-in was last time's news


def test_a_holiday_moves_the_meeting_or_skips_it_as_configured(
    slack: SlackSide, workspace: Workspace, running_bot: Any, clock: ManualClock
) -> None:
    deps = running_bot.deps
    set_checkin(slack, workspace, checkin_day="3")  # Thursdays: 26 November 2026 is Thanksgiving
    at(clock, datetime(2026, 11, 26, 16, 0, tzinfo=UTC))
    assert all(job != "checkin.agenda" for job, _ in run_tick(deps))  # not on the holiday itself
    at(clock, datetime(2026, 11, 27, 16, 0, tzinfo=UTC))  # Friday: the next business day
    assert ("checkin.agenda", "meeting:1:2026-W48") in run_tick(deps)
    assert len(eventually(lambda: agendas(workspace), what="Friday's agenda")) == 1

    set_checkin(slack, workspace, checkin_day="3", checkin_holidays="skip")
    at(clock, datetime(2026, 12, 24, 16, 0, tzinfo=UTC))  # Thursday 24 December: an ordinary day
    run_tick(deps)
    at(clock, datetime(2026, 12, 31, 16, 0, tzinfo=UTC))  # 31 December: not a US holiday either
    run_tick(deps)
    at(clock, datetime(2027, 1, 2, 16, 0, tzinfo=UTC))
    with deps.session_factory() as session:
        periods = [
            a.period for a in session.scalars(select(Agenda).where(Agenda.status != "planned").order_by(Agenda.held_at))
        ]
    assert periods[:1] == ["2026-W48"]
    assert "2026-W52" in periods and "2026-W53" in periods  # ordinary Thursdays are held


def test_a_skipped_holiday_has_no_agenda(
    slack: SlackSide, workspace: Workspace, running_bot: Any, clock: ManualClock
) -> None:
    deps = running_bot.deps
    set_checkin(slack, workspace, checkin_day="3", checkin_holidays="skip")
    for day in (26, 27, 28):
        at(clock, datetime(2026, 11, day, 18, 0, tzinfo=UTC))
        run_tick(deps)
    assert agendas(workspace) == []
    at(clock, datetime(2026, 12, 3, 16, 0, tzinfo=UTC))
    assert ("checkin.agenda", "meeting:1:2026-W49") in run_tick(deps)


def test_across_both_dst_changes_the_agenda_keeps_local_time_and_comes_once_after_a_restart(
    slack: SlackSide, workspace: Workspace, running_bot: Any, clock: ManualClock
) -> None:
    deps = running_bot.deps
    set_checkin(slack, workspace, checkin_day="0")  # Mondays at 10:00 Chicago
    # DST begins on 14 March 2027 and ends on 7 November 2027 in Chicago.
    checks = [
        (datetime(2027, 3, 8, 16, 0, tzinfo=UTC), "2027-W10"),  # CST: 10:00 is 16:00 UTC
        (datetime(2027, 3, 15, 15, 0, tzinfo=UTC), "2027-W11"),  # CDT after 14 March: 10:00 is 15:00 UTC
        (datetime(2027, 11, 8, 16, 0, tzinfo=UTC), "2027-W45"),  # CST again after 7 November
    ]
    for when, key in checks:
        at(clock, when - timedelta(minutes=1))
        assert all(job != "checkin.agenda" for job, _ in run_tick(deps)), f"too early for {key}"
        at(clock, when)
        assert ("checkin.agenda", f"meeting:1:{key}") in run_tick(deps)
        # A restart (a fresh tick from the same database) does not post it again.
        assert all(job != "checkin.agenda" for job, _ in run_tick(deps))
    with deps.session_factory() as session:
        posted = [
            a.period
            for a in session.scalars(
                select(Agenda).where(Agenda.status.in_(("posted", "summarised"))).order_by(Agenda.held_at)
            )
        ]
    assert [k for _, k in checks] == [p for p in posted if p in {k for _, k in checks}]
    assert len(posted) == len(set(posted))


def test_a_consultation_every_two_weeks_lands_on_the_right_weeks(
    slack: SlackSide, workspace: Workspace, running_bot: Any, clock: ManualClock
) -> None:
    deps = running_bot.deps
    slack.slash_command(user=COORDINATOR, channel=VACANCIES, command="/checkin", text="meeting Case consultation")
    form = only_view(workspace, COORDINATOR)
    values = {"meeting_name": "Case consultation", "checkin_day": "1", "checkin_time": "14:00",
              "checkin_zone": "America/Chicago", "checkin_every": "2", "checkin_holidays": "next_business_day",
              "checkin_members": [RSC, "U0CASEMGR"], "checkin_channel": "C0GENERAL"}  # fmt: skip
    assert slack.submit_view(form, user=COORDINATOR, values=values).closed
    workspace.channels["C0GENERAL"].members.add("U0PORCHBOT")
    held = []
    for week in range(6):  # Tuesdays 24 Nov .. 29 Dec at 14:00 CST (20:00 UTC)
        at(clock, datetime(2026, 11, 24, 20, 0, tzinfo=UTC) + timedelta(weeks=week))
        held += [key for job, key in run_tick(deps) if job == "checkin.agenda"]
    assert held == ["meeting:1:2026-W48", "meeting:1:2026-W50", "meeting:1:2026-W52"]
    first = eventually(lambda: agendas(workspace, "C0GENERAL"), what="the consultation's agenda")[0]
    assert [b for b in ("New cases", "Updates", "Closing") if b in card_text(first)] == ["New cases", "Updates",
                                                                                       "Closing"]  # fmt: skip


def test_an_open_escalation_is_on_the_agenda_by_its_case_number_only(
    slack: SlackSide, workspace: Workspace, running_bot: Any, clock: ManualClock
) -> None:
    from tests.e2e.escalation_helpers import CASE_STUDY, TRIED, escalate

    deps = running_bot.deps
    set_checkin(slack, workspace)
    escalate(slack, workspace, user=RSC)  # about Maple Court (the form's first property): E-1
    at(clock, datetime(2026, 11, 25, 16, 0, tzinfo=UTC))
    run_tick(deps)
    [agenda] = eventually(lambda: agendas(workspace), what="the agenda")
    assert "Open escalation E-1" in section_of(agenda, "Other property issues")
    shared = " ".join(card_text(m) + m.text for m in workspace.messages(SHARED))
    shared += " ".join(m.text for m in thread(workspace, SHARED, agenda.ts))
    for detail in (CASE_STUDY[:40], TRIED[:40], "CM-20431"):  # ("nonpayment" is a section's own label)
        assert detail not in shared  # the shared channel sees the case number, never what it is about


def test_an_item_raised_during_the_meeting_joins_its_agenda_in_place_and_one_raised_after_waits(
    slack: SlackSide, workspace: Workspace, running_bot: Any, clock: ManualClock
) -> None:
    deps = running_bot.deps
    set_checkin(slack, workspace)
    assert add_by_command(slack, workspace, section="arrears", unit="4A", note="Payment plan").closed
    at(clock, datetime(2026, 11, 25, 16, 0, tzinfo=UTC))  # Wednesday 10:00 Chicago: the agenda is up
    run_tick(deps)
    [agenda] = eventually(lambda: agendas(workspace), what="the agenda")
    assert "Unit 9D" not in card_text(agenda)

    # 10:20, the meeting is being held: the PM raises one more from the shared channel.
    at(clock, datetime(2026, 11, 25, 16, 20, tzinfo=UTC))
    assert add_from_hub(slack, workspace, section="behaviour", unit="9D", note="Hallway noise at night").closed
    edited = eventually(lambda: [m for m in agendas(workspace) if "Unit 9D" in card_text(m)], what="edited")[0]
    assert edited.ts == agenda.ts  # the same message, edited in place
    body = card_text(edited)
    assert "*2.* Unit 9D" in body  # numbered after the compiled ones, so the thread's numbers hold
    assert body.index("challenging behaviours") < body.index("Unit 9D") < body.index("Move-ins")  # in its section
    late = eventually(lambda: [m for m in thread(workspace, SHARED, agenda.ts) if "during the meeting" in m.text],
                      what="its note in the thread")  # fmt: skip
    assert "*2.* Hallway noise at night" in late[0].text
    told = eventually(lambda: [e.text for e in workspace.ephemerals_for(PARTNER_PM) if "being held now" in e.text],
                      what="the PM told")  # fmt: skip
    assert "number 2 on its agenda" in told[0]
    slack.click(user=PARTNER_PM, channel=SHARED, message_ts=agenda.ts, action_id="checkin_close")  # item 1 (4A)

    # 11:30, the meeting is over: another item waits for next week's agenda.
    at(clock, datetime(2026, 11, 25, 17, 30, tzinfo=UTC))
    run_tick(deps)
    assert add_from_hub(slack, workspace, section="events", unit="", note="Holiday potluck").closed
    [summary] = eventually(lambda: [m for m in agendas(workspace) if m.text.startswith("Check-in summary")],
                           what="the summary")  # fmt: skip
    assert "Unit 9D" in card_text(summary) and "1 open item carried over" in card_text(summary)
    assert "Holiday potluck" not in str(thread(workspace, SHARED, agenda.ts))
    with deps.session_factory() as session:
        assert session.scalars(select(Agenda.status).where(Agenda.id == 1)).one() == "summarised"

    at(clock, datetime(2026, 12, 2, 16, 0, tzinfo=UTC))
    run_tick(deps)
    latest = eventually(lambda: [m for m in agendas(workspace) if m.ts != agenda.ts], what="next agenda")[0]
    assert "Unit 9D" in card_text(latest) and "carried over once" in card_text(latest)
    assert "Nothing this week" not in section_of(latest, "Resident event planning")  # the potluck is there
    assert "HMIS" not in card_text(latest) and "Unit 4A" not in card_text(latest)  # closed last week


def test_the_home_tab_shows_each_persons_check_ins_with_their_next_meeting_and_open_items(
    slack: SlackSide, workspace: Workspace, running_bot: Any
) -> None:
    set_checkin(slack, workspace)
    assert add_by_command(slack, workspace, section="arrears", unit="4A", note="Payment plan").closed
    assert add_from_hub(slack, workspace, section="other", unit="", note="Parking lot lights").closed

    def home_of(user: str, team: str) -> str:
        workspace.home_views.pop(user, None)
        slack.event({"type": "app_home_opened", "user": user, "user_team": team, "tab": "home"}, team_id=team)
        return str(eventually(lambda: workspace.home_views.get(user), what=f"{user}'s Home tab")["blocks"])

    for user, team, title in ((COORDINATOR, "T0PORCH", "Check-ins, soonest first"), (RSC, "T0PORCH", "Your check-ins"),
                              (PARTNER_PM, "T0PARTNER", "Your check-ins")):  # fmt: skip
        home = home_of(user, team)
        assert f"*{title}* (1)" in home, user
        assert "*Maple Court* · next Wed 25 Nov 2026, 10:00 CST · 2 open items" in home, user
        assert "Parking lot" not in home and "Payment plan" not in home  # counts, never notes
    assert "check-ins" not in home_of("U0CASEMGR", "T0PORCH").lower()  # not in it: no section


def test_an_expired_trigger_is_told_to_run_checkin_again(
    slack: SlackSide, workspace: Workspace, running_bot: Any
) -> None:
    set_checkin(slack, workspace)
    workspace.trigger_lifetime = 0.0  # as if the form took longer than Slack's 3 seconds to open
    sent = slack.slash_command(user=RSC, channel=VACANCIES, command="/checkin", text="add Maple Court")
    assert sent.status_code == 200
    [refused] = eventually(lambda: workspace.ephemerals_for(RSC), what="the person is told")
    assert "Slack would not open the form (expired_trigger_id)" in refused.text
    assert "run /checkin again" in refused.text
    assert workspace.open_views(RSC) == []
