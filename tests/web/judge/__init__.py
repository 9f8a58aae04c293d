"""Judges' pages. The builders below set up one open round with two panels, a conflicted judge, a
closed round and a designer whose identity is full of marker strings (shared by this package's tests)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from contest import clock
from contest.judging.models import (
    Assignment,
    Conflict,
    ConflictSource,
    Criterion,
    RoundEntry,
)
from tests import imagegen
from tests.factories import attach_picture, chunks, make_contest, make_track, make_user
from tests.judging.helpers import make_judge, make_round, panel_with, submitted_entry

BASE = "http://testserver"
MARK = "MRK7QZ"
DESIGNER_NAME = f"张{MARK}name"
DESIGNER_EMAIL = f"designer.{MARK.lower()}@studio-{MARK.lower()}.example.com"
ORGANISATION = f"{MARK}工作室"
FILE_NAME = f"{MARK}_final_poster.jpg"
ENTRY_NUMBER = f"WC-{MARK}-0001"
MARKERS = (MARK, MARK.lower(), DESIGNER_NAME, DESIGNER_EMAIL, ORGANISATION, FILE_NAME, ENTRY_NUMBER, "studio-")


@dataclass
class Scene:
    round_: object
    closed_round: object
    criteria: list
    judge: object  # panel A: entries one and two
    other_judge: object  # panel B: entry three only
    conflicted: object  # panel A, with a declared conflict on entry one
    designer: object
    entries: list
    aliases: list  # alias of each entry in `round_`
    keys: list  # storage keys of entry one's images


async def build_scene(store) -> Scene:
    now = clock.now()
    contest = await make_contest()
    track = await make_track(contest)
    round_ = await make_round(contest, opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=1))
    closed = await make_round(contest, name="复评", position=2, secret="round-secret-2",
                              opens_at=now - timedelta(days=3), closes_at=now - timedelta(seconds=1))
    criteria = [await Criterion.create(round=round_, name="创意", guidance="新颖程度", scale_min=0, scale_max=10, position=1),
                await Criterion.create(round=round_, name="工艺", scale_min=1, scale_max=5, position=2)]
    await Criterion.create(round=closed, name="综合", scale_min=0, scale_max=10)
    designer = await make_user(display_name=DESIGNER_NAME, email=DESIGNER_EMAIL)
    entries = [
        await submitted_entry(contest, track, designer, title="海派剪纸", concept="以剪纸讲述百年工运。",
                              public_name=DESIGNER_NAME, organisation=ORGANISATION, school=ORGANISATION,
                              number=ENTRY_NUMBER, answers={"material": "宣纸"}),
        await submitted_entry(contest, track, title="石库门灯", concept="灯影里的弄堂。"),
        await submitted_entry(contest, track, title="外滩钟声", concept="声音的形状。"),
    ]
    keys = []
    for seed in (3, 4):  # two different files: the same file twice on one entry is refused
        image = await attach_picture(entries[0], chunks(imagegen.jpeg_with_metadata(MARK, size=(1600, 1000), seed=seed)),
                                   store=store, original_name=FILE_NAME, by=designer, now=now)
        keys.append(image.key)
    aliases = ["QXM-4K7", "RTB-9WD", "HPV-2NC"]
    for entry, alias in zip(entries, aliases, strict=True):
        await RoundEntry.create(round=round_, entry=entry, alias=alias)
    await RoundEntry.create(round=closed, entry=entries[0], alias=aliases[0])
    judge, other, conflicted = await make_judge(), await make_judge(), await make_judge()
    panel_a, panel_b = await panel_with(round_, [judge, conflicted]), await panel_with(round_, [other], name="B")
    for person in (judge, conflicted):
        for entry in entries[:2]:
            await Assignment.create(round=round_, entry=entry, judge=person, panel=panel_a)
    await Assignment.create(round=round_, entry=entries[2], judge=other, panel=panel_b)
    await Assignment.create(round=closed, entry=entries[0], judge=judge)
    await Conflict.create(contest=contest, judge=conflicted, entry=entries[0], source=ConflictSource.DECLARED,
                          reason="同事")
    return Scene(round_, closed, criteria, judge, other, conflicted, designer, entries, aliases, keys)


def score_path(scene: Scene, n: int = 0) -> str:
    return f"/judge/r/{scene.round_.id}/{scene.aliases[n]}"


MAIN = re.compile(r"<main.*?</main>", re.DOTALL)


def main_of(html: str, path: str) -> str:
    """The page's main content with the requested path taken out (so different URLs compare)."""
    found = MAIN.search(html)
    assert found, "no <main> element"
    return found.group(0).replace(path, "PATH")
