from __future__ import annotations

import pytest
from PIL import Image, ImageDraw
from playwright.async_api import expect

from tests import imagegen
from tests.browser.conftest import screenshot
from tests.browser.helpers import DESIGNER, log_in

pytestmark = pytest.mark.browser

TRACK_ANSWERS = {
    "工运IP赛道": {"#f-character_name": "铆钉娃娃", "#f-worldview": "一颗铆钉见证百年工运。"},
    "生活实用产品赛道": {"#f-materials": "骨瓷", "#f-dimensions": "10 × 8 × 9 cm", "#f-unit_cost": "36.5"},
    "潮玩老字号赛道": {"#f-partner_brand": "英雄钢笔", "#f-heritage_element": "海派剪纸"},
}
CHOICES = {"生活实用产品赛道": "input[name=feasibility][value=pilot]",
           "潮玩老字号赛道": "input[name=crossover_form][value=figure]"}


@pytest.fixture(scope="module")
def design_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("designs")
    paths = []
    for n, colour in enumerate([(200, 40, 50), (30, 90, 160), (220, 170, 40)]):
        image = Image.new("RGB", (1600, 1200), colour)
        draw = ImageDraw.Draw(image)
        for i in range(12):
            draw.ellipse((100 + i * 110, 300 + (i % 3) * 150, 300 + i * 110, 500 + (i % 3) * 150), fill=(250, 245, 235))
        path = folder / f"设计稿-{n + 1}.jpg"
        image.save(path, "JPEG", quality=88)
        paths.append(str(path))
    return paths


@pytest.mark.parametrize("track", list(TRACK_ANSWERS))
async def test_designer_fills_each_track_uploads_three_images_and_submits(page, live_server, design_files, track):
    await log_in(page, live_server, DESIGNER)
    await page.goto(live_server.url("/me/c/renmin-2026/new"))
    await page.check(f"label.track-choice:has-text('{track}') input")
    async with page.expect_navigation():
        await page.click("main button[type=submit]")

    await page.set_input_files("#f-files-boards", design_files)
    await page.wait_for_selector(".upload-progress progress, .upload-progress li.is-done")
    await expect(page.locator(".image-item")).to_have_count(3, timeout=60_000)
    assert await page.locator(".image-item.is-cover").count() == 1

    await page.fill("#f-title", f"{track}·百年工运")
    await page.fill("#f-concept", "把劳动者的精神带进日常生活。")
    for selector, value in TRACK_ANSWERS[track].items():
        await page.fill(selector, value)
    if track in CHOICES:
        await page.check(CHOICES[track])
    if track == "潮玩老字号赛道":  # AI tools are allowed there with a disclosure
        await page.check("input[name=ai_extent][value=none]")
    await page.check("input[name=originality]")
    await page.check("input[name=ip_terms]")
    await screenshot(page, f"entry-form-{list(TRACK_ANSWERS).index(track)}")
    async with page.expect_navigation():
        await page.click("button[value=submit]")

    assert "/receipt" in page.url
    number = await page.text_content(".receipt-number strong")
    assert number.startswith("RENMIN-2026-")
    assert await page.locator(".hash-list li").count() == 3
    await screenshot(page, f"receipt-{list(TRACK_ANSWERS).index(track)}")


async def test_a_designer_uploads_and_reorders_images_with_the_keyboard_only(page, live_server, tmp_path):
    await log_in(page, live_server, DESIGNER)
    await page.goto(live_server.url("/me/"))
    links = [await a.get_attribute("href") for a in await page.locator("a[href*='/me/entries/']").all()]
    for href in links:  # an entry of the contest that is open now (last year's are closed)
        await page.goto(href if href.startswith("http") else live_server.url(href))
        if await page.locator("#f-files-boards").count():
            break
    before = await page.locator(".image-item").count()
    for _ in range(200):  # the file input is reachable with Tab alone
        await page.keyboard.press("Tab")
        if await page.evaluate("document.activeElement && document.activeElement.id") == "f-files-boards":
            break
    else:
        pytest.fail("Tab never reached the file input")
    async with page.expect_file_chooser() as chooser:
        await page.keyboard.press("Space")
    fresh = tmp_path / "键盘上传.jpg"  # a file no entry has yet: the same file twice on one entry is refused
    imagegen.poster((1600, 1200), seed=500).save(fresh, "JPEG", quality=85)
    await (await chooser.value).set_files(str(fresh))
    await expect(page.locator(".image-item")).to_have_count(before + 1, timeout=60_000)
    last = page.locator(".image-item").last
    moved = await last.get_attribute("data-id")
    await last.locator("button", has_text="上移").focus()
    await page.keyboard.press("Enter")
    await expect(page.locator(".image-item").nth(before - 1)).to_have_attribute("data-id", moved)
    await screenshot(page, "designer-keyboard-upload")
