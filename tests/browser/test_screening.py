"""Screening in the browser: the organiser ticks an entry, picks a reason template (the script fills the reason
in, to edit), returns the entry for a fix; its designer finds the reason and the deadline on their dashboard.

Its own server with a small state built without the demo (tests/browser/screening_state.py).
Screenshots: test-artifacts/screenshots/screening-*.png."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.async_api import expect

from tests.browser.conftest import LiveServer, screenshot, start_with_state
from tests.browser.helpers import log_in, submit
from tests.browser.screening_state import ORGANISER, PASSWORD, SLUG

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    work = tmp_path_factory.mktemp("screening")
    server = start_with_state(work, "screening_state")
    yield server
    server.stop()


async def test_an_entry_returned_in_the_list_shows_its_reason_to_its_designer(page, browser, own_server):
    await log_in(page, own_server, (ORGANISER, PASSWORD))
    await page.goto(own_server.url(f"/admin/c/{SLUG}/entries"))
    row = page.locator("tr.entry-row", has=page.locator("input[name=entry]")).first
    number = (await row.locator("td").nth(1).inner_text()).strip()
    designer_email = (await row.locator(".designer-email").inner_text()).strip()
    await row.locator("input[name=entry]").check()
    await page.select_option("#f-template", "author_name")
    await expect(page.locator("#f-reason")).to_have_value(
        "展板上出现了作者姓名或其他可识别作者身份的标记。请删除后重新提交。")
    await page.fill("#f-reason", "展板右下角有作者姓名，请删除后重新提交。")
    await screenshot(page, "screening-organiser")
    await submit(page, "form[action$='/entries/screen'] button[type=submit]")
    await expect(page.locator(".flash-success")).to_contain_text("已将 1 件作品退回修改")
    returned = page.locator("tr.entry-row", has_text=number)
    await expect(returned.locator(".badge-returned")).to_have_text("退回修改")

    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    designer = await context.new_page()
    await log_in(designer, own_server, (designer_email, PASSWORD))
    await designer.goto(own_server.url("/me/"))
    outcome = designer.locator(".entry-card .screening-outcome").first
    await expect(outcome).to_contain_text("已被组委会退回修改")
    await expect(outcome).to_contain_text("展板右下角有作者姓名")
    await screenshot(designer, "screening-designer")
    await context.close()
