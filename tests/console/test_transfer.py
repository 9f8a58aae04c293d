"""A contest's configuration as a file: what is in it (tracks' file slots too, and the image rules of files from
before slots), dates moved by whole years, and a file read whole before anything is created."""

from __future__ import annotations

from datetime import timedelta

import pytest

from contest.console import contest_config as config
from contest.console import transfer
from contest.contests.models import AwardTier, FileSlot, TermsText, Track
from tests.factories import NOW, make_contest, make_user

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("local", "years", "expected"), [
    ("2026-03-01T09:00", 1, "2027-03-01T09:00"),
    ("2028-02-29T23:30", 1, "2029-02-28T23:30"),
    ("2027-05-31T17:00", -1, "2026-05-31T17:00"),
    (None, 1, None),
])
def test_dates_move_by_whole_years_on_the_wall_clock(local, years, expected):
    assert transfer.shift_moment(local, years) == expected


def test_a_copy_gets_its_title_shifted_dates_and_stays_unpublished_without_payouts():
    data = {"contest": {"title": "2026", "title_en": "2026", "is_published": True, "submissions_open_at": "2026-03-01T09:00",
                        "submissions_close_at": None, "notice_starts_at": None, "announce_at": "2026-07-01T10:00"},
            "rounds": [{"name": "初评", "opens_at": "2026-06-01T09:00", "closes_at": "2026-06-08T09:00"}],
            "tracks": [{"slug": "ip", "slots": [{"key": "images", "due_at": None},
                                                {"key": "prototype", "due_at": "2026-06-20T17:00"}]}]}
    copied = transfer.shifted(data, 1, title="2027")
    assert copied["contest"] == {"title": "2027", "title_en": "", "is_published": False,
                                 "submissions_open_at": "2027-03-01T09:00", "submissions_close_at": None,
                                 "notice_starts_at": None, "announce_at": "2027-07-01T10:00",
                                 "payouts_open": False, "payout_deadline": None}
    assert copied["rounds"] == [{"name": "初评", "opens_at": "2027-06-01T09:00", "closes_at": "2027-06-08T09:00"}]
    assert [slot["due_at"] for slot in copied["tracks"][0]["slots"]] == [None, "2027-06-20T17:00"]
    blank = transfer.shifted(data, None, title="2027")
    assert (blank["contest"]["announce_at"], blank["rounds"][0]["opens_at"]) == (None, None)
    assert blank["tracks"][0]["slots"][1]["due_at"] is None
    assert data["contest"]["title"] == "2026"


def test_a_file_of_another_kind_is_refused_whole():
    for data in (None, [], {"format": "other", "version": 1}, {"format": transfer.FORMAT, "version": 2}):
        with pytest.raises(transfer.InvalidConfig) as caught:
            transfer.read_plan(data)
        assert [(p.where, p.message) for p in caught.value.problems] == [
            ("format", "This is not a contest configuration file of a version we read.")]


def test_every_problem_of_a_file_is_listed_with_where_it_is():
    data = {"format": transfer.FORMAT, "version": transfer.VERSION,
            "contest": {"title": "", "time_zone": "Asia/Shanghai", "notice_days": 0, "max_entries_per_designer": 20,
                        "max_mb_per_designer": 500, "popular_vote_daily_quota": 3, "popular_vote_share": 0.0,
                        "submissions_open_at": "2027-03-01T09:00", "submissions_close_at": "2027-05-31T17:00"},
            "tracks": [{"slug": "ip", "name": "IP", "min_images": 1, "max_images": 3, "min_width": 800,
                        "min_height": 600, "max_file_mb": 10, "fields": [{"key": "a", "kind": "text", "label": "甲"},
                                                                        {"key": "a", "kind": "text", "label": "乙"}]},
                       {"slug": "ip", "name": "IP2", "min_images": 1, "max_images": 3, "min_width": 800,
                        "min_height": 600, "max_file_mb": 10, "fields": "none"}],
            "award_tiers": "none", "judge_groups": [{"name": "专家", "weight": 0}],
            "rounds": [{"kind": "preliminary", "name": "初评", "judges_per_entry": 3, "opens_at": "2027-06-01T09:00",
                        "closes_at": "2027-06-10T09:00"},
                       {"kind": "final", "name": "终评", "judges_per_entry": 3, "opens_at": "2027-06-05T09:00",
                        "closes_at": "2027-06-20T09:00", "criteria": [{"name": "创意", "weight": 1, "scale_min": 0,
                                                                     "scale_max": 0}]}]}
    with pytest.raises(transfer.InvalidConfig) as caught:
        transfer.read_plan(data)
    assert [(p.where, p.message) for p in caught.value.problems] == [
        ("contest title", "This field is required."),
        ("tracks[0] fields[1] key", "Another field of this track uses this key."),
        ("tracks[1] slug", "Another track of this contest uses this address."),
        ("tracks[1] fields", "This part of the file must be a list."),
        ("award_tiers", "This part of the file must be a list."),
        ("judge_groups[0] weight", "Enter a weight above 0 and at most 1000, for example 70 or 70 %."),
        ("rounds[1] criteria[0] scale_max", "The top of the scale must be above its bottom."),
        ("rounds[1] opens_at", "This window overlaps another round of the contest."),
    ]


