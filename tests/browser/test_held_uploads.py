"""With the images made by jobs (CONTEST_MEDIA_WORK=jobs; on SQLite the web process runs the worker), the entry
page shows 处理中 for an upload until its job has made it, then its thumbnail, without a reload and without
touching what was typed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.async_api import expect

from tests.browser.conftest import LiveServer, screenshot, start_server
from tests.browser.helpers import assert_typed_text_kept, design, new_entry, type_without_saving

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def jobs_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = start_server(tmp_path_factory.mktemp("held"), extra_env={"CONTEST_MEDIA_WORK": "jobs"})
    yield server
    server.stop()


async def test_an_upload_held_for_its_job_shows_processing_then_its_image_in_place(page, jobs_server, tmp_path):
    await new_entry(page, jobs_server)
    await type_without_saving(page)
    await page.set_input_files("#f-files-boards", [design(tmp_path, "夜景海报.jpg", seed=41)])
    # the upload's answer lists it as 处理中 (its job takes longer than the answer), until the next look 3 s later
    held = page.locator("#slot-items-boards .held-item")
    await expect(held).to_contain_text("处理中")
    await screenshot(page, "held-upload-processing")

    image = page.locator("#slot-items-boards .image-item[data-id]")
    await expect(image).to_have_count(1, timeout=60_000)
    await expect(page.locator("#slot-items-boards .held-item")).to_have_count(0)
    await page.wait_for_function(
        "() => { const img = document.querySelector('#slot-items-boards .image-item[data-id] img');"
        " return img && img.complete && img.naturalWidth > 0; }", timeout=30_000)
    await assert_typed_text_kept(page)
    await screenshot(page, "held-upload-made")
