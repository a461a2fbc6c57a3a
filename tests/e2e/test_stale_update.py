"""The Update form cannot undo someone else's edit: a form opened before it is refused, says who changed the
listing, and reopens with the listing as it is now."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from sandbox import SlackSide, Workspace
from storage.models import Vacancy
from tests.conftest import COORDINATOR, PARTNER_PM, VACANCIES
from tests.e2e.board_helpers import SHARED, add_property, cards, log_unit, only_view
from tests.e2e.helpers import eventually

EDIT = {
    "unit": "12B", "bedrooms": "2", "rent": "1250", "available_on": "2026-12-01", "subsidies": ["hcv"],
    "accessibility": ["step_free"], "screening": [], "screening_notes": "", "contact": "555-0100", "notes": "",
}  # fmt: skip


def element(form: Any, block_id: str) -> dict[str, Any]:
    return next(b for b in form.view["blocks"] if b.get("block_id") == block_id)["element"]


def listing(running_bot: Any) -> Vacancy:
    with running_bot.deps.session_factory() as session:
        return session.scalars(select(Vacancy)).one()


def test_a_form_opened_before_someone_elses_edit_is_refused_and_reopened_as_the_listing_is_now(
    slack: SlackSide, workspace: Workspace, running_bot: Any
) -> None:
    add_property(slack, workspace)
    card = log_unit(slack, workspace)
    shared = eventually(lambda: cards(workspace, SHARED), what="the shared card")[0]
    slack.click(user=PARTNER_PM, channel=SHARED, message_ts=shared.ts, action_id="vacancy_update")
    stale = only_view(workspace, PARTNER_PM)  # the property manager opens the form, and leaves it open

    slack.click(user=COORDINATOR, channel=VACANCIES, message_ts=card.ts, action_id="vacancy_update")
    coordinators = only_view(workspace, COORDINATOR)
    newer = {**EDIT, "rent": "1195", "accessibility": ["step_free", "wheelchair"]}
    assert slack.submit_view(coordinators, user=COORDINATOR, values=newer).closed

    result = slack.submit_view(stale, user=PARTNER_PM, values={**EDIT, "bedrooms": "3"})

    assert not result.closed and result.errors == {}  # the same form, replaced with today's values
    notice = next(b for b in stale.view["blocks"] if b.get("block_id") == "notice")["text"]["text"]
    assert f"<@{COORDINATOR}> changed V-1 after you opened this form" in notice
    assert element(stale, "rent")["initial_value"] == "1195"
    assert element(stale, "bedrooms")["initial_value"] == "2"
    assert [o["value"] for o in element(stale, "accessibility")["initial_options"]] == ["step_free", "wheelchair"]
    now = listing(running_bot)
    assert (now.rent_cents, now.bedrooms, now.accessibility) == (119_500, 2, ["step_free", "wheelchair"])

    # Made again on the reopened form, the change is saved on top of the coordinator's.
    again = {**EDIT, "rent": "1195", "accessibility": ["step_free", "wheelchair"], "bedrooms": "3"}
    assert slack.submit_view(stale, user=PARTNER_PM, values=again).closed
    now = listing(running_bot)
    assert (now.rent_cents, now.bedrooms, now.accessibility) == (119_500, 3, ["step_free", "wheelchair"])
