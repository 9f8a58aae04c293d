"""The public check of a certificate through HTTP (valid, revoked, unknown, under the embargo, limited per
address), and the certificate settings on the organisers' settings page (saved, checked, in the user's
language)."""

from __future__ import annotations

import io
from datetime import timedelta
from urllib.parse import quote

import pytest
from pypdf import PdfReader

from contest import clock
from contest.accounts.models import ContestRole, ContestRoleKind
from contest.contests.models import Contest
from contest.results import awarding, certificate_numbers
from contest.results.models import Award, AwardStatus
from tests.factories import login_as, make_contest, make_user
from tests.results.award_builders import final_round
from tests.web.helpers import form_token
from tests.web.organiser.test_config import CONTEST_FORM, field_error

pytestmark = pytest.mark.web

PATTERN = "〔{year}〕工运文创第{seq:03}号"
ENGLISH = {"accept-language": "en"}


async def announced_pair(at):
    """A contest announced a minute ago with a gold and a silver award, its numbers issued."""
    now = clock.now().replace(microsecond=0)
    final = await final_round((95, 90), title="工运文创大赛", announce_at=now - timedelta(minutes=1),
                              certificate_number_pattern=PATTERN)
    for place, tier in ((1, "一等奖"), (2, "二等奖")):
        await Award.create(contest=final.contest, tier=final.tiers[tier], entry=final.entries[place - 1],
                           status=AwardStatus.CONFIRMED, decided_at=now - timedelta(days=1))
    at(now)
    gold, silver = await Award.filter(contest_id=final.contest.id).order_by("id")
    return final, (await certificate_numbers.certificate_number(gold.id, now=now)), silver, now


def check_path(number: str) -> str:
    return "/certificates/check?number=" + quote(number)


async def test_a_valid_certificate_shows_its_public_facts_by_number_and_by_qr_key(client, at):
    final, gold, _, now = await announced_pair(at)
    year = clock.to_zone(final.contest.announce_at, final.contest.time_zone).year
    assert gold.number == f"〔{year}〕工运文创第001号"
    by_number = await client.get(check_path(gold.number))
    by_key = await client.get(f"/certificates/{gold.token}")
    for page in (by_number, by_key):
        assert (page.status_code, page.headers["cache-control"]) == (200, "no-store")
        assert "certificate-valid" in page.text and "certificate-revoked" not in page.text
        for fact in (gold.number, "工运文创大赛", final.track.name, "一等奖", "《作品1》", "设计师1"):
            assert fact in page.text


async def test_a_revoked_certificate_says_so_with_the_date_and_nothing_else(client, at):
    final, _, silver, now = await announced_pair(at)
    issued = await certificate_numbers.certificate_number(silver.id, now=now)
    await awarding.revoke_award(silver, policy="leave_vacant", reason="异议成立：与已发表作品雷同", by=None, now=now)
    page = await client.get(f"/certificates/{issued.token}", headers=ENGLISH)
    assert page.status_code == 200
    assert "certificate-revoked" in page.text and "Revoked" in page.text
    assert issued.number in page.text and "工运文创大赛" in page.text
    day = clock.to_zone(now, final.contest.time_zone).date().isoformat()
    assert day in page.text
    for hidden in ("二等奖", "作品2", "设计师2", "雷同"):
        assert hidden not in page.text
    by_number = await client.get(check_path(issued.number), headers=ENGLISH)
    assert "certificate-revoked" in by_number.text


async def test_an_unknown_number_or_key_is_not_found(client, at):
    await announced_pair(at)
    unknown = await client.get(check_path("〔2026〕工运文创第999号"), headers=ENGLISH)
    assert unknown.status_code == 404
    assert "No certificate has this number." in unknown.text
    assert 'value="〔2026〕工运文创第999号"' in unknown.text
    no_key = await client.get("/certificates/AAAAAAAAAAAAAAAAAAAAAA", headers=ENGLISH)
    assert no_key.status_code == 404 and "No certificate belongs to this code." in no_key.text
    form = await client.get("/certificates/check", headers=ENGLISH)
    assert form.status_code == 200 and "certificate-unknown" not in form.text


