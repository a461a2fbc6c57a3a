"""The local workspace's page, used as a person would: typing commands, filling and submitting modals, clicking
cards as someone else, moving the clock, and reading what Porchlight posts as it arrives (no reload)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import keep_for_docs

VACANCIES, SHARED, GENERAL, ESCALATIONS = "C0VACANCIES", "C0SHARED", "C0GENERAL", "C0ESCALATE"
CASE_MANAGER, RSC, COORDINATOR, PARTNER_PM, STRANGER = "U0CASEMGR", "U0RSC", "U0COORD", "W0PARTNERPM", "W0STRANGER"


def act_as(page: Any, user: str) -> None:
    page.select_option("#person", user)
    expect(page.locator("#sidebar .me")).to_contain_text(page.locator(f"#person option[value={user}]").inner_text()
                                                        .split(" (")[0])  # fmt: skip


def open_channel(page: Any, channel: str) -> None:
    page.click(f".channel[data-id={channel}]")
    expect(page.locator(f".channel.active[data-id={channel}]")).to_be_visible()


def type_in_composer(page: Any, text: str) -> None:
    page.fill("#compose", text)
    page.press("#compose", "Enter")


def card(page: Any, unit: str) -> Any:
    return page.locator(".message.bot").filter(has=page.locator(".bk-header", has_text=f"#{unit}")).last


def field(modal: Any, block_id: str, kind: str = "input") -> Any:
    return modal.locator(f"[data-block-id='{block_id}'] {kind}").first


def test_log_a_unit_fix_the_rent_mark_it_filled_and_see_the_deadline_reminders(page: Any, screenshots: Path) -> None:
    act_as(page, CASE_MANAGER)
    open_channel(page, VACANCIES)
    expect(card(page, "12B")).to_contain_text("referral pending")  # the demo's board is there
    page.screenshot(path=screenshots / "01-board.png")

    # /vacancy opens the form; a rent that is not a number comes back under the rent, and the form stays open.
    type_in_composer(page, "/vacancy")
    modal = page.locator(".modal[data-callback-id=vacancy_new]")
    expect(modal).to_be_visible()
    field(modal, "property_id", "select").select_option(label="Maple Court")
    field(modal, "unit").fill("7C")
    field(modal, "bedrooms").fill("2")
    field(modal, "rent").fill("twelve hundred")
    field(modal, "available_on").fill("2026-12-01")
    field(modal, "contact").fill("Leasing office")
    modal.locator(".modal-submit").click()
    expect(modal.locator("[data-block-id=rent] .input-error")).to_be_visible()
    expect(modal.locator(".input-error")).to_have_count(1)
    expect(field(modal, "unit")).to_have_value("7C")  # what was typed is still there
    page.screenshot(path=screenshots / "02-bad-rent.png")

    # Fixed, it is stored and its card appears on the board without a reload; the submitter gets the link.
    field(modal, "rent").fill("1200")
    modal.locator(".modal-submit").click()
    expect(modal).to_be_hidden()
    expect(card(page, "7C")).to_contain_text("$1,200/month")
    expect(page.locator(".message.ephemeral").last).to_contain_text("7C")
    page.screenshot(path=screenshots / "03-card.png")

    # The external company's property manager, in the channel shared with them, marks it filled.
    act_as(page, PARTNER_PM)
    open_channel(page, SHARED)
    expect(page.locator("#channel-head")).to_contain_text("Shared with Maple Management")
    card(page, "7C").locator("button[data-action-id=vacancy_fill]").click()
    expect(card(page, "7C")).to_contain_text("Filled")
    expect(card(page, "7C").locator("button[data-action-id=vacancy_fill]")).to_have_count(0)
    page.screenshot(path=screenshots / "04-filled.png")

    # 48 business hours later, the referral waiting since the demo began has had both of its reminders: the
    # managers in the card's thread, the coordinator by DM.
    page.click(".clock-move[data-move='48bh']")
    expect(page.locator("#now")).to_contain_text("Wed 25 Nov 2026 09:01")
    waiting = card(page, "12B")
    expect(waiting.locator(".replies")).to_be_visible()
    waiting.locator(".replies").click()
    expect(page.locator("#thread")).to_contain_text("has waited 24")
    page.screenshot(path=screenshots / "05-reminder-in-thread.png")
    act_as(page, COORDINATOR)
    page.click(".channel >> text=Porchlight")
    expect(page.locator("#messages")).to_contain_text("no answer for 48 business hours")
    page.screenshot(path=screenshots / "06-coordinator-dm.png")


def test_a_stale_listing_is_asked_about_and_answered_from_its_thread(page: Any, screenshots: Path) -> None:
    act_as(page, PARTNER_PM)
    open_channel(page, SHARED)
    stale = card(page, "3A")
    stale.locator(".replies").click()  # the daily check ran at 9:00: the demo's 3A is a week unconfirmed
    thread = page.locator("#thread")
    expect(thread).to_contain_text("still available")
    thread.locator("button[data-action-id=vacancy_still_available]").click()
    expect(card(page, "3A")).to_contain_text("last confirmed Mon 23 Nov 2026")
    page.screenshot(path=screenshots / "07-still-available.png")


def test_the_home_tab_and_a_withdrawal_behind_its_confirm_dialog(page: Any) -> None:
    act_as(page, COORDINATOR)
    page.click(".channel >> text=Porchlight")
    page.click(".tab[data-tab=home]")
    expect(page.locator("#home")).to_contain_text("Oak Terrace")
    open_channel(page, VACANCIES)
    withdraw = card(page, "101").locator("button[data-action-id=vacancy_withdraw]")
    withdraw.click()
    dialog = page.locator(".modal.confirm")
    expect(dialog).to_contain_text("Withdraw this listing?")
    dialog.locator(".confirm-deny").click()  # "Keep it": nothing is sent
    expect(dialog).to_have_count(0)
    withdraw.click()
    page.locator(".modal.confirm .confirm-yes").click()
    expect(card(page, "101")).to_contain_text("Withdrawn")


def test_someone_of_an_unknown_workspace_is_told_no_and_no_form_opens(page: Any) -> None:
    act_as(page, STRANGER)
    open_channel(page, "C0COMMUNITY")
    expect(page.locator("#channel-head")).to_contain_text("Shared with Unknown workspace")
    type_in_composer(page, "/vacancy")
    expect(page.locator(".message.ephemeral").last).to_be_visible()
    expect(page.locator(".modal")).to_have_count(0)


def test_text_is_shown_as_text_and_mrkdwn_minimally(page: Any) -> None:
    act_as(page, CASE_MANAGER)
    open_channel(page, GENERAL)
    type_in_composer(page, "<img src=x onerror=alert(1)> *bold* _it_ `code` &lt;b&gt; <https://example.org|a>")
    message = page.locator("#messages .message .msg-body").last
    expect(message).to_contain_text("<img src=x onerror=alert(1)>")  # typed text is escaped, as Slack's client does
    expect(message).to_contain_text("&lt;b&gt; <https://example.org|a>")
    expect(message.locator("b")).to_have_text("bold")
    expect(message.locator("i")).to_have_text("it")
    expect(message.locator("code")).to_have_text("code")
    expect(message.locator("img, a")).to_have_count(0)
    # Porchlight's own mrkdwn: a mention by name, a channel link that opens the channel.
    open_channel(page, VACANCIES)
    expect(card(page, "12B").locator(".mention")).to_have_text("@casey.manager")


def test_the_external_pm_raises_an_issue_and_the_weekly_agenda_lists_it(page: Any, screenshots: Path) -> None:
    # The external company's property manager, in the channel shared with them, uses Porchlight's message there.
    act_as(page, PARTNER_PM)
    open_channel(page, SHARED)
    hub = page.locator(".message.bot").filter(has=page.locator("button[data-action-id=escalation_raise]")).last
    hub.locator("button[data-action-id=escalation_raise]").click()
    modal = page.locator(".modal[data-callback-id=escalation_new]")
    expect(modal).to_be_visible()
    expect(field(modal, "property_id", "select")).to_have_value(re.compile(r"\d+"))  # their property, chosen
    expect(field(modal, "property_id", "select").locator("option:checked")).to_have_text("Maple Court")
    field(modal, "category", "select").select_option(label="Maintenance / repair")
    expect(modal).to_contain_text("work order")  # the form is updated in place with the repair note on top
    field(modal, "other_party", "select").select_option(RSC)
    field(modal, "what_happened", "textarea").fill("The heating in 12B has been out for a week.")
    field(modal, "tried", "textarea").fill("A work order was opened on Monday; no answer yet.")
    modal.locator("[data-block-id=roi] input[value=no]").check()
    page.screenshot(path=screenshots / "08-raise-an-issue.png")
    modal.locator(".modal-submit").click()
    expect(modal).to_be_hidden()
    # The shared channel only ever sees the case number and its status.
    expect(page.locator("#messages")).to_contain_text("Escalation E-2: Open.")

    # The coordinator sees the case's card in the escalation channel, and takes it.
    act_as(page, COORDINATOR)
    open_channel(page, ESCALATIONS)
    case = page.locator(".message.bot").filter(has=page.locator(".bk-header", has_text="E-2")).last
    expect(case).to_contain_text("The heating in 12B has been out for a week.")
    page.screenshot(path=screenshots / "09-case-card.png")
    case.locator("button[data-action-id=escalation_acknowledge]").click()
    expect(case).to_contain_text("Acknowledged")

    # The demo's Maple Court check-in meets on Wednesday at 10:00: the clock moved to it, its agenda appears in the
    # shared channel without a reload, with the demo's items and both open escalations by case number only.
    act_as(page, PARTNER_PM)
    open_channel(page, SHARED)
    page.click(".clock-move[data-move='job:checkin.agenda']")
    expect(page.locator("#now")).to_contain_text("Wed 25 Nov 2026 10:01")
    agenda = page.locator(".message.bot").filter(has_text="Check-in agenda").last
    expect(agenda).to_contain_text("Resident nonpayment / arrears")
    expect(agenda).to_contain_text("E-1")
    expect(agenda).to_contain_text("E-2")
    expect(agenda).not_to_contain_text("heating")  # what happened stays in the escalation channel
    agenda.scroll_into_view_if_needed()
    shot = screenshots / "10-agenda.png"
    page.screenshot(path=shot)
    keep_for_docs(shot, "sandbox.png")
