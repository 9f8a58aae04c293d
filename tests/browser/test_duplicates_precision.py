"""The demo's campus contest has ten entries drawn by one generator on shared layouts, none a copy of
another: its near-duplicates page lists no pair of two entries (it listed several at 58-67 % when only the
value channel was compared)."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.conftest import screenshot
from tests.browser.helpers import ORGANISER, log_in

pytestmark = pytest.mark.browser


async def test_the_campus_contest_lists_no_pair_of_different_demo_entries(page, live_server):
    await log_in(page, live_server, ORGANISER)
    await page.goto(live_server.url("/admin/c/campus-2026/duplicates"))
    await expect(page.locator("h1")).to_have_text("相似图片")
    # a row pairing two entries has no "参照" badge on either side (reference rows belong to another test)
    entry_pairs = page.locator(".duplicates tbody tr").filter(has_not=page.locator(".badge"))
    labels = await entry_pairs.locator("td p").all_text_contents()
    assert labels == []
    await screenshot(page, "organiser-duplicates-campus")
