"""The monthly report's DM: the period, the few measures that moved most (in words), the headline figures.

Plain figures and the words of bot.domain.report only: nothing here can carry a name, a note or a client code.
"""

from __future__ import annotations

from bot.domain import report as r

HEADLINES = ("listed", "filled", "referrals", "on_time", "escalations", "meetings", "partners_heard")


def dm_text(pack: r.Pack) -> str:
    """The DM's text (mrkdwn): what moved most since the month before, then the headline figures."""
    rep, m = pack.report, pack.report.min_count
    lines = [f"*Porchlight report: {rep.period.label}*"]
    if pack.previous is not None:
        moved = r.moved_most(pack.previous, rep)
        lines.append(f"What moved most since {pack.previous.period.label}:")
        lines += [f"• {words}" for words in moved] or ["• Nothing that can be compared moved."]
    shown = {f.key: f for f in r.figures(rep)}
    lines.append("The month in figures:")
    lines += [f"• {shown[key].label}: {shown[key].text(m)}" for key in HEADLINES]
    lines.append(
        f"Counts of households below {m} read “fewer than {m}”. The charts and the full page (HTML, opens "
        "offline, no personal data) follow."
    )
    return "\n".join(lines)


def asked_for(period: r.Period) -> str:
    return f"Preparing the report for {period.label}: it will arrive in your DM with Porchlight shortly."
