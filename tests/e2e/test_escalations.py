"""Escalations, as people use them: an RSC or a partner's property manager raises a case, the coordinator takes
it, mediates and records the outcome; the clock reminds the coordinators and then the backups; a welfare concern
follows its protocol; nothing personal is accepted, and a shared channel only ever sees the case number."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select

from bot.clock import ManualClock
from bot.domain import people
from bot.settings import Settings
from jobs import outbox, ticks
from sandbox import SlackSide, Workspace
from storage.models import AuditEntry, Escalation, Reminder
from tests.conftest import CASE_MANAGER, COORDINATOR, PARTNER_PM
from tests.e2e.board_helpers import SHARED, add_property, buttons, only_view, thread
from tests.e2e.escalation_helpers import (
    ESCALATE,
    GENERAL,
    RSC,
    card_of,
    case_cards,
    choose_category,
    dm_containing,
    dms,
    escalate,
    form_values,
    hub_message,
    message_shortcut,
    open_form,
    shown,
    told,
)
from tests.e2e.helpers import eventually

BACKUP = CASE_MANAGER  # the backup coordinator in these tests
WEDNESDAY_9AM = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # the day before Thanksgiving, 9:00 in Chicago


@pytest.fixture
def running_bot(settings_factory: Callable[..., Settings], engine: Engine, clock: ManualClock) -> Iterator[Any]:
    """Porchlight with a backup coordinator (the shared fixture has none)."""
    from bot.app import Runtime, build_app, build_deps

    deps = build_deps(settings_factory(PORCHLIGHT_BACKUP_COORDINATORS=BACKUP), clock=clock)
    runtime = Runtime(deps=deps, app=build_app(deps), host="127.0.0.1", port=0).start()
    yield runtime
    runtime.stop()


def case(running_bot: Any, number: int = 1) -> Escalation:
    with running_bot.deps.session_factory() as session:
        found: Escalation | None = session.get(Escalation, number)
        assert found is not None
        return found


def actions(running_bot: Any) -> list[str]:
    with running_bot.deps.session_factory() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.subject_type == "escalation").order_by(AuditEntry.id)
        )
        return [e.action for e in entries]


def click(slack: SlackSide, workspace: Workspace, user: str, number: str, action: str) -> None:
    slack.click(user=user, channel=ESCALATE, message_ts=card_of(workspace, number).ts, action_id=action)


def test_an_rsc_escalates_with_the_command_and_both_parties_hear_what_happens_next(
    slack: SlackSide, workspace: Workspace, running_bot: Any
) -> None:
    add_property(slack, workspace)
    card = escalate(slack, workspace)

    assert card.blocks[0]["text"]["text"] == "E-1 · Nonpayment of rent · Maple Court"
    assert "Open: waiting for a coordinator" in shown(card)
    assert f"<@{RSC}> (raised) · <@{PARTNER_PM}>" in shown(card)
    assert "Tue 24 Nov, 09:00" in shown(card)  # next deadline: 24 business hours after Monday 9:00
    assert buttons(card) == ["escalation_acknowledge", "escalation_schedule_mediation", "escalation_add_note",
                             "escalation_resolve"]  # fmt: skip
    for party in (RSC, PARTNER_PM):
        dm = dm_containing(workspace, party, "E-1")
        assert "acknowledge it within 24 working hours" in dm
    assert "E-1" not in " ".join(shown(m) for m in workspace.messages(SHARED))  # raised privately: nothing shared
    assert actions(running_bot) == ["escalation.raised"]


def test_escalate_help_and_an_unknown_word_are_answered_privately_without_a_form(
    slack: SlackSide, workspace: Workspace, running_bot: Any
) -> None:
    for word in ("help", "?", "--HELP"):
        slack.slash_command(user=RSC, channel=GENERAL, command="/escalate", text=word)
        assert "/escalate" in workspace.ephemerals_for(RSC)[-1].text
    slack.slash_command(user=RSC, channel=GENERAL, command="/escalate", text="frobnicate now")
    assert workspace.ephemerals_for(RSC)[-1].text == (
        "I don't know `/escalate frobnicate`. Try `/escalate`, `/escalate list` or `/escalate help`."
    )
    assert workspace.open_views(RSC) == []


def test_an_expired_trigger_is_told_to_run_escalate_again(
    slack: SlackSide, workspace: Workspace, running_bot: Any
) -> None:
    add_property(slack, workspace)
    workspace.trigger_lifetime = 0.0  # as if the form took longer than Slack's 3 seconds to open
    assert slack.slash_command(user=RSC, channel=GENERAL, command="/escalate").status_code == 200
    [refused] = eventually(lambda: workspace.ephemerals_for(RSC), what="the person is told")
    assert "Slack would not open the form (expired_trigger_id)" in refused.text
    assert "run /escalate again" in refused.text
    assert workspace.open_views(RSC) == []


def test_an_external_property_manager_raises_one_from_the_shared_channels_button(
    slack: SlackSide, workspace: Workspace, running_bot: Any
) -> None:
    add_property(slack, workspace)
    hub = hub_message(workspace)
    slack.click(user=PARTNER_PM, channel=SHARED, message_ts=hub.ts, action_id="escalation_raise")
    form = only_view(workspace, PARTNER_PM)
    chosen = next(b for b in form.view["blocks"] if b.get("block_id") == "property_id")["element"]["initial_option"]
    assert chosen["text"]["text"] == "Maple Court"
    values = form_values(
        form,
        category="repair",
        other_party=[RSC],
        what_happened="The unit's heating has been out for a week and the work order is unanswered.",
    )
    assert slack.submit_view(form, user=PARTNER_PM, values=values).closed

    card = eventually(lambda: case_cards(workspace), what="the card")[0]
    assert f"<@{PARTNER_PM}> (raised) · <@{RSC}>" in shown(card)
    assert case(running_bot).raised_by_team == "T0PARTNER"
    line = eventually(lambda: [m for m in workspace.messages(SHARED) if "E-1" in m.text], what="the shared line")[0]
    assert line.text == "Escalation E-1: Open."
    click(slack, workspace, COORDINATOR, "E-1", "escalation_acknowledge")
    eventually(lambda: line.text == "Escalation E-1: Acknowledged.", what="the shared line edited")
    dm_containing(workspace, RSC, "has taken this case")
    dm_containing(workspace, PARTNER_PM, "has taken this case")
    # The shared channel only ever sees the case number and its status.
    everything = " ".join(shown(m) for m in workspace.messages(SHARED))
    for private in ("heating", "work order", "CM-20431", "Maintenance", RSC):
        assert private not in everything


def test_the_case_study_from_raise_to_mediation_to_a_payment_plan(
    slack: SlackSide, workspace: Workspace, running_bot: Any, clock: ManualClock
) -> None:
    add_property(slack, workspace)
    escalate(slack, workspace, category="eviction_notice", urgency="urgent")
    assert "04:00" not in shown(card_of(workspace, "E-1"))
    assert ":red_circle: Urgent" in shown(card_of(workspace, "E-1"))
    assert "Mon 23 Nov, 13:00" in shown(card_of(workspace, "E-1"))  # urgent: 4 business hours

    click(slack, workspace, COORDINATOR, "E-1", "escalation_acknowledge")
    assert case(running_bot).status == "acknowledged"
    click(slack, workspace, COORDINATOR, "E-1", "escalation_schedule_mediation")
    form = only_view(workspace, COORDINATOR)
    assert slack.submit_view(form, user=COORDINATOR, values={"day": "2026-12-02", "time": "14:00"}).closed
    assert (
        "mediation Wed 2 Dec, 14:00"
        in eventually(
            lambda: [shown(m) for m in case_cards(workspace) if "Mediation scheduled" in shown(m)], what="card edited"
        )[0]
    )
    for party in (RSC, PARTNER_PM):
        assert "Wed 2 Dec, 14:00" in dm_containing(workspace, party, "Mediation is scheduled")

    clock.set(datetime(2026, 12, 1, 14, 59, tzinfo=UTC))  # Tuesday 8:59: not yet the working day before
    assert ticks.tick(deps=running_bot.deps).reminded == []
    clock.set(datetime(2026, 12, 1, 15, 0, tzinfo=UTC))
    assert len(ticks.tick(deps=running_bot.deps).reminded) == 2
    for party in (RSC, PARTNER_PM):
        dm_containing(workspace, party, "Reminder: the mediation is on *Wed 2 Dec, 14:00*")

    clock.set(datetime(2026, 12, 2, 21, 0, tzinfo=UTC))
    click(slack, workspace, COORDINATOR, "E-1", "escalation_resolve")
    form = only_view(workspace, COORDINATOR)
    values = {"outcome": "payment_plan", "summary": "Payment plan agreed: $150 extra a month; notice on hold."}
    assert slack.submit_view(form, user=COORDINATOR, values=values).closed
    resolved = case(running_bot)
    assert (resolved.status, resolved.outcome, resolved.resolved_by) == ("resolved", "payment_plan", COORDINATOR)
    for party in (RSC, PARTNER_PM):
        assert "*Payment plan*" in dm_containing(workspace, party, "Resolved by")
    card = eventually(lambda: [m for m in case_cards(workspace) if "escalation_reopen" in buttons(m)], what="resolved")
    assert "Payment plan" in shown(card[0])
    assert actions(running_bot) == ["escalation.raised", "escalation.acknowledged", "escalation.mediation",
                                    "escalation.resolved"]  # fmt: skip
    lines = eventually(lambda: thread(workspace, ESCALATE, card[0].ts)[2:], what="the thread's history")
    assert any("Resolved by" in m.text for m in lines)


def test_a_coordinator_reopens_a_resolved_case(
    slack: SlackSide, workspace: Workspace, running_bot: Any, clock: ManualClock
) -> None:
    add_property(slack, workspace)
    escalate(slack, workspace)
    click(slack, workspace, COORDINATOR, "E-1", "escalation_resolve")
    form = only_view(workspace, COORDINATOR)
    assert slack.submit_view(
        form, user=COORDINATOR, values={"outcome": "no_action_needed", "summary": "Settled."}
    ).closed
    eventually(lambda: "escalation_reopen" in buttons(card_of(workspace, "E-1")), what="resolved card")

    click(slack, workspace, COORDINATOR, "E-1", "escalation_reopen")
    reopened = case(running_bot)
    assert (reopened.status, reopened.outcome, reopened.acknowledged_by) == ("acknowledged", None, COORDINATOR)
    eventually(lambda: "escalation_resolve" in buttons(card_of(workspace, "E-1")), what="live again")
    dm_containing(workspace, PARTNER_PM, "has reopened this case")
    click(slack, workspace, COORDINATOR, "E-1", "escalation_schedule_mediation")  # live: it can be mediated
    assert only_view(workspace, COORDINATOR).view["callback_id"] == "escalation_mediation"
    assert actions(running_bot)[-1] == "escalation.reopened"
    # The coordinator who reopened it has it: no new clock, so nobody is chased about it a week later.
    assert "*Next deadline*\\n—" in shown(card_of(workspace, "E-1"))
    clock.advance(timedelta(days=7))
    assert ticks.tick(deps=running_bot.deps).reminded == []
    assert "Reminder: E-1" not in " ".join(dms(workspace, COORDINATOR))


def test_24_and_48_hour_reminders_skip_a_holiday_and_are_not_repeated_across_a_restart(
    slack: SlackSide, workspace: Workspace, running_bot: Any, clock: ManualClock, settings_factory: Any
) -> None:
    add_property(slack, workspace)
    clock.set(WEDNESDAY_9AM)
    escalate(slack, workspace)
    deps = running_bot.deps

    clock.set(datetime(2026, 11, 26, 15, 0, tzinfo=UTC))  # Thanksgiving: a holiday does not count
    assert ticks.tick(deps=deps).reminded == []
    clock.set(datetime(2026, 11, 27, 14, 59, tzinfo=UTC))
    assert ticks.tick(deps=deps).reminded == []
    clock.set(datetime(2026, 11, 27, 15, 0, tzinfo=UTC))  # Friday 9:00: 24 business hours
    assert len(ticks.tick(deps=deps).reminded) == 1
    assert "waited 24 working hours" in dm_containing(workspace, COORDINATOR, "Reminder: E-1")

    running_bot.stop()  # a restart: a new process on the same database
    from bot.app import build_deps

    restarted = build_deps(settings_factory(PORCHLIGHT_BACKUP_COORDINATORS=BACKUP), clock=clock)
    assert ticks.tick(deps=restarted).reminded == []
    outbox.run(deps=restarted)
    assert len([t for t in dms(workspace, COORDINATOR) if "Reminder: E-1" in t]) == 1

    clock.set(datetime(2026, 11, 30, 15, 0, tzinfo=UTC))  # Monday 9:00: 48 business hours (the weekend skipped)
    assert len(ticks.tick(deps=restarted).reminded) == 2  # the backup told, the card marked
    outbox.run(deps=restarted)
    assert "You are a backup coordinator" in dm_containing(workspace, BACKUP, "E-1")
    assert ":warning: *OVERDUE*" in shown(card_of(workspace, "E-1"))
    assert any("overdue" in m.text for m in thread(workspace, ESCALATE, card_of(workspace, "E-1").ts))
    clock.advance(timedelta(hours=3))
    assert ticks.tick(deps=restarted).reminded == []
    with restarted.session_factory() as session:
        assert all(r.done_at is not None for r in session.scalars(select(Reminder)))
    restarted.contact_log.close()


@pytest.fixture
def coordinator_in_london(workspace: Workspace) -> None:
    """The coordinator's Slack profile is in London (asked for first, before the bot starts and learns it)."""
    workspace.users[COORDINATOR].tz = "Europe/London"


