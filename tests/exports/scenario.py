"""A small contest to export: two tracks with form fields, a designer whose every identifying field
carries a marker, a draft beside the submitted entries, original files in a store, one scored round."""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from contest.contests.models import Contest, Track
from contest.entries.models import Entry, EntryImage, TeamMember
from contest.entries.states import EntryState
from contest.judging.models import (
    Assignment,
    Criterion,
    JudgeGroup,
    PanelMember,
    Round,
    RoundEntry,
    Score,
)
from contest.media.storage import Storage, new_key, original_name
from tests import imagegen
from tests.factories import make_contest, make_field, make_track, make_user, slot_of_entry
from tests.judging.helpers import make_judge, make_round, panel_with

METADATA_MARKER = "MKMETA"  # in every metadata block of the original files
MARKERS = ("MKNAME", "mk.mail@mkdomain.example", "13912345678", "MKORG", "MKSCHOOL", "MKSUPER",
           "mk.super@mksup.example", "MKMEMBER", "MKPUBLIC", "MKFILE", "MKJUDGE", METADATA_MARKER)
ORIGINAL_SIZE = (640, 480)
SUBMITTED_AT = datetime(2026, 6, 1, 4, 30, tzinfo=UTC)  # 12:30 in Shanghai
COMPLETED_AT = datetime(2026, 6, 3, 1, 0, tzinfo=UTC)


@dataclass
class Scenario:
    contest: Contest
    ip: Track
    product: Track
    entry: Entry
    draft: Entry
    other: Entry
    round: Round
    judges: list
    originals: dict[str, bytes] = field(default_factory=dict)  # zip member name -> bytes


def original_bytes(seed: int, size: int = 300_000) -> bytes:
    """A real JPEG whose EXIF (artist, GPS), XMP, IPTC, ICC profile and comments carry `METADATA_MARKER`,
    padded with more comment segments to exactly `size` bytes."""
    data = imagegen.jpeg_with_metadata(METADATA_MARKER, size=ORIGINAL_SIZE, seed=seed)
    segments, need = [], size - len(data)
    while need > 0:
        take = min(need, 65_537)
        take -= 4 if 0 < need - take < 4 else 0
        payload = (f"Comment {METADATA_MARKER} " * (take // 8))[:take - 4].encode()
        segments.append(b"\xff\xfe" + struct.pack(">H", take - 2) + payload)
        need -= take
    return data[:2] + b"".join(segments) + data[2:]


async def add_original(entry: Entry, store: Storage, data: bytes, *, position: int, name: str) -> EntryImage:
    key = new_key()
    await store.put(original_name(key), data)
    return await EntryImage.create(entry=entry, slot=await slot_of_entry(entry),
                                   key=key, position=position, original_name=name, original_format="JPEG",
                                   width=1600, height=1200, size_bytes=len(data), sha256=hashlib.sha256(data).hexdigest())


async def _fields(ip: Track, product: Track) -> None:
    await make_field(ip, "character", label="角色名称", label_en="Character name")
    await make_field(ip, "scenes", "multi_choice", label="延展场景", label_en="Extension scenarios", options=[
        {"value": "toy", "label": "潮玩"}, {"value": "stationery", "label": "文具"}])
    await make_field(ip, "height", "number", label="高度（厘米）", label_en="Height (cm)")
    await make_field(product, "material", label="材料", label_en="Materials")


async def _entries(contest: Contest, ip: Track, product: Track) -> tuple[Entry, Entry, Entry]:
    designer = await make_user(display_name="MKNAME", email="mk.mail@mkdomain.example", phone="13912345678")
    entry = await Entry.create(
        contest=contest, track=ip, owner=designer, state=EntryState.SUBMITTED, number="WC-IP-0001",
        title="工运小铁人", concept="百年工运的IP形象。", answers={"character": "小铁人", "scenes": ["toy", "stationery"],
                                                               "height": 12.0},
        public_name="MKPUBLIC", organisation="MKORG", school="MKSCHOOL", supervisor_name="MKSUPER",
        supervisor_email="mk.super@mksup.example", submitted_at=SUBMITTED_AT)
    await TeamMember.create(entry=entry, name="MKMEMBER", organisation="MKORG")
    draft = await Entry.create(contest=contest, track=ip, owner=designer, title="=HYPERLINK(\"http://x\")",
                               concept="草稿")
    other = await Entry.create(contest=contest, track=product, owner=designer, state=EntryState.SUBMITTED,
                               number="WC-PR-0001", title="海派剪纸台灯", answers={"material": "竹"},
                               submitted_at=SUBMITTED_AT)
    return entry, draft, other


async def _judging(contest: Contest, ip: Track, entry: Entry) -> tuple[Round, list]:
    round_ = await make_round(contest, name="初评", name_en="Preliminary")
    creative = await Criterion.create(round=round_, name="创意", weight=2, scale_min=0, scale_max=10, position=1)
    craft = await Criterion.create(round=round_, name="工艺", weight=1, scale_min=0, scale_max=10, position=2)
    group = await JudgeGroup.create(contest=contest, name="专家组")
    judges = [await make_judge(display_name=f"MKJUDGE{n}") for n in (1, 2)]
    panel = await panel_with(round_, judges, track=ip)
    await PanelMember.filter(panel=panel).update(group=group)
    await RoundEntry.create(round=round_, entry=entry, alias="QXM-4K7")
    for judge, values in zip(judges, ((8, 6), (9, 7)), strict=True):
        assignment = await Assignment.create(round=round_, entry=entry, judge=judge, panel=panel,
                                             completed_at=COMPLETED_AT)
        for criterion, value in zip((creative, craft), values, strict=True):
            await Score.create(assignment=assignment, criterion=criterion, value=Decimal(value), updated_at=COMPLETED_AT)
    return round_, judges


async def build(store: Storage) -> Scenario:
    contest = await make_contest(time_zone="Asia/Shanghai")
    ip = await make_track(contest, name="工运IP赛道", name_en="IP track", slug="ip", position=1)
    product = await make_track(contest, name="生活实用产品赛道", name_en="Products", slug="product", position=2)
    await _fields(ip, product)
    entry, draft, other = await _entries(contest, ip, product)
    round_, judges = await _judging(contest, ip, entry)
    scenario = Scenario(contest, ip, product, entry, draft, other, round_, judges)
    for position, name in ((2, "MKFILE 设计稿.jpg"), (1, "../../etc/passwd.jpg")):
        data = original_bytes(position)
        await add_original(entry, store, data, position=position, name=name)
        scenario.originals[name] = data
    await add_original(draft, store, original_bytes(9), position=1, name="draft.jpg")
    return scenario
