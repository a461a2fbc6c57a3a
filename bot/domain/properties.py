"""Properties and their managers, kept by coordinators; offered in /vacancy and used to decide who may act."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.domain import privacy, property_hub
from bot.domain.actors import Actor
from bot.errors import FormErrors
from storage import audit
from storage.models import Partner, Property, PropertyManager

TEAM_ID = re.compile(r"^[TE][A-Z0-9]{2,}$")
# The property's texts are shown on cards and forms that partners see: places and companies, never people.
TEXT_KINDS = {
    "name": privacy.FieldKind.LABEL,
    "address": privacy.FieldKind.LABEL,
    "area": privacy.FieldKind.LABEL,
    "company": privacy.FieldKind.LABEL,
}


@dataclass(frozen=True)
class PropertyDraft:
    name: str = ""
    address: str = ""
    area: str = ""
    company: str = ""
    company_team: str = ""
    managers: tuple[str, ...] = ()
    shared_channel: str = ""


def check_property(draft: PropertyDraft) -> PropertyDraft:
    """The draft with its texts cleaned, or FormErrors for every wrong field (personal data included)."""
    errors: dict[str, str] = {}
    texts = {name: privacy.clean_text(getattr(draft, name)).strip() for name in TEXT_KINDS}
    name = texts["name"]
    if not name or len(name) > 100:
        errors["name"] = "Enter the property's name (at most 100 characters)."
    if len(texts["address"]) > 200:
        errors["address"] = "At most 200 characters."
    if len(texts["area"]) > 60:
        errors["area"] = "At most 60 characters."
    if len(texts["company"]) > 120:
        errors["company"] = "At most 120 characters."
    privacy.check_fields(texts, TEXT_KINDS, errors=errors)
    team = draft.company_team.strip().upper()
    if team and not TEAM_ID.match(team):
        errors["company_team"] = "A Slack team id looks like T0123ABCD (from the partner's workspace)."
    if team and not texts["company"]:
        errors["company"] = "Name the management company whose Slack team this is."
    if errors:
        raise FormErrors(errors)
    return PropertyDraft(
        name=name, address=texts["address"], area=texts["area"], company=texts["company"],
        company_team=team, managers=tuple(dict.fromkeys(draft.managers)), shared_channel=draft.shared_channel,
    )  # fmt: skip


@dataclass(frozen=True)
class Listing:
    """A listed property as its form shows it: with its management company and its managers' Slack ids."""

    property: Property
    company: Partner | None
    managers: tuple[str, ...]


def named(session: Session, name: str) -> Property | None:
    """The listed property of that name (case-insensitive, ignoring surrounding spaces), if any."""
    wanted = name.strip().lower()
    return session.scalar(select(Property).where(func.lower(Property.name) == wanted)) if wanted else None


def listing(session: Session, name: str) -> Listing | None:
    """The property called `name` with its company and managers (what its form is prefilled with), or None when
    no property has that name (the form then adds one)."""
    prop = named(session, name)
    if prop is None:
        return None
    company = session.get(Partner, prop.partner_id) if prop.partner_id else None
    managers = session.scalars(
        select(PropertyManager.user_id).where(PropertyManager.property_id == prop.id).order_by(PropertyManager.id)
    )
    return Listing(property=prop, company=company, managers=tuple(managers))


def save_property(session: Session, draft: PropertyDraft, *, actor: Actor, now: datetime) -> Property:
    """Create the property, or update the one with the same name (case-insensitive)."""
    partner = _partner(session, draft, now) if draft.company else None
    prop = named(session, draft.name)
    created = prop is None
    if prop is None:
        prop = Property(name=draft.name, created_at=now)
        session.add(prop)
    prop.name, prop.address, prop.area = draft.name, draft.address, draft.area
    prop.partner_id = partner.id if partner else None
    prop.shared_channel = draft.shared_channel or None
    prop.updated_at = now
    session.flush()
    session.execute(delete(PropertyManager).where(PropertyManager.property_id == prop.id))
    session.add_all(PropertyManager(property_id=prop.id, user_id=user) for user in draft.managers)
    property_hub.refresh(session, prop, now=now)  # its message in the shared channel, posted or edited there
    action = "property.created" if created else "property.updated"
    audit.record(
        session, actor=actor.user_id, actor_team=actor.team_id, action=action, subject_type="property",
        subject_id=prop.id, at=now,
        detail={"name": prop.name, "managers": list(draft.managers), "shared_channel": prop.shared_channel},
    )  # fmt: skip
    return prop


def _partner(session: Session, draft: PropertyDraft, now: datetime) -> Partner:
    partner = session.scalar(select(Partner).where(func.lower(Partner.name) == draft.company.lower()))
    if partner is None:
        partner = Partner(name=draft.company, kind="property_management", created_at=now)
        session.add(partner)
    if draft.company_team:
        holder = session.scalar(select(Partner).where(Partner.slack_team_id == draft.company_team))
        if holder is not None and holder is not partner:
            raise FormErrors({"company_team": f"That Slack team already belongs to {holder.name}."})
        partner.slack_team_id = draft.company_team
    session.flush()
    return partner


def listed(session: Session) -> tuple[tuple[int, str], ...]:
    """(id, name) of every property, by name: what /vacancy offers."""
    return tuple(
        (row.id, row.name) for row in session.execute(select(Property.id, Property.name).order_by(Property.name))
    )