def test_a_coordinator_in_another_zone_is_reminded_at_the_start_of_their_own_working_day(
    coordinator_in_london: None, slack: SlackSide, workspace: Workspace, running_bot: Any, clock: ManualClock
) -> None:
    deps = running_bot.deps

    def zone() -> str:
        with deps.session_factory() as session:
            return people.zone_of(session, COORDINATOR, fallback=deps.settings.zone).key

    eventually(lambda: zone() == "Europe/London", what="the zone learnt from users.info when Porchlight started")
    add_property(slack, workspace)
    clock.set(datetime(2026, 11, 23, 21, 0, tzinfo=UTC))  # Monday 15:00 in Chicago, 21:00 in London
    escalate(slack, workspace)
    assert "Tue 24 Nov, 15:00" in shown(card_of(workspace, "E-1"))  # the deadline is the community's

    clock.set(datetime(2026, 11, 24, 21, 0, tzinfo=UTC))  # 24 business hours: 21:00 for the coordinator
    assert ticks.tick(deps=deps).reminded == []
    clock.set(datetime(2026, 11, 25, 8, 59, tzinfo=UTC))
    assert ticks.tick(deps=deps).reminded == []
    clock.set(datetime(2026, 11, 25, 9, 0, tzinfo=UTC))  # Wednesday 9:00 in London (3:00 in Chicago)
    assert len(ticks.tick(deps=deps).reminded) == 1
    assert "waited 24 working hours" in dm_containing(workspace, COORDINATOR, "Reminder: E-1")


