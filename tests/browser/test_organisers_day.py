"""The organiser's day, end to end: the secretariat creates a contest with its three bodies and a banner,
sets up judge categories and invites a judge into each, two designers submit, the deadline is set
(late entries confirmed), a preliminary round is scored and locked early so the final starts at once
with criteria copied from it, the awards are confirmed, a six-hour 公示 shows each listed entry's cover
once approved, and the results are announced.

Weeks are compressed into minutes: as the day goes on the organiser moves the timeline into the past
through the console, as the real settings page allows. Screenshots: test-artifacts/screenshots/day-*.png."""

from __future__ import annotations

import asyncio
import mailbox
import re
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PIL import Image, ImageDraw
from playwright.async_api import expect

from tests.browser.conftest import screenshot
from tests.browser.helpers import ORGANISER, log_in, submit

pytestmark = pytest.mark.browser

SHANGHAI = ZoneInfo("Asia/Shanghai")
SLUG = "city-2027"
TITLE = "2027 城市职工文创设计大赛"
PASSWORD = "a long judge password"
# category, weight, judge e-mail, judge name; the expert's scores decide the order (weight 70)
JUDGES = [("专家", "70", "chen.prof@jury.example.net", "陈教授"),
          ("组委会代表", "30", "liu.rep@jury.example.net", "刘代表")]
DESIGNS = [("zhou.student@demo.wenchuang.cn", "石库门书签", (30, 90, 160)),
           ("designer@demo.wenchuang.cn", "弄堂茶器", (200, 120, 40))]
DESIGNER_PASSWORD = "demo-designer-2026"


