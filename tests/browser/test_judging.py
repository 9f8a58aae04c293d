"""Blind judging in a real browser on the demo's campus contest (its preliminary round is open, both
demo judges assigned): a judge scores three entries with the keyboard only and declares a conflict;
then an organiser advances the top entry of each track and locks the round."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.async_api import expect

from tests.browser.conftest import LiveServer, screenshot, start_server
from tests.browser.helpers import JUDGE, ORGANISER, log_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A demo of its own: this module locks the campus round, in which other modules' judges still score."""
    server = start_server(tmp_path_factory.mktemp("judging"))
    yield server
    server.stop()

CONTEST = "campus-2026"


async def score_by_keyboard(page, values: list[str]) -> str:
    """Type each criterion's score, wait for every autosave, then submit with Enter; returns the alias."""
    alias = await page.text_content(".score-entry .alias")
    inputs = page.locator(".score-form .criterion input")
    await inputs.first.focus()
    for n, value in enumerate(values):
        await page.keyboard.type(value)
        await page.keyboard.press("Tab")
        await expect(page.locator(".score-form .criterion .save-status").nth(n)).to_have_text("已保存 ✓")
    await page.locator(".score-complete button").focus()
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    return alias


async def test_a_judge_scores_by_keyboard_and_declares_a_conflict_then_the_organiser_advances_and_locks(
        page, browser, live_server):
    await log_in(page, live_server, JUDGE)
    await page.goto(live_server.url("/judge/"))
    await page.locator(".judge-round", has_text="「匠心校园」").locator(".card-title a").click()
    queue_url = page.url
    total = await page.locator(".judge-queue-item").count()
    assert total == 6
    await screenshot(page, "judge-queue")
    await page.locator(".judge-queue-item a").first.click()
    await expect(page.locator(".score-pager .muted")).to_have_text(f"1 / {total}")
    await screenshot(page, "judge-score-page")

    scored = []
    for values in (["9", "8.5", "9"], ["6", "7", "5"], ["4", "3", "6"]):
        scored.append(await score_by_keyboard(page, values))
        await expect(page.locator(".flash")).to_contain_text(f"您对 {scored[-1]} 的评分已提交。")
    await expect(page.locator("[data-progress-scored]")).to_have_text("3")

    await page.keyboard.press("k")  # back to the third entry, by keyboard
    await expect(page.locator(".score-entry .alias")).to_have_text(scored[-1])
    await expect(page.locator(".score-panel .badge-submitted")).to_be_visible()
    await page.keyboard.press("j")
    await expect(page.locator(".score-pager .muted")).to_have_text(f"4 / {total}")
    conflicted = await page.text_content(".score-entry .alias")
    await page.locator(".conflict-box summary").focus()
    await page.keyboard.press("Enter")
    await page.fill("#f-reason", "作品风格像我指导过的学生")
    await screenshot(page, "judge-conflict")
    async with page.expect_navigation():
        await page.click(".conflict-form button[type=submit]")
    assert page.url == queue_url
    await expect(page.locator(".judge-queue-item")).to_have_count(total - 1)
    await expect(page.locator(".judge-queue")).not_to_contain_text(conflicted)
    await screenshot(page, "judge-queue-after-conflict")

    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    organiser = await context.new_page()
    await log_in(organiser, live_server, ORGANISER)
    await organiser.goto(live_server.url(f"/admin/c/{CONTEST}/rounds"))
    await organiser.click("table >> text=初评")
    round_url = organiser.url
    await organiser.click("text=进度")
    await expect(organiser.locator(".matrix .cell-complete[title]")).to_have_count(3)
    await expect(organiser.locator(".matrix .cell-conflict[title]")).to_have_count(1)
    await screenshot(organiser, "organiser-progress")
    await organiser.goto(round_url + "/results")
    # each entry this judge scored has its figure (other tests on the shared demo score with the other judge)
    for alias in scored:
        row = organiser.locator(".results-table > tbody > tr", has_text=alias)
        await expect(row.locator(":scope > td.figure")).to_have_text(re.compile(r"\d"))
    await screenshot(organiser, "organiser-results")
    await organiser.fill("#f-n", "1")
    await organiser.click("text=生成晋级方案")
    await expect(organiser.locator("text=确认：这些作品晋级")).to_be_visible()
    proposed = await organiser.locator("input[name=proposal]").get_attribute("value")
    assert len(proposed.split(",")) >= 1
    async with organiser.expect_navigation():
        await organiser.click("text=确认：这些作品晋级")
    await expect(organiser.locator(".flash")).to_contain_text("晋级下一轮")
    await expect(organiser.locator(".results-table .badge-submitted", has_text="已晋级")).to_have_count(
        len(proposed.split(",")))
    await organiser.check(".danger-zone input[name=confirm]")
    async with organiser.expect_navigation():
        await organiser.click("text=锁定本轮")
    await expect(organiser.locator(".page-header .badge-closed")).to_have_text("已锁定")
    await screenshot(organiser, "organiser-results-locked")
    await context.close()

    await page.goto(queue_url)
    await expect(page.locator(".page-header")).to_contain_text("只读")
