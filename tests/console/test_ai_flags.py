"""The AI label check lists exactly the submitted entries whose files' provenance disagrees with the declaration
or the track's policy, with which file carries which signal; in one query per table."""

from __future__ import annotations

import pytest

from contest.console.ai_flags import ai_flags, file_signal
from contest.contests.models import FileSlot
from contest.entries.models import EntryFile, EntryImage
from contest.media.provenance import COMPOSITE, TRAINED
from tests.factories import make_contest, make_entry, make_track, make_user, slot_of_entry
from tests.sql import counting_queries

pytestmark = pytest.mark.unit

C2PA_GENERATED = {"c2pa": {"claim_generator": "Adobe Firefly", "digital_source_types": [TRAINED],
                           "validation_state": "Valid"}}
GB_LABEL = {"aigc_label": {"Label": "1", "ContentProducer": "某平台"}}
DECLARED_NONE = {"extent": "none"}
DECLARED_GENERATED = {"extent": "generated", "tools": "Midjourney", "parts": "全部"}

_numbers = iter(range(1, 1000))


async def entry_with(contest, track, *, declared, image=None, file=None, state="submitted"):
    entry = await make_entry(contest, track, await make_user(), state=state, number=f"AI-{next(_numbers):04d}",
                             ai_disclosure=declared)
    slot = await slot_of_entry(entry)
    if image is not None:
        await EntryImage.create(entry=entry, slot=slot, key=f"img-{entry.id}", original_name="海报.jpg",
                                original_format="JPEG", width=10, height=10, size_bytes=10, sha256="0" * 64,
                                provenance=image)
    if file is not None:
        other = await FileSlot.create(track=track, key=f"s-{entry.id}", label="源文件", kinds=["pdf"])
        await EntryFile.create(entry=entry, slot=other, key=f"file-{entry.id}", kind="pdf", format="pdf",
                               original_name="展板.pdf", size_bytes=10, sha256="0" * 64, provenance=file)
    return entry


async def scene():
    contest = await make_contest()
    banned = await make_track(contest, name="禁止赛道", ai_policy="banned")
    disclose = await make_track(contest, name="披露赛道", ai_policy="disclose")
    aigc = await make_track(contest, name="AIGC赛道", ai_policy="aigc")
    entries = {
        "banned_generated": await entry_with(contest, banned, declared=DECLARED_NONE, image=C2PA_GENERATED),
        "disclose_undeclared": await entry_with(contest, disclose, declared=DECLARED_NONE, file=GB_LABEL,
                                                image={"generator": "Midjourney"}),
        "disclose_declared": await entry_with(contest, disclose, declared=DECLARED_GENERATED, image=C2PA_GENERATED),
        "aigc_declared": await entry_with(contest, aigc, declared=DECLARED_GENERATED, file=GB_LABEL),
        "banned_clean": await entry_with(contest, banned, declared=DECLARED_NONE, image={"generator": None}),
        "banned_draft": await entry_with(contest, banned, declared=DECLARED_NONE, image=C2PA_GENERATED, state="draft"),
    }
    return contest, entries


async def test_only_the_mismatching_submitted_entries_are_listed(db):
    contest, entries = await scene()
    flags = await ai_flags(contest)
    assert [flag.entry.id for flag in flags] == [entries["banned_generated"].id, entries["disclose_undeclared"].id]
    banned, undeclared = flags
    assert banned.track.name == "禁止赛道" and banned.declared.extent == "none"
    assert banned.reason == "AI signals in a track that does not accept AI-generated work"
    assert undeclared.reason == "AI signals in the files, but no AI use declared"
    (firefly,) = banned.files
    assert (firefly.name, firefly.kind, firefly.signal.c2pa_generator, firefly.signal.source_type) == (
        "海报.jpg", "image", "Adobe Firefly", "trainedAlgorithmicMedia")
    assert {(f.name, f.kind, f.signal.generator, f.signal.aigc_label) for f in undeclared.files} == {
        ("海报.jpg", "image", "Midjourney", ""), ("展板.pdf", "pdf", "", "1")}


async def test_another_contests_entries_are_not_listed(db):
    contest, _ = await scene()
    assert await ai_flags(await make_contest()) == []
    assert len(await ai_flags(contest)) == 2


async def test_the_check_reads_each_table_once_whatever_the_number_of_entries(db):
    contest, _ = await scene()
    with counting_queries() as few:
        await ai_flags(contest)
    for _ in range(5):
        track = await make_track(contest, ai_policy="banned")
        await entry_with(contest, track, declared=DECLARED_NONE, image=C2PA_GENERATED, file=GB_LABEL)
    with counting_queries() as many:
        flags = await ai_flags(contest)
    assert len(flags) == 7
    assert len(many) == len(few) == 4


def test_a_file_signal_names_each_kind_of_evidence():
    assert file_signal({}).signal is None
    composite = file_signal({"digital_source_type": COMPOSITE})
    assert (composite.signal, composite.source_type, composite.c2pa) == ("assisted", "compositeWithTrainedAlgorithmicMedia",
                                                                          False)
    assert file_signal({"aigc_label": {"Label": "3"}}).signal == "assisted"
    assert file_signal(C2PA_GENERATED).c2pa and file_signal(C2PA_GENERATED).signal == "generated"
