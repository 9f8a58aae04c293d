"""Payouts through the site: the winner's page from their results, a wrong ID refused by its field with everything
typed kept, masked after saving, closed after the deadline; another designer's URL is a plain 404; organisers see
masked numbers, mark paid and download the finance workbook; the rule and a tier's prize on the settings page."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import openpyxl
import pytest

from contest import clock
from contest.audit.models import AuditEvent
from contest.contests.models import AwardTier, Contest
from contest.results.models import Award, AwardStatus, Payout, PayoutState
from tests.factories import login_as, make_contest, make_track, make_user
from tests.judging.helpers import submitted_entry
from tests.results.payout_builders import ACCOUNT, RESIDENT_ID, payee_form, prize
from tests.sql import counting_queries
from tests.web.helpers import form_token, organiser_of
from tests.web.organiser.test_config import CONTEST_FORM, field_error, organiser_token

pytestmark = pytest.mark.web

WRONG_ID = "110101199003077476"


@pytest.fixture
def english(client):
    client.headers["accept-language"] = "en"
    return client


async def winner_page(client, settings, **contest_fields):
    now = clock.now()
    found = await prize(**{"announce_at": now - timedelta(days=1), "payout_deadline": now + timedelta(days=30),
                           "submissions_open_at": now - timedelta(days=60),
                           "submissions_close_at": now - timedelta(days=30), **contest_fields})
    token = await login_as(client, found.winner, secret=settings.secret_key)
    return found, token, f"/me/awards/{found.award.id}/payout"


async def test_the_results_page_leads_to_the_payout_page_with_the_amounts(english, settings):
    found, _, path = await winner_page(english, settings)
    results = await english.get("/me/results")
    assert f'href="{path}" data-payout' in results.text
    page = await english.get(path)
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    amounts = dict(re.findall(r'data-amount="(\w+)">(?:<strong>)?([^<]+)<', page.text))
    assert amounts == {"pre_tax": "¥8,000.00", "tax": "¥1,600.00", "after_tax": "¥6,400.00"}


async def test_a_wrong_id_is_refused_by_its_field_and_nothing_typed_is_lost(english, settings):
    found, token, path = await winner_page(english, settings)
    page = await english.post(path, data={**payee_form(id_number=WRONG_ID), "csrf_token": token})
    assert page.status_code == 400
    assert re.search(r'<p class="field-error" id="e-id_number">This is not a valid resident ID card number', page.text)
    for typed in (f'value="{WRONG_ID}"', f'value="{ACCOUNT}"', 'value="中国工商银行上海市杨浦支行"', 'value="13800138000"'):
        assert typed in page.text
    assert await Payout.exists(award_id=found.award.id) is False


async def test_saved_details_are_shown_masked_and_never_in_full(english, settings):
    found, token, path = await winner_page(english, settings)
    saved = await english.post(path, data={**payee_form(), "csrf_token": token})
    assert (saved.status_code, saved.headers["location"]) == (303, f"http://testserver{path}")
    page = (await english.get(path)).text
    assert '<dd data-masked="id_number">1101**********7475</dd>' in page
    assert '<dd data-masked="account">****4455</dd>' in page
    assert RESIDENT_ID not in page and ACCOUNT not in page
    assert "Saved: ****4455. Leave it empty to keep it." in page
    kept = await english.post(path, data={**payee_form(id_number="", account="", bank_name="中国银行"),
                                          "csrf_token": token})
    assert kept.status_code == 303
    assert (await Payout.get(award_id=found.award.id)).account_masked == "****4455"


async def test_without_the_consent_nothing_is_saved(english, settings):
    found, token, path = await winner_page(english, settings)
    page = await english.post(path, data={**payee_form(consent=""), "csrf_token": token})
    assert page.status_code == 400 and 'id="e-consent"' in page.text
    assert await Payout.exists(award_id=found.award.id) is False


async def test_another_designers_payout_is_the_same_404_as_a_missing_one(english, settings):
    found, _, path = await winner_page(english, settings)
    other = await make_user()
    token = await login_as(english, other, secret=settings.secret_key)
    foreign = await english.get(path)
    missing = await english.get(f"/me/awards/{found.award.id + 999}/payout")
    assert (foreign.status_code, missing.status_code) == (404, 404)
    assert foreign.text.replace(path, "") == missing.text.replace(f"/me/awards/{found.award.id + 999}/payout", "")
    posted = await english.post(path, data={**payee_form(), "csrf_token": token})
    assert posted.status_code == 404 and await Payout.exists(award_id=found.award.id) is False


async def test_after_the_deadline_the_form_is_closed_and_says_so(english, settings):
    now = clock.now()
    found, token, path = await winner_page(english, settings, payout_deadline=now - timedelta(hours=1))
    page = await english.get(path)
    assert f'action="{path}"' not in page.text
    assert "The claim deadline has passed, so this prize can no longer be claimed." in page.text
    refused = await english.post(path, data={**payee_form(), "csrf_token": token})
    assert refused.status_code == 409 and await Payout.exists(award_id=found.award.id) is False


async def test_the_winner_declines_the_prize(english, settings):
    found, token, path = await winner_page(english, settings)
    declined = await english.post(f"{path}/decline", data={"csrf_token": token})
    assert declined.status_code == 303
    assert (await Payout.get(award_id=found.award.id)).state == PayoutState.DECLINED


async def test_organisers_see_masked_numbers_mark_paid_and_download_the_full_workbook(english, settings):
    found, token, path = await winner_page(english, settings)
    await english.post(path, data={**payee_form(), "csrf_token": token})
    await login_as(english, await organiser_of(found.contest), secret=settings.secret_key)
    payouts_path = f"/admin/c/{found.contest.slug}/payouts"
    page = await english.get(payouts_path)
    assert '<span data-masked="id_number">1101**********7475</span>' in page.text
    assert RESIDENT_ID not in page.text and ACCOUNT not in page.text
    assert re.search(r'<li class="stat" data-status="submitted"><span class="stat-value">1</span>', page.text)
    dashboard = await english.get(f"/admin/c/{found.contest.slug}/")
    assert re.search(r'<li class="stat" data-status="submitted"><span class="stat-value">1</span>', dashboard.text)
    workbook = await english.get(f"/admin/c/{found.contest.slug}/exports/payouts.xlsx")
    assert workbook.headers["content-disposition"] == f'attachment; filename="{found.contest.slug}-payouts.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content)).active
    assert sheet["A1"].value == "Entry number"  # the reader's language
    assert (sheet["H2"].value, sheet["J2"].value, sheet["O2"].value) == (RESIDENT_ID, ACCOUNT, 6400)
    assert await AuditEvent.filter(action="payout.exported", contest_id=found.contest.id).count() == 1
    token = await form_token(english, payouts_path)
    bad = await english.post(f"{payouts_path}/{found.award.id}/paid", data={"csrf_token": token, "paid_on": "x"})
    assert bad.status_code == 400 and 'id="paid-' in bad.text and "Enter the date the prize was paid." in bad.text
    paid = await english.post(f"{payouts_path}/{found.award.id}/paid", data={"csrf_token": token,
                                                                             "paid_on": "2026-12-01"})
    assert paid.status_code == 303
    assert (await Payout.get(award_id=found.award.id)).state == PayoutState.PAID


async def test_the_payout_rule_and_a_tiers_prize_are_set_on_the_settings_page(english, settings):
    contest = await make_contest()
    track = await make_track(contest)
    _, token = await organiser_token(english, settings, contest)
    path = f"/admin/c/{contest.slug}/settings"
    form = {**CONTEST_FORM, "csrf_token": token, "payouts_open": "1", "payout_deadline": "2027-06-01T10:00"}
    refused = await english.post(path, data={**form, "payout_tax_percent": "120"})
    assert refused.status_code == 400 and field_error(refused.text, "c", "payout_tax_percent")
    assert field_error(refused.text, "c", "payout_deadline") == "The claim deadline must come after the announcement."
    assert 'value="120"' in refused.text
    saved = await english.post(path, data={**form, "payout_deadline": "2027-08-01T10:00", "payout_tax_percent": "20.5"})
    assert saved.status_code == 303
    stored = await Contest.get(id=contest.id)
    assert (stored.payouts_open, stored.payout_tax_bp, stored.payout_deadline.isoformat()) == (
        True, 2050, "2027-08-01T02:00:00+00:00")
    tier = {"csrf_token": token, "track": str(track.id), "name": "一等奖", "rank": "1", "quota": "1"}
    bad = await english.post(f"/admin/c/{contest.slug}/tiers", data={**tier, "prize": "5000.123"})
    assert bad.status_code == 400 and field_error(bad.text, "tier-new", "prize")
    assert (await english.post(f"/admin/c/{contest.slug}/tiers", data={**tier, "prize": "5,000.5"})).status_code == 303
    assert (await AwardTier.get(contest_id=contest.id)).prize_fen == 500_050
    page = (await english.get(path)).text
    assert 'value="5000.50"' in page and 'value="20.5"' in page


@pytest.mark.parametrize("item_count", [1, 3])
async def test_the_payouts_page_makes_the_same_queries_however_many_winners(english, settings, item_count):
    found = await prize()
    for n in range(item_count):
        entry = await submitted_entry(found.contest, found.entry.track, await make_user(), number=f"N-{n}")
        award = await Award.create(contest=found.contest, tier=found.tier, entry=entry, status=AwardStatus.CONFIRMED)
        await Payout.create(award=award, state=PayoutState.SUBMITTED, payee_name=f"收款人{n}", updated_at=clock.now())
    await login_as(english, await organiser_of(found.contest), secret=settings.secret_key)
    with counting_queries() as queries:
        page = await english.get(f"/admin/c/{found.contest.slug}/payouts")
    assert page.status_code == 200 and page.text.count("<tr data-award=") == item_count + 1
    assert len(queries) == 7  # session, contest, awards, their tiers, entries, tracks, payees
