"""The 公示 through HTTP: the notice behind its start time, the objection form, the sealed letter
served to organisers only, the cases decided by organisers, and the designer's own results behind
the announcement."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from contest import clock
from contest.accounts.models import ContestRole, ContestRoleKind
from contest.results import awarding, notice
from contest.results.models import Award, AwardStatus, Objection, ObjectionStatus
from tests.factories import make_contest, make_user
from tests.results.award_builders import final_round
from tests.web.helpers import form_token, sign_in

pytestmark = pytest.mark.web

SECOND = timedelta(seconds=1)
SEVEN = (95, 90, 85, 80, 75, 70, 65)
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
IDENTITY = {"name": "赵异议", "organisation": "上海市某设计协会", "email": "zhao.objects@example.org",
            "phone": "021-5555-0101"}


@dataclass
class Edition:
    final: object
    start: datetime
    users: dict

    @property
    def slug(self) -> str:
        return self.final.contest.slug

    def number(self, place: int) -> str:
        return self.final.entries[place - 1].number


async def make_edition(*, start: datetime, announce_after: timedelta = timedelta(days=10),
                       approved: bool = True, special_place: int | None = None) -> Edition:
    """Seven entries of one track, places 1–6 confirmed winners, and a notice from `start`; with
    `special_place`, that entry also holds 网络人气奖, the special award across tracks."""
    final = await final_round(SEVEN, notice_days=7, notice_starts_at=start, announce_at=start + announce_after)
    organiser, other = await make_user(display_name="组委会"), await make_user(display_name="别的组委会")
    await ContestRole.create(contest=final.contest, user=organiser, role=ContestRoleKind.ORGANISER)
    await ContestRole.create(contest=await make_contest(), user=other, role=ContestRoleKind.ORGANISER)
    proposal = await awarding.current_proposal(final.contest)
    before = start - timedelta(days=1)
    await awarding.store_proposal(final.contest, token=awarding.proposal_token(proposal), by=organiser,
                                  now=before)
    if special_place is not None:
        await awarding.add_award(final.contest, entry=final.entries[special_place - 1],
                                 tier=final.tiers["网络人气奖"], reason="网络投票第一", by=organiser, now=before)
    await awarding.confirm_awards(final.contest, by=organiser, now=before)
    if approved:
        shown = await notice.current(final.contest)
        await notice.save_notice(final.contest, kind=shown.kind.value, title=shown.title, body_md=shown.body_md,
                                 by=organiser, now=before, approve=True)
    users = {"organiser": organiser, "other_organiser": other, "designer": await make_user(),
             "winner": await final.entries[0].owner}
    return Edition(final, start, users)


@pytest.fixture
async def edition() -> Edition:
    # the notice starts now (real time), so signed-in sessions stay valid under the frozen clock
    return await make_edition(start=clock.now().replace(microsecond=0))


def same_page(response, other) -> bool:
    return response.text.replace(response.url.path, "PATH") == other.text.replace(other.url.path, "PATH")


async def file(client, edition: Edition, *, place: int = 1, attachment: bytes | None = None, **changes):
    path = f"/c/{edition.slug}/notice/objection"
    token = await form_token(client, path)
    data = {"csrf_token": token, **IDENTITY, "entry": edition.number(place),
            "grounds": "该作品与 2019 年已发表的作品构图一致，出处见附件。", **changes}
    files = {"attachment": ("盖章函.pdf", attachment, "application/pdf")} if attachment is not None else None
    return await client.post(path, data=data, files=files)


# --- the notice behind its start ---------------------------------------------------------------------


@pytest.mark.parametrize("role", ["anonymous", "designer", "winner", "other_organiser"])
async def test_one_second_before_it_starts_the_notice_is_the_missing_page(client, settings, edition, at, role):
    at(edition.start - SECOND)
    await sign_in(client, settings, edition, role)
    for path in (f"/c/{edition.slug}/notice", f"/c/{edition.slug}/notice/objection"):
        hidden = await client.get(path)
        missing = await client.get(path.replace(edition.slug, "no-such-contest"))
        assert [hidden.status_code, missing.status_code] == [404, 404]
        assert hidden.headers["cache-control"] == missing.headers["cache-control"] == "no-store"
        assert same_page(hidden, missing)
        assert "作品2" not in hidden.text and "设计师2" not in hidden.text


async def test_organisers_preview_the_notice_marked_and_uncached(client, settings, edition, at):
    at(edition.start - SECOND)
    await sign_in(client, settings, edition, "organiser")
    preview = await client.get(f"/c/{edition.slug}/notice")
    assert preview.status_code == 200
    assert preview.headers["cache-control"] == "no-store"
    assert 'class="notice-preview"' in preview.text and '<meta name="robots" content="noindex">' in preview.text
    assert "设计师1" in preview.text
    assert (await client.get(f"/c/{edition.slug}/notice/objection")).status_code == 404


async def test_at_its_start_the_notice_lists_the_proposed_winners_with_a_countdown(client, edition, at):
    at(edition.start)
    page = await client.get(f"/c/{edition.slug}/notice")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "private, no-cache"
    assert 'class="notice-preview"' not in page.text
    lines = re.findall(r'<span class="notice-number">([^<]+)</span> ([^<]+)</p>\s*<p class="notice-line-meta">'
                       r'([^ ]+) · [^<]+<strong class="notice-grade">([^<]+)</strong>', page.text)
    assert lines == [(edition.number(p), f"作品{p}", f"设计师{p}", grade) for p, grade in
                     enumerate(["一等奖", "二等奖", "二等奖", "三等奖", "三等奖", "三等奖"], start=1)]
    end = (edition.start + timedelta(days=7)).isoformat()
    assert f'data-deadline="{end}"' in page.text
    assert f'href="/c/{edition.slug}/notice/objection?entry={edition.number(2)}"' in page.text
    form = await client.get(f"/c/{edition.slug}/notice/objection?entry={edition.number(2)}")
    assert form.status_code == 200
    assert f'<option value="{edition.number(2)}" selected>' in form.text


def section(page, title_id: str) -> str:
    return page.text.split(f'aria-labelledby="{title_id}"', 1)[1].split("</section>", 1)[0]


def numbers_and_grades(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<span class="notice-number">([^<]+)</span>.*?<strong class="notice-grade">([^<]+)</strong>',
                      html, re.DOTALL)


async def test_a_special_award_is_listed_in_its_own_section_and_its_entry_counted_once(client, settings, at):
    edition = await make_edition(start=clock.now().replace(microsecond=0), special_place=1)
    at(edition.start + timedelta(hours=1))
    page = await client.get(f"/c/{edition.slug}/notice")
    listed = section(page, "listed-title")
    assert numbers_and_grades(listed) == [(edition.number(p), grade) for p, grade in
                                          enumerate(["一等奖", "二等奖", "二等奖", "三等奖", "三等奖", "三等奖"], start=1)]
    assert re.findall(r'<h3 class="notice-track">([^<]+)</h3>', listed) == [edition.final.track.name]
    assert '<p class="notice-count muted">共 6 件作品</p>' in listed
    special = section(page, "special-title")
    assert '<h2 class="section-title" id="special-title">特别奖</h2>' in page.text
    assert numbers_and_grades(special) == [(edition.number(1), "网络人气奖")]
    assert "名单共 6 件作品，其中 1 件同时获特别奖：" in page.text
    form = await client.get(f"/c/{edition.slug}/notice/objection")
    assert re.findall(r'<option value="([^"]*)"', form.text) == ["", *(edition.number(p) for p in range(1, 7))]
    await sign_in(client, settings, edition, "organiser")
    desk = await client.get(f"/admin/c/{edition.slug}/objections")
    assert "目前名单中有 6 件作品。" in desk.text


async def test_without_a_special_award_the_notice_has_no_special_section(client, edition, at):
    at(edition.start)
    page = await client.get(f"/c/{edition.slug}/notice")
    assert ('<p class="notice-count muted">共 6 件作品</p>' in page.text, 'id="special-title"' in page.text) == (
        True, False)


async def test_the_open_notice_carries_its_end_for_the_countdown(client, edition, at):
    at(edition.start + timedelta(hours=1))
    page = await client.get(f"/c/{edition.slug}/notice")
    assert '<div class="countdown " id="notice-end"' in page.text
    links = re.findall(r'href="/c/[^"]+/notice/objection[^"]*"', page.text)
    until = re.findall(r'<p [^>]*data-until-deadline="notice-end"[^>]*>\s*<a [^>]*(href="/c/[^"]+/notice/objection[^"]*")',
                       page.text)
    assert (len(links), until) == (7, links)
    ended = re.findall(r'<p class="notice-phase notice-phase-(\w+)" data-after-deadline="notice-end" role="status" '
                       r'hidden>([^<]+)</p>', page.text)
    assert ended == [("final", "公示期已结束，所有异议均已处理完毕：以上为最终结果。")]
    assert (await file(client, edition, organisation="")).status_code == 303
    page = await client.get(f"/c/{edition.slug}/notice")
    assert re.findall(r'notice-phase-(\w+)" data-after-deadline', page.text) == ["closed"]


async def test_a_notice_nobody_approved_stays_the_missing_page_after_its_start(client, settings, at):
    edition = await make_edition(start=clock.now().replace(microsecond=0), approved=False)
    at(edition.start + timedelta(hours=1))
    answers = [await client.get(f"/c/{edition.slug}{path}") for path in ("/notice", "/notice/objection", "")]
    assert [a.status_code for a in answers] == [404, 404, 200]
    assert f'href="/c/{edition.slug}/notice"' not in answers[2].text
    token = await sign_in(client, settings, edition, "organiser")
    preview = await client.get(f"/c/{edition.slug}/notice")
    assert (preview.status_code, 'class="notice-preview"' in preview.text) == (200, True)
    page = await client.get(f"/admin/c/{edition.slug}/objections")
    assert 'class="notice-state flash flash-warning"' in page.text
    approved = await client.post(f"/admin/c/{edition.slug}/notice/approve", data={
        "csrf_token": token, "kind": "proposed_winners", "title": "拟获奖名单公示", "body_md": "名单如下。"})
    assert approved.status_code == 303
    page = await client.get(f"/admin/c/{edition.slug}/objections")
    assert 'class="notice-state flash flash-success"' in page.text
    await sign_in(client, settings, edition, "anonymous")
    public = await client.get(f"/c/{edition.slug}/notice")
    assert (public.status_code, "名单如下。" in public.text) == (200, True)


# --- filing ------------------------------------------------------------------------------------------


async def test_an_organisation_files_an_objection_with_its_sealed_letter(client, edition, at):
    at(edition.start + timedelta(hours=1))
    answer = await file(client, edition, attachment=PDF)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"http://testserver/c/{edition.slug}/notice"
    case = await Objection.get()
    assert (case.objector_name, case.objector_organisation, case.objector_email, case.objector_phone) == (
        IDENTITY["name"], IDENTITY["organisation"], IDENTITY["email"], IDENTITY["phone"])
    assert (case.entry_id, case.status, case.attachment_type) == (
        edition.final.entries[0].id, ObjectionStatus.RECEIVED, "pdf")
    follow = await client.get(answer.headers["location"])
    assert re.search(rf'<p class="flash flash-success">[^<]*\b{case.id}\b[^<]*</p>', follow.text)


async def test_a_form_with_problems_comes_back_with_the_input_and_a_message_by_each_field(client, edition, at):
    at(edition.start + timedelta(hours=1))
    answer = await file(client, edition, name="", email="not-an-address")
    assert answer.status_code == 400
    assert 'id="e-name"' in answer.text and 'id="e-email"' in answer.text and 'id="e-attachment"' in answer.text
    assert "该作品与 2019 年已发表的作品构图一致，出处见附件。</textarea>" in answer.text
    assert f'value="{IDENTITY["organisation"]}"' in answer.text
    assert await Objection.all().count() == 0


async def test_a_refused_letter_is_named_next_to_its_field(client, edition, at):
    at(edition.start + timedelta(hours=1))
    answer = await file(client, edition, attachment=b"GIF89a\x01\x00\x01\x00\x00\x00\x00;")
    assert answer.status_code == 400
    assert re.search(r'<p class="field-error" id="e-attachment">[^<]+</p>', answer.text)
    assert await Objection.all().count() == 0


async def test_a_fourth_objection_from_one_address_in_a_day_is_refused_with_a_message(client, edition, at):
    at(edition.start + timedelta(hours=1))
    answers = [await file(client, edition, place=p, organisation="") for p in (1, 2, 3, 4)]
    assert [a.status_code for a in answers] == [303, 303, 303, 429]
    assert 'class="flash flash-error" role="alert"' in answers[3].text
    assert await Objection.all().count() == 3


async def test_after_the_notice_period_the_form_is_closed(client, at):
    edition = await make_edition(start=clock.now().replace(microsecond=0) - timedelta(days=7))
    at(edition.start + timedelta(days=7) - SECOND)
    token = await form_token(client, f"/c/{edition.slug}/notice/objection")
    at(edition.start + timedelta(days=7))
    closed = await client.get(f"/c/{edition.slug}/notice/objection")
    assert closed.status_code == 409
    refused = await client.post(f"/c/{edition.slug}/notice/objection", data={
        "csrf_token": token, **IDENTITY, "entry": edition.number(1), "grounds": "雷同"})
    assert (refused.status_code, await Objection.all().count()) == (409, 0)
    page = await client.get(f"/c/{edition.slug}/notice")
    assert 'class="notice-phase notice-phase-final"' in page.text
    assert "/notice/objection" not in page.text


# --- the letter and the identity ---------------------------------------------------------------------


@pytest.mark.parametrize("role", ["anonymous", "designer", "winner", "other_organiser"])
async def test_the_sealed_letter_is_never_served_to_anyone_but_the_organisers(client, settings, edition, at, role):
    at(edition.start + timedelta(hours=1))
    await file(client, edition, attachment=PDF)
    case = await Objection.get()
    await sign_in(client, settings, edition, role)
    path = f"/admin/c/{edition.slug}/objections/{case.id}/attachment"
    refused = await client.get(path)
    missing = await client.get(path.replace(str(case.id), "999999"))
    assert [refused.status_code, missing.status_code] == ([303, 303] if role == "anonymous" else [404, 404])
    assert same_page(refused, missing) or role == "anonymous"
    assert PDF not in refused.content


async def test_organisers_download_the_letter_as_an_attachment_never_displayed(client, settings, edition, at):
    at(edition.start + timedelta(hours=1))
    await file(client, edition, attachment=PDF)
    case = await Objection.get()
    await sign_in(client, settings, edition, "organiser")
    letter = await client.get(f"/admin/c/{edition.slug}/objections/{case.id}/attachment")
    assert letter.status_code == 200
    assert letter.content == PDF
    assert letter.headers["content-type"] == "application/pdf"
    assert letter.headers["content-disposition"] == 'attachment; filename="objection-letter.pdf"'
    assert letter.headers["x-content-type-options"] == "nosniff"
    assert letter.headers["content-security-policy"] == "default-src 'none'; sandbox"
    assert letter.headers["cache-control"] == "private, no-store"


async def test_a_case_decided_by_the_organisers_is_published_without_the_objector(client, settings, edition, at):
    at(edition.start + timedelta(hours=1))
    await file(client, edition, attachment=PDF)
    case = await Objection.get()
    token = await sign_in(client, settings, edition, "organiser")
    base = f"/admin/c/{edition.slug}/objections/{case.id}"
    page = await client.get(base)
    assert [IDENTITY[k] in page.text for k in IDENTITY] == [True] * 4
    reviewed = await client.post(f"{base}/review", data={"csrf_token": token, "note": "交专家组复议"})
    decided = await client.post(f"{base}/decide", data={
        "csrf_token": token, "verdict": "upheld", "policy": "promote_next", "note": "专家组确认构图雷同",
        "public_text": "经核查，该作品与已发表作品雷同，撤销其获奖资格。"})
    assert [reviewed.status_code, decided.status_code] == [303, 303]
    assert (await Award.get(entry_id=edition.final.entries[0].id)).status == AwardStatus.REVOKED

    await sign_in(client, settings, edition, "anonymous")
    public = await client.get(f"/c/{edition.slug}/notice")
    assert f"关于作品 {edition.number(1)} 异议的处理结果" in public.text
    assert "经核查，该作品与已发表作品雷同，撤销其获奖资格。" in public.text
    assert f'<span class="notice-number">{edition.number(1)}</span>' not in public.text
    assert f'<span class="notice-number">{edition.number(7)}</span>' in public.text
    assert [value for value in (*IDENTITY.values(), case.attachment_key, "专家组确认构图雷同") if value in public.text] == []


async def test_a_decision_without_its_note_is_shown_again_and_changes_nothing(client, settings, edition, at):
    at(edition.start + timedelta(hours=1))
    await file(client, edition, organisation="")
    case = await Objection.get()
    token = await sign_in(client, settings, edition, "organiser")
    base = f"/admin/c/{edition.slug}/objections/{case.id}"
    await client.post(f"{base}/review", data={"csrf_token": token, "note": "复议"})
    answer = await client.post(f"{base}/decide", data={"csrf_token": token, "verdict": "upheld", "public_text": "撤销"})
    assert answer.status_code == 400
    assert 'id="e-decide-note"' in answer.text and 'id="e-decide-policy"' in answer.text
    assert (await Objection.get(id=case.id)).status == ObjectionStatus.UNDER_REVIEW
    assert await Award.filter(status=AwardStatus.REVOKED).count() == 0


async def test_organisers_save_the_notice_text_that_the_public_then_reads(client, settings, edition, at):
    at(edition.start - timedelta(hours=1))
    token = await sign_in(client, settings, edition, "organiser")
    page = await client.get(f"/admin/c/{edition.slug}/objections?draft=shortlist")
    assert "入围终评作品名单公示" in page.text
    refused = await client.post(f"/admin/c/{edition.slug}/notice", data={
        "csrf_token": token, "kind": "proposed_winners", "title": "", "body_md": "保留的正文"})
    assert refused.status_code == 400
    assert 'id="e-title"' in refused.text and "保留的正文</textarea>" in refused.text
    saved = await client.post(f"/admin/c/{edition.slug}/notice", data={
        "csrf_token": token, "kind": "proposed_winners", "title": "2026 拟获奖名单公示", "body_md": "**欢迎**监督"})
    assert saved.status_code == 303
    at(edition.start)
    await sign_in(client, settings, edition, "anonymous")
    public = await client.get(f"/c/{edition.slug}/notice")
    assert "<h1>2026 拟获奖名单公示</h1>" in public.text
    assert "<strong>欢迎</strong>监督" in public.text


# --- the designer's own results --------------------------------------------------------------------


async def test_a_designer_sees_their_results_from_the_announcement_never_before(client, settings, at):
    announce = clock.now().replace(microsecond=0)
    edition = await make_edition(start=announce - timedelta(days=9), announce_after=timedelta(days=9))
    await sign_in(client, settings, edition, "winner")
    award = await Award.get(entry_id=edition.final.entries[0].id)
    answers = []
    for moment in (announce - SECOND, announce):
        at(moment)
        answers.append(await client.get("/me/results"))
    before, after = answers
    assert [before.status_code, after.status_code] == [200, 200]
    assert before.headers["cache-control"] == after.headers["cache-control"] == "no-store"
    assert [("一等奖" in r.text, "终评" in r.text, f"/me/awards/{award.id}/certificate" in r.text)
            for r in answers] == [(False, False, False), (True, True, True)]
