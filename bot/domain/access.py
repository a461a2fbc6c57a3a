"""Who may do what: coordinators, a property's managers (by user or by their company's Slack team), case managers."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.actors import Actor
from bot.errors import NotAllowed
from storage.models import Partner, Property, PropertyManager


@dataclass(frozen=True)
class Roles:
    """What the deployment says about people: its coordinators and its own workspace."""

    coordinators: frozenset[str]
    home_team: str | None

    def is_coordinator(self, actor: Actor) -> bool:
        return actor.user_id in self.coordinators

    def is_staff(self, actor: Actor) -> bool:
        """Someone of our own workspace (case managers, navigators, coordinators); not a partner's user."""
        return self.is_coordinator(actor) or (self.home_team is not None and actor.team_id == self.home_team)


def manages(session: Session, actor: Actor, property_id: int | None) -> bool:
    """True if the actor is listed as a manager of the property or belongs to its management company's team."""
    if property_id is None:
        return False
    listed = session.scalar(
        select(PropertyManager.id).where(
            PropertyManager.property_id == property_id, PropertyManager.user_id == actor.user_id
        )
    )
    if listed is not None:
        return True
    team = session.scalar(
        select(Partner.slack_team_id)
        .join(Property, Property.partner_id == Partner.id)
        .where(Property.id == property_id)
    )
    return team is not None and actor.team_id == team


def require_manager_or_coordinator(session: Session, roles: Roles, actor: Actor, property_id: int | None) -> None:
    if roles.is_coordinator(actor) or manages(session, actor, property_id):
        return
    raise NotAllowed("Only this property's managers or a housing coordinator can change this listing.")


def require_coordinator(roles: Roles, actor: Actor) -> None:
    if not roles.is_coordinator(actor):
        raise NotAllowed("Only a housing coordinator can do this.")


def require_staff(roles: Roles, actor: Actor, what: str) -> None:
    if not roles.is_staff(actor):
        raise NotAllowed(f"Only case managers of our community can {what}.")
