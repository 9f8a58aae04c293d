"""A finalist's tasks and sample through the browser: the designer finds the task list from the dashboard and
records the dispatch; the organiser records the arrival with a photo and prints the blind labels."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.async_api import expect

from tests import imagegen
from tests.browser.conftest import LiveServer, screenshot, start_with_state
from tests.browser.finalists_state import FINALIST, ORGANISER, PASSWORD, SLUG
from tests.browser.helpers import log_in, submit

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def finals_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    work = tmp_path_factory.mktemp("finals")
    server = start_with_state(work, "finalists_state")
    yield server
    server.stop()


async def test_a_finalist_sends_the_sample_and_the_organiser_receives_it(page, finals_server, tmp_path):
    await log_in(page, finals_server, (FINALIST, PASSWORD))
    await submit(page, "a:text-is('入围任务')")
    await expect(page.locator("h1")).to_have_text("入围任务")
    await expect(page.locator(".task-list > li")).to_have_count(2)
    await page.fill("#f-courier", "顺丰速运")
    await page.fill("#f-tracking_number", "SF1234567890")
    await submit(page, "button:has-text('我已寄出')")
    await expect(page.locator("main")).to_contain_text("已登记：顺丰速运，运单号 SF1234567890。")
    await screenshot(page, "finalist-tasks")

    await page.context.clear_cookies()
    await log_in(page, finals_server, (ORGANISER, PASSWORD))
    await page.goto(finals_server.url(f"/admin/c/{SLUG}/rounds"))
    await submit(page, "table a:text-is('终评')")
    await submit(page, "a:text-is('样品登记簿')")
    card = page.locator("section.card", has_text="SF1234567890")
    photo = tmp_path / "sample.jpg"
    photo.write_bytes(imagegen.jpeg((1200, 900)))
    await card.locator("input[name=photo]").set_input_files(str(photo))
    await card.locator("textarea[name=condition]").fill("外盒完好")
    await card.locator("input[name=location]").first.fill("库房 A-3")
    await submit(page, "section.card:has-text('SF1234567890') button:has-text('保存到件记录')")
    card = page.locator("section.card", has_text="SF1234567890")
    await expect(card).to_contain_text("外盒完好")
    await expect(card.locator("img.sample-photo")).to_be_visible()
    await screenshot(page, "sample-register")
    href = await page.locator("a:has-text('打印盲评标签')").get_attribute("href")
    labels = await page.request.get(finals_server.url(href))
    assert (labels.status, labels.headers["content-type"]) == (200, "application/pdf")
