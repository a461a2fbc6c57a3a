"""Block Kit the page renders beyond the cards: external selects (options asked of the app as one types), a
response_url's replace_original on an ephemeral, and images (the sandbox's own files shown, any other image
as its alt text, nothing fetched from elsewhere)."""

from __future__ import annotations

import struct
import zlib
from datetime import timedelta
from typing import Any

from playwright.sync_api import expect
from slack_sdk import WebClient
from sqlalchemy import select

from bot.domain import partners, properties, vacancies
from sandbox import demo, launch
from storage.models import Partner, PartnerTouch
from tests.browser.test_page import CASE_MANAGER, COORDINATOR, VACANCIES, act_as, open_channel, type_in_composer


def seed(sandbox: launch.Sandbox, seeder: demo.Seeder) -> None:
    """More data, as a feature's demo seeder would add it (the page shows it at its next poll)."""
    demo.seed(sandbox.deps, seeders=[seeder])


def many_partners(context: demo.DemoContext) -> None:
    """More partners than a static select holds (100): the pickers become searches."""
    for n in range(1, 106):
        draft = partners.check_partner(partners.PartnerDraft(name=f"Agency {n:03}", kind="service_provider"))
        partners.save_partner(context.session, draft, partner_id=None, actor=context.actor(demo.COORDINATOR),
                              now=context.now)  # fmt: skip


def many_units(context: demo.DemoContext) -> None:
    """Ten more open units at Oak Terrace: /vacancy list has two pages."""
    oak = next(pid for pid, name in properties.listed(context.session) if name == "Oak Terrace")
    for n in range(10):
        when = context.now - timedelta(hours=n + 1)
        draft = vacancies.VacancyDraft(property_id=str(oak), unit=f"2{n:02}", bedrooms="1", rent="900",
                                       available_on=(when + timedelta(days=40 + n)).date().isoformat(),
                                       contact="Leasing office")  # fmt: skip
        vacancies.log_vacancy(context.session, facts=vacancies.check_vacancy(draft, today=when.date()),
                              actor=context.actor(demo.CASE_MANAGER), now=when, board_channel=context.board,
                              reply_channel=None)  # fmt: skip


def test_an_external_select_asks_the_app_as_one_types(page: Any, sandbox: launch.Sandbox) -> None:
    seed(sandbox, many_partners)
    act_as(page, COORDINATOR)
    open_channel(page, VACANCIES)
    type_in_composer(page, "/partners log")
    modal = page.locator(".modal[data-callback-id=partner_touch]")
    expect(modal).to_be_visible()
    search = modal.locator("[data-block-id=partner] .bk-external-search")
    search.fill("agency 04")
    matches = modal.locator("[data-block-id=partner] .bk-external-options")
    expect(matches.locator("option", has_text="Agency 047")).to_have_count(1)  # the app's answer, not a list
    expect(matches.locator("option", has_text="Agency 050")).to_have_count(0)
    matches.select_option(label="Agency 047")
    modal.locator(".modal-submit").click()
    expect(modal).to_be_hidden()
    with sandbox.deps.session_factory() as session:
        logged = session.scalars(
            select(Partner.name).join(PartnerTouch, PartnerTouch.partner_id == Partner.id)
            .where(PartnerTouch.logged_by == COORDINATOR)
        )  # fmt: skip
        assert list(logged) == ["Agency 047"]


def test_a_page_of_the_list_replaces_the_ephemeral_it_was_clicked_on(page: Any, sandbox: launch.Sandbox) -> None:
    seed(sandbox, many_units)
    act_as(page, CASE_MANAGER)
    open_channel(page, VACANCIES)
    type_in_composer(page, "/vacancy list")
    listing = page.locator(".message.ephemeral")
    expect(listing).to_have_count(1)
    first_page = listing.inner_text()
    listing.locator("button", has_text="Next").click()
    expect(listing.locator("button", has_text="Previous")).to_be_visible()
    expect(listing).to_have_count(1)  # the same ephemeral, now page 2, not a second one
    assert listing.inner_text() != first_page


def tiny_png() -> bytes:
    """A 2x2 PNG, made here (the tests fetch nothing)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xe6\x9f\x00" * 2 for _ in range(2))
    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def test_the_sandboxs_own_images_are_shown_and_others_are_their_alt_text(page: Any, sandbox: launch.Sandbox) -> None:
    bot = WebClient(token=sandbox.workspace.bot_token, base_url=sandbox.server.api_url)
    chart = bot.files_upload_v2(channel=VACANCIES, content=tiny_png(), filename="listed.png", title="Units listed",
                                alt_txt="Units listed by week", initial_comment="November's report")  # fmt: skip
    page_file = bot.files_upload_v2(channel=VACANCIES, content=b"<p>report</p>", filename="report.html",
                                    title="The report")  # fmt: skip
    elsewhere = "https://example.org/"
    ours = f"{sandbox.server.base_url}/files/{chart['files'][0]['id']}/listed.png"
    bot.chat_postMessage(channel=VACANCIES, text="images", blocks=[
        {"type": "image", "image_url": ours, "alt_text": "served here"},
        {"type": "image", "image_url": elsewhere + "chart.png", "alt_text": "a chart elsewhere"},
        {"type": "context", "elements": [{"type": "image", "image_url": elsewhere + "i.png", "alt_text": "icon"},
                                         {"type": "mrkdwn", "text": "from elsewhere"}]},
    ])  # fmt: skip
    act_as(page, CASE_MANAGER)
    open_channel(page, VACANCIES)
    uploaded = page.locator(".file img[alt='Units listed by week']")
    expect(uploaded).to_be_visible()
    assert uploaded.evaluate("img => img.naturalWidth") == 2  # the bytes the bot uploaded, from the sandbox
    report = page.locator(".file a", has_text="The report")
    expect(report).to_have_attribute("href", f"/files/{page_file['files'][0]['id']}/report.html")
    expect(page.locator("img.bk-image-full[alt='served here']")).to_have_count(1)
    expect(page.locator(".bk-image-alt", has_text="[image: a chart elsewhere]")).to_be_visible()
    expect(page.locator(".bk-context .bk-image-alt", has_text="[image: icon]")).to_be_visible()
    expect(page.locator("img[src^='https:']")).to_have_count(0)  # and the page fixture saw no request elsewhere
