from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from pypdf import PdfReader

from contest.contests.models import Contest
from contest.entries.models import Entry, TeamMember
from contest.results import awarding, certificates
from contest.results.certificates import Certificate
from contest.results.models import Award, AwardStatus
from tests.factories import NOW, make_user
from tests.results.award_builders import final_round

pytestmark = pytest.mark.unit

ANNOUNCE = datetime(2025, 10, 18, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
AFTER = ANNOUNCE + timedelta(days=1)


def text_of(pdf: bytes) -> list[str]:
    return PdfReader(io.BytesIO(pdf)).pages[0].extract_text().splitlines()


async def confirmed(final, *places: int) -> list[Award]:
    for place in places:
        await Award.create(contest=final.contest, tier=final.tiers["一等奖"] if place == 1 else final.tiers["二等奖"],
                           entry=final.entries[place - 1], status=AwardStatus.CONFIRMED, decided_at=NOW)
    return await awarding.confirmed_awards(final.contest)


def link(token: str) -> str:
    return f"https://wenchuang.example/certificates/{token}"


async def printed(award: Award, *, now: datetime = AFTER) -> bytes:
    (document,) = await certificates.certificates_for(award.contest, [award], now=now, link=link)
    return await certificates.certificate_pdf(document)


def links_of(pdf: bytes) -> list[str]:
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    return [a.get_object()["/A"]["/URI"] for a in page.get("/Annots", [])]


async def test_the_certificate_prints_every_name_and_title_in_exact_chinese(db):
    final = await final_round((95,), title="「人民城市 百年工运」文创设计大赛 2025", slug="renmin-2025",
                              announce_at=ANNOUNCE, certificate_english=True)
    entry = final.entries[0]
    await Entry.filter(id=entry.id).update(public_name="星火设计工作室", title="海派剪纸·百年工运拼图盒",
                                           supervisor_name="王老师")
    await TeamMember.create(entry=entry, name="张文", position=1)
    await TeamMember.create(entry=entry, name="欧阳娜娜", position=2)
    (award,) = await confirmed(final, 1)
    pdf = await printed(award)
    assert text_of(pdf) == [
        "荣誉证书", "CERTIFICATE OF HONOUR", "星火设计工作室", "团队成员：张文、欧阳娜娜", "指导老师：王老师",
        f"在「人民城市 百年工运」文创设计大赛 2025（{final.track.name}）评选中，参赛作品", "《海派剪纸·百年工运拼图盒》",
        "荣获", "一等奖", "特发此证，以资鼓励。", "大赛组委会", "2025年10月18日", f"证书编号：RENMIN-2025-{award.id:05d}",
        "扫码查验证书"]
    token = (await Award.get(id=award.id)).certificate_token
    assert links_of(pdf) == [link(token)]


async def test_the_configured_bodies_issue_the_certificate_under_its_number_without_english_unless_asked(db):
    final = await final_round((95,), title="校园文创大赛", announce_at=ANNOUNCE,
                              certificate_number_pattern="〔{year}〕工运文创第{seq:03}号",
                              certificate_issuers="上海市总工会\n杨浦区总工会\n上海工运文创联盟")
    (award,) = await confirmed(final, 1)
    lines = text_of(await printed(award))
    assert "CERTIFICATE OF HONOUR" not in lines
    assert lines[-5:] == ["特发此证，以资鼓励。", "上海市总工会 杨浦区总工会 上海工运文创联盟", "2025年10月18日",
                          "证书编号：〔2025〕工运文创第001号", "扫码查验证书"]  # the bodies side by side


async def test_before_the_announcement_the_certificate_shows_the_number_it_will_get(db):
    final = await final_round((95, 90), announce_at=ANNOUNCE, certificate_number_pattern="第{seq:02}号")
    _, silver = await confirmed(final, 1, 2)
    assert "证书编号：第02号" in text_of(await printed(silver, now=ANNOUNCE - timedelta(hours=1)))
    assert (await Award.get(id=silver.id)).certificate_number is None


async def test_the_hosting_bodies_award_the_certificate(db):
    final = await final_round((95,), title="校园文创大赛")
    await Contest.filter(id=final.contest.id).update(host_bodies="上海市总工会、杨浦区总工会")
    (award,) = await confirmed(final, 1)
    lines = text_of(await printed(award))
    assert lines[-4] == "上海市总工会 杨浦区总工会"


async def test_a_special_award_names_no_track_and_an_unnamed_entrant_goes_by_their_account_name(db):
    final = await final_round((95,), title="校园文创大赛")
    await Entry.filter(id=final.entries[0].id).update(public_name=" ")
    await Award.create(contest=final.contest, tier=final.tiers["网络人气奖"], entry=final.entries[0],
                       status=AwardStatus.CONFIRMED)
    (award,) = await awarding.confirmed_awards(final.contest)
    lines = text_of(await certificates.certificate_pdf(certificates.certificate_of(award)))
    assert lines[1:6] == ["设计师1", "在「校园文创大赛」评选中，参赛作品", "《作品1》", "荣获", "网络人气奖"]


async def test_the_font_is_embedded_as_a_small_subset(db):
    final = await final_round((95,))
    (award,) = await confirmed(final, 1)
    pdf = await certificates.certificate_pdf(certificates.certificate_of(award))
    font = PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"]["/F1"]
    descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
    assert (font["/Encoding"], "/FontFile2" in descriptor, font["/BaseFont"].split("+")[1]) == (
        "/Identity-H", True, "NotoSerifSC")
    assert len(pdf) < 60_000


def test_characters_the_font_lacks_are_reported():
    certificate = Certificate(contest="大赛", track="", grade="一等奖", title="作品", winner="李𠮷", members=(),
                              supervisor="", issued_on=NOW, number="X-1", filename="x.pdf")
    assert certificates.missing_characters(certificate) == "𠮷"


async def test_the_zip_holds_one_pdf_per_award_and_arrives_in_pieces(db):
    final = await final_round((95, 90, 85))
    awards = await confirmed(final, 1, 2, 3)
    documents = [certificates.certificate_of(a) for a in awards]
    chunks = [chunk async for chunk in certificates.certificates_zip(documents, batch=1)]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(chunks)))
    track = final.track.name
    assert archive.namelist() == [f"{track}/一等奖-{final.track.slug}-001-{awards[0].id}.pdf",
                                  f"{track}/二等奖-{final.track.slug}-002-{awards[1].id}.pdf",
                                  f"{track}/二等奖-{final.track.slug}-003-{awards[2].id}.pdf"]
    grades = [lines[lines.index("荣获") + 1] for lines in map(text_of, map(archive.read, archive.namelist()))]
    assert grades == ["一等奖", "二等奖", "二等奖"]
    assert archive.testzip() is None
    assert len([c for c in chunks if c]) >= 3


async def test_an_unawarded_designer_has_no_certificate(db):
    final = await final_round((95,))
    await confirmed(final, 1)
    assert await awarding.awards_for_designer(await make_user(), now=NOW) == []