def test_acknowledging_stops_the_clock(
    slack: SlackSide, workspace: Workspace, running_bot: Any, clock: ManualClock
) -> None:
    add_property(slack, workspace)
    escalate(slack, workspace)
    click(slack, workspace, COORDINATOR, "E-1", "escalation_acknowledge")
    clock.advance(timedelta(days=7))
    assert ticks.tick(deps=running_bot.deps).reminded == []
    assert "Reminder: E-1" not in " ".join(dms(workspace, COORDINATOR))


def test_a_welfare_concern_follows_its_protocol_as_a_checklist(
    slack: SlackSide, workspace: Workspace, running_bot: Any
) -> None:
    add_property(slack, workspace)
    form = open_form(slack, workspace)
    assert "call 911" not in shown_view(form)
    choose_category(slack, form, user=RSC, category="welfare")
    eventually(lambda: form.view["blocks"][0].get("block_id") == "notice_welfare", what="the 911 notice on top")
    assert "call 911 first" in shown_view(form)
    values = form_values(form, category="welfare",
                         what_happened="Nobody has seen the tenant for four days and mail is piling up.")  # fmt: skip
    assert slack.submit_view(form, user=RSC, values=values).closed

    for coordinator in (COORDINATOR, BACKUP):  # all coordinators told at once
        dm_containing(workspace, coordinator, "Welfare concern E-1")
    card = eventually(lambda: case_cards(workspace), what="the card")[0]
    checklist = eventually(lambda: [m for m in thread(workspace, ESCALATE, card.ts) if "Welfare protocol" in m.text],
                           what="the checklist")[0]  # fmt: skip
    assert len([b for b in checklist.blocks if b["type"] == "actions"]) == 7
    assert "the PM does not enter the unit" in shown(checklist)

    stale = type(checklist)(**vars(checklist))
    slack.click(user=COORDINATOR, channel=ESCALATE, message_ts=checklist.ts, action_id="escalation_step",
                thread_ts=card.ts)  # fmt: skip
    eventually(lambda: checklist.edited >= 1, what="the checklist edited")
    assert f":white_check_mark: ~Concern reported to the PM~ — <@{COORDINATOR}>, Mon 23 Nov, 09:00" in shown(checklist)
    slack.click(user=COORDINATOR, channel=ESCALATE, message_ts=checklist.ts, action_id="escalation_step",
                thread_ts=card.ts, seen=stale)  # fmt: skip
    assert "already ticked" in told(workspace, COORDINATOR, "already ticked")

    slack.click(user=COORDINATOR, channel=ESCALATE, message_ts=card.ts, action_id="escalation_resolve")
    resolve = only_view(workspace, COORDINATOR)
    result = slack.submit_view(
        resolve,
        user=COORDINATOR,
        values={"outcome": "referred_to_services", "summary": "Welfare check done; referred."},
    )
    assert set(result.errors) == {"debrief"}  # resolving asks for the debrief
    result = slack.submit_view(resolve, user=COORDINATOR, values={
        "outcome": "referred_to_services", "summary": "Welfare check done; referred.", "debrief": ["held"],
    })  # fmt: skip
    assert result.closed
    eventually(lambda: "~Post-incident debrief held~" in shown(checklist), what="the debrief ticked")
    assert actions(running_bot).count("escalation.step") == 1


