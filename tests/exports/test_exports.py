"""Exports read back cell by cell: XLSX with openpyxl, CSV with csv, the ZIP with zipfile."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from datetime import datetime

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from PIL import Image

from contest.accounts.models import User
from contest.audit.models import AuditEvent
from contest.contests.models import AwardTier
from contest.entries.models import Entry, EntryImage
from contest.exports import service
from contest.exports.archive import member_name, originals_zip, safe_part
from contest.exports.tables import BILINGUAL, display_width, header_languages, sheet_titles
from contest.judging.figures import Digits, percent, rounded, shown
from contest.judging.models import Assignment
from contest.media.storage import UploadStore
from contest.results import standings
from contest.results.models import Award, AwardStatus
from tests import imagegen
from tests.exports.scenario import (
    MARKERS,
    METADATA_MARKER,
    ORIGINAL_SIZE,
    add_original,
    build,
    original_bytes,
)
from tests.factories import NOW, make_entry, make_user
from tests.judging.helpers import make_round
from tests.media.containers import container_names
from tests.sql import counting_queries

pytestmark = pytest.mark.unit


@pytest.fixture
def store(tmp_path) -> UploadStore:
    return UploadStore(tmp_path / "uploads")


async def xlsx(scenario, table: str, *, anonymised: bool = False, headers: tuple[str, ...] = ("zh",)):
    by = await make_user()
    file = await service.workbook(scenario.contest, table, anonymised=anonymised, headers=headers, by=by, now=NOW)
    with file:
        return openpyxl.load_workbook(io.BytesIO(file.read()))


def values(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


async def collect(chunks) -> bytes:
    return b"".join([chunk async for chunk in chunks])


async def csv_rows(scenario, track, table: str, *, anonymised: bool = False,
                   headers: tuple[str, ...] = ("zh",)) -> tuple[bytes, list[list[str]]]:
    by = await make_user()
    data = await collect(await service.track_csv(scenario.contest, track, table, anonymised=anonymised,
                                                 headers=headers, by=by, now=NOW))
    return data, list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def every_text(workbook) -> str:
    return "\n".join(str(v) for sheet in workbook for row in values(sheet) for v in row if v is not None)


async def test_entries_workbook_has_a_sheet_per_track_and_every_field_in_its_own_column(db, store):
    scenario = await build(store)
    workbook = await xlsx(scenario, "entries")
    assert workbook.sheetnames == ["工运IP赛道", "生活实用产品赛道"]
    assert workbook["工运IP赛道"].freeze_panes == "A2"  # the header row stays in view
    rows = values(workbook["工运IP赛道"])
    assert rows[0][:7] == ["作品编号", "状态", "作品名称", "创作理念", "角色名称", "延展场景", "高度（厘米）"]
    header = rows[0]
    entry = dict(zip(header, rows[1], strict=True))
    assert entry["作品编号"] == "WC-IP-0001"
    assert entry["状态"] == "已提交"
    assert entry["角色名称"] == "小铁人"
    assert entry["延展场景"] == "潮玩；文具"
    assert entry["高度（厘米）"] == 12
    assert entry["账号姓名"] == "MKNAME"
    assert entry["电子邮箱"] == "mk.mail@mkdomain.example"
    assert entry["电话"] == "13912345678"
    assert entry["团队成员"] == "MKMEMBER（MKORG）"
    assert entry["提交时间"] == datetime(2026, 6, 1, 12, 30)
    assert entry["图片数"] == 2
    draft = dict(zip(header, rows[2], strict=True))
    assert (draft["作品编号"], draft["状态"], draft["作品名称"], draft["图片数"]) == (
        None, "草稿", '=HYPERLINK("http://x")', 1)
    assert len(rows) == 3
    assert values(workbook["生活实用产品赛道"])[1][:5] == ["WC-PR-0001", "已提交", "海派剪纸台灯", None, "竹"]


async def test_text_that_looks_like_a_formula_stays_text_in_the_workbook(db, store):
    scenario = await build(store)
    workbook = await xlsx(scenario, "entries")
    cell = workbook["工运IP赛道"]["C3"]
    assert (cell.value, cell.data_type) == ('=HYPERLINK("http://x")', "s")


async def test_anonymised_entries_contain_no_identifying_marker(db, store):
    scenario = await build(store)
    workbook = await xlsx(scenario, "entries", anonymised=True)
    text = every_text(workbook)
    assert [m for m in MARKERS if m in text] == []
    assert values(workbook["工运IP赛道"])[0][7:] == ["参赛类别", "参赛形式", "图片数", "隐私检查"]
    assert "WC-IP-0001" in text


async def test_scores_workbook_has_a_row_per_judge_and_criterion(db, store):
    scenario = await build(store)
    rows = values((await xlsx(scenario, "scores"))["工运IP赛道"])
    assert rows[0] == ["轮次", "作品代号", "作品编号", "作品名称", "评委", "评委类别", "评分标准", "分值", "完成评审时间",
                       "录入方式"]
    assert rows[1:] == [
        ["初评", "QXM-4K7", "WC-IP-0001", "工运小铁人", "MKJUDGE1", "专家组", "创意", 8, datetime(2026, 6, 3, 9, 0), "评委提交"],
        ["初评", "QXM-4K7", "WC-IP-0001", "工运小铁人", "MKJUDGE1", "专家组", "工艺", 6, datetime(2026, 6, 3, 9, 0), "评委提交"],
        ["初评", "QXM-4K7", "WC-IP-0001", "工运小铁人", "MKJUDGE2", "专家组", "创意", 9, datetime(2026, 6, 3, 9, 0), "评委提交"],
        ["初评", "QXM-4K7", "WC-IP-0001", "工运小铁人", "MKJUDGE2", "专家组", "工艺", 7, datetime(2026, 6, 3, 9, 0), "评委提交"],
    ]
    assert values((await xlsx(scenario, "scores"))["生活实用产品赛道"])[1:] == []


async def test_scores_the_chair_entered_from_a_paper_sheet_say_so_with_the_reason(db, store):
    scenario = await build(store)
    chair = await make_user(display_name="MKCHAIR")
    await Assignment.filter(judge=scenario.judges[1]).update(entered_by=chair, entered_reason="平板故障")
    for anonymised in (False, True):
        rows = values((await xlsx(scenario, "scores", anonymised=anonymised))["工运IP赛道"])
        assert [(row[4][-1], row[9]) for row in rows[1:]] == [
            ("1", "评委提交"), ("1", "评委提交"), ("2", "由主持人代录（纸质评分表）：平板故障"),
            ("2", "由主持人代录（纸质评分表）：平板故障")]


async def test_anonymised_scores_name_judges_by_number(db, store):
    scenario = await build(store)
    workbook = await xlsx(scenario, "scores", anonymised=True)
    assert [row[4] for row in values(workbook["工运IP赛道"])[1:]] == ["评委 1", "评委 1", "评委 2", "评委 2"]
    assert [m for m in MARKERS if m in every_text(workbook)] == []


async def test_results_workbook_carries_the_explained_figures_rounded_as_the_results_page_shows(db, store):
    scenario = await build(store)
    (expected,) = await standings.round_results(scenario.round)
    sheet = (await xlsx(scenario, "results"))["工运IP赛道"]
    rows = values(sheet)
    assert rows[0] == ["轮次", "排名", "作品代号", "作品编号", "作品名称", "奖项", "排名依据分", "评委分", "平均分",
                       "去掉最高最低分后平均", "标准分", "网络投票占比（%）", "评委人数", "各评委总分", "标记", "晋级",
                       "计算方法", "公式版本"]
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["轮次"], row["排名"], row["作品代号"], row["作品编号"], row["奖项"]) == (
        "初评", 1, "QXM-4K7", "WC-IP-0001", None)
    assert expected.mean == (100 * (2 * 8 + 6) / 30 + 100 * (2 * 9 + 7) / 30) / 2 != 78.33
    assert (row["排名依据分"], row["评委分"], row["平均分"], row["去掉最高最低分后平均"]) == (78.33, 78.33, 78.33, 78.33)
    assert (row["标准分"], row["网络投票占比（%）"]) == (0, None)
    assert [sheet.cell(2, n).number_format for n in range(7, 12)] == ["0.00", "0.00", "0.00", "0.00", "0.000"]
    assert row["评委人数"] == 2
    assert row["各评委总分"] == "MKJUDGE1 73.33；MKJUDGE2 83.33"
    assert (expected.flags, row["标记"]) == ((), None)
    assert (row["计算方法"], row["公式版本"]) == ("平均分", "wcs-aggregation/1")
    anonymised = values((await xlsx(scenario, "results", anonymised=True))["工运IP赛道"])
    assert anonymised[1][13] == "评委 1 73.33；评委 2 83.33"


async def test_results_figures_are_the_ones_the_results_page_prints():
    assert (rounded(78.33333333333333), rounded(0.0625, Digits.ZSCORE), percent(0.45678)) == (78.33, 0.062, 45.7)
    assert (shown(78.33333333333333), shown(-0.0625, Digits.ZSCORE), shown(None)) == ("78.33", "-0.062", "—")


async def test_results_workbook_keeps_the_exact_figures_in_a_sheet_of_their_own(db, store):
    scenario = await build(store)
    (expected,) = await standings.round_results(scenario.round)
    workbook = await xlsx(scenario, "results")
    assert workbook.sheetnames == ["工运IP赛道", "生活实用产品赛道", "工运IP赛道 精确值", "生活实用产品赛道 精确值"]
    rows = values(workbook["工运IP赛道 精确值"])
    assert rows == [
        ["轮次", "作品代号", "作品编号", "排名依据分", "评委分", "平均分", "去掉最高最低分后平均", "标准分",
         "网络投票占比（%）", "各评委总分"],
        ["初评", "QXM-4K7", "WC-IP-0001", expected.figure, expected.judge_figure, expected.mean,
         expected.trimmed_mean, expected.zscore, None,
         f"MKJUDGE1 {expected.judge_totals[0].total!r}；MKJUDGE2 {expected.judge_totals[1].total!r}"],
    ]
    assert values(workbook["生活实用产品赛道 精确值"]) == [rows[0]]


async def test_results_workbook_names_each_entrys_confirmed_grades_only(db, store):
    scenario = await build(store)
    first = await AwardTier.create(contest=scenario.contest, track=scenario.ip, name="一等奖", rank=1)
    special = await AwardTier.create(contest=scenario.contest, name="网络人气奖", rank=5, is_special=True)
    creative = await AwardTier.create(contest=scenario.contest, name="最佳创意奖", rank=6, is_special=True)
    second = await AwardTier.create(contest=scenario.contest, track=scenario.product, name="二等奖", rank=2)
    await Award.create(contest=scenario.contest, tier=special, entry=scenario.entry, status=AwardStatus.CONFIRMED)
    await Award.create(contest=scenario.contest, tier=first, entry=scenario.entry, status=AwardStatus.CONFIRMED)
    await Award.create(contest=scenario.contest, tier=creative, entry=scenario.entry, status=AwardStatus.REVOKED)
    await Award.create(contest=scenario.contest, tier=second, entry=scenario.other, status=AwardStatus.PROPOSED)
    rows = values((await xlsx(scenario, "results"))["工运IP赛道"])
    assert [row[rows[0].index("奖项")] for row in rows[1:]] == ["一等奖；网络人气奖"]


async def test_a_workbook_has_one_header_row_in_the_readers_language_or_both_when_asked(db, store):
    scenario = await build(store)
    english = (await xlsx(scenario, "scores", headers=("en",)))["工运IP赛道"]
    assert values(english)[0] == ["Round", "Alias", "Entry number", "Title", "Judge", "Judge group", "Criterion",
                                  "Score", "Completed at", "Entered"]
    assert (english.freeze_panes, values(english)[1][0]) == ("A2", "初评")
    both = (await xlsx(scenario, "results", headers=BILINGUAL))["工运IP赛道"]
    assert [row[:3] for row in values(both)[:3]] == [["轮次", "排名", "作品代号"], ["Round", "Rank", "Alias"],
                                                     ["初评", 1, "QXM-4K7"]]
    assert both.freeze_panes == "A3"
    assert (header_languages("zh_CN", bilingual=False), header_languages("en", bilingual=False),
            header_languages("en", bilingual=True)) == (("zh",), ("en",), ("zh", "en"))


async def test_columns_are_as_wide_as_their_widest_cell(db, store):
    scenario = await build(store)
    await Entry.filter(id=scenario.draft.id).update(concept="长" * 200)
    sheet = (await xlsx(scenario, "entries"))["工运IP赛道"]
    widths = {sheet.cell(1, n).value: sheet.column_dimensions[get_column_letter(n)].width
              for n in range(1, sheet.max_column + 1)}
    assert widths["作品编号"] == len("WC-IP-0001") + 2
    assert widths["作品名称"] == len('=HYPERLINK("http://x")') + 2
    assert widths["状态"] == 2 * len("已提交") + 2  # a Chinese character is two wide
    assert widths["创作理念"] == 60 + 2  # long text is read in its cell
    assert widths["提交时间"] == len("2026-06-01 12:30:00") + 2
    assert widths["高度（厘米）"] == 2 * 6 + 2  # the header is wider than "12"


def test_display_width_counts_wide_characters_twice_and_the_longest_line():
    assert [display_width(v) for v in ("WC-1", "工运", "ｗｉｄｅ", "a\n工运小铁人\nb", None, 12, 78.33)] == [
        4, 4, 8, 10, 0, 2, 5]


async def test_no_phone_column_when_no_entrant_gave_a_phone(db, store):
    scenario = await build(store)
    await User.filter(phone="13912345678").update(phone="")
    for sheet in await xlsx(scenario, "entries"):
        header = values(sheet)[0]
        assert ("电话" in header, header[header.index("电子邮箱") + 1]) == (False, "单位")
    _, rows = await csv_rows(scenario, scenario.ip, "entries")
    assert "电话" not in rows[0]


async def test_a_round_without_criteria_yet_is_left_out_of_the_results(db, store):
    scenario = await build(store)
    await make_round(scenario.contest, name="复评", position=2, secret="round-secret-2")
    rows = values((await xlsx(scenario, "results"))["工运IP赛道"])
    assert [row[0] for row in rows[1:]] == ["初评"]


async def test_csv_has_a_bom_a_header_row_and_defused_formulas(db, store):
    scenario = await build(store)
    data, rows = await csv_rows(scenario, scenario.ip, "entries")
    assert data.startswith(b"\xef\xbb\xbf")
    assert rows[0][:5] == ["作品编号", "状态", "作品名称", "创作理念", "角色名称"]
    assert rows[1][:6] == ["WC-IP-0001", "已提交", "工运小铁人", "百年工运的IP形象。", "小铁人", "潮玩；文具"]
    assert rows[1][rows[0].index("提交时间")] == "2026-06-01 12:30:00"
    assert rows[2][2] == "'=HYPERLINK(\"http://x\")"
    _, english = await csv_rows(scenario, scenario.ip, "entries", headers=("en",))
    assert english[0][:2] == ["Entry number", "State"]
    _, both = await csv_rows(scenario, scenario.ip, "entries", headers=BILINGUAL)
    assert [row[0] for row in both] == ["作品编号", "Entry number", "WC-IP-0001", ""]
    _, scores = await csv_rows(scenario, scenario.ip, "scores")
    assert scores[1] == ["初评", "QXM-4K7", "WC-IP-0001", "工运小铁人", "MKJUDGE1", "专家组", "创意", "8",
                         "2026-06-03 09:00:00", "评委提交"]


async def test_anonymised_csv_contains_no_marker(db, store):
    scenario = await build(store)
    for table in service.TABLES:
        data, _ = await csv_rows(scenario, scenario.ip, table, anonymised=True)
        assert [m for m in MARKERS if m in data.decode("utf-8")] == [], table


async def test_every_export_is_in_the_audit_log(db, store):
    scenario = await build(store)
    await xlsx(scenario, "results", anonymised=True)
    await csv_rows(scenario, scenario.product, "scores")
    events = await AuditEvent.filter(action="export.downloaded").order_by("seq").values_list("contest_id", "data")
    assert events == [
        (scenario.contest.id, {"export": "results", "format": "xlsx", "anonymised": True, "track_id": None}),
        (scenario.contest.id, {"export": "scores", "format": "csv", "anonymised": False,
                               "track_id": scenario.product.id}),
    ]


async def originals(scenario, store, *, anonymised: bool = False) -> tuple[zipfile.ZipFile, list[bytes]]:
    by = await make_user()
    chunks = [c async for c in await service.track_originals(scenario.contest, scenario.ip, store,
                                                              anonymised=anonymised, by=by, now=NOW)]
    return zipfile.ZipFile(io.BytesIO(b"".join(chunks))), chunks


async def test_zip_holds_every_original_of_the_submitted_entries_byte_for_byte(db, store):
    scenario = await build(store)
    archive, _ = await originals(scenario, store)
    first, second = scenario.originals["../../etc/passwd.jpg"], scenario.originals["MKFILE 设计稿.jpg"]
    assert archive.namelist() == ["WC-IP-0001/01-etc-passwd.jpg", "WC-IP-0001/02-MKFILE-设计稿.jpg", "SHA256SUMS"]
    assert archive.read("WC-IP-0001/01-etc-passwd.jpg") == first
    assert archive.read("WC-IP-0001/02-MKFILE-设计稿.jpg") == second
    assert archive.read("SHA256SUMS").decode() == (
        f"{hashlib.sha256(first).hexdigest()}  WC-IP-0001/01-etc-passwd.jpg\n"
        f"{hashlib.sha256(second).hexdigest()}  WC-IP-0001/02-MKFILE-设计稿.jpg\n")
    assert [i.compress_type for i in archive.infolist()] == [zipfile.ZIP_STORED] * 3
    assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert archive.testzip() is None


async def test_anonymised_zip_names_files_by_entry_number_and_position_only(db, store):
    scenario = await build(store)
    archive, _ = await originals(scenario, store, anonymised=True)
    assert archive.namelist() == ["WC-IP-0001/01.jpg", "WC-IP-0001/02.jpg", "SHA256SUMS"]
    copy = archive.read("WC-IP-0001/02.jpg")
    assert (Image.open(io.BytesIO(copy)).format, Image.open(io.BytesIO(copy)).size) == ("JPEG", ORIGINAL_SIZE)
    assert _leaks(b"".join(archive.read(n) for n in archive.namelist()), MARKERS) == []


def _forms(marker: str) -> set[bytes]:
    return {marker.encode(), marker.encode("utf-16-be"), marker.encode("utf-16-le"), marker.lower().encode()}


def _leaks(data: bytes, markers) -> list[str]:
    return sorted({m for m in markers for form in _forms(m) if form in data})


METADATA_FILES = {  # designer's file name -> bytes whose every metadata block carries imagegen.MARKER
    f"{imagegen.MARKER} 海报.png": imagegen.png_with_metadata(size=(500, 400)),
    f"{imagegen.MARKER}.webp": imagegen.webp_with_metadata(size=(400, 500)),
    f"{imagegen.MARKER}-phone.jpg": imagegen.oriented_jpeg(6, (600, 400))[:2] + imagegen.iptc_app13()
    + imagegen.oriented_jpeg(6, (600, 400))[2:],
}


async def test_anonymised_zip_carries_nothing_of_the_originals_metadata(db, store):
    scenario = await build(store)
    for position, (name, data) in enumerate(METADATA_FILES.items(), start=3):
        image = await add_original(scenario.entry, store, data, position=position, name=name)
        await EntryImage.filter(id=image.id).update(original_format=Image.open(io.BytesIO(data)).format)
    markers = (*MARKERS, imagegen.MARKER)
    full, _ = await originals(scenario, store)
    assert _leaks(b"".join(full.read(n) for n in full.namelist()), markers) == [
        "MKFILE", METADATA_MARKER, imagegen.MARKER]
    chunks = [c async for c in originals_zip(scenario.ip, store, anonymised=True)]
    assert _leaks(b"".join(chunks), markers) == []
    archive = zipfile.ZipFile(io.BytesIO(b"".join(chunks)))
    names = ["WC-IP-0001/01.jpg", "WC-IP-0001/02.jpg", "WC-IP-0001/03.png", "WC-IP-0001/04.webp", "WC-IP-0001/05.jpg"]
    assert archive.namelist() == [*names, "SHA256SUMS"]
    copies = {name: archive.read(name) for name in names}
    assert {n: (Image.open(io.BytesIO(d)).format, Image.open(io.BytesIO(d)).size) for n, d in copies.items()} == {
        names[0]: ("JPEG", ORIGINAL_SIZE), names[1]: ("JPEG", ORIGINAL_SIZE), names[2]: ("PNG", (500, 400)),
        names[3]: ("WEBP", (400, 500)), names[4]: ("JPEG", (600, 400))}  # the phone photo turned upright
    assert {n: sorted(set(container_names(d))) for n, d in copies.items()} == {
        **{n: ["DHT", "DQT", "SOF0", "SOS"] for n in (names[0], names[1], names[4])},
        names[2]: ["IDAT", "IEND", "IHDR", "pHYs"], names[3]: ["VP8 "]}
    assert archive.read("SHA256SUMS").decode() == "".join(
        f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in copies.items())


async def test_a_heic_original_ships_as_heic_and_its_anonymised_copy_as_an_upright_jpeg(db, store):
    scenario = await build(store)
    data = imagegen.heic_photo(size=(800, 600))
    image = await add_original(scenario.entry, store, data, position=3, name="IMG_0001.HEIC")
    await EntryImage.filter(id=image.id).update(original_format="HEIF")
    full, _ = await originals(scenario, store)
    assert full.read("WC-IP-0001/03-IMG_0001.heic") == data
    anonymised, _ = await originals(scenario, store, anonymised=True)
    copy = anonymised.read("WC-IP-0001/03.jpg")
    assert (Image.open(io.BytesIO(copy)).format, Image.open(io.BytesIO(copy)).size) == ("JPEG", (600, 800))
    assert _leaks(copy, (imagegen.MARKER,)) == []


async def test_a_file_that_cannot_be_re_encoded_is_listed_never_shipped_as_it_is(db, store):
    scenario = await build(store)
    image = await scenario.entry.images.all().order_by("position").first()
    unreadable = original_bytes(1)[:120_000]  # cut inside the comments: metadata and no pixels
    store.original_path(image.key).write_bytes(unreadable)
    data = await collect(originals_zip(scenario.ip, store, anonymised=True))
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.namelist() == ["WC-IP-0001/02.jpg", "SHA256SUMS", "MISSING.txt"]
    assert archive.read("MISSING.txt") == b"WC-IP-0001/01.jpg\n"
    assert (METADATA_MARKER.encode() in unreadable, _leaks(data, MARKERS)) == (True, [])


async def test_anonymised_zip_is_handed_on_a_member_at_a_time(db, store):
    scenario = await build(store)
    chunks = [c async for c in originals_zip(scenario.ip, store, anonymised=True)]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(chunks)))
    sizes = [info.file_size for info in archive.infolist()[:2]]
    assert [len(c) > size for c, size in zip(chunks, sizes, strict=False)] == [True, True]
    assert len(chunks) == 3  # each copy (under 256 KiB) as soon as it is made, then the directory


async def test_zip_is_handed_on_in_chunks_as_it_is_written(db, store):
    scenario = await build(store)
    _, chunks = await originals(scenario, store)
    assert len(chunks) >= 4
    assert max(len(c) for c in chunks) <= 256 * 1024 + 200


async def test_a_file_missing_from_the_store_is_listed_not_fatal(db, store):
    scenario = await build(store)
    image = await scenario.entry.images.all().order_by("position").first()
    store.original_path(image.key).unlink()
    data = await collect(originals_zip(scenario.ip, store, anonymised=True))
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.namelist() == ["WC-IP-0001/02.jpg", "SHA256SUMS", "MISSING.txt"]
    assert archive.read("MISSING.txt") == b"WC-IP-0001/01.jpg\n"


def test_member_names_never_escape_their_folder():
    assert member_name("WC/../1", 3, "..\\..\\x y.PNG", "PNG", anonymised=False) == "WC-1/03-x-y.png"
    assert member_name("", 1, "", "WEBP", anonymised=False) == "entry/01.webp"
    assert safe_part("海派 剪纸\x00.jpg") == "海派-剪纸-jpg"


def test_sheet_titles_follow_excels_rules():
    assert sheet_titles(["a/b", "A/B", "x" * 40, "[x]"]) == ["a-b", "A-B-2", "x" * 31, "-x-"]


@pytest.mark.parametrize("extra", [0, 2])
async def test_reading_a_sheet_takes_the_same_queries_for_more_entries(db, store, extra):
    scenario = await build(store)
    for n in range(extra):
        await make_entry(scenario.contest, scenario.ip, await make_user(), number=f"WC-IP-1{n:03d}")
    for table, expected in (("entries", 4), ("scores", 3)):
        (sheet,) = await service.TABLES[table](scenario.contest, [scenario.ip], anonymised=False)
        with counting_queries() as records:
            rows = [row async for batch in sheet.batches() for row in batch]
        assert (table, len(records)) == (table, expected)
        assert len(rows) == {"entries": 2 + extra, "scores": 4}[table]
