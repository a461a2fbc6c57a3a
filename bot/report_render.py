"""The monthly report drawn: charts (PNG and inline SVG) and one self-contained HTML page, pure functions of the
figures in bot.domain.report (no database here: a chart is tested without one).

Why matplotlib: it is well kept, renders offline with no browser or server, and writes both PNG (for Slack's
images) and SVG (inlined, so the page needs no files beside it). Its Agg canvas is used directly, never pyplot,
whose global state is not safe in a worker's threads. Text in the SVG is drawn as paths, so no font is needed
where the page is opened. The palette is Okabe-Ito's, which readers with any common colour-vision deficiency can
tell apart; bars also differ by hatching where colour would be the only cue.
"""

from __future__ import annotations

import html
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # before anything else of matplotlib: no display is ever needed

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bot.domain import report as r

OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#F0E442", "#000000")
HATCHES = ("", "//", "..", "xx", "\\\\", "++", "oo", "--")
EMPTY = "No data for this period"
SIZE = (8.0, 4.2)  # inches; 100 dpi in the PNG: 800 x 420, readable in Slack's preview


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    alt: str  # what the chart shows, in words: Slack's alt text and the page's <title>
    png: bytes
    svg: str

    @property
    def filename(self) -> str:
        return f"{self.key}.png"


@dataclass(frozen=True)
class _Frame:
    """What every chart says beside its bars: the period and the data's last date."""

    period: str
    data_to: date | None
    min_count: int

    @property
    def footer(self) -> str:
        last = r._day(self.data_to) if self.data_to else "no data recorded"
        return f"Period: {self.period}  ·  data to {last}  ·  Porchlight"


def _figure(frame: _Frame, title: str) -> tuple[Figure, Axes]:
    figure = Figure(figsize=SIZE, dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_axes((0.1, 0.2, 0.86, 0.68))
    figure.suptitle(title, x=0.02, ha="left", fontsize=13, fontweight="bold")
    figure.text(0.02, 0.02, frame.footer, fontsize=8, color="#444444")
    axes.spines[["top", "right"]].set_visible(False)
    return figure, axes


def _empty(axes: Axes) -> None:
    axes.set_xticks([])
    axes.set_yticks([])
    axes.spines[["left", "bottom"]].set_visible(False)
    axes.text(0.5, 0.5, EMPTY, ha="center", va="center", fontsize=14, color="#444444", transform=axes.transAxes)


def _finish(key: str, title: str, alt: str, figure: Figure) -> Chart:
    png, svg = io.BytesIO(), io.StringIO()
    figure.savefig(png, format="png", metadata={"Software": None})
    with matplotlib.rc_context({"svg.hashsalt": key}):  # ids unique per chart: several SVGs share one page
        figure.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
    text = svg.getvalue()
    text = text[text.index("<svg") :]  # inline: no XML prolog or DOCTYPE inside HTML
    text = re.sub(r"\s*<metadata>.*?</metadata>", "", text, flags=re.S)  # matplotlib's RDF credits
    return Chart(key, title, alt, png.getvalue(), text)


def _shown(n: int, counts: r.Counts, frame: _Frame) -> str:
    return r.shown(n, counts, frame.min_count)


def _bars(
    axes: Axes, labels: Sequence[str], series: Sequence[tuple[str, Sequence[int]]], counts: r.Counts, frame: _Frame,
    *, horizontal: bool = False,
) -> None:  # fmt: skip
    """Grouped bars; a hidden small count is drawn as no bar with "<N" where it would be."""
    width = 0.8 / max(1, len(series))
    for i, (name, values) in enumerate(series):
        drawn = [0 if r.hidden(v, counts, frame.min_count) else v for v in values]
        offsets = [x - 0.4 + width * (i + 0.5) for x in range(len(labels))]
        style: dict[str, Any] = {"color": OKABE_ITO[i % len(OKABE_ITO)], "hatch": HATCHES[i % len(HATCHES)],
                                 "edgecolor": "white", "label": name}  # fmt: skip
        bars = (axes.barh(offsets, drawn, height=width, **style) if horizontal
                else axes.bar(offsets, drawn, width=width, **style))  # fmt: skip
        for bar, value in zip(bars, values, strict=True):
            text = (
                f"<{frame.min_count}" if r.hidden(value, counts, frame.min_count) else (f"{value:,}" if value else "")
            )
            if not text:
                continue
            if horizontal:
                axes.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, f" {text}", va="center", fontsize=8)
            else:
                axes.text(bar.get_x() + bar.get_width() / 2, bar.get_height(), text, ha="center", va="bottom",
                          fontsize=8)  # fmt: skip
    # The count's axis starts at zero in whole numbers: with every bar hidden, matplotlib would centre an empty
    # axis on zero (-0.04 to 0.04), as if a count could be negative or a fraction.
    shown = [v for _, values in series for v in values if not r.hidden(v, counts, frame.min_count)]
    (axes.set_xlim if horizontal else axes.set_ylim)(0, max([1, *shown]) * 1.1)
    (axes.xaxis if horizontal else axes.yaxis).set_major_locator(MaxNLocator(integer=True))
    ticks = list(range(len(labels)))
    if horizontal:
        axes.set_yticks(ticks, labels, fontsize=8)
        axes.invert_yaxis()
    else:
        axes.set_xticks(ticks, labels, fontsize=8)
    if len(series) > 1:
        axes.legend(fontsize=8, frameon=False, loc="best")