async def test_an_imported_file_with_two_versions_of_a_text_keeps_both_in_order(db):
    data = await transfer.export_config(await make_contest())
    data["terms"] = [{"kind": "originality", "ip_mode": None, "body": "第一版", "body_en": ""},
                     {"kind": "originality", "ip_mode": None, "body": "第二版", "body_en": ""}]
    contest = await transfer.import_config(data, slug="imported", by=await make_user(), now=NOW)
    assert await TermsText.filter(contest_id=contest.id).order_by("version").values_list("version", "body") == \
        [(1, "第一版"), (2, "第二版")]


@pytest.mark.parametrize("raw", [b"[" * 50_000 + b"]" * 50_000, b"[" * 14 + b"]" * 14, b"{", b"\xff",
                                 b" " * (transfer.MAX_FILE_BYTES + 1)], ids=["deep", "past-limit", "broken", "not-utf8",
                                                                             "too-large"])
def test_a_file_nested_deeper_than_ours_or_not_json_is_refused_before_reading(raw):
    with pytest.raises(ValueError):
        transfer.load_file(raw)


def test_a_file_as_deep_as_ours_loads():
    assert transfer.load_file(b'{"tracks": [{"fields": [{"options": [{"value": "a"}]}]}]}') == {
        "tracks": [{"fields": [{"options": [{"value": "a"}]}]}]}


async def test_the_three_bodies_and_option_rows_travel_with_the_file_and_a_keyless_question_gets_one(db):
    source = await make_contest(guiding_bodies="上海市总工会", host_bodies="杨浦区总工会、杨浦区文旅局",
                                organising_bodies="大赛组委会办公室")
    data = await transfer.export_config(source)
    assert {k: data["contest"][k] for k in ("guiding_bodies", "host_bodies", "organising_bodies")} == {
        "guiding_bodies": "上海市总工会", "host_bodies": "杨浦区总工会、杨浦区文旅局", "organising_bodies": "大赛组委会办公室"}
    data["tracks"] = [{"slug": "ip", "name": "IP", "min_images": 1, "max_images": 3, "min_width": 800,
                       "min_height": 600, "max_file_mb": 10,
                       "fields": [{"kind": "multi_choice", "label": "延展场景", "label_en": "Scenes",
                                   "options": [{"value": "toy", "label": "玩具"}, {"value": "", "label": "文具",
                                                                                   "label_en": "Stationery"}]}]}]
    by = await make_user()
    imported = await transfer.import_config(data, slug="imported", by=by, now=NOW)
    copied = await transfer.copy_contest(imported, slug="copied", title="2027", years=None, by=by, now=NOW)
    for contest in (imported, copied):
        again = await transfer.export_config(contest)
        assert again["contest"]["host_bodies"] == "杨浦区总工会、杨浦区文旅局"
        assert again["tracks"][0]["fields"][0]["key"] == "scenes"
        assert again["tracks"][0]["fields"][0]["options"] == [
            {"value": "toy", "label": "玩具", "label_en": ""},
            {"value": "stationery", "label": "文具", "label_en": "Stationery"}]


