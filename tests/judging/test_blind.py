from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable
from datetime import timedelta
from typing import TypeVar

import pytest

from contest.entries.models import Entry, EntryImage
from contest.entries.states import EntryState, LeakStatus
from contest.judging import queries
from contest.judging.assignment import shuffle_for_judge
from contest.judging.blind import AnonymousEntry, EntrantIdentity, JudgingImage
from contest.judging.models import (
    Assignment,
    Conflict,
    Criterion,
    Round,
    RoundEntry,
    Score,
)
from tests.factories import NOW, make_contest, make_field, make_track, make_user, slot_of_entry
from tests.judging.helpers import make_round, submitted_entry

T = TypeVar("T")

pytestmark = pytest.mark.unit

MARKERS = ("MARKER-NAME", "marker-mail", "MARKER-ORG", "MARKER-SCHOOL", "MARKER-FILE", "MARKER-SUPERVISOR",
           "MARKER-PUBLIC")


async def leaky_setup(**round_fields):
    """An entry whose every identity field carries a marker, assigned to a judge in an open round."""
    contest = await make_contest()
    track = await make_track(contest)
    round_ = await make_round(contest, **round_fields)
    await Criterion.create(round=round_, name="创意", scale_min=0, scale_max=10)
    owner = await make_user(display_name="MARKER-NAME", email="marker-mail@marker-mail.example", phone="13912345678")
    entry = await submitted_entry(
        contest, track, owner, title="山海纹样", concept="取材于山海经。", answers={"materials": ["paper"]},
        organisation="MARKER-ORG", school="MARKER-SCHOOL", supervisor_name="MARKER-SUPERVISOR",
        public_name="MARKER-PUBLIC", leak_status=LeakStatus.CLEAR,
    )
    await EntryImage.create(entry=entry, slot=await slot_of_entry(entry),
                            key="k" * 32, position=0, is_cover=True, original_name="MARKER-FILE.jpg",
                            original_format="jpeg", width=4000, height=3000, size_bytes=123456, sha256="0" * 64,
                            derivatives={"judging": {"webp": {"width": 1600}}, "thumb": {"webp": {"width": 400}}})
    await RoundEntry.create(round=round_, entry=entry, alias="Q7K-3XM")
    judge = await make_user()
    await Assignment.create(round=round_, entry=entry, judge=judge)
    return round_, judge, entry


async def test_the_judge_receives_the_alias_text_and_image_names_only(db):
    round_, judge, entry = await leaky_setup()
    queue = await queries.judge_queue(judge, round_, now=NOW)
    assert (queue.total, queue.scored, queue.criteria, queue.read_only) == (1, 0, 1, False)
    [item] = queue.items
    assert item.identity is None
    assert item.entry == queries.ListedEntry(alias="Q7K-3XM", title="山海纹样", track=(await entry.track).name,
                                             thumbnail=("judging", "thumb"))
    judged = await queries.judged_entry(judge, round_, "Q7K-3XM", now=NOW)
    assert judged == AnonymousEntry(
        alias="Q7K-3XM", title="山海纹样", concept="取材于山海经。", answers={"materials": ["paper"]},
        images=(JudgingImage(key="k" * 32, position=0, derivatives=("judging", "thumb")),),
    )
    assert [f.name for f in dataclasses.fields(AnonymousEntry)] == ["alias", "title", "concept", "answers", "images"]
    assert [f.name for f in dataclasses.fields(queries.ListedEntry)] == ["alias", "title", "track", "track_en",
                                                                          "thumbnail"]
    text = repr(queue) + repr(judged)
    assert [m for m in MARKERS if m.casefold() in text.casefold()] == []
    assert f"id={entry.id}" not in text and "4000" not in text and "123456" not in text


async def test_identity_is_given_only_when_the_round_says_so(db):
    round_, judge, _ = await leaky_setup(judges_see_identity=True)
    [item] = (await queries.judge_queue(judge, round_, now=NOW)).items
    assert item.identity == EntrantIdentity(public_name="MARKER-PUBLIC", organisation="MARKER-ORG", school="MARKER-SCHOOL")
    assert "MARKER-NAME" not in repr(item) and "marker-mail" not in repr(item)


