from __future__ import annotations

import io
from urllib.parse import unquote

import pytest
from PIL import Image, ImageDraw
from playwright.async_api import expect

from tests.browser.conftest import screenshot
from tests.browser.helpers import assert_typed_text_kept, design, new_entry, type_without_saving

pytestmark = pytest.mark.browser

MIB = 2**20


def banded_portrait(folder) -> str:
    """A portrait design with a red band at the top and a blue one at the bottom: cropping removes them."""
    image = Image.new("RGB", (1200, 1800), (235, 230, 220))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 1200, 200), fill=(220, 0, 0))
    draw.rectangle((0, 1600, 1200, 1800), fill=(0, 0, 220))
    path = folder / "竖版海报.jpg"
    image.save(path, "JPEG", quality=90)
    return str(path)


async def ids(page) -> list[str]:
    return await page.locator(".image-item").evaluate_all("items => items.map(i => i.dataset.id)")


async def test_typed_text_survives_adding_moving_covering_and_deleting_images(page, live_server, tmp_path):
    await new_entry(page, live_server)
    await type_without_saving(page)
    files = [design(tmp_path, f"设计稿-{n}.jpg", seed=100 + n) for n in range(3)]

    await page.set_input_files("#f-files-boards", files)
    await expect(page.locator(".image-item")).to_have_count(3, timeout=60_000)
    await expect(page.locator(".upload-progress li.is-done")).to_have_count(3)
    first, second, third = await ids(page)

    await page.locator(f".image-item[data-id='{first}'] button", has_text="下移").click()
    await expect(page.locator(".image-item").first).to_have_attribute("data-id", second)
    await page.locator(f".image-item[data-id='{third}'] button", has_text="设为封面").click()
    await expect(page.locator(".image-item.is-cover")).to_have_attribute("data-id", third)
    await page.locator(f".image-item[data-id='{second}'] button", has_text="删除").click()
    await expect(page.locator(".image-item")).to_have_count(2)

    assert await ids(page) == [first, third]
    await assert_typed_text_kept(page)
    await screenshot(page, "designer-images-in-place")


async def test_moving_an_image_keeps_the_keyboard_focus_on_it(page, live_server, tmp_path):
    await new_entry(page, live_server)
    await page.set_input_files("#f-files-boards", [design(tmp_path, f"图{n}.jpg", seed=200 + n) for n in range(2)])
    await expect(page.locator(".image-item")).to_have_count(2, timeout=60_000)
    first, second = await ids(page)
    await page.locator(f".image-item[data-id='{second}'] button", has_text="上移").focus()
    await page.keyboard.press("Enter")
    await expect(page.locator(".image-item").first).to_have_attribute("data-id", second)
    focused = await page.evaluate("[document.activeElement.closest('.image-item').dataset.id,"
                                  " document.activeElement.dataset.action]")
    assert focused == [second, "up"]


@pytest.mark.parametrize("expected_failures", [("/files",)])
async def test_refused_files_say_why_and_what_to_do_and_the_good_ones_stay(page, live_server, tmp_path,
                                                                            expected_failures):
    await new_entry(page, live_server)
    await type_without_saving(page)
    good = design(tmp_path, "好图.jpg", seed=300)
    avif = tmp_path / "IMG_0001.AVIF"
    avif.write_bytes(b"\x00\x00\x00\x18ftypavif\x00\x00\x00\x00mif1avif" + bytes(4000))
    too_big = tmp_path / "超大.jpg"
    with too_big.open("wb") as out:  # 35.2 MB
        out.truncate(36_909_875)

    await page.set_input_files("#f-files-boards", [good, str(avif), str(too_big)])
    await expect(page.locator(".image-item")).to_have_count(1, timeout=60_000)
    rows = page.locator(".upload-progress li")
    await expect(rows.filter(has_text="IMG_0001.AVIF")).to_contain_text(
        "这是 AVIF 文件，暂不接受。请导出为 JPEG 或 PNG 后再上传。")
    await expect(rows.filter(has_text="超大.jpg")).to_contain_text("超过 25 MB 上限（此文件 35.2 MB）")
    await expect(rows.filter(has_text="IMG_0001.AVIF").locator("button")).to_have_text("选择其他文件")

    await page.set_input_files("#f-files-boards", [good])
    await expect(rows.filter(has_text="好图.jpg").last).to_contain_text("这张图片已在本作品中（第 1 张）")
    await expect(page.locator(".image-item")).to_have_count(1)
    await assert_typed_text_kept(page)
    await screenshot(page, "designer-upload-refusals")


async def test_a_failed_upload_is_retried_alone(page, live_server, tmp_path):
    await new_entry(page, live_server)
    await type_without_saving(page)
    files = [design(tmp_path, "第一张.jpg", seed=400), design(tmp_path, "断网那张.jpg", seed=401)]
    dropped = []

    async def drop_once(route):
        if "断网" in unquote(route.request.url) and not dropped:
            dropped.append(route.request.url)
            await route.abort("connectionreset")
        else:
            await route.continue_()

    await page.route("**/files?name=*", drop_once)
    await page.set_input_files("#f-files-boards", files)
    await expect(page.locator(".image-item")).to_have_count(1, timeout=60_000)
    failed = page.locator(".upload-progress li", has_text="断网那张.jpg")
    await expect(failed).to_contain_text("网络中断")
    await failed.locator("button", has_text="重试").click()
    await expect(page.locator(".image-item")).to_have_count(2, timeout=60_000)
    assert len(dropped) == 1
    await assert_typed_text_kept(page)


async def test_a_portrait_image_is_not_cropped_on_a_phone(page, live_server, tmp_path):
    await page.set_viewport_size({"width": 390, "height": 844})
    await new_entry(page, live_server)
    await page.set_input_files("#f-files-boards", [banded_portrait(tmp_path)])
    thumb = page.locator(".image-item img")
    await expect(thumb).to_have_count(1, timeout=60_000)
    await expect(thumb).to_have_js_property("complete", True)
    shot = Image.open(io.BytesIO(await thumb.screenshot())).convert("RGB")
    top, bottom = shot.getpixel((shot.width // 2, 2)), shot.getpixel((shot.width // 2, shot.height - 3))
    colours = [shot.getpixel((shot.width // 2, y)) for y in range(shot.height)]
    assert any(r > 180 and g < 60 and b < 60 for r, g, b in colours), (top, bottom)
    assert any(b > 180 and r < 60 and g < 60 for r, g, b in colours), (top, bottom)
    await screenshot(page, "designer-portrait-phone")