def test_choosing_repair_reminds_that_repairs_go_to_the_pm_as_a_work_order(
    slack: SlackSide, workspace: Workspace, running_bot: Any
) -> None:
    add_property(slack, workspace)
    form = open_form(slack, workspace)
    choose_category(slack, form, user=RSC, category="repair")
    eventually(lambda: form.view["blocks"][0].get("block_id") == "notice_repair", what="the work-order note on top")
    assert "*work order*" in shown_view(form) and "call 911" not in shown_view(form)
    choose_category(slack, form, user=RSC, category="nonpayment")  # changed their mind: the note goes
    eventually(lambda: "work order" not in shown_view(form), what="the note removed")


def shown_view(form: Any) -> str:
    return str(form.view["blocks"])


def test_personal_data_is_refused_inline_and_nothing_is_stored(
    slack: SlackSide, workspace: Workspace, running_bot: Any
) -> None:
    add_property(slack, workspace)
    form = open_form(slack, workspace)
    values = form_values(form, what_happened="Maria Lopez (born 04/12/1985) called from 312-555-0199.",
                         tried="Emailed her at maria@example.com", client_code="Maria Lopez")  # fmt: skip
    result = slack.submit_view(form, user=RSC, values=values)
    assert set(result.errors) == {"what_happened", "tried", "client_code"}
    assert "Maria" not in str(result.errors)
    with running_bot.deps.session_factory() as session:
        assert session.scalars(select(Escalation)).all() == []
    assert slack.submit_view(form, user=RSC, values=form_values(form)).closed  # corrected, it goes through

    card = eventually(lambda: case_cards(workspace), what="the card")[0]
    slack.click(user=COORDINATOR, channel=ESCALATE, message_ts=card.ts, action_id="escalation_add_note")
    note = only_view(workspace, COORDINATOR)
    assert set(slack.submit_view(note, user=COORDINATOR, values={"note": "SSN 123-45-6789"}).errors) == {"note"}
    assert slack.submit_view(note, user=COORDINATOR, values={"note": "Spoke to both; meeting next week."}).closed
    eventually(lambda: [m for m in thread(workspace, ESCALATE, card.ts) if "meeting next week" in m.text], what="note")


