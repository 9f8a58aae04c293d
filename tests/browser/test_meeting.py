"""A whole small final meeting in separate browsers: the chair's console, the projector on the room's screen
and three judges on phones. The judges follow the chair entry by entry (each joins through the QR code's
link and logs in on the way), the pitch timer runs, one entry is reopened with a reason, a tie is put to
the panel's vote judge by judge, and the lock gives the signed sheet (its text read back). A judge who
loses the page mid-entry comes back to the score they had saved. Then the committee confirms the grades
and the ceremony's 公布 press lifts the embargo: the gallery is a missing page until that moment."""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest
from playwright.async_api import expect

from tests.browser.conftest import LiveServer, screenshot, start_with_state
from tests.browser.helpers import close_context, log_in, submit
from tests.browser.meeting_state import CHAIR, JUDGES, PASSWORD, SLUG, TITLES, judge_email

pytestmark = pytest.mark.browser
# The projector and the chair's page change through the live stream, which reads the meeting's state from the
# database; with two browser suites and five Chromium contexts on two busy cores a change took over Playwright's
# default 5 s to arrive (CI, 2026-12-07: all three judges had submitted, the projector still said 1 of 3). What is
# asserted stays the same; only how long a busy machine may take to show it.
LIVE_WAIT_MS = 20_000
DEFAULT_WAIT_MS = 5_000


@pytest.fixture(autouse=True)
def patient_with_live_screens() -> Iterator[None]:
    expect.set_options(timeout=LIVE_WAIT_MS)
    yield
    expect.set_options(timeout=DEFAULT_WAIT_MS)

PHONE = {"width": 390, "height": 844}
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(scope="module")
def meeting_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    work = tmp_path_factory.mktemp("meeting")
    server = start_with_state(work, "meeting_state")
    yield server
    server.stop()


async def _open(browser, viewport: dict[str, int]):
    context = await browser.new_context(viewport=viewport, locale="zh-CN")
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return context, page, errors


async def _judge_joins_by_the_qr_link(browser, server: LiveServer, join_url: str, key: str):
    context, page, errors = await _open(browser, PHONE)
    await page.goto(join_url)  # not logged in: the log-in comes first, then the meeting
    await page.fill("#f-email", judge_email(key))
    await page.fill("#f-password", PASSWORD)
    await submit(page, "main button[type=submit]")
    await expect(page.locator(".live-bar")).to_contain_text("等待主持人")
    return context, page, errors


async def _score(judge, values: tuple[str, str], *, submit_it: bool = True) -> None:
    inputs = judge.locator("input[id^='f-criterion_']")
    for n, value in enumerate(values):
        if not value:
            continue
        await inputs.nth(n).fill(value)
        await inputs.nth(n).press("Tab")
        await expect(judge.locator(".save-status").nth(n)).to_have_text("已保存 ✓")
    if submit_it:
        await submit(judge, "button:has-text('提交我的评分')")
        await expect(judge.locator(".badge-submitted")).to_be_visible()


async def _everyone_scores(judges, projector, chair, values: tuple[str, str]) -> None:
    for judge in judges:
        await _score(judge, values)
    await expect(projector.locator(".stage-count")).to_contain_text(f"已有 {len(judges)} 位")
    await expect(chair.locator("#reveal-button")).to_be_enabled()
    await submit(chair, "#reveal-button")
    await expect(projector.locator(".stage-figures")).to_be_visible()


async def _next(chair, projector, judges, n: int) -> tuple[str, str]:
    """The chair puts the n-th entry on screen; (its alias, its title) as the projector shows them."""
    await submit(chair, "#next-entry")
    await expect(projector.locator(".stage-kicker")).to_contain_text(f"第 {n} 件")
    alias = await projector.locator(".stage-alias").inner_text()
    title = await projector.locator(".stage-title").inner_text()
    for judge in judges:  # every judge's phone follows the chair by itself
        await expect(judge).to_have_url(re.compile(f"/judge/r/\\d+/{re.escape(alias)}$"))
        await expect(judge.locator(".score-entry .alias")).to_contain_text(alias)
    return alias, title