def shanghai(minutes: int = 0) -> str:
    """A datetime-local value `minutes` from now on the contest's clock."""
    return (datetime.now(SHANGHAI) + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M")


def picture(path, colour: tuple[int, int, int], size: tuple[int, int] = (1600, 1200)):
    image = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(image)
    for n in range(6):
        draw.ellipse((120 + n * 210, 300 + (n % 2) * 260, 420 + n * 210, 600 + (n % 2) * 260),
                     fill=tuple(255 - c for c in colour))
    image.save(path)
    return path


async def save_settings(page, **values: str) -> None:
    for name, value in values.items():
        await page.fill(f"#c-{name}", value)
    await submit(page, "form[action$='/settings'] button[type=submit]")


async def create_contest(page, server, tmp_path) -> None:
    await log_in(page, server, ORGANISER)
    assert page.url == server.url("/admin/")  # the console is the organiser's home
    await page.goto(server.url("/admin/contests/new"))
    await page.fill("#new-slug", SLUG)
    await page.fill("#new-title", TITLE)
    await page.fill("#new-submissions_open_at", shanghai(-24 * 60))
    await page.fill("#new-submissions_close_at", shanghai(14 * 24 * 60))
    await page.fill("#new-announce_at", shanghai(30 * 24 * 60))
    await submit(page, "form[action$='/contests/new'] button[type=submit]")
    await save_settings(page, guiding_bodies="上海市总工会", host_bodies="杨浦区总工会",
                        organising_bodies="杨浦区职工文化活动中心")
    await expect(page.locator(".flash-success")).to_be_visible()
    await page.set_input_files("#banner-file", str(picture(tmp_path / "主视觉.png", (176, 32, 48), (1800, 750))))
    await submit(page, "form[action$='/banner'] button[type=submit]")
    await expect(page.locator(".banner-preview img")).to_be_visible()

    await page.click("section[aria-labelledby=tracks-title] details summary")
    await page.fill("#track-new-name", "文创产品赛道")
    await page.fill("#track-new-slug", "product")
    await submit(page, "form[action$='/tracks'] button[type=submit]")
    await page.goto(server.url(f"/admin/c/{SLUG}/settings"))
    await page.click("section[aria-labelledby=tiers-title] details.console-add summary")
    await page.select_option("#tier-new-track", label="文创产品赛道")
    await page.fill("#tier-new-name", "金奖")
    await page.fill("#tier-new-quota", "1")
    await submit(page, "form[action$='/tiers'] button[type=submit]")
    for kind in ("originality", "ip_terms"):
        await page.click(f"details:has(input[name=kind][value={kind}]) summary")
        await submit(page, f"details:has(input[name=kind][value={kind}]) button[type=submit]")
    await page.check("#c-is_published")
    await submit(page, "form[action$='/settings'] button[type=submit]")
    await expect(page.locator("#c-is_published")).to_be_checked()
    await screenshot(page, "day-contest-settings")


async def invite_judges(page, server) -> None:
    await page.goto(server.url(f"/admin/c/{SLUG}/people"))
    for category, weight, _email, _name in JUDGES:
        await page.fill("#f-name", category)
        await page.fill("#f-weight", weight)
        await submit(page, "form[aria-labelledby=group-form-title] button[type=submit]")
    for category, _weight, email, _name in JUDGES:
        await page.fill("#f-email", email)
        await page.select_option("#f-role", "judge")
        await page.select_option("#f-judge_group", label=category)
        await submit(page, "form[action$='/people/invite'] button[type=submit]")
    await screenshot(page, "day-people")


async def mailed_link(server, to: str, pattern: str) -> str:
    """The link in the newest message to `to`, as the development server delivers it into its mail folder."""
    folder = server.log.parent / "data" / "mail"
    deadline = time.monotonic() + 180  # the sender beside the server looks every 15 s
    while time.monotonic() < deadline:
        mails = [m for m in mailbox.Maildir(folder, create=True) if m["To"] == to]
        if mails:
            return re.search(pattern, mails[-1].get_payload(decode=True).decode()).group(1)
        await asyncio.sleep(0.5)
    raise AssertionError(f"no message to {to} reached {folder}")


async def new_page(browser, **options):
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", **options)
    return context, await context.new_page()


async def accept_invitations(browser, server) -> None:
    for _category, _weight, email, name in JUDGES:
        context, judge = await new_page(browser)
        await judge.goto(server.url(await mailed_link(server, email, r"(/account/invite/\S+)")))
        await judge.fill("#f-display_name", name)
        await judge.fill("#f-password", PASSWORD)
        await judge.fill("#f-password_repeat", PASSWORD)
        await judge.check("#r-privacy")
        await submit(judge, "main form button[type=submit]")
        await context.close()


async def submit_entries(browser, server, tmp_path) -> None:
    for email, title, colour in DESIGNS:
        context, designer = await new_page(browser)
        await log_in(designer, server, (email, DESIGNER_PASSWORD))
        await designer.goto(server.url(f"/me/c/{SLUG}/new"))
        await designer.check("label.track-choice:has-text('文创产品赛道') input")
        await submit(designer, "main button[type=submit]")
        await designer.set_input_files("#f-files-images", str(picture(tmp_path / f"{title}.png", colour)))
        await expect(designer.locator(".image-item")).to_have_count(1, timeout=60_000)
        await designer.fill("#f-title", title)
        await designer.fill("#f-concept", f"{title}：把城市的工业记忆带进日常生活。")
        await designer.check("input[name=originality]")
        await designer.check("input[name=ip_terms]")
        await submit(designer, "button[value=submit]")
        assert "/receipt" in designer.url
        await context.close()


async def close_submissions(page, server) -> None:
    """The deadline the secretariat announced was this morning: both entries came in after it."""
    await page.goto(server.url(f"/admin/c/{SLUG}/settings"))
    await save_settings(page, submissions_close_at=shanghai(-9 * 60))
    await expect(page.locator(".confirm-summary")).to_contain_text("2 件")
    await page.locator("form[action$='/settings'] .flash-warning input[name=confirm]").check()
    await submit(page, "form[action$='/settings'] button[type=submit]")
    await expect(page.locator(".flash-list")).to_contain_text("已保存")


async def create_round(page, server, name: str, kind: str, source: str, *, opens: str) -> str:
    await page.goto(server.url(f"/admin/c/{SLUG}/rounds"))
    await page.select_option("#f-kind", kind)
    await page.fill("#f-name", name)
    await page.fill("#f-opens_at", opens)
    await page.fill("#f-closes_at", shanghai(10 * 24 * 60))
    await page.select_option("#f-entry_source", source)
    await submit(page, "form[action$='/rounds/new'] button[type=submit]")
    await expect(page.locator("h1")).to_have_text(name)
    return page.url


async def seat_panel(page) -> None:
    """One panel; each judge keeps the category of their invitation without choosing it again."""
    await page.fill("form[action$='/panels'] #f-name", "产品评审组")
    await submit(page, "form[action$='/panels'] button[type=submit]")
    for category, _weight, email, name in JUDGES:
        await page.locator("article.console-card").first.locator("select[name=judge]").select_option(
            label=f"{name} · {email}")
        await submit(page, "article.console-card >> nth=0 >> button:has-text('加入')")
        await expect(page.locator(".console-members li", has_text=name)).to_contain_text(category)
    await submit(page, "form[action$='/entries'] button[type=submit]")
    await submit(page, "form[action$='/assign'] button[type=submit]")


async def score_round(browser, server, round_name: str, scores: dict[str, list[str]]) -> None:
    """Each judge scores their queue of the round in order and submits each entry."""
    for _category, _weight, email, _name in JUDGES:
        context, judge = await new_page(browser)
        await log_in(judge, server, (email, PASSWORD))
        assert judge.url == server.url("/judge/")
        for score in scores[email]:
            await judge.goto(server.url("/judge/"))
            await submit(judge, f".judge-round:has-text('{TITLE}') .card-title a:text-is('{round_name}')")
            await submit(judge, ".judge-queue-item:not(.is-complete) a >> nth=0")
            await judge.locator(".score-form .criterion input").first.fill(score)
            await judge.keyboard.press("Tab")
            await expect(judge.locator(".score-form .criterion .save-status").first).to_have_text("已保存 ✓")
            await submit(judge, ".score-complete button")
        await context.close()


async def lock(page, round_url: str) -> None:
    await page.goto(round_url + "/results")
    await page.check(".danger-zone input[name=confirm]")
    await submit(page, ".danger-zone button[type=submit]")
    await expect(page.locator(".page-header .badge-closed")).to_be_visible()


async def run_preliminary(page, browser, server) -> None:
    round_url = await create_round(page, server, "初评", "preliminary", "all_eligible", opens=shanghai(-1))
    await page.click("section[aria-labelledby=criteria-title] details.console-add summary")
    await page.fill("#criterion-new-name", "创意设计")
    await submit(page, "form[action$='/criteria'] button[type=submit]")
    await seat_panel(page)
    await score_round(browser, server, "初评", {JUDGES[0][2]: ["9", "7"], JUDGES[1][2]: ["8", "6"]})
    await page.goto(round_url + "/results")
    await page.fill("#f-n", "2")
    await page.click("text=生成晋级方案")
    proposal = page.locator("[role=status]:has(input[name=proposal])")
    for _email, title, _colour in DESIGNS:
        await expect(proposal).to_contain_text(title)
    await screenshot(page, "day-advance-proposal")
    await submit(page, "form[action$='/advance/confirm'] button[type=submit]")
    await lock(page, round_url)


async def run_final(page, browser, server) -> None:
    """The preliminary was locked today, ten days before its window ends: the final opens now."""
    round_url = await create_round(page, server, "终评", "final", "advanced", opens=shanghai(0))
    await page.select_option("#criteria-copy-source", label="初评")
    await submit(page, "form[action$='/criteria/copy'] button[type=submit]")
    await expect(page.locator("section[aria-labelledby=criteria-title] input[name=name]").first).to_have_value(
        "创意设计")
    await seat_panel(page)
    await score_round(browser, server, "终评", {JUDGES[0][2]: ["10", "6"], JUDGES[1][2]: ["9", "7"]})
    await page.goto(round_url + "/results")
    await screenshot(page, "day-final-results")
    await lock(page, round_url)


async def confirm_awards(page, server) -> None:
    await page.goto(server.url(f"/admin/c/{SLUG}/awards"))
    await submit(page, "form[action$='/awards/store'] button[type=submit]")
    await page.check("form[action$='/awards/confirm'] input[name=confirm]")
    await submit(page, "form[action$='/awards/confirm'] button[type=submit]")
    await screenshot(page, "day-awards")


async def hold_notice(page, browser, server) -> str:
    """A six-hour 公示 from now: public once approved, with the cover of each listed entry. Returns the winner."""
    await page.goto(server.url(f"/admin/c/{SLUG}/settings"))
    await save_settings(page, notice_starts_at=shanghai(-1), notice_days="0.25")
    await expect(page.locator(".flash-list")).to_contain_text("已保存")
    await page.goto(server.url(f"/admin/c/{SLUG}/objections"))
    await submit(page, "button[formaction$='/notice/approve']")
    await expect(page.locator(".notice-state")).to_contain_text("已批准")
    await screenshot(page, "day-notice-approved")

    context, public = await new_page(browser)
    await public.set_viewport_size({"width": 390, "height": 844})
    await public.goto(server.url(f"/c/{SLUG}/notice"))
    await expect(public.locator(".page-header")).to_contain_text("6 小时")
    lines = public.locator(".notice-line")
    await expect(lines).to_have_count(1)
    cover = lines.locator("img.notice-cover")
    await expect(cover).to_have_js_property("complete", True)
    assert await cover.evaluate("img => img.naturalWidth") > 0
    listed = await lines.inner_text()
    [winner] = [title for _email, title, _colour in DESIGNS if title in listed]
    await screenshot(public, "day-public-notice")
    await context.close()
    return winner


async def announce(page, browser, server, winner: str) -> None:
    """The 公示 ended without objections: the results go out now."""
    await page.goto(server.url(f"/admin/c/{SLUG}/settings"))
    await save_settings(page, notice_starts_at=shanghai(-7 * 60), announce_at=shanghai(0))
    await expect(page.locator(".flash-list")).to_contain_text("已保存")
    context, public = await new_page(browser)
    await public.goto(server.url(f"/c/{SLUG}/results"))
    await expect(public.locator("main")).to_contain_text(winner)
    await expect(public.locator("main")).to_contain_text("金奖")
    await screenshot(public, "day-public-results")
    await public.goto(server.url(f"/c/{SLUG}"))
    await expect(public.locator(".contest-bodies")).to_contain_text("杨浦区职工文化活动中心")
    await expect(public.locator(".hero img")).to_have_count(1)
    await screenshot(public, "day-public-contest")
    await context.close()


async def test_the_organisers_day_from_a_new_contest_to_the_announcement(page, browser, live_server, tmp_path):
    await create_contest(page, live_server, tmp_path)
    await invite_judges(page, live_server)
    await accept_invitations(browser, live_server)
    await submit_entries(browser, live_server, tmp_path)
    await close_submissions(page, live_server)
    await run_preliminary(page, browser, live_server)
    await run_final(page, browser, live_server)
    await confirm_awards(page, live_server)
    winner = await hold_notice(page, browser, live_server)
    await announce(page, browser, live_server, winner)