async def test_conflicted_held_withdrawn_and_unassigned_entries_are_not_in_the_queue(db):
    round_, judge, entry = await leaky_setup()
    contest_id = round_.contest_id
    held = await submitted_entry(entry.contest, await entry.track, title="持有", leak_status=LeakStatus.FLAGGED)
    conflicted = await submitted_entry(entry.contest, await entry.track, title="冲突")
    withdrawn = await submitted_entry(entry.contest, await entry.track, title="撤回", state=EntryState.WITHDRAWN)
    unassigned = await submitted_entry(entry.contest, await entry.track, title="未分配")
    for n, e in enumerate([held, conflicted, withdrawn, unassigned]):
        await RoundEntry.create(round=round_, entry=e, alias=f"ZZZ-00{n + 2}")
        if e is not unassigned:
            await Assignment.create(round=round_, entry=e, judge=judge)
    await Conflict.create(contest_id=contest_id, judge=judge, entry=conflicted, source="declared", reason="同事")
    queue = await queries.judge_queue(judge, round_, now=NOW)
    assert [i.entry.alias for i in queue.items] == ["Q7K-3XM"]
    assert queue.total == 1
    for alias in ("ZZZ-002", "ZZZ-003", "ZZZ-004", "ZZZ-005", "NOPE-00"):
        assert await queries.assignment_for_judge(judge, round_, alias, now=NOW) is None
        assert await queries.judged_entry(judge, round_, alias, now=NOW) is None
    assignment = await queries.assignment_for_judge(judge, round_, "Q7K-3XM", now=NOW)
    assert (assignment.entry_id, assignment.judge_id) == (entry.id, judge.id)


async def test_outside_the_window_the_judge_sees_nothing(db):
    round_, judge, _ = await leaky_setup()
    for now in (round_.opens_at - timedelta(seconds=1), round_.closes_at):
        queue = await queries.judge_queue(judge, round_, now=now)
        assert (queue.items, queue.total) == ([], 0)
        assert await queries.assignment_for_judge(judge, round_, "Q7K-3XM", now=now) is None
        assert await queries.judged_entry(judge, round_, "Q7K-3XM", now=now) is None


async def test_a_locked_round_is_shown_read_only(db):
    round_, judge, _ = await leaky_setup()
    await Round.filter(id=round_.id).update(locked_at=NOW)
    round_ = await Round.get(id=round_.id)
    queue = await queries.judge_queue(judge, round_, now=NOW)
    assert (queue.total, queue.read_only) == (1, True)


async def test_order_is_the_judges_own_shuffle_and_progress_counts_submitted_entries(db):
    contest = await make_contest()
    track = await make_track(contest)
    round_ = await make_round(contest, secret="shuffle-secret")
    first = await Criterion.create(round=round_, name="创意", position=1)
    second = await Criterion.create(round=round_, name="工艺", position=2)
    judges = [await make_user(), await make_user()]
    entries = [await submitted_entry(contest, track, leak_status=LeakStatus.CLEAR) for _ in range(6)]
    aliases = {}
    for n, e in enumerate(entries):
        aliases[e.id] = f"AL{n}-XYZ"
        await RoundEntry.create(round=round_, entry=e, alias=aliases[e.id])
        for judge in judges:
            await Assignment.create(round=round_, entry=e, judge=judge)
    done = await Assignment.get(round=round_, entry=entries[2], judge=judges[0])
    unsent = await Assignment.get(round=round_, entry=entries[3], judge=judges[0])
    half = await Assignment.get(round=round_, entry=entries[4], judge=judges[0])
    for assignment, criteria in ((done, (first, second)), (unsent, (first, second)), (half, (first,))):
        for criterion in criteria:
            await Score.create(assignment=assignment, criterion=criterion, value=5, updated_at=NOW)
    await Assignment.filter(id=done.id).update(completed_at=NOW)
    for judge in judges:
        queue = await queries.judge_queue(judge, round_, now=NOW)
        expected = shuffle_for_judge([e.id for e in entries], round_seed="shuffle-secret", judge_id=judge.id)
        assert [i.entry.alias for i in queue.items] == [aliases[e] for e in expected]
    # Any two judges share an order of six entries once in 720, so "differs" is checked over fixed ids
    # (the database's ids depend on which tests ran before in this worker).
    orders = {tuple(shuffle_for_judge(range(6), round_seed="shuffle-secret", judge_id=j)) for j in range(1, 11)}
    assert len(orders) == 10
    queue = await queries.judge_queue(judges[0], round_, now=NOW)
    progress = {i.entry.alias: (i.scored, i.complete) for i in queue.items}
    assert progress == {aliases[e.id]: (0, False) for e in entries} | {
        aliases[entries[2].id]: (2, True), aliases[entries[3].id]: (2, False), aliases[entries[4].id]: (1, False)}
    assert (queue.scored, queue.total) == (1, 6)
    assert await queries.queue_progress(judges[0], round_, now=NOW) == (1, 6)


