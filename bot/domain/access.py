"""Who may do what: coordinators, a property's managers (by user or by their company's Slack team), case managers.

Three kinds of people reach Porchlight. Our own workspace's people (case managers, coordinators) see the whole
board and may log a unit anywhere. A partner's users (their payload's team is a management company's Slack
Connect team) and a property's listed managers see, and may log units at, their own company's properties only:
the board is the community's, and one landlord has no business with another's listings. Anyone else (a user of
a workspace we do not know, who reached the bot through some shared channel) sees nothing and stores nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from bot.domain.actors import Actor
from bot.errors import FormErrors, NotAllowed
from storage.models import Partner, Property, PropertyManager

OUTSIDER = (
    "Porchlight's board is for our community's case managers and the managers of its listed properties. If you "
    "manage a property, ask a housing coordinator to list it with your company's Slack team."
)
NOT_YOURS = "You can log units only at your company's properties: choose one of them from the list."


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


@dataclass(frozen=True)
class Reach:
    """The listings a person may see and log: the whole board (`property_ids` None), or those at these properties
    (a partner's; empty for an outsider). Units at unlisted properties are on the whole board only."""

    property_ids: frozenset[int] | None

    @property
    def whole_board(self) -> bool:
        return self.property_ids is None

    @property
    def nothing(self) -> bool:
        return self.property_ids == frozenset()

    def covers(self, property_id: int | None) -> bool:
        if self.property_ids is None:
            return True
        return property_id is not None and property_id in self.property_ids


WHOLE_BOARD = Reach(None)


def managed_properties(actor: Actor) -> Select[int]:
    """The ids of the properties the actor is listed for, or whose management company's Slack team is theirs."""
    mine = [PropertyManager.user_id == actor.user_id]
    if actor.team_id:
        mine.append(Partner.slack_team_id == actor.team_id)
    return (
        select(Property.id)
        .outerjoin(Partner, Partner.id == Property.partner_id)
        .outerjoin(PropertyManager, PropertyManager.property_id == Property.id)
        .where(or_(*mine))
        .distinct()
    )


def reach_of(session: Session, roles: Roles, actor: Actor) -> Reach:
    """What the actor may see and log; our own people need no query."""
    if roles.is_staff(actor):
        return WHOLE_BOARD
    return Reach(frozenset(session.scalars(managed_properties(actor))))


def require_reach(reach: Reach) -> None:
    """NotAllowed, told privately, for someone who may see no listing at all."""
    if reach.nothing:
        raise NotAllowed(OUTSIDER)


def require_may_log_at(reach: Reach, property_id: int | None, *, chosen: bool) -> None:
    """Our own people may log a unit anywhere; a partner only at their own company's listed properties.

    `property_id` is the listed property the form names (chosen from the list, or typed), None if it names no
    listed one. A partner's refusal goes under the field they used (`chosen`: the list), so the form stays open.
    """
    require_reach(reach)
    if not reach.covers(property_id):
        raise FormErrors({"property_id" if chosen else "property_name": NOT_YOURS})


def manages(session: Session, actor: Actor, property_id: int | None) -> bool:
    """True if the actor is listed as a manager of the property or belongs to its management company's team."""
    if property_id is None:
        return False
    return session.scalar(managed_properties(actor).where(Property.id == property_id)) is not None


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