def test_a_party_or_a_property_manager_is_refused_when_resolving(
    slack: SlackSide, workspace: Workspace, running_bot: Any
) -> None:
    add_property(slack, workspace)
    escalate(slack, workspace)
    workspace.channels[ESCALATE].members |= {RSC, PARTNER_PM}  # say both can see the card
    click(slack, workspace, RSC, "E-1", "escalation_resolve")
    assert "Only a housing coordinator can resolve a case." in told(workspace, RSC, "Only a housing coordinator")
    click(slack, workspace, PARTNER_PM, "E-1", "escalation_acknowledge")
    told(workspace, PARTNER_PM, "Only a housing coordinator can acknowledge")
    click(slack, workspace, PARTNER_PM, "E-1", "escalation_resolve")
    assert len([e for e in workspace.ephemerals_for(PARTNER_PM) if "Only a housing coordinator" in e.text]) >= 1
    assert workspace.open_views(RSC) == [] and workspace.open_views(PARTNER_PM) == []
    assert case(running_bot).status == "open"
    assert actions(running_bot) == ["escalation.raised"]


def test_the_message_shortcut_links_the_message_without_copying_it(
    slack: SlackSide, workspace: Workspace, running_bot: Any
) -> None:
    add_property(slack, workspace)
    with workspace.lock:
        said = workspace.channels[GENERAL].messages
        from sandbox.workspace import Message

        said.append(Message(GENERAL, workspace.new_ts(), "The PM says the lockout goes ahead on Friday", user=RSC))
    message = said[-1]
    message_shortcut(slack, user=RSC, message=message)
    form = only_view(workspace, RSC)
    assert "its text is not copied" in shown_view(form)
    assert slack.submit_view(form, user=RSC, values=form_values(form, category="communication")).closed
    card = eventually(lambda: case_cards(workspace), what="the card")[0]
    assert f"https://slack.com/archives/{GENERAL}/p{message.ts.replace('.', '')}" in shown(card)
    assert "lockout" not in shown(card)
    stored = case(running_bot)
    assert (stored.source_channel, stored.source_ts) == (GENERAL, message.ts)


