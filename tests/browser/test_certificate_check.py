"""The public check of a certificate on a phone: a number typed into the form shows the award as valid, the QR
code's address of a revoked one says 已撤销 with the date, a wrong number says it is not found.
Screenshots: test-artifacts/screenshots/certificate-check-*.png."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.browser.certificate_state import TITLE
from tests.browser.conftest import LiveServer, screenshot, start_with_state
from tests.browser.helpers import phone_page

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("certificates")


@pytest.fixture(scope="module")
def live_server(work: Path) -> Iterator[LiveServer]:
    server = start_with_state(work, "certificate_state")
    yield server
    server.stop()


async def test_a_phone_checks_a_valid_a_revoked_and_an_unknown_certificate(browser, live_server, work):
    issued = json.loads((work / "data" / "certificates.json").read_text())
    page, errors = await phone_page(browser)
    await page.goto(live_server.url("/certificates/check"))
    await page.fill("#certificate-number", issued["valid"]["number"])
    await page.click("form.certificate-form button[type=submit]")
    valid = page.locator(".certificate-valid")
    await expect(valid.locator(".certificate-verdict")).to_have_text("有效")
    await expect(valid.locator(".certificate-number")).to_have_text(issued["valid"]["number"])
    for fact in (TITLE, "一等奖", "《海派剪纸·百年工运拼图盒》", "星火设计工作室"):
        await expect(valid).to_contain_text(fact)
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    await screenshot(page, "certificate-check-valid-phone")

    await page.goto(live_server.url(f"/certificates/{issued['revoked']['token']}"))
    revoked = page.locator(".certificate-revoked")
    await expect(revoked.locator(".certificate-verdict")).to_have_text("已撤销")
    await expect(revoked).to_contain_text("撤销日期")
    await expect(revoked).not_to_contain_text("二等奖")
    await screenshot(page, "certificate-check-revoked-phone")

    await page.fill("#certificate-number", "〔2026〕工运文创第999号")
    await page.click("form.certificate-form button[type=submit]")
    await expect(page.locator(".certificate-unknown")).to_contain_text("未查到该编号的证书")
    await expect(page.locator(".certificate-check")).to_have_count(0)
    assert errors == []
    await page.context.close()
