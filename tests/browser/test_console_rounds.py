"""The organiser's rounds as the calendar and the judges have them: judges keep the group they were
invited into, progress says the same thing to the judge and the organiser, a round locked early frees
the calendar, a deadline moved into the past asks first, and a short 公示 appears only once approved,
with each entry's cover image. Runs on its own small state (tests/browser/rounds_state.py), since
locking rounds and moving deadlines would change the demo under the other tests."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import expect

from tests.browser.conftest import LiveServer, screenshot, start_with_state
from tests.browser.helpers import log_in, submit
from tests.browser.rounds_state import ORGANISER, PASSWORD, TITLES, judge_email

pytestmark = pytest.mark.browser

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def rounds_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    work = tmp_path_factory.mktemp("rounds")
    server = start_with_state(work, "rounds_state")
    yield server
    server.stop()


async def open_round(page, server: LiveServer, slug: str, name: str) -> str:
    await page.goto(server.url(f"/admin/c/{slug}/rounds"))
    await submit(page, f"table a:text-is('{name}')")
    return page.url


def wall_clock(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")


async def test_a_judge_invited_into_a_group_sits_in_it_and_a_refused_add_says_so_at_the_top(page, rounds_server):
    await log_in(page, rounds_server, (ORGANISER, PASSWORD))
    await open_round(page, rounds_server, "rounds-a", "初评")
    panel = page.locator("article.console-card").first
    await panel.locator("select[name=judge]").select_option(label=f"评委 丙 · {judge_email('j3')}")
    await submit(page, "article.console-card >> nth=0 >> button:has-text('加入')")
    await expect(page.locator(".console-members li", has_text="评委 丙")).to_contain_text("专家评委")

    await page.locator("article.console-card").first.locator("select[name=judge]").select_option(
        label=f"评委 丁 · {judge_email('j4')}")
    await submit(page, "article.console-card >> nth=0 >> button:has-text('加入')")
    summary = page.locator(".error-summary")
    await expect(summary).to_be_in_viewport()
    await expect(summary).to_contain_text("权重为 1")
    await expect(page.locator("article.console-card").first.locator("select[name=judge]")).to_have_value(
        re.compile(r"\d+"))
    await screenshot(page, "console-round-member-needs-group", full_page=False)

    await page.locator("article.console-card").first.locator("select[name=judge]").select_option(
        label=f"评委 甲 · {judge_email('j1')}")
    await submit(page, "article.console-card >> nth=0 >> button:has-text('加入')")
    await expect(summary).to_be_in_viewport()
    await expect(summary).to_contain_text("该评委已在")


async def test_progress_means_submitted_for_judge_and_organiser_and_nobody_is_behind_before_the_round_opens(
        page, browser, rounds_server):
    await log_in(page, rounds_server, (judge_email("j1"), PASSWORD))
    await page.goto(rounds_server.url("/judge/"))
    await submit(page, ".judge-round:has-text('轮次测试大赛 A') .card-title a")
    await expect(page.locator(".page-header .judge-progress strong")).to_have_text("1 / 3")

    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    organiser = await context.new_page()
    await log_in(organiser, rounds_server, (ORGANISER, PASSWORD))
    round_url = await open_round(organiser, rounds_server, "rounds-a", "初评")
    await organiser.goto(round_url + "/progress")
    row = organiser.locator("table tr", has_text="评委 甲").first
    await expect(row.locator("td").first).to_have_text("1")
    await expect(organiser.locator(".matrix .cell-complete[title]")).to_have_count(4)
    await screenshot(organiser, "console-progress-open-round")

    final_url = await open_round(organiser, rounds_server, "rounds-a", "终评")
    await organiser.goto(final_url + "/progress")
    await expect(organiser.locator("table tr", has_text="评委 甲").first).to_contain_text("尚未开始")
    await expect(organiser.locator(".badge", has_text="进度落后")).to_have_count(0)
    await expect(organiser.locator("text=提醒进度落后的评委")).to_have_count(0)
    await screenshot(organiser, "console-progress-before-opening")
    await context.close()


async def test_the_advance_proposal_lists_titles_beside_aliases(page, rounds_server):
    await log_in(page, rounds_server, (ORGANISER, PASSWORD))
    round_url = await open_round(page, rounds_server, "rounds-a", "初评")
    await page.goto(round_url + "/results")
    await page.fill("#f-n", "1")
    await page.click("text=生成晋级方案")
    proposal = page.locator("[role=status]:has(input[name=proposal])")
    await expect(proposal).to_contain_text(re.compile("|".join(TITLES)))
    await expect(proposal.locator(".alias").first).to_have_text(re.compile(r"\S+"))
    await screenshot(page, "console-advance-proposal")


async def test_locking_a_round_early_lets_the_next_one_start_now(page, rounds_server):
    await log_in(page, rounds_server, (ORGANISER, PASSWORD))
    round_url = await open_round(page, rounds_server, "rounds-b", "初评")
    await page.goto(round_url + "/results")
    await page.check(".danger-zone input[name=confirm]")
    await submit(page, ".danger-zone button[type=submit]")
    await expect(page.locator(".page-header .badge-closed")).to_be_visible()

    await open_round(page, rounds_server, "rounds-b", "终评")
    start = wall_clock(datetime.now(SHANGHAI))
    await page.fill("#f-opens_at", start)
    await submit(page, "form[action$='/settings'] button[type=submit]")
    await expect(page.locator(".flash-list")).to_contain_text("已保存")
    await expect(page.locator("#f-opens_at")).to_have_value(start)


async def test_moving_the_deadline_before_entries_came_in_asks_first(page, rounds_server):
    await log_in(page, rounds_server, (ORGANISER, PASSWORD))
    await page.goto(rounds_server.url("/admin/c/rounds-b/settings"))
    stored = await page.input_value("#c-submissions_close_at")
    earlier = wall_clock(datetime.fromisoformat(stored).replace(tzinfo=SHANGHAI) - timedelta(days=7))
    await page.fill("#c-submissions_close_at", earlier)
    await submit(page, "form[action$='/settings'] button[type=submit]")
    await expect(page.locator(".confirm-summary")).to_be_in_viewport()
    await expect(page.locator(".confirm-summary")).to_contain_text("2 件")
    warning = page.locator("form[action$='/settings'] .flash-warning")
    await expect(warning).to_contain_text("2 件")
    await expect(page.locator("#c-submissions_close_at")).to_have_value(earlier)
    await screenshot(page, "console-deadline-confirm", full_page=False)

    await warning.locator("input[name=confirm]").check()
    await submit(page, "form[action$='/settings'] button[type=submit]")
    await expect(page.locator(".flash-list")).to_contain_text("已保存")
    await expect(page.locator("#c-submissions_close_at")).to_have_value(earlier)


async def test_a_short_notice_is_public_only_once_approved_and_shows_each_cover(page, browser, rounds_server):
    await log_in(page, rounds_server, (ORGANISER, PASSWORD))
    await page.goto(rounds_server.url("/admin/c/rounds-c/settings"))
    await page.fill("#c-notice_days", "0.25")
    await submit(page, "form[action$='/settings'] button[type=submit]")
    await expect(page.locator(".flash-list")).to_contain_text("已保存")

    context = await browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    public = await context.new_page()
    response = await public.goto(rounds_server.url("/c/rounds-c/notice"))
    assert response.status == 404

    await page.goto(rounds_server.url("/admin/c/rounds-c/objections"))
    await expect(page.locator(".notice-state")).to_contain_text("尚未批准")
    await submit(page, "button[formaction$='/notice/approve']")
    await expect(page.locator(".notice-state")).to_contain_text("已批准")

    response = await public.goto(rounds_server.url("/c/rounds-c/notice"))
    assert response.status == 200
    await expect(public.locator(".page-header")).to_contain_text("6 小时")
    covers = public.locator(".notice-line img.notice-cover")
    await expect(covers).to_have_count(2)
    for n in range(2):
        await expect(covers.nth(n)).to_have_js_property("complete", True)
        assert await covers.nth(n).evaluate("img => img.naturalWidth") > 0
    await screenshot(public, "public-notice-covers")
    await context.close()