async def test_answers_read_as_the_track_form_labels_them_in_its_order(db):
    round_, judge, entry = await leaky_setup()
    track = await entry.track
    await make_field(track, "material", "choice", label="材料", position=1,
                     options=[{"value": "paper", "label": "宣纸", "label_en": "Rice paper"}, {"value": "silk", "label": "丝绸"}])
    await make_field(track, "techniques", "multi_choice", label="技法", position=2,
                     options=[{"value": "cut", "label": "剪纸"}, {"value": "print", "label": "版画"}])
    await make_field(track, "size", "number", label="尺寸（厘米）", position=3)
    await make_field(track, "note", "text", label="说明", position=4, required=False)
    await make_field(track, "same", "text", label="材料", position=5, required=False)
    answers = {"gone": "old-key", "size": 12.0, "techniques": ["print", "cut"], "material": "paper", "same": "亦材料"}
    await Entry.filter(id=entry.id).update(answers=answers)
    entry = await queries.judged_entry(judge, round_, "Q7K-3XM", now=NOW)
    assert list(entry.answers.items()) == [
        ("材料", "宣纸"), ("技法", ["版画", "剪纸"]), ("尺寸（厘米）", 12), ("材料 (same)", "亦材料"), ("gone", "old-key")]


async def test_an_option_no_longer_offered_shows_its_stored_value(db):
    round_, judge, entry = await leaky_setup()
    await make_field(await entry.track, "materials", "multi_choice", label="材料",
                     options=[{"value": "silk", "label": "丝绸"}])
    assert (await queries.judged_entry(judge, round_, "Q7K-3XM", now=NOW)).answers == {"材料": ["paper"]}


class _Queries(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


async def count_queries(read: Awaitable[T]) -> tuple[T, int]:
    logger, counter = logging.getLogger("tortoise.db_client"), _Queries()
    level = logger.level
    logger.addHandler(counter)
    logger.setLevel(logging.DEBUG)
    try:
        return await read, counter.count
    finally:
        logger.removeHandler(counter)
        logger.setLevel(level)


@pytest.mark.parametrize("item_count", [1, 3])
async def test_the_queue_costs_one_query_and_an_entry_three_for_any_number_of_entries(db, item_count):
    round_, judge, entry = await leaky_setup()
    track = await entry.track
    await make_field(track, "materials", "multi_choice", label="材料", options=[{"value": "paper", "label": "宣纸"}])
    for n in range(item_count - 1):
        other = await submitted_entry(entry.contest, track, title=f"作品{n}", answers={"materials": ["paper"]},
                                      leak_status=LeakStatus.CLEAR)
        await EntryImage.create(entry=other, slot=await slot_of_entry(other),
                                key=f"{n}" * 32, position=0, original_format="jpeg", width=1, height=1,
                                size_bytes=1, sha256="0" * 64, derivatives={"thumb": {}})
        await RoundEntry.create(round=round_, entry=other, alias=f"ZZZ-10{n}")
        await Assignment.create(round=round_, entry=other, judge=judge)
    queue, listed = await count_queries(queries.judge_queue(judge, round_, now=NOW))
    assert (queue.total, listed) == (item_count, 1)
    judged, read = await count_queries(queries.judged_entry(judge, round_, "Q7K-3XM", now=NOW))
    assert (judged.answers, len(judged.images), read) == ({"材料": ["宣纸"]}, 1, 3)  # the row, its images, its questions
