"""Objection cases through each outcome, the notice they hang on, throttling, attachments, and the
designer's own results behind the announcement."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from contest import cache_stamp
from contest.audit.models import AuditEvent
from contest.contests.models import Contest
from contest.entries.models import EntryImage
from contest.errors import InvalidInput, TooManyAttempts
from contest.judging.models import Round, RoundEntry, RoundKind
from contest.media.storage import UploadStore
from contest.notifications.models import OutboxMessage
from contest.results import (
    awarding,
    designer_results,
    notice,
    objections,
)
from contest.results.award_seats import RevocationPolicy
from contest.results.models import (
    Award,
    AwardStatus,
    Notice,
    NoticeKind,
    Objection,
    ObjectionStatus,
)
from contest.results.objections import (
    CaseChanged,
    Decision,
    ObjectionInput,
    ObjectionsClosed,
)
from tests import imagegen
from tests.factories import NOW, chunks, make_user, slot_of_entry
from tests.results.award_builders import final_round

pytestmark = pytest.mark.unit

SEVEN = (95, 90, 85, 80, 75, 70, 65)
NOTICE_START = NOW + timedelta(days=1)
DURING = NOTICE_START + timedelta(days=2)
ANNOUNCE = NOW + timedelta(days=20)


async def confirmed_final(figures=SEVEN, *, approve: bool = True):
    """A final round with its proposal stored and confirmed, and a 7-day notice from NOTICE_START,
    approved by an organiser unless `approve` is false."""
    final = await final_round(figures, notice_days=7, notice_starts_at=NOTICE_START, announce_at=ANNOUNCE)
    organiser = await make_user(display_name="组委会")
    proposal = await awarding.current_proposal(final.contest)
    await awarding.store_proposal(final.contest, token=awarding.proposal_token(proposal), by=organiser,
                                  now=NOW)
    await awarding.confirm_awards(final.contest, by=organiser, now=NOW)
    final.contest = await Contest.get(id=final.contest.id)
    if approve:
        shown = await notice.current(final.contest)
        await notice.save_notice(final.contest, kind=shown.kind, title=shown.title, body_md=shown.body_md,
                                 by=organiser, now=NOW, approve=True)
    return final, organiser


async def held(final) -> dict[str, list[int]]:
    """Active awards as {tier name: [entry place, …]}."""
    place = {e.id: i for i, e in enumerate(final.entries, start=1)}
    names = {t.id: name for name, t in final.tiers.items()}
    rows = await Award.filter(contest_id=final.contest.id, status__in=awarding.ACTIVE).values_list(
        "tier_id", "entry_id")
    found: dict[str, list[int]] = {}
    for tier_id, entry_id in rows:
        found.setdefault(names[tier_id], []).append(place[entry_id])
    return {name: sorted(places) for name, places in found.items()}


def form(final, place: int = 1, **changes) -> ObjectionInput:
    values = {"name": "王明", "organisation": "", "email": "Wang.Ming@Example.org", "phone": "+86 138-0000-0000",
              "entry": final.entries[place - 1].number, "grounds": "该作品与 2019 年已发表的作品构图一致，见附件。"}
    values.update(changes)
    return ObjectionInput(**values)


async def filed(final, tmp_path, place: int = 1, *, now=DURING, **changes) -> Objection:
    return await objections.file_objection(final.contest, form(final, place, **changes), attachment=None,
                                           store=UploadStore(tmp_path), ip="203.0.113.7", now=now)


async def reviewed(final, tmp_path, organiser, place: int = 1) -> Objection:
    case = await filed(final, tmp_path, place)
    await objections.start_review(case, note="交专家组复议", by=organiser, now=DURING)
    return case


def stored_files(tmp_path) -> list:
    return sorted(p for p in tmp_path.rglob("*") if p.is_file())


# --- outcomes ---------------------------------------------------------------------------------------


async def test_upheld_objection_revokes_the_award_and_promotes_the_next_entries(db, tmp_path):
    final, organiser = await confirmed_final()
    assert await held(final) == {"一等奖": [1], "二等奖": [2, 3], "三等奖": [4, 5, 6]}
    case = await reviewed(final, tmp_path, organiser, place=1)
    stamps = cache_stamp.local_changes()

    applied = await objections.decide(case, Decision(
        upheld=True, note="专家组确认构图雷同", public_text="经核查，该作品与已发表作品雷同。",
        policy=RevocationPolicy.PROMOTE_NEXT), by=organiser, now=DURING)

    assert await held(final) == {"一等奖": [2], "二等奖": [3, 4], "三等奖": [5, 6, 7]}
    revoked = await Award.get(entry_id=final.entries[0].id)
    assert (revoked.status, revoked.reason) == (AwardStatus.REVOKED, f"异议 {case.id} 成立：经核查，该作品与已发表作品雷同。")
    promoted = await Award.get(entry_id=final.entries[6].id)
    assert promoted.status == AwardStatus.CONFIRMED
    assert [(p.entry_id, p.to_tier_id) for p in applied.promotions] == [
        (final.entries[1].id, final.tiers["一等奖"].id), (final.entries[3].id, final.tiers["二等奖"].id),
        (final.entries[6].id, final.tiers["三等奖"].id)]
    case = await Objection.get(id=case.id)
    assert (case.status, case.outcome, case.resolved_at) == (ObjectionStatus.UPHELD, "经核查，该作品与已发表作品雷同。", DURING)
    published = await Notice.get(contest_id=final.contest.id, kind=NoticeKind.OBJECTION_OUTCOME)
    e = final.entries
    changes = [f"- 撤销作品 {e[0].number}《作品1》 的一等奖。", f"- 作品 {e[1].number}《作品2》 由二等奖依次递补为一等奖。",
               f"- 作品 {e[3].number}《作品4》 由三等奖依次递补为二等奖。", f"- 作品 {e[6].number}《作品7》 依次递补为三等奖。"]
    assert published.body_md == "\n\n".join(["经专家复议，异议成立。", "经核查，该作品与已发表作品雷同。", "\n".join(changes)])
    assert (published.title, published.publish_at) == (f"关于作品 {e[0].number} 异议的处理结果", DURING)
    assert cache_stamp.local_changes() == stamps + 1


async def test_an_entry_whose_objection_was_upheld_is_never_promoted_later(db, tmp_path):
    final, organiser = await confirmed_final()
    await Objection.create(contest=final.contest, entry=final.entries[6], objector_name="李", body="入围时已查实抄袭",
                           objector_email="li@example.org", status=ObjectionStatus.UPHELD)  # ranked 7th, no award
    against_first = await reviewed(final, tmp_path, organiser, place=1)
    await objections.decide(against_first, Decision(upheld=True, note="成立", public_text="撤销。",
                                                    policy=RevocationPolicy.PROMOTE_NEXT), by=organiser, now=DURING)
    assert await held(final) == {"一等奖": [2], "二等奖": [3, 4], "三等奖": [5, 6]}


async def test_upheld_objection_can_leave_the_grade_vacant(db, tmp_path):
    final, organiser = await confirmed_final()
    case = await reviewed(final, tmp_path, organiser, place=2)

    applied = await objections.decide(case, Decision(
        upheld=True, note="确认抄袭", public_text="该作品抄袭他人作品。", policy=RevocationPolicy.LEAVE_VACANT),
        by=organiser, now=DURING)

    assert await held(final) == {"一等奖": [1], "二等奖": [3], "三等奖": [4, 5, 6]}
    assert applied.promotions == []
    assert applied.notice is not None
    assert applied.notice.body_md.endswith(
        f"- 撤销作品 {final.entries[1].number}《作品2》 的二等奖。\n- 二等奖空缺一名。")
    events = await AuditEvent.filter(subject=f"objection:{case.id}").order_by("seq").values_list("action", flat=True)
    assert events == ["objection.received", "objection.under_review", "objection.upheld"]
    award_events = await AuditEvent.filter(contest_id=final.contest.id, action__startswith="award.").values_list(
        "action", flat=True)
    assert award_events == ["award.revoked"]


async def test_without_an_entry_left_to_promote_the_lowest_grade_of_the_chain_stays_vacant(db, tmp_path):
    final, organiser = await confirmed_final(figures=SEVEN[:6])
    special = await Award.create(contest=final.contest, tier=final.tiers["网络人气奖"], entry=final.entries[0],
                                 status=AwardStatus.CONFIRMED)
    case = await reviewed(final, tmp_path, organiser, place=1)

    applied = await objections.decide(case, Decision(upheld=True, note="成立", public_text="撤销。",
                                                     policy=RevocationPolicy.PROMOTE_NEXT), by=organiser, now=DURING)

    assert [a.id for a in applied.revoked][-1] == special.id
    assert await held(final) == {"一等奖": [2], "二等奖": [3, 4], "三等奖": [5, 6]}
    assert applied.notice.body_md.splitlines()[-2:] == ["- 网络人气奖空缺一名。", "- 三等奖空缺一名。"]


async def test_rejected_objection_keeps_the_awards_and_informs_the_objector_without_a_notice(db, tmp_path):
    final, organiser = await confirmed_final()
    case = await reviewed(final, tmp_path, organiser, place=1)

    applied = await objections.decide(case, Decision(
        upheld=False, note="证据不足", public_text="所附材料不能证明作品雷同。", publish=False), by=organiser, now=DURING)

    assert (applied.revoked, applied.promotions, applied.notice) == ([], [], None)
    assert await held(final) == {"一等奖": [1], "二等奖": [2, 3], "三等奖": [4, 5, 6]}
    assert await Notice.filter(kind=NoticeKind.OBJECTION_OUTCOME).count() == 0
    assert (await Objection.get(id=case.id)).status == ObjectionStatus.REJECTED
    message = await OutboxMessage.get(kind="objection_outcome")
    assert message.to_email == "wang.ming@example.org"
    assert f"（编号 {case.id}）已处理完毕：异议不成立" in message.body_text
    assert "所附材料不能证明作品雷同。" in message.body_text
    assert message.subject.endswith(f"】异议处理结果（编号 {case.id}）") and "Objection" not in message.body_text


async def test_rejected_objection_is_published_when_the_organiser_asks(db, tmp_path):
    final, organiser = await confirmed_final()
    case = await reviewed(final, tmp_path, organiser, place=3)

    applied = await objections.decide(case, Decision(
        upheld=False, note="证据不足", public_text="异议所称情况不属实。", publish=True), by=organiser, now=DURING)

    assert applied.notice is not None
    assert applied.notice.body_md == "经专家复议，异议不成立，维持原评审结果。\n\n异议所称情况不属实。"


async def test_the_objector_is_named_in_no_notice_and_no_audit_event(db, tmp_path):
    final, organiser = await confirmed_final()
    case = await reviewed(final, tmp_path, organiser, place=1)
    await objections.decide(case, Decision(upheld=True, note="成立", public_text="撤销获奖资格。",
                                           policy=RevocationPolicy.PROMOTE_NEXT), by=organiser, now=DURING)

    bodies = [n.title + n.body_md for n in await Notice.all()]
    events = [str(e.data) for e in await AuditEvent.all()]
    for secret in ("王明", "wang.ming", "138-0000"):
        assert [text for text in bodies + events if secret in text] == []


async def test_a_case_moves_only_received_then_under_review_then_decided(db, tmp_path):
    final, organiser = await confirmed_final()
    case = await filed(final, tmp_path)
    decision = Decision(upheld=False, note="不成立", public_text="", publish=False)
    with pytest.raises(CaseChanged):
        await objections.decide(case, decision, by=organiser, now=DURING)
    await objections.start_review(case, note="复议", by=organiser, now=DURING)
    with pytest.raises(CaseChanged):
        await objections.start_review(case, note="再次复议", by=organiser, now=DURING)
    await objections.decide(case, decision, by=organiser, now=DURING)
    with pytest.raises(CaseChanged):
        await objections.decide(case, decision, by=organiser, now=DURING)
    assert (await Objection.get(id=case.id)).status == ObjectionStatus.REJECTED


async def test_a_decision_needs_a_note_a_public_text_and_for_upholding_a_policy(db, tmp_path):
    final, organiser = await confirmed_final()
    case = await reviewed(final, tmp_path, organiser)
    attempts = [
        (Decision(upheld=True, note=" ", public_text="x", policy=RevocationPolicy.LEAVE_VACANT), "note"),
        (Decision(upheld=True, note="成立", public_text=" ", policy=RevocationPolicy.LEAVE_VACANT), "public_text"),
        (Decision(upheld=True, note="成立", public_text="撤销"), "policy"),
        (Decision(upheld=False, note="不成立", public_text="", publish=True), "public_text"),
    ]
    for decision, field in attempts:
        with pytest.raises(InvalidInput) as caught:
            await objections.decide(case, decision, by=organiser, now=DURING)
        assert list(caught.value.field_errors) == [field]
    assert (await Objection.get(id=case.id)).status == ObjectionStatus.UNDER_REVIEW
    assert await held(final) == {"一等奖": [1], "二等奖": [2, 3], "三等奖": [4, 5, 6]}


async def test_an_objection_against_an_entry_without_award_changes_no_award(db, tmp_path):
    final, organiser = await confirmed_final()
    await Notice.create(contest=final.contest, kind=NoticeKind.SHORTLIST, title="入围公示", publish_at=NOTICE_START)
    await RoundEntry.filter(round=final.round).update(advanced=True)
    case = await reviewed(final, tmp_path, organiser, place=7)

    applied = await objections.decide(case, Decision(upheld=True, note="成立", public_text="取消入围资格。",
                                                     policy=RevocationPolicy.PROMOTE_NEXT), by=organiser, now=DURING)

    assert applied.revoked == []
    assert applied.notice.body_md.endswith("- 该作品没有需要撤销的奖项。")
    assert await held(final) == {"一等奖": [1], "二等奖": [2, 3], "三等奖": [4, 5, 6]}


# --- filing ----------------------------------------------------------------------------------------


async def test_objections_are_accepted_only_while_the_notice_is_open(db, tmp_path):
    final, _ = await confirmed_final()
    for moment in (NOTICE_START - timedelta(seconds=1), NOTICE_START + timedelta(days=7)):
        with pytest.raises(ObjectionsClosed):
            await filed(final, tmp_path, now=moment)
    case = await filed(final, tmp_path, now=NOTICE_START)
    case = await Objection.get(id=case.id)
    assert (case.status, case.entry_id, case.objector_email, case.created_at) == (
        ObjectionStatus.RECEIVED, final.entries[0].id, "wang.ming@example.org", NOTICE_START)


async def test_no_objection_is_filed_against_a_notice_no_organiser_approved(db, tmp_path):
    final, organiser = await confirmed_final(approve=False)
    with pytest.raises(ObjectionsClosed):
        await filed(final, tmp_path, now=DURING)
    assert await Objection.all().count() == 0
    shown = await notice.current(final.contest)
    await notice.save_notice(final.contest, kind=shown.kind, title=shown.title, body_md=shown.body_md,
                             by=organiser, now=NOW, approve=True)
    assert (await filed(final, tmp_path, now=DURING)).status == ObjectionStatus.RECEIVED


async def test_an_objection_names_a_listed_entry_and_a_real_person(db, tmp_path):
    final, _ = await confirmed_final()
    with pytest.raises(InvalidInput) as caught:
        await filed(final, tmp_path, place=7, name="", email="not-an-address", phone="call me", grounds="太像了")
    assert sorted(caught.value.field_errors) == ["email", "entry", "grounds", "name", "phone"]
    assert await Objection.all().count() == 0


async def test_an_organisation_must_attach_its_sealed_letter(db, tmp_path):
    final, _ = await confirmed_final()
    with pytest.raises(InvalidInput) as caught:
        await filed(final, tmp_path, organisation="上海某设计协会")
    assert caught.value.field_errors == {
        "attachment": "An organisation attaches its letter with the official seal, as a PDF or an image."}


async def test_a_pdf_letter_is_kept_as_uploaded_and_an_image_through_the_pipeline(db, tmp_path):
    final, _ = await confirmed_final()
    store = UploadStore(tmp_path)
    pdf = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
    letter = await objections.file_objection(final.contest, form(final, organisation="上海某设计协会"),
                                             attachment=chunks(pdf), store=store, ip="198.51.100.1", now=DURING)
    assert letter.attachment_type == objections.PDF
    assert store.original_path(letter.attachment_key).read_bytes() == pdf

    scan = await objections.file_objection(final.contest, form(final, 2), attachment=chunks(imagegen.jpeg_with_metadata()),
                                           store=store, ip="198.51.100.1", now=DURING)
    assert scan.attachment_type == objections.IMAGE
    copy = store.derived_path(scan.attachment_key, "judging", "JPEG").read_bytes()
    assert imagegen.MARKER.encode() not in copy


@pytest.mark.parametrize(("data", "message"), [
    (b"", "The file is empty."),
    (imagegen.gif(), "Attach a PDF, JPEG, PNG or WebP file; this file is something else."),
    (imagegen.html(), "Attach a PDF, JPEG, PNG or WebP file; this file is something else."),
    (b"%PDF-1.4\n" + b"0" * (objections.MAX_PDF_BYTES + 1), "A PDF may have at most 20 MB."),
])
async def test_a_refused_attachment_leaves_no_file_and_no_case(db, tmp_path, data, message):
    final, _ = await confirmed_final()
    with pytest.raises(InvalidInput) as caught:
        await objections.file_objection(final.contest, form(final), attachment=chunks(data),
                                        store=UploadStore(tmp_path), ip="198.51.100.1", now=DURING)
    assert caught.value.field_errors == {"attachment": message}
    assert stored_files(tmp_path) == []
    assert await Objection.all().count() == 0


async def test_objections_are_throttled_per_email_and_per_address(db, tmp_path):
    final, _ = await confirmed_final()
    for place in (1, 2, 3):
        await filed(final, tmp_path, place)
    with pytest.raises(TooManyAttempts):
        await filed(final, tmp_path, 4, email="wang.ming@EXAMPLE.org")
    assert await filed(final, tmp_path, 4, email="li@example.org", now=DURING + objections.THROTTLE_WINDOW)

    store = UploadStore(tmp_path)
    for n in range(objections.PER_ADDRESS):
        await objections.file_objection(final.contest, form(final, email=f"p{n}@example.net"), attachment=None,
                                        store=store, ip="192.0.2.9", now=DURING)
    with pytest.raises(TooManyAttempts):
        await objections.file_objection(final.contest, form(final, email="fresh@example.net"), attachment=None,
                                        store=store, ip="192.0.2.9", now=DURING)
    assert await Objection.filter(objector_email="fresh@example.net").count() == 0


async def test_a_concurrent_burst_of_objections_stores_only_the_limit(db, tmp_path):
    final, _ = await confirmed_final()
    outcomes = await asyncio.gather(*(filed(final, tmp_path, 1 + n % 3) for n in range(14)), return_exceptions=True)
    assert sorted(type(o).__name__ for o in outcomes) == ["Objection"] * 3 + ["TooManyAttempts"] * 11
    assert await Objection.all().count() == 3


# --- the notice ------------------------------------------------------------------------------------


async def test_the_notice_lists_the_proposed_winners_by_track_and_grade(db):
    final, _ = await confirmed_final(approve=False)
    listed = await notice.listed(final.contest, NoticeKind.PROPOSED_WINNERS)
    assert [(line.number, line.grade, line.public_name) for line in listed] == [
        (final.entries[i].number, grade, f"设计师{i + 1}")
        for i, grade in enumerate(["一等奖", "二等奖", "二等奖", "三等奖", "三等奖", "三等奖"])]
    shown = await notice.current(final.contest)
    assert (shown.kind, shown.saved, shown.title) == (NoticeKind.PROPOSED_WINNERS, None,
                                                       f"{final.contest.title}拟获奖名单公示")
    assert shown.body_md.endswith(f"名单共 6 件作品：\n\n- {final.track.name}：一等奖 1 件、二等奖 2 件、三等奖 3 件")
    assert "公示期自 2026年6月2日 20:00 起至 2026年6月9日 20:00 止，共 7 天。" in shown.body_md


async def test_the_shortlist_is_what_the_latest_round_advanced(db):
    final, _ = await confirmed_final()
    earlier = await Round.create(contest=final.contest, kind=RoundKind.PRELIMINARY, name="初评", position=1,
                                 secret="s", opens_at=NOW - timedelta(days=9), closes_at=NOW - timedelta(days=5))
    for entry in final.entries:
        await RoundEntry.create(round=earlier, entry=entry, alias=f"P-{entry.id}", advanced=True)
    await RoundEntry.filter(round=final.round, entry_id__in=[e.id for e in final.entries[:2]]).update(advanced=True)
    listed = await notice.shortlist(final.contest)
    assert [line.entry_id for line in listed] == [e.id for e in final.entries[:2]]
    assert [line.grade for line in listed] == ["", ""]


async def test_a_saved_notice_takes_the_period_from_the_settings(db):
    final, organiser = await confirmed_final()
    saved = await notice.save_notice(final.contest, kind="shortlist", title=" 入围名单公示 ", body_md="正文",
                                     by=organiser, now=NOW)
    assert (saved.kind, saved.title, saved.publish_at, saved.ends_at) == (
        NoticeKind.SHORTLIST, "入围名单公示", NOTICE_START, NOTICE_START + timedelta(days=7))
    again = await notice.save_notice(final.contest, kind="proposed_winners", title="拟获奖名单公示", body_md="",
                                     by=organiser, now=NOW)
    assert again.id == saved.id
    assert (await notice.current(final.contest)).title == "拟获奖名单公示"
    with pytest.raises(InvalidInput) as caught:
        await notice.save_notice(final.contest, kind="final_results", title="", body_md="", by=organiser, now=NOW)
    assert sorted(caught.value.field_errors) == ["kind", "title"]


async def test_the_notice_is_public_from_its_start_only_once_an_organiser_approved_it(db):
    final, organiser = await confirmed_final(approve=False)
    assert not await notice.is_public(final.contest, DURING)
    await notice.save_notice(final.contest, kind="proposed_winners", title="拟获奖名单公示", body_md="", by=organiser,
                             now=NOW)
    assert not await notice.is_public(final.contest, DURING)
    approved = await notice.save_notice(final.contest, kind="proposed_winners", title="拟获奖名单公示", body_md="正文",
                                        by=organiser, now=NOW, approve=True)
    assert (approved.approved_at, approved.approved_by_id) == (NOW, organiser.id)
    assert [await notice.is_public(final.contest, moment) for moment in (NOTICE_START - timedelta(seconds=1),
                                                                         NOTICE_START)] == [False, True]
    edited = await notice.save_notice(final.contest, kind="proposed_winners", title="拟获奖名单公示（更正）",
                                      body_md="正文", by=organiser, now=DURING)
    assert edited.approved_at == NOW
    actions = await AuditEvent.filter(action__startswith="notice.").order_by("id").values_list("action", flat=True)
    assert actions == ["notice.saved", "notice.approved", "notice.saved"]


@pytest.mark.parametrize(("days", "parts", "label"), [
    (7, (7, 0, 0), "7 天"), (0.25, (0, 6, 0), "6 小时"), (1.5, (1, 12, 0), "1 天 12 小时"), (0.01, (0, 0, 14), "14 分钟")])
def test_a_notice_shorter_than_a_day_says_its_length_in_hours(days, parts, label):
    assert (notice.length_parts(days), notice.length_label(days)) == (parts, label)


async def test_each_listed_entry_carries_its_cover(db):
    final, _ = await confirmed_final()
    first = final.entries[0]
    thumb = {"width": 320, "height": 240, "bytes": 1000, "sha256": "ab" * 32}
    keys = []
    for position in (0, 1):
        image = await EntryImage.create(entry=first, slot=await slot_of_entry(first),
                                        key=f"cover{position}", position=position, original_format="JPEG",
                                        width=1200, height=900, size_bytes=1, sha256="0" * 64,
                                        derivatives={"thumb.jpeg": thumb, "judging.jpeg": thumb})
        keys.append(image.key)
    await EntryImage.filter(key=keys[1]).update(is_cover=True)
    listed = await notice.proposed_winners(final.contest)
    assert [(line.entry_id, line.cover.key if line.cover else None) for line in listed[:2]] == [
        (first.id, keys[1]), (final.entries[1].id, None)]
    assert list(listed[0].cover.variants) == ["thumb.jpeg"]


async def test_without_a_notice_period_nothing_can_be_saved(db):
    final = await final_round(SEVEN)
    with pytest.raises(notice.NoNoticePeriod):
        await notice.save_notice(final.contest, kind="shortlist", title="公示", body_md="", by=None, now=NOW)


def test_the_phase_follows_the_window_and_the_open_cases():
    contest = Contest(notice_days=7, notice_starts_at=NOTICE_START)
    end = NOTICE_START + timedelta(days=7)
    second = timedelta(seconds=1)
    assert [notice.phase(contest, moment, open_cases=1) for moment in (NOTICE_START - second, NOTICE_START,
                                                                       end - second, end)] == [
        notice.Phase.SOON, notice.Phase.OPEN, notice.Phase.OPEN, notice.Phase.CLOSED]
    assert notice.phase(contest, end, open_cases=0) == notice.Phase.FINAL
    assert notice.phase(Contest(notice_days=0), end, open_cases=0) == notice.Phase.NONE


# --- the designer's own results ----------------------------------------------------------------------


async def test_a_designer_sees_rounds_awards_and_outcomes_only_from_the_announcement(db, tmp_path):
    final, organiser = await confirmed_final()
    await RoundEntry.filter(round=final.round).update(advanced=False)
    case = await reviewed(final, tmp_path, organiser, place=1)
    await objections.decide(case, Decision(upheld=True, note="成立", public_text="撤销获奖资格。",
                                           policy=RevocationPolicy.PROMOTE_NEXT), by=organiser, now=DURING)
    loser, promoted = await final.entries[0].owner, await final.entries[1].owner

    before = await designer_results.results_for_designer(loser, now=ANNOUNCE - timedelta(seconds=1))
    assert [(r.public, [e.rounds for e in r.entries], [e.awards for e in r.entries],
             [e.objections for e in r.entries]) for r in before] == [(False, [[]], [[]], [[]])]

    (at,) = await designer_results.results_for_designer(loser, now=ANNOUNCE)
    (entry,) = at.entries
    assert at.public
    assert [(step.round_id, step.advanced) for step in entry.rounds] == [(final.round.id, False)]
    assert [(a.tier.name, a.status) for a in entry.awards] == [("一等奖", AwardStatus.REVOKED)]
    assert [(o.status, o.outcome) for o in entry.objections] == [(ObjectionStatus.UPHELD, "撤销获奖资格。")]

    (theirs,) = await designer_results.results_for_designer(promoted, now=ANNOUNCE)
    assert [(a.tier.name, a.status) for a in theirs.entries[0].awards] == [("一等奖", AwardStatus.CONFIRMED)]
    assert theirs.entries[0].objections == []