# -- the charts ------------------------------------------------------------------------------------------------------


def board_weeks(report: r.Report) -> Chart:
    frame, b = _frame(report), report.board
    title = "Units listed, filled, withdrawn and expired, by week"
    figure, axes = _figure(frame, title)
    totals = {e: b.total(e) for e in r.BoardEvent}
    if not any(totals.values()):
        _empty(axes)
    else:
        labels = [f"{w.start.strftime('%b')} {w.start.day}" for w in b.weeks]
        series = [(e.value.capitalize(), [getattr(w, e.value) for w in b.weeks]) for e in r.BoardEvent]
        _bars(axes, labels, series, r.Counts.UNITS, frame)
        axes.set_xlabel("Week beginning")
        axes.set_ylabel("Units")
    alt = (f"{title}, {frame.period}: " + ", ".join(f"{e.value} {totals[e]}" for e in r.BoardEvent)
           + " units in all.")  # fmt: skip
    return _finish("board-weeks", title, alt, figure)


def board_open(report: r.Report) -> Chart:
    frame, points = _frame(report), report.board.open_units
    title = "Units on the board"
    figure, axes = _figure(frame, title)
    if not points or not any(n for _, n in points):
        _empty(axes)
        alt = f"{title}, {frame.period}: none."
    else:
        days: list[Any] = [d for d, _ in points]  # matplotlib plots dates; its stubs say numbers
        axes.plot(days, [n for _, n in points], color=OKABE_ITO[3], marker="o", markersize=3)
        axes.set_ylim(bottom=0)
        axes.set_xlabel("Day (end of day)")
        axes.set_ylabel("Units open")
        figure.autofmt_xdate()
        low, high = min(n for _, n in points), max(n for _, n in points)
        alt = (f"{title} at the end of each day, {frame.period}: from {points[0][1]} to {points[-1][1]} "
               f"(lowest {low}, highest {high}).")  # fmt: skip
    return _finish("board-open", title, alt, figure)


def _spread_chart(key: str, title: str, groups: Sequence[tuple[str, r.Spread]], unit: str, report: r.Report,
                  counts: r.Counts) -> Chart:  # fmt: skip
    frame = _frame(report)
    figure, axes = _figure(frame, title)
    shown = [(name, s) for name, s in groups if s.n and not (counts is r.Counts.HOUSEHOLDS and s.n < frame.min_count)]
    if not shown:
        _empty(axes)
        alt = f"{title}, {frame.period}: no cases to show."
    else:
        labels = [f"{name}\n(n={s.n:,})" for name, s in shown]
        _bars(axes, labels, [("Median", [s.median or 0 for _, s in shown]),
                             ("90th percentile", [s.p90 or 0 for _, s in shown])], r.Counts.UNITS, frame)  # fmt: skip
        axes.set_ylabel(unit.capitalize())
        alt = f"{title}, {frame.period}: " + "; ".join(
            f"{name}: median {s.median}, 90th percentile {s.p90} {unit} ({s.n} cases)" for name, s in shown
        )
    return _finish(key, title, alt, figure)


