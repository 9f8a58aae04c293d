"""Paper as the fallback at the final, in browsers: the chair prints the blank score sheets (their text read
back: aliases and criteria, never a title), one judge scores on the phone while another's device has failed,
and the chair types that judge's paper sheet into the console. A wrong figure is refused with what was typed
kept; once entered, the console, the projector's count and the judge's own page follow."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pypdf
import pytest
from playwright.async_api import expect

from tests.browser.conftest import LiveServer, screenshot, start_with_state
from tests.browser.helpers import close_context, log_in, submit
from tests.browser.meeting_state import CHAIR, JUDGES, PASSWORD, SLUG, TITLES, judge_email

pytestmark = pytest.mark.browser
LIVE_WAIT_MS = 20_000  # as tests/browser/test_meeting.py: the live screens on a busy machine
DEFAULT_WAIT_MS = 5_000
PHONE = {"width": 390, "height": 844}
REASON = "李设计师的平板没电，改用纸质评分表"


@pytest.fixture(autouse=True)
def patient_with_live_screens() -> Iterator[None]:
    expect.set_options(timeout=LIVE_WAIT_MS)
    yield
    expect.set_options(timeout=DEFAULT_WAIT_MS)


@pytest.fixture(scope="module")
def paper_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = start_with_state(tmp_path_factory.mktemp("paper"), "meeting_state")
    yield server
    server.stop()


async def _phone(browser, server: LiveServer, key: str, path: str):
    context = await browser.new_context(viewport=PHONE, locale="zh-CN")
    page = await context.new_page()
    await page.goto(server.url(path))
    await page.fill("#f-email", judge_email(key))
    await page.fill("#f-password", PASSWORD)
    await submit(page, "main button[type=submit]")
    return context, page


async def _blank_sheets(chair, tmp_path) -> str:
    async with chair.expect_download() as download:
        await chair.click("#score-sheets-link")
    pdf = tmp_path / "sheets.pdf"
    await (await download.value).save_as(pdf)
    return "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.read_bytes())).pages)


async def test_the_chair_enters_a_judges_paper_sheet_in_the_meeting_console(page, browser, paper_server, tmp_path):
    chair, server = page, paper_server
    await log_in(chair, server, (CHAIR, PASSWORD))
    await chair.goto(server.url(f"/admin/c/{SLUG}/rounds"))
    await submit(chair, "table a:text-is('终评')")
    await submit(chair, "#meeting-link")
    sheets = await _blank_sheets(chair, tmp_path)
    for expected in ("纸质评分表", "创意", "工艺", "0–10 分", "评委签字", *JUDGES.values()):
        assert expected in sheets, expected
    assert not any(title in sheets for title in TITLES)  # blind: aliases only
    await submit(chair, "button:has-text('开启终评会')")
    round_id = re.search(r"/rounds/(\d+)/meeting", chair.url).group(1)
    screen_url = await chair.locator("#screen-link").get_attribute("href")
    await submit(chair, "#next-entry")
    alias = (await chair.locator(".chair-alias strong").inner_text()).strip()
    assert alias in sheets

    projector_context = await browser.new_context(viewport={"width": 1280, "height": 720}, locale="zh-CN")
    projector = await projector_context.new_page()
    await projector.goto(screen_url)
    phone_context, phone = await _phone(browser, server, "j1", f"/judge/r/{round_id}/live")
    for n, value in enumerate(("8", "9")):
        field = phone.locator("input[id^='f-criterion_']").nth(n)
        await field.fill(value)
        await field.press("Tab")
        await expect(phone.locator(".save-status").nth(n)).to_have_text("已保存 ✓")
    await submit(phone, "button:has-text('提交我的评分')")
    await expect(projector.locator(".stage-count")).to_contain_text("已有 1 位")

    waiting = chair.locator(".chair-judges li", has_text=JUDGES["j2"])
    await submit(chair, f".chair-judges li:has-text('{JUDGES['j2']}') a.paper-link")
    await expect(chair.locator("h1")).to_have_text("代录纸质评分表")
    await expect(chair.locator("#paper-judge")).to_have_text(JUDGES["j2"])
    inputs = chair.locator("input[id^='f-criterion_']")
    await inputs.nth(0).fill("7.5")
    await inputs.nth(1).fill("12")  # misread from the sheet: the scale is 0–10
    await chair.fill("#f-reason", REASON)
    await submit(chair, "#paper-submit")
    await expect(chair.locator(".field-error")).to_have_text("请输入评分范围内的数值。")
    await expect(inputs.nth(0)).to_have_value("7.5")
    await expect(chair.locator("#f-reason")).to_have_value(REASON)
    await screenshot(chair, "paper-sheet-refused")
    await inputs.nth(1).fill("6")
    await submit(chair, "#paper-submit")

    await expect(chair.locator(".flash-success")).to_contain_text("纸质评分表已代录")
    await expect(waiting.locator(".paper-mark")).to_contain_text(f"由主持人代录（纸质评分表）：{REASON}")
    await expect(chair.locator("[data-scored]")).to_contain_text("3 位评委中已有 2 位")
    await expect(projector.locator(".stage-count")).to_contain_text("已有 2 位")
    await screenshot(chair, "paper-sheet-console")

    paper_context, paper_phone = await _phone(browser, server, "j2", f"/judge/r/{round_id}/live")
    await expect(paper_phone).to_have_url(re.compile(f"/judge/r/{round_id}/{re.escape(alias)}$"))
    await expect(paper_phone.locator("#paper-note")).to_contain_text(REASON)
    await expect(paper_phone.locator("#paper-note")).to_contain_text("组委会秘书长")
    await expect(paper_phone.locator("input[id^='f-criterion_']").nth(1)).to_have_value("6")
    assert await paper_phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    await screenshot(paper_phone, "paper-sheet-judge-phone")
    await chair.set_viewport_size(PHONE)
    assert await chair.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    await screenshot(chair, "paper-sheet-console-phone")
    for context in (projector_context, phone_context, paper_context):
        await close_context(context)
