"""Demo data for the local workspace (`--demo`), made through the domain's own functions, as people would.

SEEDERS is the extension point: each is called once, in order, in its own transaction, with a DemoContext. A
feature adds its demo data by appending a function here (escalations, check-ins, partners: issues 10-12); the
people and channels it can use are the workspace's (sandbox.workspace, sandbox.launch.EXTRA_PEOPLE).
Nothing here is a real person: unit facts, Slack ids and made-up client codes only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.deps import Deps
from bot.domain import properties, referral_deadlines, referrals, vacancies
from bot.domain.actors import Actor

log = logging.getLogger("sandbox.demo")

CASE_MANAGER, RSC, COORDINATOR, PARTNER_PM = "U0CASEMGR", "U0RSC", "U0COORD", "W0PARTNERPM"
HOME_TEAM, PARTNER_TEAM = "T0PORCH", "T0PARTNER"
SHARED = "C0SHARED"


@dataclass(frozen=True)
class DemoContext:
    deps: Deps
    session: Session
    now: datetime

    def actor(self, user: str) -> Actor:
        return Actor(user, PARTNER_TEAM if user.startswith("W") else HOME_TEAM)

    @property
    def board(self) -> str:
        return self.deps.board


Seeder = Callable[[DemoContext], None]


def seed_properties(context: DemoContext) -> None:
    """Maple Court, managed by an external company (Slack Connect, shared channel); Oak Terrace, by our RSC."""
    for draft in (
        properties.PropertyDraft(
            name="Maple Court", address="100 Maple Ave", area="Northside", company="Maple Management",
            company_team=PARTNER_TEAM, managers=(PARTNER_PM,), shared_channel=SHARED,
        ),
        properties.PropertyDraft(
            name="Oak Terrace", address="42 Oak St", area="Eastside", company="Oak Housing Partners",
            managers=(RSC,),
        ),
    ):  # fmt: skip
        properties.save_property(
            context.session, properties.check_property(draft), actor=context.actor(COORDINATOR), now=context.now
        )


def seed_vacancies(context: DemoContext) -> None:
    """Three open units: one fresh, one at Oak Terrace, and one unconfirmed for longer than the stale days (its
    managers are asked at the next daily check)."""
    listed = dict((name, pid) for pid, name in properties.listed(context.session))
    stale_for = timedelta(days=context.deps.settings.stale_days + 1)
    for name, unit, bedrooms, rent, ago, subsidies in (
        ("Maple Court", "12B", "2", "1250", timedelta(days=1), ("hcv",)),
        ("Maple Court", "3A", "1", "950", stale_for, ()),
        ("Oak Terrace", "101", "0", "800", timedelta(days=2), ("hcv", "vash")),
    ):
        when = context.now - ago
        draft = vacancies.VacancyDraft(
            property_id=str(listed[name]), unit=unit, bedrooms=bedrooms, rent=rent,
            available_on=(when + timedelta(days=10)).date().isoformat(), subsidies=subsidies,
            contact="Leasing office",
        )  # fmt: skip
        facts = vacancies.check_vacancy(draft, today=when.date())
        vacancies.log_vacancy(
            context.session, facts=facts, actor=context.actor(CASE_MANAGER), now=when, board_channel=context.board,
            reply_channel=None,
        )  # fmt: skip


def seed_referral(context: DemoContext) -> None:
    """A referral to Maple Court 12B, made this morning and not yet answered, with its 24/48-hour reminders."""
    from storage.models import Vacancy

    vacancy = context.session.scalar(select(Vacancy).where(Vacancy.unit == "12B"))
    assert vacancy is not None
    when = context.now - timedelta(hours=1)
    facts = referrals.check_referral(
        referrals.ReferralDraft(client_code="HMIS-20417", household_size="3", subsidy="hcv", roi="yes"),
        code_format=context.deps.settings.client_code_format,
    )
    settings = context.deps.settings
    deadlines = referral_deadlines.AnswerDeadlines(
        hours=settings.hours, zone=settings.zone, coordinators=tuple(settings.coordinators)
    )
    referrals.refer(context.session, vacancy.id, facts=facts, actor=context.actor(CASE_MANAGER), now=when,
                    board_channel=context.board, deadlines=deadlines)  # fmt: skip


def seed_escalation(context: DemoContext) -> None:
    """The domain documents' case study, raised by the RSC two hours ago about Maple Court, not yet acknowledged
    (its 24/48-hour reminders running); nothing if no escalation channel is set."""
    from bot.domain import escalations

    settings = context.deps.settings
    if settings.escalation_channel is None:
        return
    listed = dict((name, pid) for pid, name in properties.listed(context.session))
    when = context.now - timedelta(hours=2)
    draft = escalations.Draft(
        property_id=str(listed["Maple Court"]), category=escalations.Category.EVICTION_NOTICE,
        urgency=escalations.Urgency.NORMAL, other_party=(PARTNER_PM,), roi="yes", client_code="HMIS-20417",
        what_happened="The tenant is two months behind on rent and has had noise complaints. They refused outreach "
        "from the RSC, then received an eviction notice and told the PM the RSC was not helpful.",
    )  # fmt: skip
    desk = escalations.Desk(
        channel=settings.escalation_channel, coordinators=tuple(settings.coordinators),
        backups=tuple(settings.backup_coordinators), hours=settings.hours, zone=settings.zone,
    )  # fmt: skip
    facts = escalations.check(draft, raised_by=RSC, today=when.date(), code_format=settings.client_code_format)
    escalations.raise_case(context.session, facts, actor=context.actor(RSC), source=escalations.Source(), desk=desk,
                           now=when)  # fmt: skip


def seed_checkin(context: DemoContext) -> None:
    """Maple Court's weekly check-in (Wednesdays 10:00, its shared channel, our RSC a member) with two items, one
    raised by the external PM."""
    from datetime import time

    from bot.domain import checkins
    from storage.models import Property

    prop = context.session.scalar(select(Property).where(Property.name == "Maple Court"))
    assert prop is not None
    setup = checkins.Setup(weekday=2, at=time(10, 0), zone=context.deps.settings.timezone, members=(RSC,))
    meeting = checkins.set_property_checkin(context.session, prop, setup, actor=context.actor(COORDINATOR),
                                            now=context.now, country=context.deps.settings.holidays)  # fmt: skip
    assert meeting is not None
    for who, section, unit, code, note in (
        (RSC, "arrears", "3A", "HMIS-20417", "Two months behind; payment plan offered"),
        (PARTNER_PM, "lease_violations", "12B", "", "Noise notice issued last week"),
    ):
        facts = checkins.check_item(checkins.ItemDraft(section=section, unit=unit, client_code=code, note=note),
                                    kind=checkins.MeetingKind.PROPERTY,
                                    code_format=context.deps.settings.client_code_format)  # fmt: skip
        checkins.add_item(context.session, meeting, facts, actor=context.actor(who), now=context.now)


def seed_partners(context: DemoContext) -> None:
    """Partners, some quiet this month: Maple Management (from the property form) heard from today, the others
    owned by the case manager or by nobody (the coordinators) and not heard from since last month or ever."""
    from bot.domain import partners

    maple = partners.find_by_name(context.session, "Maple Management")
    for name, kind, owner in (
        ("Northside Legal Aid", partners.PartnerKind.FAIR_HOUSING, CASE_MANAGER),
        ("County Housing Authority", partners.PartnerKind.HOUSING_AUTHORITY, CASE_MANAGER),
        ("Eastside Outreach", partners.PartnerKind.SERVICE_PROVIDER, ""),
    ):
        draft = partners.check_partner(partners.PartnerDraft(name=name, kind=str(kind), owner_id=owner))
        partners.save_partner(context.session, draft, partner_id=None, actor=context.actor(COORDINATOR),
                              now=context.now)  # fmt: skip
    zone = context.deps.settings.zone
    last_month = context.now - timedelta(days=context.now.astimezone(zone).day + 3)
    quiet = partners.find_by_name(context.session, "County Housing Authority")
    if quiet is not None:
        partners.log_touch(context.session, quiet.id, kind="call", note="", actor=context.actor(CASE_MANAGER),
                           now=last_month, zone=zone)  # fmt: skip
    if maple is not None:
        partners.log_touch(context.session, maple.id, kind="meeting", note="", actor=context.actor(CASE_MANAGER),
                           now=context.now, zone=zone)  # fmt: skip


# Called in order; append a feature's own seeder here.
SEEDERS: list[Seeder] = [seed_properties, seed_vacancies, seed_referral, seed_escalation, seed_checkin, seed_partners]


def seed(deps: Deps, *, seeders: list[Seeder] | None = None) -> int:
    """Run every seeder in its own transaction; returns how many ran. A failing seeder stops the demo: its data
    would be half there."""
    done = 0
    for seeder in SEEDERS if seeders is None else seeders:
        with deps.session_factory.begin() as session:
            seeder(DemoContext(deps=deps, session=session, now=deps.clock.now()))
        log.info("demo data: %s", seeder.__name__)
        done += 1
    deps.wake_outbox()
    return done
