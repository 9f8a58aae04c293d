"""A pupil under 14 enters on a phone: the guardian's part opens when the entrant says so, submitting without the
guardian's consent is refused with everything typed kept, and with it the entry is submitted under the public
name the guardian chose."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.async_api import expect

from tests.browser.conftest import LiveServer, screenshot, start_with_state
from tests.browser.helpers import log_in, submit
from tests.browser.minors_state import DESIGNER, PASSWORD, TITLE

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = start_with_state(tmp_path_factory.mktemp("minors"), "minors_state")
    yield server
    server.stop()


async def test_a_minors_entry_is_submitted_with_the_guardians_consent_on_a_phone(browser, own_server):
    context = await browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                        has_touch=True, locale="zh-CN")
    page = await context.new_page()
    await log_in(page, own_server, (DESIGNER, PASSWORD))
    await submit(page, f"a:has-text('{TITLE}')")
    guardian = page.locator("fieldset.guardian")
    await expect(guardian).to_be_hidden()
    await page.check("input[name=has_minor][value=yes]")
    await expect(guardian).to_be_visible()
    await page.fill("#f-guardian_name", "张建国")
    await page.fill("#f-guardian_relation", "父亲")
    await page.fill("#f-guardian_contact", "138 0013 8000")
    await page.check("input[name=minor_naming][value=surname]")
    await page.check("input[name=originality]")
    await page.check("input[name=ip_terms]")
    await submit(page, "button[name=action][value=submit]")
    await expect(page.locator(".error-summary")).to_contain_text("须经监护人同意处理未成年人的个人信息，才能提交作品。")
    kept = [await page.input_value(f"#f-guardian_{name}") for name in ("name", "relation", "contact")]
    assert kept == ["张建国", "父亲", "138 0013 8000"]
    assert await page.is_checked("input[name=minor_naming][value=surname]")

    await page.check("input[name=guardian_consent]")
    await page.check("input[name=originality]")
    await page.check("input[name=ip_terms]")
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    await guardian.scroll_into_view_if_needed()
    await screenshot(page, "minor-guardian-consent-phone", full_page=False)
    await submit(page, "button[name=action][value=submit]")
    assert page.url.endswith("/receipt")
    await expect(page.locator(".flash").first).to_contain_text("作品已提交")
    await page.goto(own_server.url("/me/"))
    await submit(page, f"a:has-text('{TITLE}')")
    assert await page.input_value("#f-guardian_contact") == "13800138000"
    assert await page.is_checked("input[name=guardian_consent]")
    await context.close()
