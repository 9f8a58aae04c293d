"""Issue 17's journey of one new person through their personal information, in a real browser: registering with
the privacy notice (refused without the tick, nothing typed lost but the password), an entry for a pupil under 14
with the guardian's consent (refused without it), downloading everything held about them from 我的资料, withdrawing
the separate consent to sensitive personal information, then the consent to the notice (logged out, and asked again
at the next log-in), and deleting the account (refused while the entry waits for judging, so the entry is withdrawn
first, as the page says); the old credentials then log in no more.

The state is the minors' test's (a school contest that accepts entrants under 14), reused, not copied."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator

import pytest
from playwright.async_api import expect

from tests.browser.conftest import LiveServer, screenshot, start_with_state
from tests.browser.helpers import design, download, log_in, submit

pytestmark = pytest.mark.browser

EMAIL, PASSWORD, NAME, SCHOOL = "guardian.family@example.org", "a family password", "王小丫", "杨浦区实验小学"
TITLE = "会飞的铆钉"


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = start_with_state(tmp_path_factory.mktemp("personal-data"), "minors_state")
    yield server
    server.stop()


async def _register(page, server: LiveServer) -> None:
    await page.goto(server.url("/account/register"))
    await page.fill("#f-email", EMAIL)
    await page.fill("#f-display_name", NAME)
    await page.fill("#f-password", PASSWORD)
    await page.select_option("#f-category", "student")
    await page.fill("#f-school", SCHOOL)
    await page.check("#r-sensitive")
    await submit(page, "main button[type=submit]")
    await expect(page.locator("#r-privacy-error")).to_have_text("请阅读个人信息处理规则并勾选同意：未同意则无法创建账号。")
    kept = [await page.input_value(f"#f-{name}") for name in ("email", "display_name", "category", "school", "password")]
    assert kept == [EMAIL, NAME, "student", SCHOOL, ""]
    assert [await page.is_checked(f"#r-{name}") for name in ("privacy", "sensitive")] == [False, True]
    await page.locator("#r-privacy").scroll_into_view_if_needed()
    await screenshot(page, "personal-data-1-register-refused", full_page=False)
    await page.fill("#f-password", PASSWORD)
    await page.check("#r-privacy")
    await submit(page, "main button[type=submit]")
    assert page.url == server.url("/account/login")


async def _minors_entry(page, server: LiveServer, folder) -> None:
    await page.goto(server.url("/me/c/school-2026/new"))
    await submit(page, "main button[type=submit]")
    await page.set_input_files("input[type=file]", design(folder, "小精灵.jpg", seed=17))
    await expect(page.locator(".image-item")).to_have_count(1, timeout=60_000)
    await page.fill("#f-title", TITLE)
    await page.fill("#f-concept", "一枚会飞的铆钉，带着工人的手艺去旅行。")
    await page.check("input[name=has_minor][value=yes]")
    await page.fill("#f-guardian_name", "王建国")
    await page.fill("#f-guardian_relation", "父亲")
    await page.fill("#f-guardian_contact", "139 0013 9000")
    await page.check("input[name=minor_naming][value=surname]")
    await page.check("input[name=originality]")
    await page.check("input[name=ip_terms]")
    await submit(page, "button[name=action][value=submit]")
    await expect(page.locator(".error-summary")).to_contain_text("须经监护人同意处理未成年人的个人信息，才能提交作品。")
    assert await page.input_value("#f-guardian_name") == "王建国"
    await page.check("input[name=guardian_consent]")
    await page.check("input[name=originality]")
    await page.check("input[name=ip_terms]")
    await page.locator("fieldset.guardian").scroll_into_view_if_needed()
    await screenshot(page, "personal-data-2-guardian-consent", full_page=False)
    await submit(page, "button[name=action][value=submit]")
    assert page.url.endswith("/receipt")
    await expect(page.locator(".flash").first).to_contain_text("作品已提交")


async def _download(page, server: LiveServer, folder) -> None:
    await page.goto(server.url("/me/"))
    await submit(page, "main a:has-text('我的资料')")
    await screenshot(page, "personal-data-3-my-data")
    path = await download(page, "form[action='/me/data/download'] button", folder)
    with zipfile.ZipFile(path) as archive:
        data = json.loads(archive.read("data.json"))
        [entry] = data["entries"]
        [upload] = entry["files"]
        assert (data["account"]["email"], data["account"]["display_name"]) == (EMAIL, NAME)
        assert [(c["notice__version"], c["kind"], c["sensitive"]) for c in data["privacy_consents"]] == [
            (1, "given", True)]
        guardian = [entry[key] for key in ("title", "state", "has_minor", "guardian_name", "guardian_relation",
                                           "guardian_contact", "minor_naming")]
        assert guardian == [TITLE, "submitted", True, "王建国", "父亲", "13900139000", "surname"]
        assert entry["guardian_consented_at"] and entry["declarations"][-1]["guardian"]["name"] == "王建国"
        assert (upload["original_name"], upload["path"].startswith("files/")) == ("小精灵.jpg", True)
        assert upload["path"] in archive.namelist()


async def _withdraw_sensitive(page, server: LiveServer) -> None:
    await page.goto(server.url("/me/data"))
    await submit(page, "main a[href='/account/consent']")
    history = page.locator("table.consent-history tbody tr")
    await expect(history).to_have_count(1)
    sensitive = page.locator("form[action='/account/consent/sensitive']")
    await submit(page, "form[action='/account/consent/sensitive'] button")  # not confirmed: refused by the box
    await expect(page.locator("#s-confirm_sensitive-error")).to_be_visible()
    await screenshot(page, "personal-data-4-consent-unconfirmed")
    await page.check("#s-confirm_sensitive")
    await submit(page, "form[action='/account/consent/sensitive'] button")
    await expect(sensitive).to_have_count(0)
    await expect(history).to_have_count(2)
    await expect(page.locator(".flash")).to_have_count(1)
    await expect(page.locator("form[action='/account/consent/withdraw']")).to_be_visible()
    await screenshot(page, "personal-data-5-sensitive-withdrawn")


async def _withdraw_and_give_again(page, server: LiveServer) -> None:
    """Withdrawing the consent to the notice logs out; the next log-in asks for it before anything else."""
    await page.check("#w-confirm_withdraw")
    await submit(page, "form[action='/account/consent/withdraw'] button")
    assert page.url == server.url("/")
    await expect(page.locator(".user-menu a[href='/account/login']")).to_be_visible()
    await log_in(page, server, (EMAIL, PASSWORD))
    assert page.url == server.url("/account/privacy?next=%2Fme%2F")
    assert [await page.is_checked(f"#r-{name}") for name in ("privacy", "sensitive")] == [False, False]
    await screenshot(page, "personal-data-6-consent-asked-again")
    await page.check("#r-privacy")
    await submit(page, "main form[action='/account/privacy'] button[type=submit]")
    assert page.url == server.url("/me/")


async def _delete(page, server: LiveServer) -> None:
    await page.goto(server.url("/me/"))
    await submit(page, "main a[href='/account/delete']")
    refusal = "您有作品所在的大赛尚未公布结果。请先撤回这些作品，或在结果公布后再注销账号。"
    await expect(page.locator("main .flash-error")).to_have_text(refusal)
    await expect(page.locator("#f-password")).to_have_count(0)
    await screenshot(page, "personal-data-7-deletion-refused")
    await page.goto(server.url("/me/"))
    await submit(page, f"main a:has-text('{TITLE}')")
    page.once("dialog", lambda dialog: dialog.accept())
    await page.check("form.withdraw-form input[name=confirm]")
    await submit(page, "form.withdraw-form button")
    await expect(page.locator(".flash").first).to_contain_text("作品已撤回")
    await submit(page, "main a[href='/account/delete']")
    await page.fill("#f-password", PASSWORD)
    await screenshot(page, "personal-data-8-deletion-confirm")
    await submit(page, "main button.btn-danger")
    assert page.url == server.url("/")
    await expect(page.locator(".flash").first).to_have_text("您的账号已注销。")


async def test_one_person_registers_enters_for_a_minor_downloads_withdraws_and_deletes(browser, own_server, tmp_path):
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", accept_downloads=True)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    await _register(page, own_server)
    await log_in(page, own_server, (EMAIL, PASSWORD))
    assert page.url == own_server.url("/me/")
    await _minors_entry(page, own_server, tmp_path)
    await _download(page, own_server, tmp_path)
    await _withdraw_sensitive(page, own_server)
    await _withdraw_and_give_again(page, own_server)
    await _delete(page, own_server)
    await log_in(page, own_server, (EMAIL, PASSWORD))
    await expect(page.locator("main .flash-error")).to_have_text("邮箱或密码不正确。")
    await screenshot(page, "personal-data-9-old-credentials")
    assert errors == []
    await context.close()
