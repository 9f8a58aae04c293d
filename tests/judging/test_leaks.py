from __future__ import annotations

from types import SimpleNamespace

import pytest

from contest.audit.models import AuditEvent
from contest.entries.models import Entry, TeamMember
from contest.entries.states import LeakStatus
from contest.errors import InvalidInput
from contest.judging.leaks import (
    LeakFinding,
    check_entry_leaks,
    clear_leak,
    redact_entry,
    scan_entry,
)
from tests.factories import NOW, make_contest, make_track, make_user
from tests.judging.helpers import submitted_entry

pytestmark = pytest.mark.unit

OWNER = SimpleNamespace(display_name="陈晓明", email="xiaoming.chen@studio-abc.cn", phone="+86 138-0013-8000")


def entry(title="海派剪纸", concept="以剪纸讲述百年工运。", answers=None, organisation="上海青禾文化传播有限公司",
          school="同济大学", supervisor_name="王教授"):
    return SimpleNamespace(title=title, concept=concept, answers=answers or {}, organisation=organisation,
                           school=school, supervisor_name=supervisor_name)


def scan(e, members=()):
    return [(f.field, f.kind) for f in scan_entry(e, owner=OWNER, members=list(members))]


def test_a_clean_entry_has_no_findings():
    assert scan(entry(answers={"materials": ["paper"], "story": "纸与刀的对话"})) == []


def test_each_identity_field_is_found_where_it_appears():
    e = entry(
        title="陈晓明的剪纸",
        concept="作者来自同济大学，指导老师王教授，上海青禾文化传播出品。联系 138 0013 8000 或 xiaoming.chen@studio-abc.cn",
        answers={"story": ["团队成员李小红参与"], "height": 12},
    )
    members = [SimpleNamespace(name="李小红", organisation="")]
    assert scan(e, members) == [
        ("title", "name"),
        ("concept", "email"), ("concept", "email_local"), ("concept", "email_domain"), ("concept", "organisation"),
        ("concept", "school"),
        ("concept", "supervisor_name"), ("concept", "phone"),
        ("answers.story", "member_name"),
    ]


def test_matching_is_nfkc_and_case_folded():
    owner = SimpleNamespace(display_name="Anna Berg", email="anna@example.org", phone="")
    e = entry(title="ＡＮＮＡ　ＢＥＲＧ poster", organisation="", school="", supervisor_name="")
    assert [(f.field, f.kind, f.needle) for f in scan_entry(e, owner=owner, members=[])] == [
        ("title", "name", "anna berg"), ("title", "email_local", "anna")]


def test_latin_needles_match_whole_words_only():
    owner = SimpleNamespace(display_name="Ann", email="ann@example.org", phone="")
    e = entry(title="annual report", concept="Planning", organisation="", school="", supervisor_name="")
    assert scan_entry(e, owner=owner, members=[]) == []


def test_very_short_needles_are_ignored():
    owner = SimpleNamespace(display_name="王", email="li@example.org", phone="12345")
    e = entry(title="王者 li 12345", organisation="", school="", supervisor_name="")
    assert scan_entry(e, owner=owner, members=[]) == []


def test_phone_without_country_code_and_separators_is_found():
    e = entry(concept="电话13800138000", organisation="", school="", supervisor_name="")
    assert scan_entry(e, owner=OWNER, members=[]) == [LeakFinding("concept", "phone", "8613800138000")]


async def test_check_flags_then_clear_and_redact_are_audited(db):
    contest = await make_contest()
    track = await make_track(contest)
    owner = await make_user(display_name="陈晓明", email="cxm@qq.com")
    flagged = await submitted_entry(contest, track, owner, title="陈晓明作品")
    clean = await submitted_entry(contest, track, owner, title="海上花")
    await TeamMember.create(entry=clean, name="赵一", position=0)

    findings = await check_entry_leaks(flagged, now=NOW)
    assert [(f.field, f.kind) for f in findings] == [("title", "name")]
    assert await check_entry_leaks(clean, now=NOW) == []
    assert dict(await Entry.filter(id__in=[flagged.id, clean.id]).values_list("id", "leak_status")) == {
        flagged.id: LeakStatus.FLAGGED, clean.id: LeakStatus.CLEAR}
    audit = await AuditEvent.filter(action="entry.leak_check").order_by("seq").values_list("subject", "data")
    assert audit == [(f"entry:{flagged.id}", {"status": "flagged", "findings": [{"field": "title", "kind": "name"}]}),
                     (f"entry:{clean.id}", {"status": "clear", "findings": []})]
    assert all("陈晓明" not in str(data) for _, data in audit)

    organiser = await make_user()
    await clear_leak(flagged, by=organiser, now=NOW)
    assert (await Entry.get(id=flagged.id)).leak_status == LeakStatus.CLEAR

    with pytest.raises(InvalidInput):
        await redact_entry(flagged, title=" ", concept="x", by=organiser, now=NOW)
    await redact_entry(flagged, title="某作品", concept="以剪纸讲述百年工运。", by=organiser, now=NOW)
    saved = await Entry.get(id=flagged.id)
    assert (saved.title, saved.concept, saved.leak_status) == ("某作品", "以剪纸讲述百年工运。", LeakStatus.REDACTED)
    assert await AuditEvent.filter(action="entry.redacted").values_list("data", flat=True) == [{"fields": ["title"]}]
    assert await AuditEvent.filter(action="entry.leak_cleared").count() == 1


