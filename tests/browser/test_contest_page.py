"""The demo's announced edition on a phone and on a desktop: the winners with their cover images above the call
for entries, and the share poster the page offers, whose QR code opens the gallery."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from PIL import Image
from playwright.async_api import expect

from tests.browser.conftest import ARTIFACTS, screenshot

pytestmark = pytest.mark.browser

SLUG = "renmin-2025"
VIEWPORTS = {"phone": {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
                       "has_touch": True},
             "desktop": {"viewport": {"width": 1366, "height": 900}}}
COVERS_LOADED = """() => [...document.querySelectorAll('.winners img.card-media')]
    .map(img => { img.loading = 'eager'; return img; })"""


async def test_the_announced_contest_features_its_winners_on_a_phone_and_a_desktop(browser, live_server):
    for name, options in VIEWPORTS.items():
        context = await browser.new_context(locale="zh-CN", **options)
        page = await context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
        page.on("response", lambda r, errors=errors: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        await page.goto(live_server.url(f"/c/{SLUG}"))
        winners, call = page.locator("#winners-title"), page.locator("#tracks-title")
        await expect(winners).to_have_text("获奖作品")
        assert (await winners.bounding_box())["y"] < (await call.bounding_box())["y"]
        await page.evaluate(COVERS_LOADED)
        covers = page.locator(".winners img.card-media")
        await expect(covers.last).to_have_js_property("complete", True)
        widths = await covers.evaluate_all("imgs => imgs.map(img => img.naturalWidth)")
        assert await page.evaluate("document.documentElement.scrollWidth") <= options["viewport"]["width"]
        await screenshot(page, f"contest-winners-{name}")
        await context.close()
        assert errors == []
        assert len(widths) >= 18 and min(widths) > 0

    context = await browser.new_context(locale="zh-CN")
    page = await context.new_page()
    await page.goto(live_server.url(f"/c/{SLUG}"))
    gallery_url = await page.get_attribute('meta[property="og:url"]', "content") + "/gallery"
    poster_link = await page.get_attribute(".winners-actions a[download]", "href")
    poster = await page.request.get(live_server.url(poster_link))
    png = await poster.body()
    await context.close()
    (ARTIFACTS / "contest-share-poster.png").write_bytes(png)
    assert poster.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(png))
    assert [code.text for code in zxingcpp.read_barcodes(image)] == [gallery_url]
