"""The release event (发布会) in a real browser: the chair opens the ceremony view on the big screen, every
picture is counted in before the show, the reveal climbs grade by grade with the keyboard (a presenter's
clicker sends PageDown), and the 公布 press at the end makes the results public at that moment: the public
gallery is a missing page for a visitor before it, and shows the winners after it. A phone shows a winner's
slide whole; a judge shares a comment with its designer, and keeps it again, by autosave.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.browser.ceremony_state import JUDGE, ORGANISER, PASSWORD, SLUG
from tests.browser.conftest import ARTIFACTS, LiveServer, start_with_state
from tests.browser.helpers import close_context, log_in

pytestmark = pytest.mark.browser

SCREEN = {"viewport": {"width": 1600, "height": 900}, "locale": "zh-CN"}  # a 16:9 projector
DOCS_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "ceremony.png"


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A small state of its own, built without the demo: the press announces its edition's results."""
    work = tmp_path_factory.mktemp("ceremony")
    server = start_with_state(work, "ceremony_state")
    yield server
    server.stop()


async def current_slide(page) -> str:
    return await page.locator("[data-slide].is-current").get_attribute("aria-label") or ""


async def test_the_reveal_climbs_to_the_top_prize_and_the_press_lifts_the_embargo(browser, live_server):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    visitor = await (await browser.new_context(**SCREEN)).new_page()
    hidden = await visitor.goto(live_server.url(f"/c/{SLUG}/gallery"))
    assert hidden.status == 404

    screen_context = await browser.new_context(**SCREEN)
    screen = await screen_context.new_page()
    errors: list[str] = []
    screen.on("pageerror", lambda exc: errors.append(str(exc)))
    await log_in(screen, live_server, (ORGANISER, PASSWORD))
    await screen.goto(live_server.url(f"/admin/c/{SLUG}/ceremony"))
    total = await screen.locator("img[data-ceremony-image]").count()
    assert total > 10
    await expect(screen.locator("[data-ready]")).to_have_text(f"{total} 张图片已全部就绪", timeout=30_000)
    await expect(screen.locator(".slide-title")).to_be_visible()
    assert await screen.locator("[data-slide]:visible").count() == 1

    grades: list[str] = []
    keys = ["ArrowRight", "PageDown", "Space"]
    slides = await screen.locator("[data-slide]").count()
    for step in range(slides - 1):
        await screen.keyboard.press(keys[step % 3])
        label = await current_slide(screen)
        if await screen.locator(".slide-grade.is-current").count():
            grades.append(label.split(" · ")[0])
    assert grades[0] == "三等奖" and grades[-1] == "一等奖" and "网络人气奖" not in grades  # nobody holds it here
    assert grades.index("一等奖") > max(i for i, g in enumerate(grades) if g == "二等奖")

    await screen.keyboard.press("Home")
    await screen.screenshot(path=str(ARTIFACTS / "ceremony-title.png"), animations="disabled")
    await screen.keyboard.press("ArrowRight")
    await screen.screenshot(path=str(ARTIFACTS / "ceremony-grade.png"), animations="disabled")
    await screen.keyboard.press("End")
    await screen.keyboard.press("ArrowLeft")
    await expect(screen.locator(".slide-winner.is-current .winner-grade")).to_contain_text("一等奖")
    await expect(screen.locator(".slide-winner.is-current img").first).to_be_visible()
    assert await screen.evaluate("Array.from(document.querySelectorAll('.slide-winner.is-current img'))"
                                 ".every(i => i.complete && i.naturalWidth > 0)")
    await screen.mouse.move(5, 5)
    await screen.screenshot(path=str(DOCS_SCREENSHOT), animations="disabled")
    shutil.copy(DOCS_SCREENSHOT, ARTIFACTS / "ceremony-winner.png")
    await screen.mouse.click(800, 120)  # a click on the slide moves on too
    await expect(screen.locator(".slide-end")).to_be_visible()
    for key in ("Space", "PageDown", "ArrowRight"):  # an eager clicker at the end announces nothing
        await screen.keyboard.press(key)
    await expect(screen.locator("[data-press]")).to_be_visible()
    await screen.screenshot(path=str(ARTIFACTS / "ceremony-press.png"), animations="disabled")

    again = await visitor.goto(live_server.url(f"/c/{SLUG}/gallery"))
    assert again.status == 404  # still: reaching the last slide announces nothing

    async with screen.expect_navigation():
        await screen.click("[data-press]")
    await expect(screen.locator(".slide-end")).to_be_visible()
    await expect(screen.locator(".slide-end .slide-headline")).to_have_text("结果已公布")
    await expect(screen.locator("[data-press]")).to_have_count(0)
    await screen.screenshot(path=str(ARTIFACTS / "ceremony-announced.png"), animations="disabled")

    public = await visitor.goto(live_server.url(f"/c/{SLUG}/gallery"))
    assert public.status == 200
    await expect(visitor.locator(".preview-banner")).to_have_count(0)
    assert await visitor.locator("h2.card-title").count() > 10
    assert errors == []
    await close_context(screen_context)


async def test_on_a_phone_a_winner_fits_the_screen(browser, live_server):
    context = await browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                        is_mobile=True, has_touch=True, locale="zh-CN")
    phone = await context.new_page()
    await log_in(phone, live_server, (ORGANISER, PASSWORD))
    await phone.goto(live_server.url(f"/admin/c/{SLUG}/ceremony"))
    await phone.keyboard.press("End")
    await phone.keyboard.press("ArrowLeft")
    await expect(phone.locator(".slide-winner.is-current .winner-title")).to_be_visible()
    assert await phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    await phone.screenshot(path=str(ARTIFACTS / "ceremony-phone.png"), animations="disabled")
    await close_context(context)


async def test_a_judge_shares_a_comment_with_its_designer_by_autosave(browser, live_server):
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    judge = await context.new_page()
    await log_in(judge, live_server, (JUDGE, PASSWORD))
    await judge.goto(live_server.url("/judge/"))
    async with judge.expect_navigation():
        await judge.locator(".judge-round", has_text="「匠心校园」").locator(".card-title a").click()
    async with judge.expect_navigation():  # on a busy machine, typing before the page's script runs saves nothing
        await judge.locator(".judge-queue-item a").first.click()
    await judge.fill("#f-comment", "造型大胆，色彩稍乱。")
    await judge.locator("#f-comment").blur()
    await expect(judge.locator("#s-comment")).to_have_text("已保存 ✓")
    box = judge.locator("#f-comment_shared")
    await expect(box).not_to_be_checked()
    await box.check()
    await expect(judge.locator("#s-comment_shared")).to_have_text("已保存 ✓")
    await judge.reload()
    await expect(judge.locator("#f-comment_shared")).to_be_checked()
    await expect(judge.locator("#f-comment")).to_have_value("造型大胆，色彩稍乱。")
    await judge.locator("#f-comment_shared").uncheck()
    await expect(judge.locator("#s-comment_shared")).to_have_text("已保存 ✓")
    await judge.reload()
    await expect(judge.locator("#f-comment_shared")).not_to_be_checked()
    await close_context(context)
