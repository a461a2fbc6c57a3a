"""The coordinator's monthly report on the engine: a community job on the first business day of each month that
queues one outbox row per coordinator, and the renderer that posts the summary and uploads the charts and the page.

Why an outbox row and a `Custom` delivery, not an upload from the job: the job runs once per month under its
period claim (two instances, a restart), and the row is then delivered once like any other: the summary is posted
with the row id in its metadata and looked for before a re-post, and the files are looked for after that summary
before they are uploaded again. The figures are read when the row is delivered, so a retry shows the same month.
"""

from __future__ import annotations

from bot.delivery import Context, Custom, Delivery, Message, Plugins, ScheduledJob, Slack, Upload
from bot.domain import partners
from bot.domain import report as figures
from bot.slack.blocks import report as texts
from jobs.features.partners import first_business_day  # the coverage DM's day: the same first business day
from storage.models import OutboxMessage, Schedule


def register(plugins: Plugins) -> None:
    plugins.jobs.register(figures.REPORT_JOB, ScheduledJob(run=queue_monthly, community_rule=first_business_day))
    plugins.renderers.register(figures.REPORT_DM, report_dm)


def queue_monthly(context: Context, schedule: Schedule | None, period: str) -> object:
    """Run in the month `period`: the report is about the month before."""
    month = partners.shift(period, -1)
    queued = figures.queue(context.session, month=month, coordinators=context.settings.coordinators, now=context.now)
    return {"month": month, "coordinators": queued}


def report_dm(context: Context, row: OutboxMessage) -> Delivery:
    zone, period = context.settings.zone, figures.of_month(str(row.detail.get("month")))
    pack = figures.pack(context.session, period, change=None, zone=zone, min_count=context.settings.report_min_count,
                        today=context.now.astimezone(zone).date())  # fmt: skip
    # matplotlib (and numpy under it) is imported here, when a report is drawn, not when Porchlight starts: it
    # would add some 45 MiB to the serving process and the worker alike, both of which import this module.
    from bot.report_render import IN_DM, charts, page

    drawn = charts(pack.report)
    text = texts.dm_text(pack)
    stem = f"porchlight-report-{pack.report.period.start.strftime('%Y-%m')}"
    label = pack.report.period.label
    files = [Upload(f"{stem}-{c.filename}", f"{label}: {c.title}", c.png, alt_text=c.alt[:1000])
             for c in drawn if c.key in IN_DM]  # fmt: skip
    files.append(Upload(f"{stem}.html", f"{label}: the full report (HTML)", page(pack, drawn).encode("utf-8")))

    def send(slack: Slack) -> tuple[str, str | None]:
        channel, ts = slack.post(Message(channel=row.channel, text=text))
        assert ts is not None  # a post always has its ts
        slack.upload(channel, files, after_ts=ts)
        return channel, ts

    return Custom(send)