async def test_before_the_announcement_the_check_reveals_no_award(client, at):
    now = clock.now().replace(microsecond=0)
    final = await final_round((95,), announce_at=now + timedelta(hours=1), certificate_number_pattern=PATTERN)
    gold = await Award.create(contest=final.contest, tier=final.tiers["一等奖"], entry=final.entries[0],
                              status=AwardStatus.CONFIRMED, decided_at=now)
    at(now)
    provisional = await certificate_numbers.certificate_number(gold.id, now=now)
    assert provisional.provisional
    by_number, by_key = await client.get(check_path(provisional.number)), await client.get(
        f"/certificates/{provisional.token}")
    wrong = "B" * len(provisional.token)
    wrong_key = await client.get(f"/certificates/{wrong}")
    assert [by_number.status_code, by_key.status_code] == [404, 404]
    assert "一等奖" not in by_number.text and "作品1" not in by_key.text
    # the same answer as a key that does not exist (the language links name the page's own address)
    assert by_key.text.replace(provisional.token, "KEY") == wrong_key.text.replace(wrong, "KEY")


async def test_number_look_ups_are_limited_per_address(client, at):
    await announced_pair(at)
    for _ in range(certificate_numbers.CHECKS_PER_ADDRESS):
        await client.get(check_path("第001号"))
    refused = await client.get(check_path("第001号"), headers=ENGLISH)
    assert refused.status_code == 429 and "Too many attempts" in refused.text


async def test_the_winners_certificate_carries_its_number_and_the_check_link(client, settings, at):
    final, gold, _, _ = await announced_pair(at)
    award = await Award.get(certificate_number=gold.number)
    await login_as(client, await final.entries[0].owner, secret=settings.secret_key)
    pdf = await client.get(f"/me/awards/{award.id}/certificate")
    page = PdfReader(io.BytesIO(pdf.content)).pages[0]
    assert f"证书编号：{gold.number}" in page.extract_text().splitlines()
    links = [a.get_object()["/A"]["/URI"] for a in page["/Annots"]]
    assert links == [f"{settings.public_url}/certificates/{gold.token}"]


async def organiser_of(client, settings, contest) -> str:
    organiser = await make_user(display_name="组委会")
    await ContestRole.create(contest=contest, user=organiser, role=ContestRoleKind.ORGANISER)
    await login_as(client, organiser, secret=settings.secret_key)
    return await form_token(client, f"/admin/c/{contest.slug}/settings")


async def test_organisers_set_the_pattern_the_issuing_bodies_and_the_english_line(client, settings):
    contest = await make_contest()
    token = await organiser_of(client, settings, contest)
    form = {**CONTEST_FORM, "csrf_token": token, "certificate_number_pattern": PATTERN,
            "certificate_issuers": "上海市总工会\r\n\r\n  杨浦区总工会  ", "certificate_english": "1"}
    saved = await client.post(f"/admin/c/{contest.slug}/settings", data=form)
    assert saved.status_code == 303
    contest = await Contest.get(id=contest.id)
    assert (contest.certificate_number_pattern, contest.certificate_issuers, contest.certificate_english) == (
        PATTERN, "上海市总工会\n杨浦区总工会", True)
    page = await client.get(f"/admin/c/{contest.slug}/settings")
    assert f'value="{PATTERN}"' in page.text and "上海市总工会\n杨浦区总工会</textarea>" in page.text


@pytest.mark.parametrize(("headers", "pattern_message", "issuers_message"), [
    (ENGLISH, "Put {seq} in the pattern exactly once, so that every certificate has its own number.",
     "At most 4 bodies issue a certificate: one a line."),
    ({"accept-language": "zh-CN"}, "模式中须恰好有一个 {seq}，每张证书才有各自的编号。",
     "颁证单位最多 4 个，每行一个。"),
])
async def test_a_wrong_pattern_is_refused_by_its_field_and_nothing_is_saved(client, settings, headers,
                                                                           pattern_message, issuers_message):
    contest = await make_contest()
    token = await organiser_of(client, settings, contest)
    form = {**CONTEST_FORM, "csrf_token": token, "certificate_number_pattern": "〔{year}〕工运文创",
            "certificate_issuers": "一\n二\n三\n四\n五"}
    page = await client.post(f"/admin/c/{contest.slug}/settings", data=form, headers=headers)
    assert page.status_code == 400
    pattern_error, issuers_error = (field_error(page.text, "c", name) for name in (
        "certificate_number_pattern", "certificate_issuers"))
    assert (pattern_error, issuers_error) == (pattern_message, issuers_message)
    assert (await Contest.get(id=contest.id)).certificate_number_pattern == ""
    refused = await client.post(f"/admin/c/{contest.slug}/settings",
                                data={**form, "csrf_token": "forged", "certificate_number_pattern": PATTERN})
    assert refused.status_code == 403
