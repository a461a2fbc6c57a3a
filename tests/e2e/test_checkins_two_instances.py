"""Two bot processes on one PostgreSQL, both ticking: each meeting's agenda is posted once per period, and once
more after both are killed and one is restarted."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from sandbox import SandboxServer, Workspace
from storage.models import Agenda, OutboxMessage, ScheduledRun
from tests.e2e.helpers import eventually
from tests.e2e.test_checkins import set_checkin
from tests.e2e.test_two_instances import START, Instance, cluster, side  # noqa: F401 - the fixture

assert START.isoformat() == "2026-11-23T15:00:00+00:00"  # a Monday: the meeting is on Wednesday at 10:00 CST


def test_two_instances_post_each_agenda_once_even_across_a_restart(
    cluster: dict[str, Any],  # noqa: F811 - the fixture imported above
    workspace: Workspace,
    sandbox: SandboxServer,
) -> None:
    a = side(workspace, sandbox, cluster["instances"][0])
    workspace.clock = lambda: datetime.fromisoformat(cluster["clock"].read_text()).timestamp()
    set_checkin(a, workspace)

    def settled() -> bool:
        with cluster["db"]() as session:
            return not session.scalars(select(OutboxMessage).where(OutboxMessage.status == "pending")).all()

    def ran(key: str) -> bool:
        with cluster["db"]() as session:
            return key in set(
                session.scalars(select(ScheduledRun.period_key).where(ScheduledRun.job == "checkin.agenda"))
            )

    for week in (0, 1):
        if week == 1:  # pull the plug on both, then restart one
            for instance in cluster["instances"]:
                instance.kill()
            cluster["instances"].append(Instance(cluster["env"]))
        meeting = START + timedelta(days=2, hours=1, weeks=week)  # Wednesday 16:00 UTC
        cluster["clock"].write_text(meeting.isoformat())
        key = f"meeting:1:2026-W{48 + week}"
        eventually(lambda k=key: ran(k), what=f"{key} ran", within=30)
        eventually(settled, what="the agenda is delivered", within=30)
    agendas = [m for m in workspace.messages("C0SHARED") if m.text.startswith(("Check-in agenda", "Check-in summary"))]
    assert len(agendas) == 2
    with cluster["db"]() as session:
        periods = Counter(a.period for a in session.scalars(select(Agenda).where(Agenda.status != "planned")))
        runs = [(r.job, r.period_key) for r in session.scalars(select(ScheduledRun))]
    assert periods == {"2026-W48": 1, "2026-W49": 1}
    assert len(runs) == len(set(runs))
