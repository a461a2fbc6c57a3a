"""`/vacancy property [name]`: coordinators add or edit a property, its managers and its shared channel."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.deps import Deps
from bot.domain import access, properties
from bot.slack import blocks, ids
from bot.slack.guard import Listener, first_submission, view_guard
from bot.slack.payloads import actor_of, input_value, submission_key
from handlers import checkins as checkin_form

FIELDS = ("name", "address", "area", "company", "company_team", "managers", "shared_channel")


def register(app: App, deps: Deps) -> None:
    app.view(ids.VIEW_PROPERTY)(_property_submitted(deps))


def property_form(deps: Deps, name: str) -> dict[str, Any]:
    """The property form, prefilled when `name` is a listed property."""
    with deps.session_factory() as session:
        found = properties.listing(session, name)
        if found is None:
            view = blocks.property_modal(None, company=None, managers=[])
            return checkin_form.with_checkin_inputs(session, deps, view, None)  # a check-in for the new property
        view = blocks.property_modal(found.property, company=found.company, managers=list(found.managers))
        return checkin_form.with_checkin_inputs(session, deps, view, found.property)  # the property's check-in


def _property_submitted(deps: Deps) -> Listener:
    @view_guard(fallback_block="name")
    def property_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        actor = actor_of(body)
        access.require_coordinator(deps.roles, actor)
        values = view["state"]["values"]
        draft = properties.check_property(properties.PropertyDraft(**{f: input_value(values, f) for f in FIELDS}))
        setup = checkin_form.read_setup(deps, values)
        with deps.session_factory.begin() as session:
            if first_submission(session, submission_key(body), now=deps.clock.now()):  # else a replay: stored once
                prop = properties.save_property(session, draft, actor=actor, now=deps.clock.now())
                checkin_form.save_setup(session, deps, prop, setup, actor)
        ack()

    return property_submitted
