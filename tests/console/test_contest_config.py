"""Contest configuration rules: every field's problem at once, the timeline's order, option rows and made keys,
file slots' rules (and which slots must stay), quota checks once the count is known, terms as new versions (and
before publishing), each save in the audit log."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from contest import cache_stamp
from contest.audit.models import AuditEvent
from contest.console import contest_config as config
from contest.contests.models import Contest, FieldKind, FileSlot, TermsKind, TermsText, Track, TrackField
from contest.entries.models import EntryFile
from contest.errors import InvalidInput
from tests.factories import NOW, image_slot, make_contest, make_track, make_user
from tests.judging.helpers import submitted_entry

pytestmark = pytest.mark.unit

VALID = {"title": "2027 文创大赛", "time_zone": "Asia/Shanghai", "submissions_open_at": "2027-03-01T09:00",
         "submissions_close_at": "2027-05-31T17:00", "notice_starts_at": "2027-06-10T09:00", "notice_days": "7",
         "announce_at": "2027-07-01T10:00", "max_entries_per_designer": "20", "max_mb_per_designer": "500",
         "popular_vote_enabled": "1", "popular_vote_daily_quota": "3", "popular_vote_share": "0.2"}


def errors_of(parse, raw) -> dict[str, str]:
    with pytest.raises(InvalidInput) as caught:
        parse(raw)
    return caught.value.field_errors


def test_contest_settings_read_times_on_the_contests_clock():
    settings = config.parse_contest_settings(VALID)
    assert settings.submissions_close_at.isoformat() == "2027-05-31T09:00:00+00:00"
    assert (settings.notice_days, settings.popular_vote_share, settings.max_bytes_per_designer) == (7, 0.2, 500 * 2**20)


def test_every_field_problem_is_reported_at_once():
    raw = {**VALID, "title": "", "time_zone": "Mars/Olympus", "notice_days": "x", "popular_vote_share": "2",
           "max_entries_per_designer": "0"}
    assert errors_of(config.parse_contest_settings, raw) == {
        "title": "This field is required.",
        "time_zone": "Choose a time zone from the list.",
        "notice_days": "Enter the days of public notice from 0 to 60; 0.25 is 6 hours.",
        "popular_vote_share": "Enter a share between 0 and 1, for example 0.2.",
        "max_entries_per_designer": "This number is outside the allowed range.",
    }


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"submissions_close_at": "2027-02-01T09:00"}, "submissions_close_at", "Submissions must close after they open."),
    ({"announce_at": "2027-05-01T09:00", "notice_days": "0", "notice_starts_at": ""}, "announce_at",
     "The announcement must come after submissions close."),
    ({"notice_starts_at": ""}, "notice_starts_at", "Enter when the public notice starts, or set its days to 0."),
    ({"notice_starts_at": "2027-05-01T09:00"}, "notice_starts_at", "The public notice must start after submissions close."),
    ({"notice_starts_at": "2027-06-28T09:00"}, "notice_starts_at",
     "The public notice must end before the final announcement."),
    ({"popular_vote_enabled": ""}, "popular_vote_share", "Turn the popular vote on, or set its share to 0."),
])
def test_the_timeline_keeps_its_order(changes, field, message):
    assert errors_of(config.parse_contest_settings, {**VALID, **changes}) == {field: message}


def test_option_rows_drop_blank_rows_keep_values_and_make_the_missing_ones():
    rows = [{"value": "paper", "label": "纸", "label_en": "Paper"}, {"value": "", "label": "", "label_en": ""},
            {"value": "", "label": "木头", "label_en": " Solid wood "}, {"value": "", "label": "陶", "label_en": ""},
            {"value": "", "label": "瓷", "label_en": ""}, {"value": "", "label": "", "label_en": "Paper"}]
    assert config.option_rows(rows) == [
        {"value": "paper", "label": "纸", "label_en": "Paper"},
        {"value": "solid_wood", "label": "木头", "label_en": "Solid wood"},
        {"value": "option", "label": "陶", "label_en": ""},
        {"value": "option_2", "label": "瓷", "label_en": ""},
        {"value": "paper_2", "label": "Paper", "label_en": "Paper"},
    ]


@pytest.mark.parametrize(("texts", "taken", "key"), [
    (("Extension scenes", "延展场景"), (), "extension_scenes"),
    (("", "延展场景"), (), "question"),
    (("", "延展场景"), ("question", "question_2"), "question_3"),
    (("Café & Bar — 2027!", ""), (), "cafe_bar_2027"),
    (("2027 edition", ""), (), "question_2027_edition"),
    (("Title", "名称"), (), "title_2"),  # the entry form's own input
    (("Size", "尺寸"), ("size",), "size_2"),
    (("A" * 60, ""), (), "a" * 40),
])
def test_a_key_is_made_from_the_first_latin_text_and_is_unique(texts, taken, key):
    assert config.make_key(texts, taken, fallback="question") == key
    assert config.FIELD_KEY.fullmatch(key)


@pytest.mark.parametrize(("raw", "errors"), [
    ({"key": "2size", "kind": "text", "label": "尺寸"},
     {"key": "Use lower-case letters, digits and underscores, starting with a letter."}),
    ({"key": "title", "kind": "text", "label": "名称"}, {"key": "This key is used by the entry form itself: choose another."}),
    ({"key": "size", "kind": "text", "label": "尺寸", "options": [{"label": "a"}]},
     {"options": "Only choice fields have options: leave this empty."}),
    ({"key": "size", "kind": "choice", "label": "尺寸", "options": [{"value": "a", "label": "甲"}, {"value": "a"}]},
     {"options": "Two options are the same: give each its own label."}),
    ({"kind": "choice", "label": "尺寸", "options": [{"label": "甲" * 201}]},
     {"options": "At most 100 options, each label at most 200 characters."}),
    ({"kind": "multi_choice", "label": "尺寸", "options": [{"value": "", "label": "", "label_en": ""}]},
     {"options": "Give at least one option."}),
    ({"key": "size", "kind": "colour", "label": ""},
     {"kind": "Choose one of the options.", "label": "This field is required."}),
    ({"key": "size", "kind": "text", "label": "尺寸", "max_length": "201"},
     {"max_length": "This number is outside the allowed range."}),
])
def test_bad_questions_are_explained(raw, errors):
    assert errors_of(config.parse_field, raw) == errors


SLOT = {"label": "展板", "label_en": "Boards", "kinds": ["pdf", "image"], "min_count": "1", "max_count": "3",
        "max_mb": "50", "max_pages": "4", "audience": "judges", "from_round": "0"}


def parse_slot(raw, rounds=(1, 2)):
    return config.parse_slot(raw, zone="Asia/Shanghai", rounds=set(rounds))


def test_a_slot_reads_its_kinds_in_order_and_the_a3_preset_fills_its_edges():
    spec = parse_slot({**SLOT, "preset": "a3_300dpi", "min_short_edge": "10", "min_long_edge": "20"})
    assert (spec.kinds, spec.min_short_edge, spec.min_long_edge) == (["image", "pdf"], 3508, 4961)
    assert (spec.max_mb, spec.max_pages, spec.max_seconds, spec.audience, spec.key) == (50, 4, 300, "judges", "")
    lying = parse_slot({**SLOT, "min_short_edge": "4000", "min_long_edge": "3000"})
    assert (lying.min_short_edge, lying.min_long_edge) == (3000, 4000)


def test_a_later_slot_has_its_own_deadline_on_the_contests_clock():
    spec = parse_slot({**SLOT, "from_round": "2", "due_at": "2027-07-01T17:00"})
    assert (spec.from_round, spec.due_at.isoformat()) == (2, "2027-07-01T09:00:00+00:00")


@pytest.mark.parametrize(("changes", "errors"), [
    ({"min_count": "4", "max_count": "3"}, {"max_count": "The most files must be at least the fewest."}),
    ({"kinds": []}, {"kinds": "Choose at least one kind of file."}),
    ({"kinds": ["image", "sculpture"]}, {"kinds": "Choose one of the options."}),
    ({"kinds": ["image"], "max_mb": "26"},
     {"max_mb": "Larger than files of these kinds may be: see the limits under the field."}),
    ({"kinds": ["video"], "max_mb": "200", "max_seconds": "601"}, {"max_seconds": "This number is outside the allowed range."}),
    ({"max_count": "21", "max_pages": "51", "min_long_edge": "12001"},
     {"max_count": "This number is outside the allowed range.", "max_pages": "This number is outside the allowed range.",
      "min_long_edge": "This number is outside the allowed range."}),
    ({"from_round": "3"}, {"from_round": "Choose one of the options."}),
    ({"due_at": "2027-07-01T17:00"}, {"due_at": "Only a part for a later round has its own deadline: leave this empty."}),
    ({"label": "", "key": "2boards", "audience": "everyone"},
     {"label": "This field is required.", "key": "Use lower-case letters, digits and underscores, starting with a letter.",
      "audience": "Choose one of the options."}),
])
def test_bad_slots_are_explained_every_problem_at_once(changes, errors):
    assert errors_of(parse_slot, {**SLOT, **changes}) == errors


def test_the_size_ceiling_is_the_largest_kinds():
    assert parse_slot({**SLOT, "kinds": ["image", "video"], "max_mb": "200"}).max_mb == 200
    assert config.kinds_ceiling_mb(["image", "pdf"]) == 50


async def file_in(slot, entry, kind="pdf"):
    return await EntryFile.create(entry=entry, slot=slot, key=f"k{slot.id}{kind}", kind=kind, format=kind,
                                  size_bytes=1, sha256="0" * 64)


async def test_slots_are_added_with_made_keys_moved_and_each_change_audited(db):
    contest, by = await make_contest(), await make_user()
    track = await make_track(contest)
    boards = await config.add_slot(track, parse_slot(SLOT), by=by, now=NOW)
    again = await config.add_slot(track, parse_slot(SLOT), by=by, now=NOW)
    assert (boards.key, again.key) == ("boards", "boards_2")
    await config.move_slot(again, track, -1, by=by, now=NOW)
    assert [s.key for s in await FileSlot.filter(track_id=track.id).order_by("position")] == [
        "images", "boards_2", "boards"]
    changes = await config.update_slot(boards, track, parse_slot({**SLOT, "label": "竖版展板", "max_count": "2"}),
                                       by=by, now=NOW)
    assert changes == {"label": "竖版展板", "max_count": 2}
    assert (await FileSlot.get(id=boards.id)).key == "boards"  # the form sends none: the slot keeps its own
    assert [e.action for e in await AuditEvent.filter(action__startswith="file_slot").order_by("id")] == [
        "file_slot.added", "file_slot.added", "file_slot.moved", "file_slot.updated"]


async def test_a_slot_with_files_stays_and_keeps_the_kinds_of_its_files(db):
    contest, by = await make_contest(), await make_user()
    track = await make_track(contest)
    boards = await config.add_slot(track, parse_slot(SLOT), by=by, now=NOW)
    await file_in(boards, await submitted_entry(contest, track))
    with pytest.raises(config.SlotHasFiles):
        await config.delete_slot(boards, track, by=by, now=NOW)
    with pytest.raises(InvalidInput) as caught:
        await config.update_slot(boards, track, parse_slot({**SLOT, "kinds": ["image"], "max_mb": "20"}), by=by, now=NOW)
    assert caught.value.field_errors == {
        "kinds": "Files of a kind you left out are in this part of the entry: keep that kind."}
    await config.update_slot(boards, track, parse_slot({**SLOT, "kinds": ["pdf"], "max_count": "5"}), by=by, now=NOW)
    assert (await FileSlot.get(id=boards.id)).kinds == ["pdf"]  # images were allowed, none came: the kind may go


async def test_the_last_slot_filled_before_submission_stays(db):
    contest, by = await make_contest(), await make_user()
    track = await make_track(contest)
    images = await image_slot(track)
    later = await config.add_slot(track, parse_slot({**SLOT, "from_round": "1"}), by=by, now=NOW)
    with pytest.raises(config.LastSlotBeforeSubmission):
        await config.delete_slot(images, track, by=by, now=NOW)
    with pytest.raises(InvalidInput) as caught:
        await config.update_slot(images, track, parse_slot({**SLOT, "from_round": "2"}), by=by, now=NOW)
    assert caught.value.field_errors == {"from_round": config.NO_SLOT_BEFORE_SUBMISSION}
    await config.delete_slot(later, track, by=by, now=NOW)
    boards = await config.add_slot(track, parse_slot(SLOT), by=by, now=NOW)
    await config.delete_slot(images, track, by=by, now=NOW)
    assert [s.id for s in await FileSlot.filter(track_id=track.id)] == [boards.id]


async def test_a_quota_counts_only_once_submissions_have_closed(db):
    contest = await make_contest(submissions_close_at=NOW + timedelta(days=1))
    track = await make_track(contest)
    await submitted_entry(contest, track)
    spec = config.TierSpec(track_id=track.id, name="一等奖", name_en="", rank=1, quota=3, is_special=False)
    assert await config.quota_problem(contest, spec, now=NOW) is None
    after = NOW + timedelta(days=2)
    assert await config.quota_problem(contest, spec, now=after) == \
        "This quota is larger than the number of entries submitted to the track."
    assert await config.quota_problem(contest, replace(spec, quota=1), now=after) is None
    assert await config.quota_problem(contest, replace(spec, track_id=None, is_special=True), now=after) is None


async def test_terms_are_versioned_and_never_edited(db):
    contest, by = await make_contest(), await make_user()
    spec = config.TermsSpec(kind=TermsKind.ORIGINALITY, ip_mode=None, body="本人承诺作品为原创。", body_en="")
    first = await config.add_terms_version(contest, spec, by=by, now=NOW)
    second = await config.add_terms_version(contest, replace(spec, body="本人承诺作品为原创，未曾发表。"), by=by, now=NOW)
    rows = await TermsText.filter(contest_id=contest.id).order_by("version").values_list("version", "body")
    assert rows == [(1, "本人承诺作品为原创。"), (2, "本人承诺作品为原创，未曾发表。")]
    assert (first.version, second.version) == (1, 2)
    assert await AuditEvent.filter(action="terms.versioned").count() == 2


async def test_tracks_swap_places_and_a_track_with_entries_stays(db):
    contest, by = await make_contest(), await make_user()
    first, second = await make_track(contest, position=1), await make_track(contest, position=2)
    await config.move_track(second, -1, by=by, now=NOW)
    assert [t.id for t in await Track.filter(contest_id=contest.id).order_by("position")] == [second.id, first.id]
    await config.move_track(second, -1, by=by, now=NOW)  # already first: nothing changes, nothing logged
    assert await AuditEvent.filter(action="track.moved").count() == 1
    await submitted_entry(contest, first)
    with pytest.raises(config.TrackHasEntries):
        await config.delete_track(first, by=by, now=NOW)
    await config.delete_track(second, by=by, now=NOW)
    assert [t.id for t in await Track.filter(contest_id=contest.id)] == [first.id]


async def test_a_field_key_must_be_unique_in_its_track(db):
    contest, by = await make_contest(), await make_user()
    track = await make_track(contest)
    spec = config.parse_field({"key": "brand", "kind": FieldKind.TEXT.value, "label": "合作品牌"})
    await config.add_field(track, spec, by=by, now=NOW)
    with pytest.raises(InvalidInput) as caught:
        await config.add_field(track, spec, by=by, now=NOW)
    assert caught.value.field_errors == {"key": "Another field of this track uses this key."}


async def test_a_question_gets_a_key_made_from_its_label_and_keeps_it_when_reworded(db):
    contest, by = await make_contest(), await make_user()
    track = await make_track(contest)
    raw = {"kind": FieldKind.TEXT.value, "label": "合作品牌", "label_en": "Partner brand"}
    first = await config.add_field(track, config.parse_field(raw), by=by, now=NOW)
    second = await config.add_field(track, config.parse_field(raw), by=by, now=NOW)
    assert (first.key, second.key) == ("partner_brand", "partner_brand_2")
    reworded = config.parse_field({**raw, "label_en": "Brand of the partner"})
    await config.update_field(first, track, reworded, by=by, now=NOW)
    assert await TrackField.filter(track_id=track.id).order_by("id").values_list("key", "label_en") == [
        ("partner_brand", "Brand of the partner"), ("partner_brand_2", "Partner brand")]


async def test_a_contest_is_published_only_with_both_texts_saved(db):
    contest, by = await make_contest(is_published=False), await make_user()
    published = replace(config.parse_contest_settings(VALID), is_published=True)
    with pytest.raises(InvalidInput) as caught:
        await config.update_contest(contest, published, by=by, now=NOW)
    assert caught.value.field_errors == {"is_published": config.NO_TERMS}
    await config.add_terms_version(contest, config.parse_terms({"kind": "originality", "body": "原创"}), by=by, now=NOW)
    with pytest.raises(InvalidInput):
        await config.update_contest(contest, published, by=by, now=NOW)
    await config.add_terms_version(contest, config.parse_terms({"kind": "ip_terms", "body": "展览"}), by=by, now=NOW)
    await config.update_contest(contest, published, by=by, now=NOW)
    assert (await Contest.get(id=contest.id)).is_published


async def test_saving_the_contest_tells_every_worker_its_results_pages_changed(db, tmp_path):
    cache_stamp.configure(tmp_path)
    contest, organiser = await make_contest(), await make_user()
    before = cache_stamp.read_stamps(cache_stamp.stamp_directory())
    settings = replace(config.parse_contest_settings(VALID), title="改名后的大赛")
    await config.update_contest(contest, settings, by=organiser, now=NOW)
    after = cache_stamp.read_stamps(cache_stamp.stamp_directory())
    assert after.get(contest.id) is not None and after.get(contest.id) != before.get(contest.id)


@pytest.mark.parametrize(("raw", "days"), [("0.25", 0.25), ("7", 7.0), ("0", 0.0)])
def test_a_public_notice_may_be_shorter_than_a_day(raw, days):
    assert config.parse_contest_settings({**VALID, "notice_days": raw}).notice_days == days


@pytest.mark.parametrize("raw", ["-1", "61", "nan", "inf"])
def test_notice_days_stay_within_sixty(raw):
    assert errors_of(config.parse_contest_settings, {**VALID, "notice_days": raw}) == {
        "notice_days": "Enter the days of public notice from 0 to 60; 0.25 is 6 hours."}


async def test_moving_the_deadline_before_submitted_entries_asks_first(db):
    contest, organiser = await make_contest(), await make_user()
    track = await make_track(contest)
    for age in (10, 5, 3):
        await submitted_entry(contest, track, submitted_at=NOW - timedelta(days=age))
    await submitted_entry(contest, track, state="draft", submitted_at=None)
    fields = config.parse_contest_settings(VALID).__dict__
    settings = config.ContestSettings(**{**fields, "notice_starts_at": None, "notice_days": 0, "announce_at": None,
                                         "submissions_open_at": NOW - timedelta(days=20),
                                         "submissions_close_at": NOW - timedelta(days=7)})
    with pytest.raises(config.EntriesAfterDeadline) as caught:
        await config.update_contest(contest, settings, by=organiser, now=NOW)
    assert caught.value.params == {"count": 2}
    assert not await AuditEvent.exists(action="contest.updated")
    await config.update_contest(contest, settings, by=organiser, now=NOW, confirmed=True)
    event = await AuditEvent.get(action="contest.updated")
    assert event.data["entries_made_late"] == 2
    later = replace(settings, submissions_close_at=NOW - timedelta(days=1))
    assert "submissions_close_at" in await config.update_contest(contest, later, by=organiser, now=NOW)


def test_a_vote_per_phone_number_needs_the_vote_and_a_text_message_service():
    assert config.parse_contest_settings({**VALID, "popular_vote_phone": "1"}).popular_vote_phone is True
    assert config.parse_contest_settings(VALID).popular_vote_phone is False
    assert errors_of(config.parse_contest_settings, {**VALID, "popular_vote_phone": "1", "popular_vote_enabled": "",
                                                      "popular_vote_share": "0"}) == \
        {"popular_vote_phone": "Turn the popular vote on, or leave phone numbers off."}
    assert errors_of(lambda raw: config.parse_contest_settings(raw, texts_codes=False),
                     {**VALID, "popular_vote_phone": "1"}) == {"popular_vote_phone": config.NO_TEXTS}


@pytest.mark.parametrize(("given", "days"), [("", 1095), ("0", 0), ("365", 365)])
def test_the_retention_period_is_whole_days_and_left_empty_three_years(given, days):
    assert config.parse_contest_settings({**VALID, "retention_days": given}).retention_days == days


@pytest.mark.parametrize("given", ["-1", "1.5", "36501"])
def test_a_retention_period_that_is_no_whole_number_of_days_is_refused(given):
    assert list(errors_of(config.parse_contest_settings, {**VALID, "retention_days": given})) == ["retention_days"]
