"""Learning people's time zones from their Slack profiles (users.info `tz`) into bot.domain.people's cache.

Always after an ack (`deps.after_ack`), never inside one: a reminder row reads the cache when it is created, so
zones are learnt ahead of need: the coordinators' when Porchlight starts, a case's parties when its form is opened
and submitted, whoever opens a form that will remind them. Someone whose zone Slack will not tell keeps the
community's; the failure is logged with its error code, never with anything about the person.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from bot.domain import people

log = logging.getLogger("porchlight.zones")


def learn(deps: Deps, client: WebClient, user_ids: Iterable[str]) -> int:
    """Ask Slack for the zones of those of `user_ids` not known (or not fresh); returns how many were cached."""
    with deps.session_factory() as session:
        wanted = people.to_ask(session, user_ids, now=deps.clock.now())
    found: dict[str, str] = {}
    for user_id in wanted:
        try:
            profile = client.users_info(user=user_id).get("user") or {}
        except SlackApiError as exc:
            log.warning("users.info failed (%s); that person keeps the community's time zone",
                        exc.response.get("error"))  # fmt: skip
            continue
        zone = profile.get("tz") if isinstance(profile, dict) else None
        if isinstance(zone, str) and zone:
            found[user_id] = zone
    if not found:
        return 0
    kept = 0
    with deps.session_factory.begin() as session:
        for user_id, zone in found.items():
            kept += people.remember_zone(session, user_id, zone, now=deps.clock.now())
    if kept < len(found):
        log.warning("%s Slack time zones are not ones this machine knows; the community's is used", len(found) - kept)
    return kept


def learn_soon(deps: Deps, client: WebClient, user_ids: Iterable[str]) -> None:
    """`learn`, after the ack."""
    wanted = [u for u in dict.fromkeys(user_ids) if u]

    def learn_zones() -> None:
        learn(deps, client, wanted)

    deps.after_ack.submit(learn_zones)


def staff_on_call(deps: Deps) -> list[str]:
    """Whom the deadlines remind by DM: the coordinators and the backup coordinators."""
    return list(dict.fromkeys((*deps.settings.coordinators, *deps.settings.backup_coordinators)))
