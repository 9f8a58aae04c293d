"""The demo designer on a phone downloads their data from 我的资料: the ZIP's data.json lists their entries, and
every file it names is in the archive."""

from __future__ import annotations

import json
import zipfile

import pytest

from tests.browser.conftest import screenshot
from tests.browser.helpers import DESIGNER, download, log_in, phone_page

pytestmark = pytest.mark.browser


async def test_the_designer_downloads_their_data_from_my_data(browser, live_server, tmp_path):
    page, errors = await phone_page(browser, accept_downloads=True)
    await log_in(page, live_server, DESIGNER)
    await page.goto(live_server.url("/me/"))
    await page.get_by_role("link", name="我的资料").click()
    await screenshot(page, "phone-my-data")
    path = await download(page, "form[action='/me/data/download'] button", tmp_path)
    await page.context.close()
    with zipfile.ZipFile(path) as archive:
        data = json.loads(archive.read("data.json"))
        named = {f["path"] for entry in data["entries"] for f in entry["files"]}
        assert data["account"]["email"] == DESIGNER[0]
        assert data["entries"] and named and named <= set(archive.namelist())
    assert errors == []