LATIN = SimpleNamespace(display_name="Anna Berg", email="studio7711@gmail.com", phone="")


@pytest.mark.parametrize("title", ["AnnaBerg poster", "anna-berg_final", "Berg, Anna", "BERG ANNA", "by Berg"])
def test_a_latin_name_is_found_joined_hyphenated_reversed_or_by_surname(title):
    e = entry(title=title, concept="", organisation="", school="", supervisor_name="")
    assert [(f.field, f.kind) for f in scan_entry(e, owner=LATIN, members=[])] == [("title", "name")]


def test_a_surname_that_is_also_a_word_counts_only_when_written_as_a_name():
    e = entry(title="the berg and the iceberg", concept="", organisation="", school="", supervisor_name="")
    assert scan_entry(e, owner=LATIN, members=[]) == []


@pytest.mark.parametrize(("organisation", "text", "needle"), [
    ("青禾设计工作室", "青禾出品", "青禾"),
    ("上海蓝印文化传播有限公司", "蓝印团队", "蓝印"),
    ("Northlight Design Studio", "a Northlight print", "northlight"),
])
def test_an_organisation_is_found_without_its_suffix_or_place(organisation, text, needle):
    e = entry(title="作品", concept=text, organisation=organisation, school="", supervisor_name="")
    assert scan_entry(e, owner=LATIN, members=[]) == [LeakFinding("concept", "organisation", needle)]


def test_a_place_or_a_generic_word_left_of_an_organisation_is_not_a_needle():
    e = entry(title="上海的设计", concept="理工科的美术课", organisation="上海设计有限公司", school="浙江理工大学",
              supervisor_name="")
    assert scan_entry(e, owner=LATIN, members=[]) == []


def test_team_members_and_supervisor_latin_names_are_found_by_surname():
    e = entry(title="Poster", concept="Thanks to Prof. Meyer and Fischer.", organisation="", school="",
              supervisor_name="Lukas Meyer")
    members = [SimpleNamespace(name="Tom Fischer", organisation="")]
    assert scan(e, members) == [("concept", "supervisor_name"), ("concept", "member_name")]


def test_links_to_a_portfolio_site_and_stranger_contacts_are_found():
    e = entry(title="作品", concept="微信号：lightfox_88，QQ 号 88776655", organisation="", school="", supervisor_name="",
              answers={"links": ["https://www.behance.net/lightfox", "https://www.dpm.org.cn/collection/1"]})
    assert [(f.field, f.kind, f.needle) for f in scan_entry(e, owner=LATIN, members=[])] == [
        ("concept", "contact", "微信号:lightfox_88"),
        ("answers.links", "personal_url", "https://www.behance.net/lightfox")]


def test_a_phone_in_chinese_numerals_and_a_qq_number_e_mail_are_found():
    owner = SimpleNamespace(display_name="赵雨桐", email="2750112233@qq.com", phone="13800138000")
    e = entry(title="手机一三八〇〇一三八〇〇〇", concept="QQ：2750 1122 33", organisation="", school="",
              supervisor_name="")
    assert [(f.field, f.kind) for f in scan_entry(e, owner=owner, members=[])] == [
        ("title", "phone"), ("concept", "email_local")]


def test_the_domain_of_an_own_e_mail_address_is_found_by_its_own_name():
    owner = SimpleNamespace(display_name="赵雨桐", email="zyt@mail.tsinghua.edu.cn", phone="")
    e = entry(title="Tsinghua poster", concept="mail art", organisation="", school="", supervisor_name="")
    assert scan_entry(e, owner=owner, members=[]) == [LeakFinding("title", "email_domain", "tsinghua")]
