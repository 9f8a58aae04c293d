"""The organiser's set-up pages say what they mean and hold the contest as a union runs it: labels that fit,
distinct words for panels and judge categories, option rows and made keys, a time-zone choice, audit
sentences, the three bodies, an uploaded banner, terms before publishing, criteria copied between rounds.

Tests that change a contest work on their own copy of the demo's campus contest, so the demo stays as
the other browser tests expect it."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from PIL import Image
from playwright.async_api import expect

from tests.browser.conftest import screenshot
from tests.browser.helpers import ORGANISER, log_in, submit

pytestmark = pytest.mark.browser

DEMO = "campus-2026"


def local(days: int) -> str:
    return (datetime.now() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


async def own_copy(page, live_server, slug: str) -> str:
    """A copy of the demo's campus contest (tracks, terms, rounds with criteria), dates a year on."""
    await log_in(page, live_server, ORGANISER)
    await page.goto(live_server.url("/admin/contests/new"))
    await page.select_option("#copy-source", label="「匠心校园」工会文创设计大赛（2026）")
    await page.fill("#copy-slug", slug)
    await page.fill("#copy-title", f"复制的大赛 {slug}")
    await submit(page, "form[action$='/contests/copy'] button[type=submit]")
    assert page.url == live_server.url(f"/admin/c/{slug}/settings")
    return slug


async def test_labels_name_the_contest_and_the_round_not_an_entry_or_a_person(page, live_server):
    await log_in(page, live_server, ORGANISER)
    await page.goto(live_server.url(f"/admin/c/{DEMO}/settings"))
    await expect(page.locator("label[for=c-title]")).to_have_text("大赛名称 *")
    await page.goto(live_server.url("/admin/contests/new"))
    await expect(page.locator("label[for=new-title]")).to_have_text("大赛名称 *")
    await expect(page.locator("label[for=copy-title]")).to_have_text("大赛名称 *")
    await page.goto(live_server.url(f"/admin/c/{DEMO}/rounds"))
    await expect(page.locator("label[for=f-name]")).to_contain_text("轮次名称")


async def test_panels_and_judge_categories_have_different_words(page, live_server):
    await log_in(page, live_server, ORGANISER)
    await page.goto(live_server.url(f"/admin/c/{DEMO}/people"))
    body = await page.locator("main").inner_text()
    assert "评委类别" in body and "评委组" not in body
    await page.goto(live_server.url(f"/admin/c/{DEMO}/rounds"))
    await page.locator("table a[href*='/rounds/']").first.click()
    body = await page.locator("main").inner_text()
    assert "评审组" in body and "评委组" not in body and "评委类别" in body


async def test_options_are_rows_and_the_key_is_made_from_the_label(page, live_server):
    slug = await own_copy(page, live_server, "rows-2027")
    await page.goto(live_server.url(f"/admin/c/{slug}/settings"))
    await page.locator("table.config-tracks a").first.click()
    await page.click("section[aria-labelledby=fields-title] details.console-add summary")
    form = page.locator("form[action$='/fields']")
    await expect(form.locator("input[name=key]")).to_have_count(0)
    await form.locator("select[name=kind]").select_option("multi_choice")
    await form.locator("input[name=label]").fill("联名品类")
    await form.locator("input[name=label_en]").fill("Co-brand categories")
    rows = form.locator(".option-row")
    await rows.nth(0).locator("input[name=option_label]").fill("玩具")
    await rows.nth(0).locator("input[name=option_label_en]").fill("Toy")
    await form.locator("button.option-add").click()
    await form.locator("button.option-add").click()
    await rows.nth(1).locator("input[name=option_label]").fill("删掉我")
    await rows.nth(1).locator("button.option-remove").click()
    await rows.nth(1).locator("input[name=option_label]").fill("文具")
    await rows.nth(1).locator("input[name=option_label_en]").fill("Stationery")
    await screenshot(page, "organiser-question-option-rows")
    await submit(page, "form[action$='/fields'] button[type=submit]")
    added = page.locator("section[aria-labelledby=fields-title] details.config-card", has_text="联名品类")
    await expect(added.locator("summary")).to_contain_text("co_brand_categories")
    await added.locator("summary").click()
    labels = added.locator(".option-row input[name=option_label]")
    assert [await labels.nth(i).input_value() for i in range(2)] == ["玩具", "文具"]
    values = added.locator(".option-row input[name=option_value]")
    assert [await values.nth(i).input_value() for i in range(2)] == ["toy", "stationery"]
    await expect(page.locator("textarea[name=options]")).to_have_count(0)


async def test_the_time_zone_is_chosen_from_a_list(page, live_server):
    await log_in(page, live_server, ORGANISER)
    await page.goto(live_server.url(f"/admin/c/{DEMO}/settings"))
    zone = page.locator("#c-time_zone")
    assert await zone.evaluate("e => e.tagName") == "SELECT"
    await expect(zone.locator("option:checked")).to_have_text("北京时间 (Asia/Shanghai)")