def test_escalate_list_and_the_home_tab_show_open_cases_by_next_deadline(
    slack: SlackSide, workspace: Workspace, running_bot: Any, clock: ManualClock
) -> None:
    add_property(slack, workspace)
    escalate(slack, workspace)  # E-1: deadline Tuesday 9:00
    clock.advance(timedelta(minutes=5))
    escalate(slack, workspace, category="welfare", urgency="urgent",
             what_happened="Nobody has seen the tenant for days.")  # fmt: skip  # E-2: deadline Monday 13:05
    slack.slash_command(user=COORDINATOR, channel=GENERAL, command="/escalate", text="list")
    listing = workspace.ephemerals_for(COORDINATOR)[-1]
    lines = [b["text"]["text"] for b in listing.blocks[1:]]
    assert [line.split("*")[1] for line in lines] == ["E-2", "E-1"]
    assert "Nobody has seen" not in str(listing.blocks)  # lists carry no free text
    slack.slash_command(user=COORDINATOR, channel=GENERAL, command="/escalate", text="list category:nonpayment")
    assert "E-1" in str(workspace.ephemerals_for(COORDINATOR)[-1].blocks)
    assert "E-2" not in str(workspace.ephemerals_for(COORDINATOR)[-1].blocks)
    slack.slash_command(user=COORDINATOR, channel=GENERAL, command="/escalate", text="list overdue")
    assert "none" in workspace.ephemerals_for(COORDINATOR)[-1].text
    slack.slash_command(user=COORDINATOR, channel=GENERAL, command="/escalate", text="list colour:red")
    assert "Filters:" in workspace.ephemerals_for(COORDINATOR)[-1].text

    slack.event({"type": "app_home_opened", "user": COORDINATOR, "tab": "home"})
    home = eventually(lambda: workspace.home_views.get(COORDINATOR), what="the coordinator's Home tab")
    assert "Open escalations, by next deadline* (2 open)" in str(home["blocks"])
    slack.event({"type": "app_home_opened", "user": PARTNER_PM, "user_team": "T0PARTNER", "tab": "home"},
                team_id="T0PARTNER")  # fmt: skip
    mine = eventually(lambda: workspace.home_views.get(PARTNER_PM), what="the PM's Home tab")
    assert "Your escalations* (2 open)" in str(mine["blocks"])