def contest_file(tracks, rounds=()):
    return {"format": transfer.FORMAT, "version": transfer.VERSION,
            "contest": {"title": "2027", "time_zone": "Asia/Shanghai", "notice_days": 0, "max_entries_per_designer": 20,
                        "max_mb_per_designer": 500, "popular_vote_daily_quota": 3, "popular_vote_share": 0.0,
                        "submissions_open_at": "2027-03-01T09:00", "submissions_close_at": "2027-05-31T17:00"},
            "tracks": tracks, "rounds": list(rounds)}


FINAL = {"kind": "final", "name": "终评", "judges_per_entry": 3, "opens_at": "2027-06-05T09:00",
         "closes_at": "2027-06-20T09:00"}


async def test_slots_travel_with_the_file_and_with_a_copy_their_deadline_a_year_later(db):
    slots = [{"key": "boards", "label": "展板", "label_en": "Boards", "kinds": ["pdf"], "min_count": 1, "max_count": 2,
              "max_mb": 50, "min_short_edge": 3508, "min_long_edge": 4961, "max_pages": 3, "audience": "public"},
             {"key": "sources", "label": "源文件", "kinds": ["source"], "min_count": 0, "max_count": 1, "max_mb": 200,
              "audience": "organisers", "from_round": 1, "due_at": "2027-06-30T17:00"}]
    by = await make_user()
    imported = await transfer.import_config(contest_file([{"slug": "ip", "name": "IP", "ai_policy": "disclose",
                                                           "slots": slots}], [FINAL]), slug="imported", by=by, now=NOW)
    track = await Track.get(contest_id=imported.id)
    assert track.ai_policy == "disclose"
    stored = await FileSlot.filter(track_id=track.id).order_by("position")
    assert [(s.key, s.kinds, s.max_mb, s.audience, s.from_round, s.position) for s in stored] == [
        ("boards", ["pdf"], 50, "public", 0, 1), ("sources", ["source"], 200, "organisers", 1, 2)]
    assert stored[1].due_at.isoformat() == "2027-06-30T09:00:00+00:00"
    exported = (await transfer.export_config(imported))["tracks"][0]
    assert exported["ai_policy"] == "disclose"
    assert exported["slots"][0] == {**dict.fromkeys(("help", "help_en"), ""), **slots[0],
                                    "max_seconds": 300, "from_round": 0, "due_at": None}
    assert exported["slots"][1]["due_at"] == "2027-06-30T17:00"
    copied = await transfer.copy_contest(imported, slug="copied", title="2028", years=1, by=by, now=NOW)
    again = (await transfer.export_config(copied))["tracks"][0]["slots"]
    assert again == [exported["slots"][0], {**exported["slots"][1], "due_at": "2028-06-30T17:00"}]


async def test_an_old_file_gives_its_image_rules_as_the_one_slot_and_a_bare_track_the_default(db):
    old = {"slug": "ip", "name": "IP", "min_images": 2, "max_images": 6, "min_width": 800, "min_height": 1600,
           "max_file_mb": 20}
    data = contest_file([old, {"slug": "cul", "name": "文化"}])
    contest = await transfer.import_config(data, slug="old", by=await make_user(), now=NOW)
    slots = [(await transfer.export_config(contest))["tracks"][i]["slots"] for i in range(2)]
    assert [{k: s[k] for k in ("key", "kinds", "min_count", "max_count", "max_mb", "min_short_edge", "min_long_edge")}
            for s in slots[0]] == [{"key": "images", "kinds": ["image"], "min_count": 2, "max_count": 6, "max_mb": 20,
                                    "min_short_edge": 800, "min_long_edge": 1600}]
    assert [{k: s[k] for k in config.DEFAULT_SLOT} for s in slots[1]] == [config.DEFAULT_SLOT]


def test_slot_problems_are_listed_with_where_they_are():
    good = {"key": "images", "label": "作品图", "kinds": ["image"], "min_count": 1, "max_count": 3, "max_mb": 25}
    data = contest_file([
        {"slug": "ip", "name": "IP", "slots": [good, {**good, "max_mb": 60}, {**good, "label": "又一组"},
                                               {**good, "key": "late", "from_round": 2}]},
        {"slug": "cul", "name": "文化", "slots": [{**good, "from_round": 1}]},
        {"slug": "old", "name": "旧", "max_images": 0, "max_file_mb": 99},
        {"slug": "none", "name": "空", "slots": []},
    ], [FINAL])
    with pytest.raises(transfer.InvalidConfig) as caught:
        transfer.read_plan(data)
    assert [(p.where, p.message) for p in caught.value.problems] == [
        ("tracks[0] slots[1] max_mb", "Larger than files of these kinds may be: see the limits under the field."),
        ("tracks[0] slots[2] key", "Another part of this track's entry uses this key."),
        ("tracks[0] slots[3] from_round", "Choose one of the options."),
        ("tracks[1] slots", config.NO_SLOT_BEFORE_SUBMISSION),
        ("tracks[2] max_images", "This number is outside the allowed range."),
        ("tracks[2] max_file_mb", "Larger than files of these kinds may be: see the limits under the field."),
        ("tracks[3] slots", config.NO_SLOT_BEFORE_SUBMISSION),
    ]


