"""Registering on a phone with the privacy notice: read it in its box, refused without the tick (nothing typed lost),
then registered and logged in straight to the dashboard (the consent given is the current version's)."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.conftest import screenshot
from tests.browser.helpers import log_in, submit

pytestmark = pytest.mark.browser

EMAIL, PASSWORD = "phone.privacy@example.org", "a phone password"


async def test_registering_on_a_phone_with_the_privacy_notice(browser, live_server):
    context = await browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                        has_touch=True, locale="zh-CN")
    page = await context.new_page()
    await page.goto(live_server.url("/account/register"))
    box = page.locator(".privacy-box")
    await expect(box.locator("h2").first).to_have_text("个人信息处理规则 第 1 版")
    assert await box.evaluate("el => el.scrollHeight > el.clientHeight")  # the notice scrolls inside its box
    await box.locator("summary").click()
    await expect(box.locator(".privacy-other h2").first).to_have_text("Privacy notice")

    await page.fill("#f-email", EMAIL)
    await page.fill("#f-display_name", "手机用户")
    await page.fill("#f-password", PASSWORD)
    await page.select_option("#f-category", "student")
    await page.fill("#f-school", "上海大学")
    await page.check("#r-sensitive")
    await submit(page, "main button[type=submit]")
    await expect(page.locator("#r-privacy-error")).to_have_text(
        "请阅读个人信息处理规则并勾选同意：未同意则无法创建账号。")
    kept = [await page.input_value(f"#f-{name}") for name in ("email", "display_name", "category", "school")]
    assert kept == [EMAIL, "手机用户", "student", "上海大学"]
    assert [await page.is_checked(f"#r-{name}") for name in ("privacy", "sensitive")] == [False, True]
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    await page.locator("#r-privacy").scroll_into_view_if_needed()
    await screenshot(page, "register-privacy-phone-refused", full_page=False)
    await screenshot(page, "register-privacy-phone")

    await page.fill("#f-password", PASSWORD)
    await page.check("#r-privacy")
    await submit(page, "main button[type=submit]")
    assert page.url == live_server.url("/account/login")
    await log_in(page, live_server, (EMAIL, PASSWORD))
    assert page.url == live_server.url("/me/")
    await page.goto(live_server.url("/privacy"))
    await expect(page.locator("main h1")).to_have_text("个人信息处理规则")
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    await screenshot(page, "privacy-page-phone")
    await context.close()
