"""A winner claims their prize in the browser: a wrong ID number is refused beside its field with everything typed
kept, the saved details come back masked; then the organiser sees them masked, downloads the finance workbook
through the payouts page, and every cell of the winner's row is checked, the numbers in full."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import openpyxl
import pytest
from playwright.async_api import expect

from tests.browser.conftest import LiveServer, screenshot, start_with_state
from tests.browser.helpers import download, log_in, submit
from tests.browser.payouts_state import NUMBER, ORGANISER, PASSWORD, SLUG, TITLE, TRACK, WINNER

pytestmark = pytest.mark.browser

RESIDENT_ID, WRONG_ID = "110101199003077475", "110101199003077476"
ACCOUNT, BANK = "6222021001122334455", "中国工商银行上海市杨浦支行"
HEADER = ["作品编号", "作品名称", "赛道", "奖项", "收款人类型", "收款人", "证件类型", "证件号码", "开户银行", "银行账号",
          "开户名", "联系电话", "税前金额（元）", "代扣税额（元）", "税后金额（元）", "状态", "提交时间", "同意时间"]


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = start_with_state(tmp_path_factory.mktemp("payouts"), "payouts_state")
    yield server
    server.stop()


async def fill_payee(page, id_number: str) -> None:
    await page.select_option("#f-payee_kind", "individual")
    await page.fill("#f-payee_name", "陈晓雯")
    await page.select_option("#f-id_type", "resident_id")
    await page.fill("#f-id_number", id_number)
    await page.fill("#f-bank_name", BANK)
    await page.fill("#f-account", "6222 0210 0112 2334 455")
    await page.fill("#f-account_holder", "陈晓雯")
    await page.fill("#f-phone", "138 0013 8000")
    await page.check("#f-consent")


async def test_a_winners_payout_form_and_the_finance_export_checked_cell_by_cell(browser, own_server, tmp_path):
    winner = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = await winner.new_page()
    await log_in(page, own_server, (WINNER, PASSWORD))
    await page.goto(own_server.url("/me/results"))
    await submit(page, "a[data-payout]")
    await expect(page.locator("[data-amount=pre_tax]")).to_have_text("¥8,000.00")
    await expect(page.locator("[data-amount=tax]")).to_have_text("¥1,600.00")
    await expect(page.locator("[data-amount=after_tax]")).to_have_text("¥6,400.00")

    await fill_payee(page, WRONG_ID)
    await submit(page, "form[action$='/payout'] button[type=submit]")
    await expect(page.locator("#e-id_number")).to_be_visible()
    assert await page.get_attribute("#f-id_number", "aria-invalid") == "true"
    kept = [await page.input_value(f"#f-{name}") for name in ("payee_name", "id_number", "bank_name", "account",
                                                              "account_holder", "phone")]
    assert kept == ["陈晓雯", WRONG_ID, BANK, "6222 0210 0112 2334 455", "陈晓雯", "138 0013 8000"]
    assert await page.is_checked("#f-consent")
    await screenshot(page, "payout-wrong-id")

    await page.fill("#f-id_number", RESIDENT_ID)
    await submit(page, "form[action$='/payout'] button[type=submit]")
    await expect(page.locator("[data-masked=id_number]")).to_have_text("1101**********7475")
    await expect(page.locator("[data-masked=account]")).to_have_text("****4455")
    await expect(page.locator(".payout-status")).to_have_attribute("data-status", "submitted")
    html = await page.content()
    assert RESIDENT_ID not in html and ACCOUNT not in html
    assert await page.input_value("#f-id_number") == ""
    await screenshot(page, "payout-saved-masked")
    await winner.close()

    organiser = await browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN",
                                          accept_downloads=True)
    page = await organiser.new_page()
    await log_in(page, own_server, (ORGANISER, PASSWORD))
    await page.goto(own_server.url(f"/admin/c/{SLUG}/payouts"))
    row = page.locator("tr[data-award]")
    await expect(row.locator("[data-masked=id_number]")).to_have_text("1101**********7475")
    await expect(row.locator("[data-masked=account]")).to_have_text("****4455")
    assert RESIDENT_ID not in await page.content()
    await screenshot(page, "payouts-organiser")
    path = await download(page, "#payouts-xlsx", tmp_path)
    await organiser.close()

    assert path.name == f"{SLUG}-payouts.xlsx"
    sheet = openpyxl.load_workbook(path)["奖金发放"]
    assert [cell.value for cell in sheet[1]] == HEADER
    cells = list(sheet[2])
    assert [cell.value for cell in cells[:12]] == [NUMBER, TITLE, TRACK, "一等奖", "个人", "陈晓雯", "居民身份证",
                                                   RESIDENT_ID, BANK, ACCOUNT, "陈晓雯", "13800138000"]
    assert [(cell.value, cell.number_format) for cell in cells[12:15]] == [
        (8000, "0.00"), (1600, "0.00"), (6400, "0.00")]
    assert cells[15].value == "已提交"
    submitted, consented = cells[16].value, cells[17].value
    assert isinstance(submitted, datetime) and submitted == consented
    assert sheet.max_row == 2 and sheet.max_column == len(HEADER)
    assert sheet.column_dimensions["H"].width >= len(RESIDENT_ID)  # the full ID number fits its column
