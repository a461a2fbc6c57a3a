"""Each property's Porchlight message in its shared channel, kept in place: the buttons external users need.

Property managers of another company may not be able to run our slash commands or shortcuts (Slack Connect), so
everything they must start is a button on this message; features add theirs (bot.delivery.HubButton). The message
shows the property's name and the buttons, nothing about residents: a shared channel is a public place.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from storage import outbox, posted
from storage.models import PostedMessage, Property

SUBJECT, ROLE = "property", "hub"
HUB_POST = "property.hub"  # outbox kind: post the property's message in its shared channel, or edit it there


def hub_of(property_id: int) -> posted.Kept:
    return posted.Kept(SUBJECT, property_id, ROLE)


def refresh(session: Session, prop: Property, *, now: datetime) -> None:
    """Queue the property's message in its shared channel (posted once, edited after)."""
    if prop.shared_channel:
        outbox.enqueue(session, kind=HUB_POST, channel=prop.shared_channel, subject_id=prop.id, now=now)


def post_missing(session: Session, *, now: datetime) -> list[int]:
    """Queue the message of every property with a shared channel that does not show it yet: one query."""
    shown = and_(
        PostedMessage.subject_type == SUBJECT,
        PostedMessage.subject_id == Property.id,
        PostedMessage.role == ROLE,
        PostedMessage.channel == Property.shared_channel,
    )
    missing = session.scalars(
        select(Property)
        .outerjoin(PostedMessage, shown)
        .where(Property.shared_channel.is_not(None), PostedMessage.id.is_(None))
    ).all()
    for prop in missing:
        refresh(session, prop, now=now)
    return [prop.id for prop in missing]
