"""A phone (390 x 844): every link and button can be tapped, the lightbox closes with Back, and a certificate
opened in WeChat's browser says how to save it."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.conftest import screenshot
from tests.browser.helpers import DESIGNER, log_in, phone_page

pytestmark = pytest.mark.browser

TAP = 44  # px, WCAG 2.5.5 and Apple's guideline
WECHAT_UA = ("Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 "
             "Mobile Safari/537.36 XWEB/1300 MMWEBSDK/20240301 MicroMessenger/8.0.49.2600(0x28003133) "
             "WeChat/arm64 NetType/WIFI Language/zh_CN")
PUBLIC = ["/", "/c/renmin-2026", "/c/renmin-2026/rules", "/c/renmin-2025", "/c/renmin-2025/gallery",
          "/c/renmin-2025/results",
          "/account/login", "/account/register"]
DESIGNER_PAGES = ["/me/", "/me/results", "/me/data", "/me/c/renmin-2026/new"]  # and an entry of theirs
# Links inside running text are exempt (WCAG 2.5.5 "inline"): enlarging them would break the lines they sit in.
SMALL_TARGETS = """() => {
  const inline = el => getComputedStyle(el).display === 'inline' && el.closest('p, li, td, dd')
    && el.closest('p, li, td, dd').textContent.trim() !== el.textContent.trim();
  return [...document.querySelectorAll('a[href], button, input[type=submit], summary, select')]
    .filter(el => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden' && !inline(el)
                  && !el.closest('[hidden]') && !el.classList.contains('skip-link'))
    .map(el => { const r = el.getBoundingClientRect(); return [el.outerHTML.slice(0, 90), Math.round(r.width),
                                                               Math.round(r.height)]; })
    .filter(([, w, h]) => w < %d || h < %d);
}""" % (TAP, TAP)  # noqa: UP031 - %d, as {} would clash with the JavaScript's braces


async def small_targets(page, live_server, paths: list[str]) -> dict[str, list]:
    found = {}
    for path in paths:
        await page.goto(live_server.url(path))
        found[path] = await page.evaluate(SMALL_TARGETS)
    return {path: small for path, small in found.items() if small}


async def test_every_link_and_button_is_big_enough_to_tap(browser, live_server):
    page, errors = await phone_page(browser)
    await page.goto(live_server.url("/c/renmin-2025/gallery"))
    entry_path = await page.locator(".gallery-card .card-title a").first.get_attribute("href")
    public = await small_targets(page, live_server, [*PUBLIC, entry_path])
    await screenshot(page, "phone-entry")
    await log_in(page, live_server, DESIGNER)
    await page.goto(live_server.url("/me/"))
    entry_form = await page.locator(".card-title a").first.get_attribute("href")
    designer = await small_targets(page, live_server, [*DESIGNER_PAGES, entry_form])
    await screenshot(page, "phone-new-entry")
    await page.context.close()
    assert (public, designer, errors) == ({}, {}, [])


async def test_the_lightbox_closes_with_the_phones_back_button(browser, live_server):
    page, errors = await phone_page(browser)
    await page.goto(live_server.url("/c/renmin-2025/gallery"))
    async with page.expect_navigation():
        await page.locator(".gallery-card .card-title a").first.click()
    entry_url = page.url
    await page.locator(".lightbox-link").first.tap()
    dialog = page.locator(".lightbox")
    await expect(dialog).to_be_visible()
    await page.go_back()
    await expect(dialog).to_be_hidden()
    assert page.url == entry_url
    await page.locator(".lightbox-link").first.tap()
    await expect(dialog).to_be_visible()
    await page.locator(".lightbox-close").tap()
    await expect(dialog).to_be_hidden()
    await page.go_back()  # the closed lightbox left no step behind: Back leaves the entry
    await expect(page.locator(".gallery-card").first).to_be_visible()
    await page.context.close()
    assert errors == []


async def test_a_certificate_in_wechat_says_how_to_save_it(browser, live_server):
    page, errors = await phone_page(browser, user_agent=WECHAT_UA)
    downloads: list[object] = []
    # a lambda, because Playwright marks the handler it is given and a builtin method takes no attributes
    page.on("download", lambda download: downloads.append(download))  # noqa: PLW0108
    await log_in(page, live_server, DESIGNER)
    await page.goto(live_server.url("/me/results"))
    link = page.locator("a", has_text="证书").first
    async with page.expect_navigation():
        await link.tap()
    await expect(page.locator("main")).to_contain_text("在浏览器打开")
    await screenshot(page, "phone-certificate-wechat")
    view = page.locator("a.certificate-view")
    response = await page.request.get(live_server.url(await view.get_attribute("href")))
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline;")
    await page.context.close()
    assert (downloads, errors) == ([], [])
