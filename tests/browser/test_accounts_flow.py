"""Accounts as people use them: registering from a contest brings one back to it, each role lands on its
own page, a forgotten password is reset by an e-mailed link, and public pages say times as people do."""

from __future__ import annotations

import asyncio
import mailbox
import re

import pytest

from tests.browser.conftest import screenshot
from tests.browser.helpers import JUDGE, ORGANISER, log_in

pytestmark = pytest.mark.browser

CONTEST = "renmin-2026"
LOCAL_TIME = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}（北京时间）")


async def submit(page) -> None:
    async with page.expect_navigation():
        await page.click("main button[type=submit]")


async def mailed_link(live_server, to: str, path: str) -> str:
    """The link to `path` in a message to `to`, delivered into the development server's mail folder."""
    folder = live_server.log.parent / "data" / "mail"
    for _ in range(100):  # the sender polls the outbox
        bodies = [m.get_payload(decode=True).decode() for m in mailbox.Maildir(folder, create=True) if m["To"] == to]
        links = [found.group(1) for found in (re.search(rf"({path}\S+)", body) for body in bodies) if found]
        if links:
            return links[0]
        await asyncio.sleep(0.3)
    raise AssertionError(f"no mail to {to} with a link to {path}")


async def test_registering_from_a_contest_comes_back_to_it_and_an_error_keeps_all_but_the_password(page, live_server):
    await page.goto(live_server.url(f"/c/{CONTEST}"))
    await page.click(".hero-actions >> text=我要投稿")
    await page.fill("#f-email", "back.to.contest@example.org")
    await page.fill("#f-display_name", "回到大赛")
    await page.fill("#f-password", "short")
    await page.select_option("#f-category", "student")
    await page.select_option("#f-kind", "team")
    await page.fill("#f-organisation", "上海电气")
    await page.fill("#f-school", "上海大学")
    await page.check("#r-privacy")
    await submit(page)
    assert await page.input_value("#f-password") == ""
    kept = [await page.input_value(f"#f-{name}") for name in ("email", "display_name", "category", "kind",
                                                                 "organisation", "school")]
    assert kept == ["back.to.contest@example.org", "回到大赛", "student", "team", "上海电气", "上海大学"]
    assert [await page.is_checked(f"#r-{name}") for name in ("privacy", "sensitive")] == [True, False]
    await screenshot(page, "register-error-keeps-fields")

    await page.fill("#f-password", "a long enough password")
    await submit(page)
    await page.fill("#f-email", "back.to.contest@example.org")
    await page.fill("#f-password", "a long enough password")
    await submit(page)
    assert page.url == live_server.url(f"/me/c/{CONTEST}/new")


async def test_an_organiser_lands_in_the_console_and_a_judge_in_the_queue(page, live_server):
    await log_in(page, live_server, ORGANISER)
    assert page.url == live_server.url("/admin/")
    await page.context.clear_cookies()
    await log_in(page, live_server, JUDGE)
    assert page.url == live_server.url("/judge/")


async def test_a_forgotten_password_is_reset_by_the_mailed_link(page, live_server):
    email = "forgetful@example.org"
    await page.goto(live_server.url("/account/register"))
    await page.fill("#f-email", email)
    await page.fill("#f-display_name", "健忘的设计师")
    await page.fill("#f-password", "the first password")
    await page.check("#r-privacy")
    await submit(page)

    await screenshot(page, "login-with-reset")
    await page.click("main >> text=忘记密码？")
    await page.fill("#f-email", email)
    await submit(page)
    assert await page.text_content(".flash") == (
        f"如果 {email} 有账号，我们已向它发送重设密码的链接，一小时内有效。")
    link = await mailed_link(live_server, email, "/account/reset/")

    await page.goto(live_server.url(link))
    await page.fill("#f-password", "a brand new password")
    await page.fill("#f-password_repeat", "a brand new password")
    await screenshot(page, "password-reset-new")
    await submit(page)
    assert await page.text_content(".flash") == "密码已重设，请用新密码登录。"
    await log_in(page, live_server, (email, "a brand new password"))
    assert page.url == live_server.url("/me/")

    await page.goto(live_server.url(link))
    assert await page.text_content("h1") == "链接已失效"


async def test_a_public_page_says_times_as_people_do(page, live_server):
    await page.goto(live_server.url(f"/c/{CONTEST}"))
    deadline = await page.text_content(".countdown-label time")
    assert LOCAL_TIME.fullmatch(deadline), deadline
    timeline = await page.locator(".timeline-date time").all_text_contents()
    assert timeline and all(re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}", t) for t in timeline), timeline
    assert await page.locator("text=以下时间均为北京时间。").count() == 1
    await screenshot(page, "contest-times")
    body = await page.text_content("main")
    assert [s for s in ("+0800", "Asia/Shanghai", "UTC", "中国标准时间") if s in body] == []
    assert re.search(r"\d{1,2}:\d{2}:\d{2}", body) is None
