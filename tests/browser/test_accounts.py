from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


async def test_register_then_log_in_log_out_log_in_and_switch_language(page, live_server):
    await page.goto(live_server.url("/"))
    await screenshot(page, "home-zh")
    await page.click("text=注册")
    await page.fill("#f-email", "browser.designer@example.org")
    await page.fill("#f-display_name", "浏览器设计师")
    await page.fill("#f-password", "a browser password")
    await page.select_option("#f-category", "student")
    await page.fill("#f-school", "上海大学")
    await page.check("#r-privacy")
    async with page.expect_navigation():
        await page.click("button[type=submit]")
    assert page.url == live_server.url("/account/login")
    assert await page.text_content(".flash") == "谢谢。我们已向 browser.designer@example.org 发送邮件，请阅读后在此登录。"

    await page.fill("#f-email", "browser.designer@example.org")
    await page.fill("#f-password", "wrong password!")
    async with page.expect_navigation():
        await page.click("button[type=submit]")
    assert await page.text_content(".flash-error") == "邮箱或密码不正确。"
    await page.fill("#f-password", "a browser password")
    async with page.expect_navigation():
        await page.click("button[type=submit]")
    assert page.url == live_server.url("/me/")
    await screenshot(page, "dashboard-zh")

    async with page.expect_navigation():
        await page.click("text=退出登录")
    assert await page.text_content(".flash") == "您已退出登录。"
    await page.click(".user-menu >> text=登录")
    await page.fill("#f-email", "browser.designer@example.org")
    await page.fill("#f-password", "a browser password")
    async with page.expect_navigation():
        await page.click("button[type=submit]")

    async with page.expect_navigation():
        await page.click(".lang-switch >> text=English")
    assert await page.get_attribute("html", "lang") == "en"
    assert await page.text_content("h1") == "My entries"
    await screenshot(page, "dashboard-en")


async def test_home_on_a_phone(browser, live_server):
    context = await browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
    page = await context.new_page()
    await page.goto(live_server.url("/"))
    width = await page.evaluate("document.documentElement.scrollWidth")
    await screenshot(page, "home-phone")
    await context.close()
    assert width <= 390


async def test_contest_home_shows_tracks_timeline_and_a_live_countdown(page, live_server):
    await page.goto(live_server.url("/c/renmin-2026"))
    assert await page.locator(".track-card").count() == 3
    assert await page.locator(".timeline li").count() == 6
    await expect(page.locator(".hero .countdown-parts")).to_be_visible()
    first = await page.text_content(".hero .countdown-value[data-unit=seconds]")
    await page.wait_for_timeout(1100)
    assert await page.text_content(".hero .countdown-value[data-unit=seconds]") != first
    await screenshot(page, "contest-home", full_page=False)
    await screenshot(page, "contest-home-full")