def board_days(report: r.Report) -> Chart:
    return _spread_chart("board-days", "Days on the board, by bedrooms (units that left the board)",
                         report.board.by_bedrooms, "days", report, r.Counts.UNITS)  # fmt: skip


def board_subsidy(report: r.Report) -> Chart:
    return _spread_chart("board-subsidy", "Days on the board, by subsidy accepted", report.board.by_subsidy, "days",
                         report, r.Counts.UNITS)  # fmt: skip


def _ranked(key: str, title: str, rows: Sequence[tuple[str, int]], axis: str, report: r.Report,
            counts: r.Counts = r.Counts.HOUSEHOLDS) -> Chart:  # fmt: skip
    frame = _frame(report)
    figure, axes = _figure(frame, title)
    rows = [(label, n) for label, n in rows if n][:12]
    if not rows:
        _empty(axes)
        alt = f"{title}, {frame.period}: none."
    else:
        _bars(axes, [label for label, _ in rows], [(axis, [n for _, n in rows])], counts, frame, horizontal=True)
        axes.set_xlabel(axis)
        figure.subplots_adjust(left=0.3)
        axes.set_position((0.32, 0.2, 0.64, 0.68))
        alt = f"{title}, {frame.period}: " + ", ".join(f"{label} {_shown(n, counts, frame)}" for label, n in rows) + "."
    return _finish(key, title, alt, figure)


def referral_times(report: r.Report) -> Chart:
    ref = report.referrals
    return _spread_chart("referral-times", "Days from referral to answer and to move-in",
                         [("To an answer", ref.answer_days), ("To move-in", ref.move_in_days)], "days", report,
                         r.Counts.HOUSEHOLDS)  # fmt: skip


def referral_outcomes(report: r.Report) -> Chart:
    return _ranked("referral-outcomes", "Referrals made in the period, by outcome so far", report.referrals.outcomes,
                   "Referrals", report)  # fmt: skip


def denial_reasons(report: r.Report) -> Chart:
    return _ranked("denial-reasons", "Denial reasons, most common first", report.referrals.denials, "Denials",
                   report)  # fmt: skip


def late_answers(report: r.Report) -> Chart:
    rows = [(line.property, line.late) for line in report.referrals.late]
    return _ranked("late-answers", "Answers later than the 48-business-hour promise, by property", rows,
                   "Late answers", report)  # fmt: skip


def escalation_categories(report: r.Report) -> Chart:
    frame, e = _frame(report), report.escalations
    title = "Escalations raised, by category and urgency"
    figure, axes = _figure(frame, title)
    if not e.by_category:
        _empty(axes)
        alt = f"{title}, {frame.period}: none."
    else:
        labels = [c for c, _, _ in e.by_category]
        series = [("Normal", [n for _, n, _ in e.by_category]), ("Urgent", [u for _, _, u in e.by_category])]
        _bars(axes, labels, series,
              r.Counts.HOUSEHOLDS, frame, horizontal=True)  # fmt: skip
        axes.set_xlabel("Escalations")
        axes.set_position((0.32, 0.2, 0.64, 0.68))
        alt = f"{title}, {frame.period}: " + ", ".join(
            f"{c}: {_shown(n, r.Counts.HOUSEHOLDS, frame)} normal, {_shown(u, r.Counts.HOUSEHOLDS, frame)} urgent"
            for c, n, u in e.by_category
        ) + "."  # fmt: skip
    return _finish("escalation-categories", title, alt, figure)


