"""Who may log a unit and see the board: our own people everywhere, a partner at their company's properties only,
anyone else nowhere."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.domain import access, board, home, properties, vacancies
from bot.domain.actors import Actor
from bot.errors import FormErrors, NotAllowed

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
ROLES = access.Roles(coordinators=frozenset({"U0COORD"}), home_team="T0PORCH")
CASE_MANAGER = Actor("U0CASEMGR", "T0PORCH")
COORDINATOR = Actor("U0COORD", None)  # a coordinator is staff whatever the payload's team
MAPLE_PM = Actor("W0MAPLE", "T0MAPLE")  # of Maple Management's workspace
MAPLE_COLLEAGUE = Actor("W0MAPLE2", "T0MAPLE")  # same company, not listed by name
LANDLORD = Actor("W0LANDLORD", "T0LANDLORD")  # listed by name on Elm, from a workspace we have no partner for
OAK_PM = Actor("W0OAK", "T0OAK")
STRANGER = Actor("W0STRANGER", "T0STRANGER")


def listed(session: Session, name: str, *, company: str = "", team: str = "", managers: tuple[str, ...] = ()) -> int:
    draft = properties.PropertyDraft(name=name, company=company, company_team=team, managers=managers)
    return properties.save_property(session, properties.check_property(draft), actor=COORDINATOR, now=NOW).id


@pytest.fixture
def places(session_factory: sessionmaker[Session]) -> dict[str, int]:
    with session_factory.begin() as session:
        return {
            "maple": listed(session, "Maple Court", company="Maple Management", team="T0MAPLE", managers=("W0MAPLE",)),
            "oak": listed(session, "Oak Plaza", company="Oak Homes", team="T0OAK"),
            "elm": listed(session, "41 Elm St", managers=("W0LANDLORD",)),
        }


def reach(session_factory: sessionmaker[Session], actor: Actor) -> access.Reach:
    with session_factory() as session:
        return access.reach_of(session, ROLES, actor)


def test_our_own_people_reach_the_whole_board(session_factory: sessionmaker[Session], places: dict[str, int]) -> None:
    for actor in (CASE_MANAGER, COORDINATOR):
        found = reach(session_factory, actor)
        assert found.whole_board and found.covers(places["oak"]) and found.covers(None)  # None: an unlisted one
        access.require_may_log_at(found, None, chosen=False)


def test_a_partner_reaches_their_own_companys_properties_only(
    session_factory: sessionmaker[Session], places: dict[str, int]
) -> None:
    for actor in (MAPLE_PM, MAPLE_COLLEAGUE):  # listed by name or not: the company's Slack team is enough
        assert reach(session_factory, actor) == access.Reach(frozenset({places["maple"]}))
    assert reach(session_factory, OAK_PM) == access.Reach(frozenset({places["oak"]}))
    assert reach(session_factory, LANDLORD) == access.Reach(frozenset({places["elm"]}))  # listed by name


def test_who_manages_a_property_is_who_reaches_it(
    session_factory: sessionmaker[Session], places: dict[str, int]
) -> None:
    """A card's Update and Filled buttons ask `manages`: a listed manager, or anyone of the company's Slack team."""
    teamless_maple_pm = Actor(MAPLE_PM.user_id, None)  # listed by name: managing whatever the payload's team
    managers = {"maple": {MAPLE_PM, MAPLE_COLLEAGUE, teamless_maple_pm}, "oak": {OAK_PM}, "elm": {LANDLORD}}
    everyone = (CASE_MANAGER, COORDINATOR, MAPLE_PM, MAPLE_COLLEAGUE, teamless_maple_pm, LANDLORD, OAK_PM, STRANGER)
    with session_factory() as session:
        for place, property_id in places.items():
            assert {actor for actor in everyone if access.manages(session, actor, property_id)} == managers[place]
        assert not access.manages(session, MAPLE_PM, None)  # an unlisted property has no managers


def test_a_partner_logging_elsewhere_is_refused_under_the_field_they_used(
    session_factory: sessionmaker[Session], places: dict[str, int]
) -> None:
    maple = reach(session_factory, MAPLE_PM)
    access.require_may_log_at(maple, places["maple"], chosen=True)
    with pytest.raises(FormErrors) as chosen:
        access.require_may_log_at(maple, places["oak"], chosen=True)
    assert chosen.value.errors == {"property_id": access.NOT_YOURS}
    for typed in (places["oak"], None):  # another company's property, or one not listed at all
        with pytest.raises(FormErrors) as caught:
            access.require_may_log_at(maple, typed, chosen=False)
        assert caught.value.errors == {"property_name": access.NOT_YOURS}


def test_anyone_else_reaches_nothing_and_is_told_so(
    session_factory: sessionmaker[Session], places: dict[str, int]
) -> None:
    for actor in (STRANGER, Actor("W0NOBODY", None)):
        found = reach(session_factory, actor)
        assert found.nothing and not found.covers(places["maple"])
        with pytest.raises(NotAllowed, match="ask a housing coordinator"):
            access.require_reach(found)
        with pytest.raises(NotAllowed):
            access.require_may_log_at(found, places["maple"], chosen=True)


def test_the_board_and_home_tab_show_each_what_they_reach(
    session_factory: sessionmaker[Session], places: dict[str, int]
) -> None:
    with session_factory.begin() as session:
        for place in ("maple", "oak"):
            facts = vacancies.VacancyFacts(
                property_id=places[place], property_name="", unit="1", bedrooms=1, rent_cents=90_000,
                available_on=date(2026, 12, 1), contact="Leasing office",
            )  # fmt: skip
            vacancies.log_vacancy(
                session, facts=facts, actor=CASE_MANAGER, now=NOW, board_channel="C0VACANCIES", reply_channel=None
            )
    with session_factory() as session:

        def seen(actor: Actor) -> tuple[list[str], home.HomeView]:
            found = access.reach_of(session, ROLES, actor)
            units, _ = board.find(session, board.Filters(), reach=found)
            return [v.property_name for v, _ in units], home.home_for(session, actor, found)

        names, case_manager = seen(CASE_MANAGER)
        assert names == ["Maple Court", "Oak Plaza"]
        assert (case_manager.scope, case_manager.summary) == (home.BOARD, board.BoardSummary(2, 2))
        names, partner = seen(MAPLE_PM)
        assert names == ["Maple Court"]
        assert (partner.scope, partner.summary, partner.soonest) == (home.COMPANY, board.BoardSummary(1, 1), [])
        assert [v.property_name for v in partner.listings] == ["Maple Court"]
        outsider = home.home_for(session, STRANGER, access.reach_of(session, ROLES, STRANGER))
        assert (outsider.scope, outsider.summary, outsider.listings) == (home.NOTHING, board.BoardSummary(0, 0), [])
