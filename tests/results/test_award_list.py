from __future__ import annotations

import io
from datetime import UTC, date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from contest.results import award_list as al
from contest.results.award_list_pdf import award_list_pdf, section_heading
from contest.results.models import Award, AwardStatus
from contest.results.notice import Listed
from tests.results.award_list_builders import EXPECTED, award_list_edition

pytestmark = pytest.mark.unit


def flat(document: al.AwardList) -> list[tuple[str, ...]]:
    return [(s.heading, g.grade, line.number, line.title, line.public_name, line.affiliation)
            for s, g, line in document.lines()]


def row(entry_id: int, number: str, *, track: int, position: int, rank: int, tier: int, special: bool = False,
        tier_track: int | None = 0) -> dict:
    return {"entry_id": entry_id, "entry__number": number, "entry__title": f"《{number}》",
            "entry__public_name": "", "entry__owner__display_name": "账号名", "entry__track__name": f"赛道{track}",
            "entry__track__name_en": "", "tier__name": f"奖{tier}", "tier__name_en": "", "tier__is_special": special,
            "tier__track_id": track if tier_track == 0 else tier_track, "tier_id": tier, "tier__rank": rank,
            "entry__track_id": track, "entry__track__position": position, "entry__organisation": " 单位 ",
            "entry__school": ""}


def test_lines_go_by_track_position_then_grade_and_specials_by_grade_whatever_their_track():
    rows = [row(1, "C-1", track=3, position=1, rank=2, tier=32), row(2, "A-1", track=1, position=5, rank=1, tier=11),
            row(3, "S-2", track=1, position=5, rank=9, tier=90, special=True, tier_track=None),
            row(4, "C-0", track=3, position=1, rank=1, tier=31),
            row(5, "S-1", track=3, position=1, rank=4, tier=40, special=True),
            row(6, "C-2", track=3, position=1, rank=2, tier=32)]
    document = al.award_list_of(SimpleNamespace(title="大赛", announce_at=None, time_zone="Asia/Shanghai",
                                                guiding_bodies="", host_bodies="", organising_bodies="",
                                                certificate_issuers=""),
                                rows, now=datetime(2026, 12, 6, 17, 0, tzinfo=UTC))
    assert [(s.heading, s.special, [(g.grade, [line.number for line in g.lines]) for g in s.grades])
            for s in document.sections] == [
        ("赛道3", False, [("奖31", ["C-0"]), ("奖32", ["C-1", "C-2"])]),
        ("赛道1", False, [("奖11", ["A-1"])]),
        ("特别奖", True, [("奖40", ["S-1"]), ("奖90", ["S-2"])]),
    ]
    assert [line.public_name for _, _, line in document.lines()] == ["账号名"] * 6
    assert [line.affiliation for _, _, line in document.lines()] == ["单位"] * 6
    assert document.issued_on == date(2026, 12, 7)  # the contest's day, not UTC's
    assert document.issuers == ("大赛组委会",)


@pytest.mark.parametrize(("hosts", "configured", "issuers"), [
    ("上海市总工会宣传部、上海市工人文化宫", "", ("上海市总工会宣传部", "上海市工人文化宫")),
    ("甲单位, 乙单位；丙单位", "", ("甲单位", "乙单位", "丙单位")),
    ("  ", "", ("大赛组委会",)),
    ("甲单位", "大赛组委会\n甲单位", ("大赛组委会", "甲单位")),
])
def test_the_list_is_issued_by_the_bodies_that_issue_the_certificates(hosts, configured, issuers):
    contest = SimpleNamespace(title="大赛", announce_at=None, time_zone="Asia/Shanghai", guiding_bodies="",
                              host_bodies=hosts, organising_bodies="", certificate_issuers=configured)
    assert al.award_list_of(contest, [], now=datetime(2026, 12, 6, tzinfo=UTC)).issuers == issuers


def test_sections_are_numbered_in_chinese():
    section = al.Section("工运IP赛道", [])
    assert [section_heading(n, section) for n in (0, 9, 10)] == ["一、工运IP赛道", "十、工运IP赛道", "11、工运IP赛道"]


async def test_the_list_holds_the_confirmed_awards_only_dated_the_announcement(db):
    contest = await award_list_edition(None)
    document = await al.award_list(contest, now=datetime(2030, 1, 1, tzinfo=UTC))
    assert flat(document) == EXPECTED
    assert document.entries == 5
    assert document.issued_on == contest.announce_at.astimezone(ZoneInfo("Asia/Shanghai")).date()
    assert document.bodies == al.Bodies("上海市总工会", "上海市总工会宣传部、上海市工人文化宫", "上海市工人文化宫文创中心")
    assert document.title == "人民城市 百年工运 2026获奖名单"


async def test_a_revoked_award_leaves_the_list_at_once(db):
    contest = await award_list_edition(None)
    await Award.filter(contest_id=contest.id, entry__number="R-01-0003").update(status=AwardStatus.REVOKED)
    document = await al.award_list(contest, now=datetime(2030, 1, 1, tzinfo=UTC))
    assert [line[2] for line in flat(document)] == ["R-01-0001", "R-01-0002", "R-02-0001", "R-02-0002", "R-01-0001"]


def line(n: int, grade: str) -> Listed:
    return Listed(n, f"N-{n:03d}", f"作品{n}", f"设计师{n}", "赛道", "", grade, "", None, False, "某单位")


async def test_a_long_list_runs_over_pages_naming_its_grade_again_with_every_glyph_drawn(caplog):
    document = al.AwardList("大赛", al.Bodies("", "", ""), ("大赛组委会",), date(2026, 12, 7),
                            [al.Section("赛道", [al.GradeGroup("优秀奖", [line(n, "优秀奖") for n in range(60)])])], 60)
    pdf = await award_list_pdf(document)
    pages = PdfReader(io.BytesIO(pdf)).pages
    text = "\n".join(page.extract_text() for page in pages)
    assert len(pages) == 3
    assert [text.count("优秀奖"), text.count("N-0")] == [8, 60]  # named beside each run of up to eight lines
    assert text.splitlines()[-4:] == ["大赛组委会", "2026年12月7日", "（盖章）", "第 3 页 共 3 页"]
    assert "missing the following glyphs" not in caplog.text
