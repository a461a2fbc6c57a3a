"""The partner network, as people use it: coordinators list partners, partners' people talk, owners are nudged on
the 20th, coordinators get the month's coverage and tell every partner about a change."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, select

from bot.clock import ManualClock
from bot.domain import partners
from bot.domain.actors import Actor
from bot.domain.contacts import SignalKind
from bot.domain.people import zone_of
from jobs import ticks
from sandbox import SlackSide, Workspace
from sandbox.workspace import Message
from storage.models import Partner, PartnerContactDay, Reminder
from tests.conftest import CASE_MANAGER, COORDINATOR, PARTNER_PM
from tests.e2e.board_helpers import SHARED, add_property, cards, log_unit, only_view
from tests.e2e.helpers import eventually

RSC = "U0RSC"


def add_partner(slack: SlackSide, workspace: Workspace, name: str, *, owner: str | None = None,
                channels: tuple[str, ...] = (), team: str = "", kind: str = "service_provider") -> int:  # fmt: skip
    """A coordinator adds a partner through /partners add."""
    slack.slash_command(user=COORDINATOR, channel="C0VACANCIES", command="/partners", text="add")
    form = only_view(workspace, COORDINATOR)
    values: dict[str, Any] = {"name": name, "kind": kind, "team_id": team, "channels": list(channels),
                              "owner_id": owner or "", "contact_users": [], "active": []}  # fmt: skip
    result = slack.submit_view(form, user=COORDINATOR, values=values)
    assert result.closed, result.errors
    workspace.views.clear()
    return partner_id(slack, name)


def partner_id(slack: SlackSide, name: str) -> int:
    deps = slack.bot.deps  # type: ignore[attr-defined]
    with deps.session_factory() as session:
        return int(session.scalars(select(Partner.id).where(Partner.name == name)).one())


def said(clock: ManualClock, *, channel: str = SHARED, user: str = PARTNER_PM, team: str = "T0PARTNER",
         **extra: Any) -> dict[str, Any]:  # fmt: skip
    return {"type": "message", "channel": channel, "user": user, "user_team": team, "text": "Unit 4 is ready",
            "ts": f"{clock.now().timestamp():.6f}", "channel_type": "channel", **extra}  # fmt: skip


def days(running_bot: Any, pid: int) -> list[PartnerContactDay]:
    running_bot.deps.contact_log.flush()
    with running_bot.deps.session_factory() as session:
        return list(session.scalars(select(PartnerContactDay).where(PartnerContactDay.partner_id == pid)))


def dms(workspace: Workspace, user: str) -> list[Message]:
    found = [c for c in workspace.channels.values() if c.is_im and user in c.members]
    return [m for c in found for m in c.messages]


def nudges(workspace: Workspace, user: str) -> list[Message]:
    return [m for m in dms(workspace, user) if "have not heard from us" in m.text]


@pytest.fixture
def people(slack: SlackSide, running_bot: Any) -> SlackSide:
    slack.bot = running_bot  # type: ignore[attr-defined]
    return slack


def test_saving_a_partner_learns_its_owners_time_zone_from_slack(
    people: SlackSide, workspace: Workspace, running_bot: Any
) -> None:
    workspace.users[RSC].tz = "Europe/London"
    add_partner(people, workspace, "Maple Management", owner=RSC)
    deps = running_bot.deps

    def zone() -> str:
        with deps.session_factory() as session:
            return zone_of(session, RSC, fallback=deps.settings.zone).key

    eventually(lambda: zone() == "Europe/London", what="the owner's zone learnt from users.info after the save")


def test_partners_edit_opens_the_partner_as_saved_and_replaces_its_details(
    people: SlackSide, workspace: Workspace, running_bot: Any
) -> None:
    pid = add_partner(people, workspace, "Maple Management", owner=RSC, channels=(SHARED,), team="T0PARTNER")
    people.slash_command(user=COORDINATOR, channel="C0VACANCIES", command="/partners", text="edit maple management")
    form = only_view(workspace, COORDINATOR)
    assert form.view["title"]["text"] == "Edit partner"
    shown = str(form.view["blocks"])
    assert "'initial_value': 'Maple Management'" in shown and f"'initial_channels': ['{SHARED}']" in shown
    values: dict[str, Any] = {"name": "Maple Property Group", "kind": "property_management", "team_id": "T0PARTNER",
                              "channels": ["C0GENERAL"], "owner_id": "", "contact_users": [],
                              "active": ["inactive"]}  # fmt: skip
    assert people.submit_view(form, user=COORDINATOR, values=values).closed
    deps = running_bot.deps
    with deps.session_factory() as session:
        saved = session.get(Partner, pid)
        assert saved is not None
        assert (saved.name, saved.kind, saved.owner_id, saved.active) == ("Maple Property Group", "property_management",
                                                                            None, False)  # fmt: skip
        assert partners.channels_of(session, [pid]) == {pid: ["C0GENERAL"]}
    workspace.views.clear()
    people.slash_command(user=COORDINATOR, channel="C0VACANCIES", command="/partners", text="edit Maple Management")
    [refused] = eventually(lambda: workspace.ephemerals_for(COORDINATOR), what="the old name is refused")
    assert "No partner is called 'Maple Management'" in refused.text
    assert workspace.open_views(COORDINATOR) == []


def test_a_partners_message_is_contact_once_and_the_list_shows_quietest_first(
    people: SlackSide, workspace: Workspace, running_bot: Any, clock: ManualClock
) -> None:
    maple = add_partner(people, workspace, "Maple Management", owner=CASE_MANAGER, channels=(SHARED,),
                        team="T0PARTNER", kind="property_management")  # fmt: skip
    add_partner(people, workspace, "Northside Legal Aid", kind="fair_housing")
    event = said(clock)
    for retry in (None, 1):
        people.event(event, event_id="Ev0FIRST", retry_num=retry)
    people.event(event, event_id="Ev0AGAIN")  # Slack sends the same message again
    people.event(said(clock, subtype="message_changed"))  # an edit
    people.event(said(clock, bot_id="B0OTHER"))  # a bot
    [day] = days(running_bot, maple)
    assert day.signals == 1

    people.slash_command(user=COORDINATOR, channel="C0VACANCIES", command="/partners")
    listing = eventually(lambda: [e for e in workspace.ephemerals_for(COORDINATOR) if "quietest" in e.text],
                         what="the list")[-1]  # fmt: skip
    lines = [b["text"]["text"] for b in listing.blocks if b.get("block_id", "").startswith("partner:")]
    assert "Northside Legal Aid" in lines[0] and "never heard from" in lines[0]
    assert "Maple Management" in lines[1] and "(today)" in lines[1] and f"<@{CASE_MANAGER}>" in lines[1]

    people.slash_command(user=PARTNER_PM, channel=SHARED, command="/partners")
    assert "only our staff" in workspace.ephemerals_for(PARTNER_PM)[-1].text


def test_a_reaction_on_our_post_and_a_partners_click_count_as_contact(
    people: SlackSide, workspace: Workspace, running_bot: Any
) -> None:
    add_property(people, workspace)  # Maple Court, managed by Maple Management (T0PARTNER), in the shared channel
    maple = partner_id(people, "Maple Management")
    card = log_unit(people, workspace)
    shared = eventually(lambda: cards(workspace, SHARED), what="the card in their channel")[0]
    reaction = {"type": "reaction_added", "user": PARTNER_PM, "reaction": "thumbsup", "item_user": "U0PORCHBOT",
                "item": {"type": "message", "channel": SHARED, "ts": shared.ts}, "event_ts": shared.ts}  # fmt: skip
    people.event(reaction, event_id="Ev0REACT")
    people.event(reaction, event_id="Ev0REACT", retry_num=1)
    people.event({**reaction, "item_user": CASE_MANAGER}, event_id="Ev0NOTOURS")  # not our post
    [day] = days(running_bot, maple)
    assert (day.signals, day.last_kind) == (1, "reaction")

    people.click(user=PARTNER_PM, channel=SHARED, message_ts=shared.ts, action_id="vacancy_fill")
    people.click(user=CASE_MANAGER, channel="C0VACANCIES", message_ts=card.ts, action_id="vacancy_refer")  # ours
    [day] = days(running_bot, maple)
    assert (day.signals, day.last_kind) == (2, "click")


def _with_owner_partners(people: SlackSide, workspace: Workspace) -> dict[str, int]:
    return {
        "a1": add_partner(people, workspace, "Acme Services", owner=CASE_MANAGER),
        "a2": add_partner(people, workspace, "Bright Futures", owner=CASE_MANAGER),
        "b": add_partner(people, workspace, "Maple Management", owner=RSC, channels=(SHARED,), team="T0PARTNER"),
        "c": add_partner(people, workspace, "City Housing Authority", kind="housing_authority"),
    }


def test_on_the_20th_only_owners_of_silent_partners_are_nudged_once_and_snooze_and_logged_are_honoured(
    people: SlackSide, workspace: Workspace, running_bot: Any, clock: ManualClock
) -> None:
    ids = _with_owner_partners(people, workspace)
    deps = running_bot.deps
    with deps.session_factory.begin() as session:  # Bright Futures was last heard from in November
        partners.record_signals(session, [ids["a2"]], kind=SignalKind.MEETING,
                                at=datetime(2026, 11, 30, 18, 0, tzinfo=UTC), zone=deps.settings.zone)  # fmt: skip
    clock.set(datetime(2026, 12, 2, 16, 0, tzinfo=UTC))
    people.event(said(clock))  # Maple's people speak in December: RSC has nothing to do
    days(running_bot, ids["b"])

    clock.set(datetime(2026, 12, 17, 15, 0, tzinfo=UTC))  # Thursday
    ticks.run(deps=deps)
    assert nudges(workspace, CASE_MANAGER) == []
    # Sunday the 20th moves to Friday the 18th; 9:00 in Chicago is the start of the owners' working day.
    clock.set(datetime(2026, 12, 18, 15, 0, tzinfo=UTC))
    assert ("partners.nudge", "2026-12") in ticks.run(deps=deps)
    [mine] = eventually(lambda: nudges(workspace, CASE_MANAGER), what="the owner's nudge")
    assert "*Acme Services* · never heard from" in str(mine.blocks)
    assert "*Bright Futures* · last contact 30 Nov 2026 (18 days ago)" in str(mine.blocks)
    assert "Maple" not in str(mine.blocks) and "City Housing" not in str(mine.blocks)
    [theirs] = eventually(lambda: nudges(workspace, COORDINATOR), what="the coordinators get nobody's partners")
    assert "City Housing Authority" in str(theirs.blocks) and "Acme" not in str(theirs.blocks)
    assert nudges(workspace, RSC) == []
    ticks.run(deps=deps)  # again, the same day: nothing new
    with deps.session_factory() as session:
        assert len(session.scalars(select(Reminder).where(Reminder.kind == partners.NUDGE)).all()) == 2
    assert len(nudges(workspace, CASE_MANAGER)) == 1

    dm = mine.channel
    people.click(user=CASE_MANAGER, channel=dm, message_ts=mine.ts, action_id="partner_nudge_logged")  # Acme
    assert "Logged a call with Acme Services" in workspace.ephemerals_for(CASE_MANAGER)[-1].text
    assert [d.last_kind for d in days(running_bot, ids["a1"])] == ["call"]
    second = next(b for b in mine.blocks if b.get("block_id") == f"nudge_actions:{ids['a2']}")
    snooze = next(e for e in second["elements"] if e["action_id"] == "partner_nudge_snooze")
    row = dataclasses.replace(mine, blocks=[second])  # the click on Bright Futures' row
    people.click(user=CASE_MANAGER, channel=dm, message_ts=mine.ts, action_id="partner_nudge_snooze", seen=row)
    assert "Bright Futures again on Fri 25 Dec" in workspace.ephemerals_for(CASE_MANAGER)[-1].text
    assert snooze["value"].startswith(str(ids["a2"]))

    clock.set(datetime(2026, 12, 25, 15, 5, tzinfo=UTC))  # a week later, but Christmas: not a working day
    ticks.run(deps=deps)
    assert len(nudges(workspace, CASE_MANAGER)) == 1
    clock.set(datetime(2026, 12, 28, 15, 0, tzinfo=UTC))  # Monday, 9:00 in Chicago
    ticks.run(deps=deps)
    later = eventually(lambda: nudges(workspace, CASE_MANAGER)[1:], what="the snoozed partner, a week on")
    assert "Bright Futures" in str(later[0].blocks) and "Acme" not in str(later[0].blocks)
    ticks.run(deps=deps)
    assert len(nudges(workspace, CASE_MANAGER)) == 2


@pytest.fixture
def bot_with(settings_factory: Callable[..., Any], engine: Engine, clock: ManualClock) -> Iterator[Callable[..., Any]]:
    from bot.app import Runtime, build_app, build_deps

    started: list[Any] = []

    def start(**overrides: str) -> Any:
        deps = build_deps(settings_factory(**overrides), clock=clock)
        runtime = Runtime(deps=deps, app=build_app(deps), host="127.0.0.1", port=0).start()
        started.append(runtime)
        return runtime

    yield start
    for runtime in started:
        runtime.stop()


def test_a_holiday_moves_the_nudge_to_the_business_day_before(
    bot_with: Callable[..., Any], workspace: Workspace, sandbox: Any, clock: ManualClock
) -> None:
    bot = bot_with(PORCHLIGHT_PARTNER_NUDGE_DAY="25")  # Christmas Day 2026, a Friday
    people = SlackSide(workspace, bot_url=bot.http.url, sandbox_url=sandbox.base_url)
    people.bot = bot  # type: ignore[attr-defined]
    try:
        add_partner(people, workspace, "Acme Services", owner=CASE_MANAGER)
        clock.set(datetime(2026, 12, 24, 15, 0, tzinfo=UTC))  # Thursday the 24th, 9:00 in Chicago
        assert ("partners.nudge", "2026-12") in ticks.run(deps=bot.deps)
        eventually(lambda: nudges(workspace, CASE_MANAGER), what="the nudge, a day early")
        clock.set(datetime(2026, 12, 25, 15, 0, tzinfo=UTC))
        assert [job for job, _ in ticks.run(deps=bot.deps) if job.startswith("partners.")] == []
        assert len(nudges(workspace, CASE_MANAGER)) == 1
    finally:
        people.close()


def test_the_month_start_coverage_goes_to_the_coordinators(
    people: SlackSide, workspace: Workspace, running_bot: Any, clock: ManualClock
) -> None:
    ids = _with_owner_partners(people, workspace)
    people.event(said(clock))  # Maple heard from in November (the 23rd)
    clock.set(datetime(2026, 12, 9, 16, 0, tzinfo=UTC))
    people.event(said(clock))  # and in December
    with running_bot.deps.session_factory.begin() as session:
        partners.record_signals(session, [ids["a1"]], kind=partners.SignalKind.CALL, at=clock.now(),
                                zone=running_bot.deps.settings.zone)  # fmt: skip
    days(running_bot, ids["b"])
    clock.set(datetime(2027, 1, 1, 15, 0, tzinfo=UTC))  # New Year's Day: a holiday
    assert ("partners.coverage", "2027-01") not in ticks.run(deps=running_bot.deps)
    clock.set(datetime(2027, 1, 4, 15, 0, tzinfo=UTC))  # Monday the 4th, the first business day
    assert ("partners.coverage", "2027-01") in ticks.run(deps=running_bot.deps)
    report = eventually(lambda: [m for m in dms(workspace, COORDINATOR) if "coverage" in m.text],
                        what="the coverage report")[0].text  # fmt: skip
    assert "Partner coverage for December 2026" in report
    assert "Partners contacted: 50% (2/4) (before: Sep: —, Oct: —, Nov: 25% (1/4))" in report
    assert "Housing authority: 0% (0/1)" in report
    assert "Property management company" not in report  # Maple was added as a service provider here
    silences = report.split("Longest silences")[1]
    assert silences.index("Bright Futures") < silences.index("City Housing Authority") < silences.index("Acme")
    assert "never heard from" in silences


def test_an_update_reaches_every_chosen_channel_once_and_a_failure_shows_in_the_progress(
    people: SlackSide, workspace: Workspace, running_bot: Any
) -> None:
    workspace.add_channel("C0NOBOT", "no-bot-here", members={COORDINATOR, PARTNER_PM})
    workspace.add_channel("C0LEGAL", "legal-aid-shared", members={COORDINATOR, "U0PORCHBOT"})
    add_partner(people, workspace, "Maple Management", channels=(SHARED, "C0NOBOT"), team="T0PARTNER")
    add_partner(people, workspace, "Northside Legal Aid", channels=("C0LEGAL",), kind="fair_housing")
    add_partner(people, workspace, "Quiet Partner", kind="other")  # no channel: nothing to send it

    people.slash_command(user=COORDINATOR, channel="C0VACANCIES", command="/partners", text="notify")
    form = only_view(workspace, COORDINATOR)
    refused = people.submit_view(form, user=COORDINATOR, values={"text": "Call Maria Lopez at 555-123-4567",
                                                                 "audience": "all"})  # fmt: skip
    assert "text" in refused.errors  # the detector, inline; nothing stored or sent
    preview = people.submit_view(form, user=COORDINATOR, values={"text": "The intake office moves to 5th St.",
                                                                 "audience": "all"})  # fmt: skip
    assert not preview.closed and "*2* partners in *3* shared channels" in str(form.view["blocks"])
    assert people.submit_view(form, user=COORDINATOR, values={}).closed

    for channel in (SHARED, "C0LEGAL"):
        posts = eventually(lambda c=channel: [m for m in workspace.messages(c) if "intake office" in m.text],
                           what=f"the update in {channel}")  # fmt: skip
        assert len(posts) == 1
    progress = eventually(
        lambda: [m for m in dms(workspace, COORDINATOR) if "Pending: 0" in str(m.blocks) and m.edited],
        what="the final progress",
    )
    assert len([m for m in dms(workspace, COORDINATOR) if "Your update" in m.text]) == 1  # one message, edited
    shown = str(progress[0].blocks)
    assert "Delivered: 2 of 3" in shown and "Failed: 1" in shown and "<#C0NOBOT>: failed (not_in_channel)" in shown
    assert people.submit_view(form, user=COORDINATOR, values={}).closed  # a replayed confirm sends nothing more
    running_bot.deps.contact_log.flush()
    assert len([m for m in workspace.messages("C0LEGAL") if "intake office" in m.text]) == 1
    with running_bot.deps.session_factory() as session:
        heard = set(session.scalars(select(PartnerContactDay.partner_id)))
    assert heard == {partner_id(people, "Maple Management"), partner_id(people, "Northside Legal Aid")}


def many_partners(running_bot: Any, count: int, *, owner: str | None = None) -> None:
    """`count` partners added at once, as if coordinators had added them over the years (the forms are tested
    above); Northside 000 .. Northside NNN."""
    with running_bot.deps.session_factory.begin() as session:
        for n in range(count):
            draft = partners.check_partner(partners.PartnerDraft(name=f"Northside {n:03d}", kind="service_provider",
                                                                 owner_id=owner or ""))  # fmt: skip
            partners.save_partner(session, draft, partner_id=None, actor=Actor(COORDINATOR, "T0PORCH"),
                                  now=running_bot.deps.clock.now())  # fmt: skip


def click_ephemeral(people: SlackSide, workspace: Workspace, shown: Any, label: str) -> None:
    """The person clicks a button on a private answer (Slack sends it with is_ephemeral and a response_url)."""
    button, block_id = next((e, b["block_id"]) for b in shown.blocks if b["type"] == "actions" for e in b["elements"]
                            if e["text"]["text"] == label)  # fmt: skip
    payload = {
        "type": "block_actions", "user": {"id": shown.user, "team_id": "T0PORCH"}, "team": {"id": "T0PORCH"},
        "api_app_id": workspace.app_id, "token": "legacy-verification-token", "trigger_id": workspace.new_trigger(
            shown.user), "channel": {"id": shown.channel}, "state": {"values": {}},
        "container": {"type": "message", "message_ts": shown.ts, "channel_id": shown.channel, "is_ephemeral": True},
        "response_url": workspace.new_response_url(people.sandbox_url, user=shown.user, channel=shown.channel),
        "actions": [{"action_id": button["action_id"], "block_id": block_id, "type": "button",
                     "value": button["value"], "action_ts": "1.1"}],
    }  # fmt: skip
    assert people.post_payload(payload).status_code == 200


def test_partners_beyond_a_page_are_paged_with_previous_and_next(
    people: SlackSide, workspace: Workspace, running_bot: Any
) -> None:
    many_partners(running_bot, 65)
    people.slash_command(user=COORDINATOR, channel="C0VACANCIES", command="/partners")
    first = workspace.ephemerals_for(COORDINATOR)[-1]
    assert first.text == "Partners, quietest first (65): 1-30"
    assert "…and 35 more" in str(first.blocks)
    click_ephemeral(people, workspace, first, "Next")
    second = eventually(lambda: [e for e in workspace.ephemerals_for(COORDINATOR) if "31-60" in e.text],
                        what="page 2")[-1]  # fmt: skip
    names = [b["text"]["text"] for b in second.blocks if b.get("block_id", "").startswith("partner:")]
    assert len(names) == 30 and "Northside 030" in names[0]  # never heard from: by name
    buttons = [e["text"]["text"] for b in second.blocks if b["type"] == "actions" for e in b["elements"]
               if e["action_id"] == "partners_page"]  # fmt: skip
    assert buttons == ["Previous", "Next"]


def test_beyond_100_partners_the_pickers_search_as_people_type(
    people: SlackSide, workspace: Workspace, running_bot: Any, clock: ManualClock
) -> None:
    many_partners(running_bot, 120)
    people.slash_command(user=COORDINATOR, channel="C0VACANCIES", command="/touch")
    form = only_view(workspace, COORDINATOR)
    picker = next(b for b in form.view["blocks"] if b["block_id"] == "partner")["element"]
    assert picker["type"] == "external_select"
    found = people.options(form, user=COORDINATOR, block_id="partner", typed="side 11")
    assert [o["text"]["text"] for o in found] == [f"Northside {n}" for n in range(110, 120)]
    assert people.options(form, user=PARTNER_PM, block_id="partner", typed="side") == []  # not our staff: nothing
    result = people.submit_view(form, user=COORDINATOR, values={"partner": found[3], "kind": "call", "note": ""})
    assert result.closed, result.errors
    [day] = days(running_bot, partner_id(people, "Northside 113"))
    assert day.signals == 1

    workspace.views.clear()
    people.slash_command(user=COORDINATOR, channel="C0VACANCIES", command="/partners", text="notify")
    notify = only_view(workspace, COORDINATOR)
    chosen = people.options(notify, user=COORDINATOR, block_id="partners", typed="northside 00")
    assert len(chosen) == 10
    result = people.submit_view(notify, user=COORDINATOR, values={
        "text": "The office moves on Monday.", "audience": "chosen", "partners": chosen[:2]})  # fmt: skip
    # Understood as two chosen partners (not "choose some"): they have no shared channel yet, which it says.
    assert result.errors == {"audience": "None of those partners has a shared channel with us yet."}


def test_the_home_tab_shows_the_quietest_partners_this_month_to_the_coordinator_and_each_owner(
    people: SlackSide, workspace: Workspace, running_bot: Any, clock: ManualClock
) -> None:
    maple = add_partner(people, workspace, "Maple Management", owner=CASE_MANAGER, channels=(SHARED,),
                        team="T0PARTNER", kind="property_management")  # fmt: skip
    add_partner(people, workspace, "Northside Legal Aid", owner=CASE_MANAGER, kind="fair_housing")
    add_partner(people, workspace, "Eastside Outreach", kind="service_provider")  # nobody owns it
    people.event(said(clock))  # Maple's PM speaks today: not quiet
    assert days(running_bot, maple)

    def home_of(user: str, team: str = "T0PORCH") -> str:
        workspace.home_views.pop(user, None)
        people.event({"type": "app_home_opened", "user": user, "user_team": team, "tab": "home"}, team_id=team)
        return str(eventually(lambda: workspace.home_views.get(user), what=f"{user}'s Home tab")["blocks"])

    coordinator = home_of(COORDINATOR)
    assert "*Partners not heard from in November* (2)" in coordinator
    assert coordinator.index("Eastside Outreach") < coordinator.index("Northside Legal Aid")  # never heard: by name
    assert "never heard from" in coordinator and "Maple Management" not in coordinator
    owner = home_of(CASE_MANAGER)
    assert "*Your partners not heard from in November* (1)" in owner and "Northside Legal Aid" in owner
    assert "Eastside" not in owner
    assert "not heard from" not in home_of(RSC)  # owns none
    assert "not heard from" not in home_of(PARTNER_PM, "T0PARTNER")  # a partner's people never see the list
