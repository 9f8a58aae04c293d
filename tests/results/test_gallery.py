"""The gallery's pure parts (grades, winners, filters, covers, the results table) and the results stamps."""

from __future__ import annotations

import pytest

from contest import cache_stamp
from contest.results import gallery as g

pytestmark = pytest.mark.unit

IP = g.TrackInfo(1, "ip", "工运IP赛道", "IP", 1)
PRODUCT = g.TrackInfo(2, "product", "生活实用产品赛道", "Products", 2)
TRACKS = {1: IP, 2: PRODUCT}


def tier(id_, rank, track_id, name, *, special=False, quota=1):
    return {"id": id_, "rank": rank, "track_id": track_id, "name": name, "name_en": f"EN {name}", "quota": quota,
            "is_special": special}


TIERS = [tier(11, 1, 1, "一等奖"), tier(12, 2, 1, "二等奖", quota=2), tier(21, 1, 2, "一等奖"),
         tier(22, 2, 2, "二等奖", quota=2), tier(90, 5, None, "网络人气奖", special=True)]


def award(entry_id, tier_row, track_id, number, title="作品"):
    return {"entry_id": entry_id, "tier_id": tier_row["id"], "tier__name": tier_row["name"],
            "tier__name_en": tier_row["name_en"], "tier__rank": tier_row["rank"],
            "tier__is_special": tier_row["is_special"], "tier__track_id": tier_row["track_id"],
            "entry__number": number, "entry__title": title, "entry__public_name": "某某",
            "entry__entrant_kind": "individual", "entry__track_id": track_id}


ROWS = [award(5, TIERS[3], 2, "P-2"), award(1, TIERS[0], 1, "I-1"), award(3, TIERS[2], 2, "P-1"),
        award(2, TIERS[1], 1, "I-2"), award(4, TIERS[1], 1, "I-3"), award(2, TIERS[4], 1, "I-2")]


def test_grades_join_tiers_of_one_rank_across_tracks_and_specials_last():
    assert [(x.key, x.name) for x in g.grades(TIERS)] == [("1", "一等奖"), ("2", "二等奖"), ("special", "网络人气奖")]


def test_a_tier_without_a_track_counts_as_special():
    assert g.grade_key(tier(1, 1, None, "组委会特别奖")) == "special"


def test_winners_best_grade_first_then_track_then_number_one_card_per_entry():
    found = g.winners(ROWS, TRACKS)
    assert [w.number for w in found] == ["I-1", "P-1", "I-2", "I-3", "P-2"]
    two = found[2]
    assert [(p.name, p.grade, p.special) for p in two.prizes] == [("二等奖", "2", False), ("网络人气奖", "special", True)]
    assert two.best.name == "二等奖" and two.track is IP


@pytest.mark.parametrize(("track", "grade", "numbers"), [
    (None, None, ["I-1", "P-1", "I-2", "I-3", "P-2"]),
    ("product", None, ["P-1", "P-2"]),
    (None, "2", ["I-2", "I-3", "P-2"]),
    ("ip", "special", ["I-2"]),
    ("product", "special", []),
])
def test_select_by_track_and_grade(track, grade, numbers):
    assert [w.number for w in g.select(g.winners(ROWS, TRACKS), track=track, grade=grade)] == numbers


@pytest.mark.parametrize(("total", "pages"), [(0, 1), (1, 1), (48, 1), (49, 2), (300, 7)])
def test_page_count(total, pages):
    assert g.page_count(total) == pages


def test_cover_is_the_chosen_one_else_the_first_image():
    rows = [{"position": 1, "is_cover": False}, {"position": 0, "is_cover": False}]
    assert g.cover_of(rows) == {"position": 0, "is_cover": False}
    rows.append({"position": 2, "is_cover": True})
    assert g.cover_of(rows) == {"position": 2, "is_cover": True}
    assert g.cover_of([]) is None


def test_picture_keeps_the_public_sizes_with_a_content_digest():
    facts = {"width": 400, "height": 300, "bytes": 9, "sha256": "ab" * 32}
    derivatives = {"thumb.webp": facts, "display.jpeg": {**facts, "width": 1280, "height": 960},
                   "judging.webp": facts}
    picture = g.picture({"key": "k" * 32, "derivatives": derivatives})
    assert sorted(picture.variants) == ["display.jpeg", "thumb.webp"]
    assert picture.variants["display.jpeg"] == g.Variant(1280, 960, "ab" * 8)


def test_results_table_per_track_with_vacant_grades_then_special_awards():
    found = g.winners([r for r in ROWS if r["entry_id"] != 3], TRACKS)
    table = g.by_track(found, [IP, PRODUCT], TIERS)
    shown = [(s.track.slug if s.track else None, [(t.name, [w.number for w in t.winners]) for t in s.tiers])
             for s in table]
    assert shown == [
        ("ip", [("一等奖", ["I-1"]), ("二等奖", ["I-2", "I-3"])]),
        ("product", [("一等奖", []), ("二等奖", ["P-2"])]),
        (None, [("网络人气奖", ["I-2"])]),
    ]


async def test_invalidating_writes_a_new_stamp_for_that_contest_only(tmp_path, monkeypatch):
    monkeypatch.setattr(cache_stamp, "_process", cache_stamp._Process())
    cache_stamp.configure(tmp_path)
    assert cache_stamp.read_stamps(cache_stamp.stamp_directory()) == {}
    await cache_stamp.invalidate_results(7)
    first = cache_stamp.read_stamps(tmp_path / "results-stamps")
    await cache_stamp.invalidate_results(7)
    await cache_stamp.invalidate_results(9)
    second = cache_stamp.read_stamps(tmp_path / "results-stamps")
    assert sorted(first) == [7] and sorted(second) == [7, 9]
    assert second[7] != first[7]
    assert cache_stamp.local_changes() == 3
    assert sorted(p.name for p in (tmp_path / "results-stamps").iterdir()) == ["7", "9"]


def test_without_configuration_the_stamps_follow_the_data_directory_of_the_environment(tmp_path, monkeypatch):
    monkeypatch.setattr(cache_stamp, "_process", cache_stamp._Process())
    monkeypatch.setenv("CONTEST_DATA_DIR", str(tmp_path))
    assert cache_stamp.stamp_directory() == tmp_path.resolve() / "results-stamps"
