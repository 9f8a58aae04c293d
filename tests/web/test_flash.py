"""One-shot messages: every message queued by one response reaches the next page."""

from __future__ import annotations

import re

import pytest

from tests.web.uploads import designer, small_jpeg

pytestmark = pytest.mark.web

SVG_REFUSED = ("error", "这是 SVG 文件，暂不接受。请导出为 JPEG 或 PNG 后再上传。")
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="640" height="480"><rect width="640" height="480"/></svg>'


def shown(page: str) -> list[tuple[str, str]]:
    return re.findall(r'<p class="flash flash-(\w+)">([^<]*)</p>', page)


async def test_a_good_image_and_a_refused_one_both_report(client, settings):
    entry, token = await designer(client, settings)
    files = [("files", ("good.jpg", small_jpeg(), "image/jpeg")), ("files", ("logo.svg", SVG, "image/svg+xml"))]
    response = await client.post(f"/me/entries/{entry.id}/slots/images/files/form", data={"csrf_token": token}, files=files)
    assert response.status_code == 303
    page = await client.get(response.headers["location"])
    assert shown(page.text) == [SVG_REFUSED, ("success", "已上传 1 个文件。")]
    assert shown((await client.get(response.headers["location"])).text) == []


async def test_ten_refusals_and_the_count_all_reach_the_page(client, settings):
    entry, token = await designer(client, settings, max_images=10)
    files = [("files", ("good.jpg", small_jpeg(), "image/jpeg"))]
    files += [("files", (f"logo-{n}.svg", SVG, "image/svg+xml")) for n in range(9)]
    response = await client.post(f"/me/entries/{entry.id}/slots/images/files/form", data={"csrf_token": token}, files=files)
    page = await client.get(response.headers["location"])
    assert shown(page.text) == [SVG_REFUSED] * 9 + [("success", "已上传 1 个文件。")]
