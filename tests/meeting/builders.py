"""A final round ready for a meeting in the room: three judges on one panel, one criterion 0–10,
entries taken in with aliases, grades 一等奖/二等奖/三等奖 (one seat each)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from contest.contests.models import AwardTier
from contest.judging.models import Assignment, Criterion, RoundEntry, RoundKind
from contest.meeting import sessions
from tests.factories import NOW, make_contest, make_track, make_user
from tests.judging.helpers import make_judge, make_round, panel_with, submitted_entry


@dataclass
class Room:
    contest: object
    track: object
    round: object
    criterion: object
    judges: list
    chair: object
    entries: list = field(default_factory=list)
    tiers: list = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)


async def final_room(entries: int = 3, *, judges: int = 3) -> Room:
    contest = await make_contest(title="工会文创设计大赛")
    track = await make_track(contest, name="文创产品")
    round_ = await make_round(contest, kind=RoundKind.FINAL, name="终评", position=2, secret="meeting-secret",
                              opens_at=NOW - timedelta(hours=1), closes_at=NOW + timedelta(days=1))
    criterion = await Criterion.create(round=round_, name="综合", scale_min=0, scale_max=10)
    seated = [await make_judge(display_name=f"评委{n}") for n in "甲乙丙丁戊己庚辛壬癸"[:judges]]
    await panel_with(round_, seated, track=track)
    chair = await make_user(display_name="主持人")
    room = Room(contest, track, round_, criterion, seated, chair)
    room.tiers = [await AwardTier.create(contest=contest, track=track, name=name, rank=rank, quota=1)
                  for name, rank in (("一等奖", 1), ("二等奖", 2), ("三等奖", 3))]
    for n in range(entries):
        entry = await submitted_entry(contest, track, title=f"作品{n + 1}", number=f"WC{contest.id}-{n + 1:03d}",
                                      public_name=f"设计师{n + 1}")
        alias = f"F{n + 1}X"
        await RoundEntry.create(round=round_, entry=entry, alias=alias)
        for judge in seated:
            await Assignment.create(round=round_, entry=entry, judge=judge)
        room.entries.append(entry)
        room.aliases.append(alias)
    return room


async def open_room(room: Room, *, pitch: int = 300, questions: int = 180):
    return await sessions.open_session(room.round, order=room.aliases, pitch_seconds=pitch, questions_seconds=questions,
                                       by=room.chair, now=NOW)