async def test_the_sample_rule_and_the_forfeit_rule_travel_with_the_file_and_a_copy_moves_the_deadline(db):
    data = contest_file([{"slug": "ip", "name": "IP", "sample_required": True, "sample_instructions": "寄送打样一件",
                          "sample_due_at": "2027-06-30T17:00"}], [FINAL])
    data["contest"]["missing_task_forfeits"] = True
    by = await make_user()
    imported = await transfer.import_config(data, slug="imported", by=by, now=NOW)
    track = await Track.get(contest_id=imported.id)
    assert (imported.missing_task_forfeits, track.sample_required, track.sample_instructions,
            track.sample_due_at.isoformat()) == (True, True, "寄送打样一件", "2027-06-30T09:00:00+00:00")
    copied = await transfer.copy_contest(imported, slug="copied", title="2028", years=1, by=by, now=NOW)
    again = await transfer.export_config(copied)
    assert (again["contest"]["missing_task_forfeits"], again["tracks"][0]["sample_required"],
            again["tracks"][0]["sample_due_at"]) == (True, True, "2028-06-30T17:00")


async def test_accepting_minors_travels_with_the_file_and_with_a_copy(db):
    data = contest_file([{"slug": "ip", "name": "IP"}], [FINAL])
    data["contest"]["accepts_minors"] = True
    by = await make_user()
    imported = await transfer.import_config(data, slug="school", by=by, now=NOW)
    copied = await transfer.copy_contest(imported, slug="school-2028", title="2028", years=1, by=by, now=NOW)
    assert (imported.accepts_minors, (await transfer.export_config(copied))["contest"]["accepts_minors"]) == (True, True)


async def test_the_retention_period_travels_with_the_file_and_an_older_file_gets_the_default(db):
    data = await transfer.export_config(await make_contest(retention_days=400))
    assert data["contest"]["retention_days"] == 400
    imported = await transfer.import_config(data, slug="kept-400", by=await make_user(), now=NOW)
    del data["contest"]["retention_days"]
    older = await transfer.import_config(data, slug="kept-default", by=await make_user(), now=NOW)
    assert (imported.retention_days, older.retention_days) == (400, config.RETENTION_DEFAULT)


async def test_the_payout_rule_and_prizes_travel_with_the_file_and_a_copy_closes_payouts(db):
    contest = await make_contest(payouts_open=True, payout_tax_bp=2050, announce_at=NOW + timedelta(days=40),
                                 payout_deadline=NOW + timedelta(days=70))
    await AwardTier.create(contest=contest, name="网络人气奖", rank=5, is_special=True, prize_fen=500_050)
    data = await transfer.export_config(contest)
    assert (data["contest"]["payouts_open"], data["contest"]["payout_tax_percent"], data["award_tiers"][0]["prize"]) \
        == (True, "20.5", "5000.50")
    by = await make_user()
    imported = await transfer.import_config(data, slug="paid", by=by, now=NOW)
    tier = await AwardTier.get(contest_id=imported.id)
    assert (imported.payouts_open, imported.payout_tax_bp, imported.payout_deadline, tier.prize_fen) == (
        True, 2050, contest.payout_deadline, 500_050)
    copied = await transfer.copy_contest(imported, slug="paid-2027", title="2027", years=1, by=by, now=NOW)
    assert (copied.payouts_open, copied.payout_deadline.year) == (False, contest.payout_deadline.year + 1)
    del data["contest"]["payout_tax_percent"]
    older = await transfer.import_config(data, slug="paid-older", by=by, now=NOW)
    assert older.payout_tax_bp == 2000