async def _vote(chair, judges, alias: str, grade: str) -> None:
    row = chair.locator("#standings tr", has=chair.locator("td.alias", has_text=alias))
    await row.locator("summary").click()
    await submit(chair, f"#standings tr:has(td.alias:text-is('{alias}')) button:has-text('发起表决')")
    for judge in judges:
        bar = judge.locator(".live-vote")
        await expect(bar).to_contain_text(f"表决 {alias} 的等次")
        await submit(judge, f".live-vote button:has-text('{grade}')")
        await expect(judge.locator(".live-vote button[aria-pressed=true]")).to_have_text(grade)
    tally = chair.locator(".chair-vote tr", has=chair.locator("th", has_text=grade))
    await expect(tally.locator("td[data-ballots]")).to_have_text(str(len(judges)))
    await submit(chair, f".chair-vote tr:has(th:text-is('{grade}')) button")


async def test_a_whole_small_meeting_from_the_first_entry_to_the_signed_sheet(page, browser, meeting_server, tmp_path):
    chair, server = page, meeting_server
    await log_in(chair, server, (CHAIR, PASSWORD))
    await chair.goto(server.url(f"/admin/c/{SLUG}/rounds"))
    await submit(chair, "table a:text-is('终评')")
    await submit(chair, "#meeting-link")
    await chair.fill("#f-pitch", "5")
    await chair.fill("#f-questions", "3")
    await submit(chair, "button:has-text('开启终评会')")
    screen_url = await chair.locator("#screen-link").get_attribute("href")
    round_id = re.search(r"/rounds/(\d+)/meeting", chair.url).group(1)

    projector_context, projector, projector_errors = await _open(browser, {"width": 1920, "height": 1080})
    await projector.goto(screen_url)
    await expect(projector.locator(".stage-idle h1")).to_have_text("终评即将开始")
    assert await projector.locator(".screen-join svg").count() == 1  # the QR code judges scan
    opened = [await _judge_joins_by_the_qr_link(browser, server, server.url(f"/judge/r/{round_id}/live"), key)
              for key in JUDGES]
    judges = [judge for _, judge, _ in opened]

    _, first = await _next(chair, projector, judges, 1)
    assert first in TITLES
    await submit(chair, "#timer-button")
    await expect(projector.locator(".stage-timer")).to_contain_text(re.compile(r"陈述 0[45]:\d\d"))
    assert await projector.locator(".stage-identity").count() == 0  # the round hides identities
    await expect(projector.locator("body")).not_to_contain_text("设计师1")
    for judge in judges[:2]:
        await _score(judge, ("9", "9"))
    await _score(judges[2], ("9", ""), submit_it=False)
    await judges[2].reload()  # the phone lost the page mid-entry: what it saved is there
    await expect(judges[2].locator("input[id^='f-criterion_']").first).to_have_value("9")
    await expect(chair.locator("#reveal-button")).to_be_disabled()
    await _score(judges[2], ("", "9"))
    await expect(chair.locator("#reveal-button")).to_be_enabled()
    await submit(chair, "#reveal-button")
    await expect(projector.locator(".stage-figure")).to_have_text("90.00")
    shutil.copy(await screenshot(projector, "meeting-projector", full_page=False), DOCS / "meeting-projector.png")

    chair_row = chair.locator(".meeting-order li", has_text=first)
    await chair_row.locator("summary").click()
    await chair_row.locator("input[name=reason]").fill("评委对工艺分有异议，重新评分")
    await submit(chair, f".meeting-order li:has-text('{first}') button:has-text('重新开启')")
    await expect(projector.locator(".stage-figures")).to_have_count(0)
    for judge in judges:  # reopened: the page reloads editable
        await expect(judge.locator("input[id^='f-criterion_']").first).to_be_editable()
    await _everyone_scores(judges, projector, chair, ("8", "7"))
    await expect(projector.locator(".stage-figure")).to_have_text("75.00")

    for n in (2, 3):  # the two tie
        await _next(chair, projector, judges, n)
        await _everyone_scores(judges, projector, chair, ("7", "7"))
    await chair.reload()
    contested = chair.locator("#standings tr.is-contested td.alias")
    await expect(contested).to_have_count(2)
    second, third = await contested.nth(0).inner_text(), await contested.nth(1).inner_text()
    titles = chair.locator("#standings tr.is-contested td:nth-child(3)")
    second_title, third_title = await titles.nth(0).inner_text(), await titles.nth(1).inner_text()
    await _vote(chair, judges, second, "二等奖")
    await expect(projector.locator(".stage-vote")).to_contain_text("二等奖")
    await _vote(chair, judges, third, "三等奖")
    await screenshot(chair, "meeting-chair-console")
    shutil.copy(await screenshot(judges[0], "meeting-judge-phone"), DOCS / "meeting-judge-phone.png")

    await submit(chair, "#lock-button")
    await expect(chair.locator("#locked-note")).to_contain_text("审计链头")
    head = re.search(r"(\d+:[0-9a-f]{64})", await chair.locator("#locked-note").inner_text()).group(1)
    await expect(projector.locator(".stage-idle h1")).to_have_text("终评已结束")
    async with chair.expect_download() as download:
        await chair.click("#sheet-link")
    pdf = tmp_path / "sheet.pdf"
    await (await download.value).save_as(pdf)
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.read_bytes())).pages)
    for expected in ("终评会评审结果签字表", "工会文创设计大赛", *TITLES, second, third, "一等奖", "二等奖（表决）",
                     "三等奖（表决）", "评委对工艺分有异议，重新评分", head, "主持人签字", *JUDGES.values()):
        assert expected in text, expected
    assert not any(f"设计师{n}" in text for n in (1, 2, 3))  # the sheet names entries, not their designers

    for context, _, errors in [(projector_context, projector, projector_errors), *opened]:
        assert errors == []
        await close_context(context)
    await _ceremony(browser, chair, server, winners={first: "一等奖", second_title: "二等奖", third_title: "三等奖"})


