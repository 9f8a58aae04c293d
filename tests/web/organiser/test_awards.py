"""The organisers' award page through HTTP (proposal, store, move, add, remove, confirm) and the
certificate downloads: the winner's own after the announcement, everyone's as one ZIP for organisers."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import timedelta

import pytest
from pypdf import PdfReader

from contest import clock
from contest.accounts.models import ContestRole, ContestRoleKind
from contest.audit.models import AuditEvent
from contest.results.models import Award, AwardStatus
from tests.factories import login_as, make_user
from tests.results.award_builders import final_round

pytestmark = pytest.mark.web

EIGHT = (95, 90, 85, 80, 75, 70, 65, 60)
SECOND = timedelta(seconds=1)
ENGLISH = {"accept-language": "en"}


@dataclass
class Desk:
    final: object
    organiser: object
    token: str

    @property
    def path(self) -> str:
        return f"/admin/c/{self.final.contest.slug}/awards"

    def form(self, **fields: object) -> dict[str, object]:
        return {"csrf_token": self.token, **fields}


async def desk(client, settings, figures=EIGHT, **contest_fields) -> Desk:
    """A final round scored by `figures`, announced five minutes from now (close enough that a frozen clock
    at the announcement still resumes the organiser's session), and its organiser signed in."""
    contest_fields.setdefault("announce_at", clock.now().replace(microsecond=0) + timedelta(minutes=5))
    final = await final_round(figures, **contest_fields)
    organiser = await make_user(display_name="组委会秘书")
    await ContestRole.create(contest=final.contest, user=organiser, role=ContestRoleKind.ORGANISER)
    return Desk(final, organiser, await login_as(client, organiser, secret=settings.secret_key))


async def store(client, d: Desk) -> None:
    page = await client.get(d.path)
    token = re.search(r'name="proposal" value="([^"]*)"', page.text).group(1)
    response = await client.post(d.path + "/store", data=d.form(proposal=token))
    assert response.status_code == 303


async def grades(d: Desk) -> dict[int, tuple[str, str]]:
    """{place: (tier name, status)} of the active awards."""
    place = {e.id: i for i, e in enumerate(d.final.entries, start=1)}
    names = {t.id: name for name, t in d.final.tiers.items()}
    rows = await Award.filter(contest_id=d.final.contest.id, status__in=["proposed", "confirmed"]).values_list(
        "entry_id", "tier_id", "status")
    return {place[e]: (names[t], str(s)) for e, t, s in sorted(rows, key=lambda r: place[r[0]])}


async def test_the_page_shows_each_grade_with_its_quota_vacancies_and_a_boundary_tie(client, settings):
    d = await desk(client, settings, figures=(95, 88, 88), tiers=(("一等奖", 1, 1), ("二等奖", 2, 1), ("三等奖", 3, 3)))
    page = await client.get(d.path, headers=ENGLISH)
    assert page.status_code == 200
    text = re.sub(r"\s+", " ", page.text)
    assert "Tied entries straddle a grade boundary" in text
    assert f"<strong>{d.final.entries[1].number}</strong>, <strong>{d.final.entries[2].number}</strong> (二等奖 / 三等奖)" in text
    assert "2 vacant: not enough ranked entries" in text


async def test_the_shown_proposal_is_stored_and_a_stale_one_is_shown_again(client, settings):
    d = await desk(client, settings)
    await store(client, d)
    assert await grades(d) == {1: ("一等奖", "proposed"), 2: ("二等奖", "proposed"), 3: ("二等奖", "proposed"),
                               4: ("三等奖", "proposed"), 5: ("三等奖", "proposed"), 6: ("三等奖", "proposed")}
    stale = await client.post(d.path + "/store", data=d.form(proposal="1:1"), headers=ENGLISH)
    assert stale.status_code == 409
    assert "The figures changed since the proposal was shown" in stale.text
    assert await Award.filter(contest_id=d.final.contest.id).count() == 6


async def test_a_move_without_a_reason_is_refused_next_to_the_field_and_keeps_the_input(client, settings):
    d = await desk(client, settings)
    await store(client, d)
    award = await Award.get(entry_id=d.final.entries[3].id)
    silver = d.final.tiers["二等奖"].id
    response = await client.post(f"{d.path}/{award.id}/move", data=d.form(tier=silver, reason=" ", override="1"),
                                 headers=ENGLISH)
    assert response.status_code == 400
    assert re.search(rf'<p class="field-error" id="e-move-{award.id}-reason">Give the reason for this change', response.text)
    assert re.search(rf'<option value="{silver}" selected>', response.text)
    assert (await Award.get(id=award.id)).tier_id == d.final.tiers["三等奖"].id


async def test_a_move_into_a_full_grade_needs_the_override_and_is_audited(client, settings):
    d = await desk(client, settings)
    await store(client, d)
    award = await Award.get(entry_id=d.final.entries[3].id)
    silver = d.final.tiers["二等奖"].id
    full = await client.post(f"{d.path}/{award.id}/move", data=d.form(tier=silver, reason="造型完整"), headers=ENGLISH)
    assert full.status_code == 400 and "This grade&#39;s quota is full" in full.text
    moved = await client.post(f"{d.path}/{award.id}/move", data=d.form(tier=silver, reason="造型完整", override="1"))
    assert moved.status_code == 303
    assert (await grades(d))[4] == ("二等奖", "proposed")
    event = await AuditEvent.get(action="award.moved")
    assert (event.actor_id, event.data["reason"], event.data["override_quota"]) == (d.organiser.id, "造型完整", True)
    page = await client.get(d.path, headers=ENGLISH)
    assert "造型完整" in page.text and "Moved to another grade" in page.text


async def test_removing_with_promotion_moves_the_next_entries_up(client, settings):
    d = await desk(client, settings)
    await store(client, d)
    gold = await Award.get(entry_id=d.final.entries[0].id)
    response = await client.post(f"{d.path}/{gold.id}/remove", data=d.form(policy="promote_next", reason="原创存疑"))
    assert response.status_code == 303
    assert {p: g for p, (g, _) in (await grades(d)).items()} == {
        2: "一等奖", 3: "二等奖", 4: "二等奖", 5: "三等奖", 6: "三等奖", 7: "三等奖"}


async def test_a_special_award_is_added_with_a_reason_then_everything_is_confirmed(client, settings):
    d = await desk(client, settings)
    await store(client, d)
    special = d.final.tiers["网络人气奖"].id
    added = await client.post(d.path + "/add", data=d.form(entry=d.final.entries[7].id, tier=special, reason="投票第一"))
    assert added.status_code == 303
    unticked = await client.post(d.path + "/confirm", data=d.form(), headers=ENGLISH)
    assert unticked.status_code == 400 and 'id="e-confirm-confirm">Tick the box to confirm.' in unticked.text
    confirmed = await client.post(d.path + "/confirm", data=d.form(confirm="1"))
    assert confirmed.status_code == 303
    assert set((await grades(d)).values()) == {("一等奖", "confirmed"), ("二等奖", "confirmed"), ("三等奖", "confirmed"),
                                               ("网络人气奖", "confirmed")}
    assert (await grades(d))[8] == ("网络人气奖", "confirmed")


async def test_organisers_download_every_confirmed_certificate_as_one_zip(client, settings):
    d = await desk(client, settings, figures=(95, 90, 85))
    await store(client, d)
    await client.post(d.path + "/confirm", data=d.form(confirm="1"))
    response = await client.get(d.path + "/certificates.zip")
    assert (response.status_code, response.headers["content-type"]) == (200, "application/zip")
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    awards = await Award.filter(contest_id=d.final.contest.id).order_by("id").values_list("id", flat=True)
    assert sorted(int(name.rsplit("-", 1)[1].removesuffix(".pdf")) for name in archive.namelist()) == list(awards)
    winners = {PdfReader(io.BytesIO(archive.read(n))).pages[0].extract_text().splitlines()[1] for n in archive.namelist()}
    assert winners == {"设计师1", "设计师2", "设计师3"}


async def test_the_winner_downloads_the_certificate_from_the_announcement_to_the_second(client, settings, at):
    d = await desk(client, settings, figures=(95, 90))
    announce_at = d.final.contest.announce_at
    await store(client, d)
    await client.post(d.path + "/confirm", data=d.form(confirm="1"))
    gold = await Award.get(entry_id=d.final.entries[0].id)
    path, missing = f"/me/awards/{gold.id}/certificate", "/me/awards/999999/certificate"
    client.cookies.clear()
    await login_as(client, await d.final.entries[0].owner, secret=settings.secret_key)
    at(announce_at - SECOND)
    hidden, absent = await client.get(path), await client.get(missing)
    assert [hidden.status_code, absent.status_code] == [404, 404]
    assert hidden.headers["cache-control"] == absent.headers["cache-control"] == "no-store"
    assert hidden.text.replace(path, "PATH") == absent.text.replace(missing, "PATH")  # the language links name it
    at(announce_at)
    shown = await client.get(path)
    assert (shown.status_code, shown.headers["content-type"], shown.headers["cache-control"]) == (
        200, "application/pdf", "private, no-store")
    assert "设计师1" in PdfReader(io.BytesIO(shown.content)).pages[0].extract_text()


async def test_only_the_winner_gets_their_certificate(client, settings, at):
    d = await desk(client, settings, figures=(95, 90))
    await store(client, d)
    await client.post(d.path + "/confirm", data=d.form(confirm="1"))
    gold = await Award.get(entry_id=d.final.entries[0].id)
    at(d.final.contest.announce_at + SECOND)
    for user in (await d.final.entries[1].owner, d.organiser):
        client.cookies.clear()
        await login_as(client, user, secret=settings.secret_key)
        assert (await client.get(f"/me/awards/{gold.id}/certificate")).status_code == 404
    organiser_copy = await client.get(f"{d.path}/{gold.id}/certificate")
    assert (organiser_copy.status_code, organiser_copy.headers["content-type"]) == (200, "application/pdf")


async def test_after_the_announcement_the_page_offers_no_changes(client, settings, at):
    d = await desk(client, settings)
    await store(client, d)
    award = await Award.get(entry_id=d.final.entries[0].id)
    at(d.final.contest.announce_at)
    page = await client.get(d.path, headers=ENGLISH)
    assert "awards now change only through an objection case" in page.text
    assert f"/awards/{award.id}/move" not in page.text
    refused = await client.post(f"{d.path}/{award.id}/remove", data=d.form(policy="leave_vacant", reason="x"))
    assert refused.status_code == 409
    assert await Award.filter(id=award.id, status=AwardStatus.PROPOSED).exists()


async def test_the_page_shows_each_certificate_number_to_be_issued_and_then_issued_with_its_check(client, settings,
                                                                                                  at):
    d = await desk(client, settings, figures=(95, 90), certificate_number_pattern="第{seq:03}号")
    await store(client, d)
    await client.post(d.path + "/confirm", data=d.form(confirm="1"))
    gold = await Award.get(entry_id=d.final.entries[0].id)
    before = await client.get(d.path, headers=ENGLISH)
    assert re.findall(r'class="award-certificate-number">([^<]*)<', before.text) == ["第001号", "第002号"]
    assert "issued with this number at the announcement" in before.text and "/certificates/" not in before.text
    at(d.final.contest.announce_at + SECOND)
    after = await client.get(d.path, headers=ENGLISH)
    gold = await Award.get(id=gold.id)
    assert gold.certificate_number == "第001号"
    assert f'href="/certificates/{gold.certificate_token}"' in after.text