async def test_audit_entries_read_as_sentences_in_local_time(page, live_server):
    slug = await own_copy(page, live_server, "audit-2027")
    await page.click("section[aria-labelledby=tiers-title] details.console-add summary")
    await page.fill("#tier-new-name", "特别创意奖")
    await page.fill("#tier-new-quota", "2")
    await submit(page, "form[action$='/tiers'] button[type=submit]")
    await page.goto(live_server.url(f"/admin/c/{slug}/audit"))
    table = page.locator("table.audit-table")
    await expect(table.locator("tbody tr").first).to_contain_text("保存了奖项等级「特别创意奖」")
    text = await table.inner_text()
    assert "award_tier.saved" not in text and "contest.copied" not in text and '{"' not in text
    assert "复制" in text
    await expect(page.locator("#f-action option", has_text="保存奖项等级")).to_have_count(1)
    await screenshot(page, "organiser-audit-sentences")


async def test_three_bodies_and_an_uploaded_banner_show_on_the_public_page(page, live_server, tmp_path):
    slug = await own_copy(page, live_server, "bodies-2027")
    await page.fill("#c-guiding_bodies", "上海市总工会")
    await page.fill("#c-host_bodies", "杨浦区总工会")
    await page.fill("#c-organising_bodies", "大赛组委会办公室")
    await page.check("#c-is_published")
    await submit(page, "form[action$='/settings'] button[type=submit]")
    await expect(page.locator(".flash-success")).to_be_visible()

    wrong = tmp_path / "banner.jpg"
    wrong.write_text("not a picture")
    await page.set_input_files("#banner-file", str(wrong))
    await submit(page, "form[action$='/banner'] button[type=submit]")
    await expect(page.locator("#banner-file-error")).to_contain_text("JPEG")
    banner = tmp_path / "主视觉.png"
    Image.new("RGB", (1800, 750), (180, 30, 40)).save(banner, "PNG")
    await page.set_input_files("#banner-file", str(banner))
    await submit(page, "form[action$='/banner'] button[type=submit]")
    preview = page.locator(".banner-preview img")
    await expect(preview).to_be_visible()
    key = (await preview.get_attribute("src")).split("/banner/")[1].split("/")[0]
    await screenshot(page, "organiser-banner-and-bodies")

    await page.goto(live_server.url(f"/c/{slug}"))
    await expect(page.locator("#organisers-title")).to_have_text("组织机构")
    bodies = page.locator(".contest-bodies")
    await expect(bodies).to_contain_text("指导单位")
    await expect(bodies).to_contain_text("上海市总工会")
    await expect(bodies).to_contain_text("主办单位")
    await expect(bodies).to_contain_text("杨浦区总工会")
    await expect(bodies).to_contain_text("承办单位")
    await expect(bodies).to_contain_text("大赛组委会办公室")
    await expect(page.locator(f".hero img[src*='{key}']")).to_have_count(1)
    await screenshot(page, "public-contest-bodies-and-banner")
    await page.goto(live_server.url("/"))
    await expect(page.locator(f".contest-item img[src*='{key}']")).to_have_count(1)


async def test_a_contest_is_not_published_before_its_terms_are_saved(page, live_server):
    await log_in(page, live_server, ORGANISER)
    await page.goto(live_server.url("/admin/contests/new"))
    await page.fill("#new-slug", "terms-2027")
    await page.fill("#new-title", "条款测试大赛")
    await submit(page, "form[action$='/contests/new'] button[type=submit]")
    terms = page.locator("section[aria-labelledby=terms-title]")
    await expect(terms.locator(".config-warning")).to_contain_text("尚未保存")
    await page.check("#c-is_published")
    await submit(page, "form[action$='/settings'] button[type=submit]")
    await expect(page.locator("#c-is_published-error")).to_contain_text("条款")
    await expect(page.locator("#c-title")).to_have_value("条款测试大赛")
    for kind in ("originality", "ip_terms"):
        await page.goto(live_server.url("/admin/c/terms-2027/settings"))
        await terms.locator(f"details:has(input[name=kind][value={kind}]) summary").click()
        await submit(page, f"details:has(input[name=kind][value={kind}]) button[type=submit]")
    await expect(terms.locator(".config-warning")).to_have_count(0)
    await page.check("#c-is_published")
    await submit(page, "form[action$='/settings'] button[type=submit]")
    await expect(page.locator("#c-is_published")).to_be_checked()
    await expect(page.locator(".flash-success")).to_be_visible()


async def test_criteria_are_copied_from_another_round(page, live_server):
    slug = await own_copy(page, live_server, "criteria-2027")
    await page.goto(live_server.url(f"/admin/c/{slug}/rounds"))
    await page.fill("#f-name", "复评")
    await page.fill("#f-opens_at", local(900))
    await page.fill("#f-closes_at", local(910))
    await submit(page, "form[action$='/rounds/new'] button[type=submit]")
    await expect(page.locator("h1")).to_have_text("复评")
    criteria = page.locator("section[aria-labelledby=criteria-title] form.console-card[aria-label]")
    await expect(criteria).to_have_count(0)
    await page.select_option("#criteria-copy-source", label="初评")
    await submit(page, "form[action$='/criteria/copy'] button[type=submit]")
    names = criteria.locator("input[name=name]")
    await expect(names).to_have_count(3)
    assert [await names.nth(i).input_value() for i in range(3)] == ["文化内涵", "创意设计", "转化可行性"]