async def _ceremony(browser, chair, server: LiveServer, winners: dict[str, str]) -> None:
    """The committee confirms the meeting's grades; the ceremony reveals them and its press announces."""
    visitor_context, visitor, _ = await _open(browser, {"width": 1280, "height": 900})
    assert (await visitor.goto(server.url(f"/c/{SLUG}/gallery"))).status == 404
    await chair.goto(server.url(f"/admin/c/{SLUG}/awards"))
    await chair.check("input[name=confirm]")
    await submit(chair, "button:has-text('确认获奖等次')")
    await chair.set_viewport_size({"width": 1600, "height": 900})
    await chair.goto(server.url(f"/admin/c/{SLUG}/ceremony"))
    await expect(chair.locator("[data-ready]")).to_contain_text("全部就绪", timeout=30_000)
    shown: dict[str, str] = {}
    for _ in range(await chair.locator("[data-slide]").count() - 1):
        await chair.keyboard.press("ArrowRight")
        winner = chair.locator(".slide-winner.is-current")
        if await winner.count():
            shown[await winner.locator(".winner-title").inner_text()] = await winner.locator(".winner-badge").inner_text()
    assert shown == winners
    await screenshot(chair, "meeting-ceremony-end", full_page=False)
    assert (await visitor.goto(server.url(f"/c/{SLUG}/gallery"))).status == 404  # the last slide announces nothing
    async with chair.expect_navigation():
        await chair.click("[data-press]")
    await expect(chair.locator(".slide-end .slide-headline")).to_have_text("结果已公布")
    assert (await visitor.goto(server.url(f"/c/{SLUG}/gallery"))).status == 200
    for title in winners:
        await expect(visitor.locator("main")).to_contain_text(title)
    await close_context(visitor_context)