def escalation_deadlines(report: r.Report) -> Chart:
    frame, e = _frame(report), report.escalations
    title = "Escalations within their deadlines (24/48 business hours; urgent 4/8)"
    figure, axes = _figure(frame, title)
    rows = [("Acknowledged within\nthe first deadline", e.acked_first, e.acked),
            ("Acknowledged within\nthe second deadline", e.acked_second, e.acked),
            ("Resolved within\nthe second deadline", e.resolved_second, e.resolved)]  # fmt: skip
    shown = [(label, part, whole) for label, part, whole in rows if whole >= frame.min_count]
    if not shown:
        _empty(axes)
        alt = f"{title}, {frame.period}: too few cases to show."
    else:
        percents = [round(100 * part / whole) for _, part, whole in shown]
        bars = axes.bar(range(len(shown)), percents, color=OKABE_ITO[2])
        for bar, (_, part, whole) in zip(bars, shown, strict=True):
            axes.text(bar.get_x() + bar.get_width() / 2, bar.get_height(), f"{round(100 * part / whole)}% of {whole}",
                      ha="center", va="bottom", fontsize=8)  # fmt: skip
        axes.set_xticks(range(len(shown)), [label for label, _, _ in shown], fontsize=8)
        axes.set_ylim(0, 110)
        axes.set_ylabel("Share of cases (%)")
        alt = f"{title}, {frame.period}: " + "; ".join(
            f"{label.replace(chr(10), ' ')} {round(100 * part / whole)}% of {whole}" for label, part, whole in shown
        )
    return _finish("escalation-deadlines", title, alt, figure)


def checkin_counts(report: r.Report) -> Chart:
    c = report.checkins
    rows = [("Meetings held", c.meetings_held), ("Items raised", c.items_raised),
            ("Carried over more than two weeks", c.carried_over), ("Items closed", c.closed)]  # fmt: skip
    return _ranked("checkins", "Check-ins: meetings and items", rows, "Meetings or items", report, r.Counts.UNITS)


def partner_shares(report: r.Report) -> Chart:
    frame, p = _frame(report), report.partners
    title = "Share of partners heard from each month, by type"
    figure, axes = _figure(frame, title)
    if not any(s.total for s in p.overall):
        _empty(axes)
        alt = f"{title}: no partners listed."
    else:
        labels = [m for m in p.months]
        for i, (kind, shares) in enumerate(p.by_kind):
            axes.plot(labels, _gaps([s.percent for s in shares]), marker="os^vD<>p"[i % 8], color=OKABE_ITO[i % 7],
                      label=kind, linewidth=1.5)  # fmt: skip
        axes.plot(labels, _gaps([s.percent for s in p.overall]), color=OKABE_ITO[7], linewidth=2.5, linestyle="--",
                  label="All partners")  # fmt: skip
        axes.set_ylim(0, 105)
        axes.set_xlabel("Month")
        axes.set_ylabel("Partners heard from (%)")
        axes.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        axes.set_position((0.08, 0.2, 0.6, 0.68))
        alt = f"{title}, {p.months[0]} to {p.months[-1]}: all partners " + ", ".join(
            f"{m} {s.percent}%" if s.percent is not None else f"{m} none"
            for m, s in zip(p.months, p.overall, strict=True)
        ) + "."  # fmt: skip
    return _finish("partners", title, alt, figure)


CHARTS = (board_weeks, board_open, board_days, board_subsidy, referral_times, referral_outcomes, denial_reasons,
          late_answers, escalation_categories, escalation_deadlines, checkin_counts, partner_shares)  # fmt: skip
# One chart per section for the DM (Slack shows the first few images large; the page has them all).
IN_DM = ("board-weeks", "referral-outcomes", "denial-reasons", "escalation-categories", "checkins", "partners")


def _frame(report: r.Report) -> _Frame:
    return _Frame(report.period.label, report.data_to, report.min_count)


def charts(report: r.Report) -> list[Chart]:
    return [draw(report) for draw in CHARTS]


