"""The designer's entry form keeps what was typed, tells the truth about saving, submitting and
withdrawing, shows closed contests and entries as closed, and remembers the entrant's profile."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image, ImageDraw
from playwright.async_api import expect

from tests.browser.conftest import screenshot
from tests.browser.helpers import DESIGNER, log_in

pytestmark = pytest.mark.browser

OPEN_SLUG, CLOSED_SLUG = "renmin-2026", "campus-2026"
PREVENTED = ("() => { const e = new Event('beforeunload', {cancelable: true}); dispatchEvent(e); "
             "return e.defaultPrevented; }")
ALLOWED = PREVENTED.replace("return e.defaultPrevented", "return !e.defaultPrevented")


@pytest.fixture(scope="module")
def one_design(tmp_path_factory) -> str:
    image = Image.new("RGB", (1200, 800), (30, 90, 160))
    ImageDraw.Draw(image).ellipse((300, 200, 900, 600), fill=(250, 245, 235))
    path = tmp_path_factory.mktemp("design") / "团队设计.jpg"
    image.save(path, "JPEG", quality=85)
    return str(path)


async def new_draft(page, live_server, track: str = "工运IP赛道") -> str:
    await page.goto(live_server.url(f"/me/c/{OPEN_SLUG}/new"))
    await page.check(f"label.track-choice:has-text('{track}') input")
    async with page.expect_navigation():
        await page.click("main button[type=submit]")
    return page.url


async def open_entry_of(page, live_server, contest_title: str, state: str) -> None:
    await page.goto(live_server.url("/me/"))
    card = page.locator(f"article.entry-card:has(.badge-{state}):has-text('{contest_title}')").first
    async with page.expect_navigation():
        await card.locator("h2 a").click()


async def test_the_draft_autosaves_while_typing_and_survives_a_reload(page, live_server):
    await log_in(page, live_server, DESIGNER)
    await new_draft(page, live_server)
    await page.fill("#f-title", "自动保存的标题")
    await page.fill("#f-concept", "手机上先写文字，再加图片。")
    await expect(page.locator("#autosave-status")).to_contain_text("已自动保存", timeout=15_000)
    await page.reload()
    await expect(page.locator("#f-title")).to_have_value("自动保存的标题")
    await expect(page.locator("#f-concept")).to_have_value("手机上先写文字，再加图片。")


async def test_text_typed_before_the_autosave_script_arrived_is_saved_all_the_same(page, live_server):
    """On a slow line a designer types while autosave.js is still on its way: once there, it saves what was typed
    instead of taking it for the draft the server holds."""
    await log_in(page, live_server, DESIGNER)
    await new_draft(page, live_server)
    script = re.compile(r"/designer/js/autosave\.js")
    arrived = asyncio.Event()

    async def late(route) -> None:
        await arrived.wait()
        await route.continue_()

    await page.route(script, late)
    await page.reload(wait_until="commit")  # the page's load waits for its deferred scripts
    await page.fill("#f-title", "脚本到达前写下的标题")
    arrived.set()
    await expect(page.locator("#autosave-status")).to_contain_text("已自动保存", timeout=15_000)
    await page.unroute(script)
    posts: list[str] = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    await page.reload()
    await expect(page.locator("#f-title")).to_have_value("脚本到达前写下的标题")
    await page.evaluate("new Promise(done => setTimeout(done, 50))")  # after the script's own first turn
    assert posts == []  # a page as the server sent it is not saved again


async def test_leaving_with_unsaved_changes_is_warned_until_they_are_saved(page, live_server):
    await log_in(page, live_server, DESIGNER)
    await new_draft(page, live_server)
    assert await page.evaluate(PREVENTED) is False
    await page.context.set_offline(True)
    await page.fill("#f-title", "离线时写下的标题")
    await expect(page.locator("#autosave-status")).to_contain_text("自动保存失败", timeout=15_000)
    assert await page.evaluate(PREVENTED) is True
    await page.context.set_offline(False)
    await page.fill("#f-title", "联网后写下的标题")
    await page.wait_for_function(ALLOWED, timeout=15_000)
    await expect(page.locator("#autosave-status")).to_contain_text("已自动保存")
    await page.reload()
    await expect(page.locator("#f-title")).to_have_value("联网后写下的标题")


async def test_a_team_entry_submits_on_the_first_click_and_submitting_again_tells_the_truth(page, live_server,
                                                                                           one_design):
    await log_in(page, live_server, DESIGNER)
    await new_draft(page, live_server)
    await page.set_input_files("#f-files-boards", one_design)
    await expect(page.locator(".image-item")).to_have_count(1, timeout=60_000)
    await page.fill("#f-title", "团队作品")
    await page.fill("#f-concept", "三个人一起做的铆钉精灵。")
    await page.fill("#f-character_name", "铆钉三兄弟")
    await page.fill("#f-worldview", "一颗铆钉见证百年工运。")
    await page.select_option("#f-entrant_kind", "team")
    await page.fill("#f-member_name_0", "张文")
    await page.fill("#f-member_name_1", "李想")
    await page.check("input[name=originality]")
    await page.check("input[name=ip_terms]")
    async with page.expect_navigation():
        await page.click("button[value=submit]")
    assert page.url.endswith("/receipt"), await page.locator("main").inner_text()

    async with page.expect_navigation():
        await page.click("a:has-text('返回作品')")
    await page.fill("#f-concept", "改写后的设计说明：铆钉三兄弟走进社区。")
    await page.check("input[name=originality]")
    await page.check("input[name=ip_terms]")
    async with page.expect_navigation() as navigation:
        await page.click("button:has-text('保存并重新提交')")
    assert (await navigation.value).status == 200
    assert page.url.endswith("/receipt")
    await expect(page.locator(".flash-list")).to_contain_text("修改已保存并重新提交")
    await expect(page.locator("#earlier-title")).to_be_visible()
    await screenshot(page, "designer-resubmitted")


async def test_withdrawing_asks_first_says_it_can_be_undone_and_can_be_undone(page, live_server):
    await log_in(page, live_server, DESIGNER)
    entry_url = await new_draft(page, live_server)
    await page.fill("#f-title", "将要撤回的作品")
    async with page.expect_navigation():
        await page.click("button[value=save]")
    await expect(page.locator(".danger-zone")).to_contain_text("截止前可以恢复")
    await screenshot(page, "designer-draft-form")
    page.once("dialog", lambda dialog: dialog.dismiss())
    await page.click(".danger-zone button")
    await expect(page.locator(".badge-draft").first).to_be_visible()
    assert page.url == entry_url

    async with page.expect_event("dialog") as asked:
        page.once("dialog", lambda dialog: dialog.accept())
        await page.click(".danger-zone button")
    assert "截止前可以恢复" in (await asked.value).message
    await page.wait_for_url(live_server.url("/me/"))
    await page.goto(entry_url)
    await expect(page.locator(".badge-withdrawn")).to_be_visible()
    async with page.expect_navigation():
        await page.click(".danger-zone button:has-text('恢复为草稿')")
    await expect(page.locator(".badge-draft")).to_be_visible()


async def test_a_closed_entry_in_judging_says_so_at_the_top_and_cannot_be_edited_or_withdrawn(page, live_server):
    await log_in(page, live_server, DESIGNER)
    await open_entry_of(page, live_server, "匠心校园", "submitted")
    notice = page.locator(".closed-notice")
    await expect(notice).to_contain_text("投稿已截止")
    first_section = await page.locator("#files").bounding_box()
    assert (await notice.bounding_box())["y"] < first_section["y"]
    for field in ("#f-title", "#f-concept", "#f-entrant_kind", "input[name=originality]"):
        await expect(page.locator(field)).not_to_be_editable()
    await expect(page.locator(".danger-zone")).to_contain_text("评审已经开始，作品不能再撤回")
    assert await page.locator(".danger-zone button").count() == 0
    await screenshot(page, "designer-closed-entry")


async def test_a_closed_contest_offers_no_track_picker(page, live_server):
    await log_in(page, live_server, DESIGNER)
    await page.goto(live_server.url(f"/me/c/{CLOSED_SLUG}/new"))
    await expect(page.locator("main")).to_contain_text("投稿已截止")
    assert await page.locator("input[name=track]").count() == 0
    assert "草稿已保存" not in await page.locator("main").inner_text()


async def test_past_deadlines_read_closed_never_zero_countdowns(page, live_server):
    await log_in(page, live_server, DESIGNER)
    await page.goto(live_server.url("/me/"))
    closed = page.locator("article.entry-card:has-text('匠心校园') .countdown").first
    await expect(closed).to_contain_text("已截止")
    # no ticking "00:00:00" (the deadline's own time, e.g. 00:08 Beijing time, is not a countdown)
    assert not re.search(r"\d\d:\d\d:\d\d", await closed.inner_text())
    await screenshot(page, "designer-dashboard-deadlines")
    served = await (await page.request.get(live_server.url("/me/"))).text()
    assert served.count("已截止") >= 1
    open_card = page.locator("article.entry-card:has-text('百年工运」文创设计大赛（2026）')").first
    await expect(open_card.locator(".countdown-value").first).to_be_visible()


async def test_a_countdown_that_runs_out_reads_closed(page, live_server):
    await log_in(page, live_server, DESIGNER)
    await page.clock.install(time=datetime.now(UTC) + timedelta(days=60))  # past this year's deadline
    await page.goto(live_server.url("/me/"))
    open_card = page.locator("article.entry-card:has-text('百年工运」文创设计大赛（2026）')").first
    await expect(open_card.locator(".countdown")).to_contain_text("已截止")
    assert await open_card.locator(".countdown-value").count() == 0


async def test_the_profile_is_entered_once_and_offered_for_the_next_entry(page, live_server):
    await log_in(page, live_server, DESIGNER)
    await new_draft(page, live_server)
    await expect(page.locator(".team-members")).to_be_hidden()
    await page.select_option("#f-entrant_kind", "team")
    await expect(page.locator(".team-members")).to_be_visible()
    await page.select_option("#f-entrant_kind", "individual")
    await page.select_option("#f-entrant_category", "student")
    await page.fill("#f-school", "上海大学")
    await page.fill("#f-supervisor_name", "王老师")
    await page.fill("#f-phone", "13800138000")
    async with page.expect_navigation():
        await page.click("button[value=save]")
    await new_draft(page, live_server, "潮玩老字号赛道")
    await expect(page.locator("#f-entrant_category")).to_have_value("student")
    await expect(page.locator("#f-school")).to_have_value("上海大学")
    await expect(page.locator("#f-supervisor_name")).to_have_value("王老师")
    await expect(page.locator("#f-phone")).to_have_value("13800138000")


async def test_the_error_summary_on_a_phone_reads_as_one_column(page, live_server):
    await page.set_viewport_size({"width": 390, "height": 844})
    await log_in(page, live_server, DESIGNER)
    await new_draft(page, live_server)
    await page.fill("#f-title", "手机上的作品")
    async with page.expect_navigation():
        await page.click("button[value=submit]")
    lines = page.locator("main .flash-error p")
    await expect(lines).to_have_count(2)
    first, second = await lines.nth(0).bounding_box(), await lines.nth(1).bounding_box()
    assert second["y"] >= first["y"] + first["height"] - 1
    summary = await page.locator("main .flash-error").bounding_box()
    assert first["width"] > summary["width"] * 0.7
    await screenshot(page, "designer-error-summary-phone", full_page=False)
