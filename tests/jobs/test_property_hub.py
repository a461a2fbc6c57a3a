"""Each property's shared channel shows one Porchlight message with the buttons features put there, kept in place."""

from __future__ import annotations

from sqlalchemy import delete

from bot.clock import ManualClock
from bot.delivery import HubButton, Plugins
from bot.deps import Deps
from bot.domain import properties, property_hub
from bot.domain.actors import Actor
from jobs import outbox as delivery
from jobs.features import properties as properties_feature
from sandbox import Workspace
from storage.models import PostedMessage

COORDINATOR = Actor("U0COORD", "T0PORCH")
MAPLE = properties.PropertyDraft(name="Maple Court", company="Maple Homes", company_team="T0PARTNER",
                                 managers=("W0PARTNERPM",), shared_channel="C0SHARED")  # fmt: skip


def save(deps: Deps, draft: properties.PropertyDraft = MAPLE) -> int:
    with deps.session_factory.begin() as session:
        return properties.save_property(session, draft, actor=COORDINATOR, now=deps.clock.now()).id


def test_saving_a_property_posts_its_message_once_and_edits_it_after(deps: Deps, workspace: Workspace) -> None:
    deps.plugins = Plugins()  # only the property feature and two buttons of this test's own
    properties_feature.register(deps.plugins)
    deps.plugins.hub_buttons.register("x_raise", HubButton("x_raise", "Raise an issue", order=10))
    deps.plugins.hub_buttons.register("x_add", HubButton("x_add", "Add to check-in", order=20))
    prop_id = save(deps)
    delivery.run(deps=deps)
    [hub] = workspace.messages("C0SHARED")
    buttons = [e for b in hub.blocks if b["type"] == "actions" for e in b["elements"]]
    assert [(b["action_id"], b["value"]) for b in buttons] == [("x_raise", str(prop_id)), ("x_add", str(prop_id))]
    assert "never write a resident's name" in str(hub.blocks)
    save(deps, properties.PropertyDraft(**{**MAPLE.__dict__, "name": "Maple Court"}))
    delivery.run(deps=deps)
    assert [m.ts for m in workspace.messages("C0SHARED")] == [hub.ts]  # edited in place, not posted again


def test_a_property_whose_message_is_missing_gets_it_from_the_daily_pass(
    deps: Deps, workspace: Workspace, clock: ManualClock
) -> None:
    prop_id = save(deps)
    delivery.run(deps=deps)
    with deps.session_factory.begin() as session:
        assert property_hub.post_missing(session, now=clock.now()) == []
        session.execute(delete(PostedMessage))  # the record of it is gone (say, restored from an old backup)
        assert property_hub.post_missing(session, now=clock.now()) == [prop_id]
    delivery.run(deps=deps)
    assert len(workspace.messages("C0SHARED")) == 2
