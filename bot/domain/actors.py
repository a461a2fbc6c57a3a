"""Who is acting: a Slack user id and the team (workspace) the payload says they belong to."""

from __future__ import annotations

from dataclasses import dataclass

SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    user_id: str
    team_id: str | None


SYSTEM_ACTOR = Actor(SYSTEM, None)