# -- the page ----------------------------------------------------------------------------------------------------------

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:60rem;color:#222;
line-height:1.4;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{margin-top:2.5rem;border-bottom:2px solid #0072B2;padding-bottom:.2rem}
.meta{color:#555}figure{margin:1rem 0}figure svg{width:100%;height:auto}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.9rem}
th,td{border:1px solid #ccc;padding:.25rem .6rem;text-align:left}td.n{text-align:right}th{background:#f0f4f8}
.note{font-size:.85rem;color:#555}ul.moved li{margin:.2rem 0}
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _table(head: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    if not rows:
        return '<p class="note">No data for this period.</p>'
    th = "".join(f"<th>{_e(h)}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f"<td{' class=n' if i else ''}>{_e(c)}</td>" for i, c in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _figure_html(chart: Chart) -> str:
    svg = chart.svg.replace("<svg ", f'<svg role="img" aria-label="{_e(chart.alt)}" ', 1)
    return f"<figure>{svg}<figcaption class=note>{_e(chart.alt)}</figcaption></figure>"


def _spread_rows(groups: Sequence[tuple[str, r.Spread]], counts: r.Counts, min_count: int) -> list[list[object]]:
    rows: list[list[object]] = []
    for name, s in groups:
        few = s.n < min_count and (counts is r.Counts.HOUSEHOLDS)
        rows.append([name, r.shown(s.n, counts, min_count), "—" if few or s.median is None else s.median,
                     "—" if few or s.p90 is None else s.p90])  # fmt: skip
    return rows


def page(pack: r.Pack, drawn: Sequence[Chart] | None = None) -> str:
    """The whole report as one HTML page: inline style and SVG, no scripts, fonts or links to anywhere."""
    rep, m = pack.report, pack.report.min_count
    by_key = {c.key: c for c in (drawn if drawn is not None else charts(rep))}
    H, U = r.Counts.HOUSEHOLDS, r.Counts.UNITS

    def chart(key: str) -> str:
        return _figure_html(by_key[key]) if key in by_key else ""

    b, ref, esc, chk, par = rep.board, rep.referrals, rep.escalations, rep.checkins, rep.partners
    parts = [
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Porchlight report: {_e(rep.period.label)}</title><style>{STYLE}</style></head><body>",
        f"<h1>Porchlight report: {_e(rep.period.label)}</h1>",
        f"<p class=meta>Times in {_e(rep.zone)}. Data to {_e(r._day(rep.data_to) if rep.data_to else 'none recorded')}"
        + (f"; made {_e(r._day(pack.generated_on))}" if pack.generated_on else "") + ".</p>",
        f"<p class=note>Counts of households or clients (referrals, escalations) below {m} are shown as "
        f"“fewer than {m}”, and medians of fewer than {m} cases are not shown; counts of units are shown as they "
        "are. No names, notes or client codes are in this report.</p>",
    ]  # fmt: skip
    for note in pack.notes:
        parts.append(f"<p class=note>{_e(note)}</p>")
    if pack.previous is not None:
        moved = r.moved_most(pack.previous, rep)
        parts.append(f"<h2>What moved most since {_e(pack.previous.period.label)}</h2>")
        parts.append("<ul class=moved>" + "".join(f"<li>{_e(w)}</li>" for w in moved) + "</ul>" if moved
                     else "<p class=note>Nothing that can be compared moved.</p>")  # fmt: skip
    if pack.change is not None:
        on, before, after = pack.change
        parts.append(f"<h2>Test of change: before and after {_e(r._day(on))}</h2>")
        parts.append(f"<p class=note>Before: {_e(before.period.label)}. After: {_e(after.period.label)}. "
                     f"{before.period.days} days on each side.</p>")  # fmt: skip
        rows = [[c.label, c.before.text(m), c.after.text(m), c.difference(m), r.shown(c.before.n, c.before.counts, m),
                 r.shown(c.after.n, c.after.counts, m)] for c in r.compare(before, after)]  # fmt: skip
        parts.append(_table(["Measure", "Before", "After", "Difference", "Cases before", "Cases after"], rows))

    parts.append("<h2>The board</h2>")
    parts += [chart("board-weeks"), _table(["Week beginning", "Listed", "Filled", "Withdrawn", "Expired"],
              [[r._day(w.start), w.listed, w.filled, w.withdrawn, w.expired] for w in b.weeks])]  # fmt: skip
    parts += [chart("board-open")]
    parts += [chart("board-days"), _table(["Bedrooms", "Units", "Median days", "90th percentile"],
                                          _spread_rows(b.by_bedrooms, U, m))]  # fmt: skip
    parts += [chart("board-subsidy"), _table(["Subsidy accepted", "Units", "Median days", "90th percentile"],
                                             _spread_rows(b.by_subsidy, U, m))]  # fmt: skip

    parts.append("<h2>Referrals</h2>")
    parts += [
        chart("referral-times"),
        _table(
            ["Time", "Cases", "Median days", "90th percentile"],
            _spread_rows([("Referral to answer", ref.answer_days), ("Referral to move-in", ref.move_in_days)], H, m),
        ),
    ]
    parts += [chart("referral-outcomes"), _table(["Outcome", "Referrals"],
                                                 [[o, r.shown(n, H, m)] for o, n in ref.outcomes])]  # fmt: skip
    parts += [chart("denial-reasons"), _table(["Reason", "Denials"], [[o, r.shown(n, H, m)] for o, n in ref.denials])]
    parts.append(f"<p>Answers within the 48-business-hour promise: "
                 f"{_e(r.shown_share(ref.with_deadline - ref.late_total, ref.with_deadline, H, m))}.</p>")  # fmt: skip
    parts += [
        chart("late-answers"),
        _table(
            ["Property", "Late answers", "Answers"],
            [[line.property, r.shown(line.late, H, m), r.shown(line.answered, H, m)] for line in ref.late],
        ),
    ]

    parts.append("<h2>Escalations</h2>")
    parts += [chart("escalation-categories"), _table(["Category", "Normal", "Urgent"],
              [[c, r.shown(n, H, m), r.shown(u, H, m)] for c, n, u in esc.by_category])]  # fmt: skip
    parts += [chart("escalation-deadlines"), _table(["Measure", "Value"], [
        ["Raised", r.shown(esc.raised, H, m)],
        ["Acknowledged within the first deadline", r.shown_share(esc.acked_first, esc.acked, H, m)],
        ["Acknowledged within the second deadline", r.shown_share(esc.acked_second, esc.acked, H, m)],
        ["Hours to acknowledge", r.shown_spread(esc.ack_hours, m, "hours")],
        ["Resolved within the second deadline", r.shown_share(esc.resolved_second, esc.resolved, H, m)],
        ["Days to resolve", r.shown_spread(esc.resolve_days, m, "days")],
    ])]  # fmt: skip
    parts.append(_table(["Outcome", "Resolved"], [[o, r.shown(n, H, m)] for o, n in esc.outcomes]))

    parts.append("<h2>Check-ins</h2>")
    parts += [chart("checkins"), _table(["Measure", "Count"], [
        ["Meetings held", chk.meetings_held], ["Items raised", chk.items_raised],
        ["Items carried over more than two weeks", chk.carried_over], ["Items closed", chk.closed]])]  # fmt: skip

    parts.append("<h2>The partner network</h2>")
    head = ["Partner type", *par.months]
    rows = [[kind, *(f"{s.percent}% ({s.heard}/{s.total})" if s.total else "—" for s in shares)]
            for kind, shares in par.by_kind]  # fmt: skip
    rows.append(["All partners", *(f"{s.percent}% ({s.heard}/{s.total})" if s.total else "—" for s in par.overall)])
    parts += [chart("partners"), _table(head, rows)]
    parts.append("<h3>Longest silences</h3>")
    parts.append(_table(["Partner", "Type", "Last heard from"],
                        [[s.partner, s.kind, r._day(s.last_heard) if s.last_heard else "never"]
                         for s in par.silences]))  # fmt: skip
    parts.append(
        f"<p>Updates sent to partners: {par.broadcasts:,} (to {par.broadcast_channels:,} shared channels).</p>"
    )
    parts.append("</body></html>")
    return "\n".join(p for p in parts if p)


def write(pack: r.Pack, directory: Path) -> list[Path]:
    """The page and a PNG of each chart in `directory` (made if need be); the page first."""
    directory.mkdir(parents=True, exist_ok=True)
    drawn = charts(pack.report)
    stem = f"porchlight-report-{pack.report.period.start.isoformat()}"
    written = [directory / f"{stem}.html"]
    written[0].write_text(page(pack, drawn), encoding="utf-8")
    for chart in drawn:
        path = directory / f"{stem}-{chart.filename}"
        path.write_bytes(chart.png)
        written.append(path)
    return written


def _gaps(values: list[int | None]) -> list[float]:
    """A share hidden or unknown is a gap in the line (NaN), not a fall to zero."""
    return [math.nan if v is None else float(v) for v in values]
