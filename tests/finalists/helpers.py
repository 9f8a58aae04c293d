"""A contest whose second round sent two of four entries to the final, with a finalists' slot and a sample asked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from contest.contests.models import Contest, FileSlot, Track
from contest.entries.models import Entry
from contest.judging import advancing, round_entries, standings
from contest.judging.models import Assignment, Criterion, EntrySource, Round, RoundEntry, Score
from tests.factories import NOW, make_contest, make_track, make_user
from tests.judging.helpers import make_judge, make_round, submitted_entry

DUE = NOW + timedelta(days=7)


@dataclass
class Final:
    contest: Contest
    track: Track
    second: Round
    final: Round
    slot: FileSlot
    entries: list[Entry]  # best first: the first two are finalists
    organiser: object

    async def alias(self, entry: Entry) -> str:
        return (await RoundEntry.get(round_id=self.final.id, entry_id=entry.id)).alias


async def final_world(*, forfeits: bool = True, figures=(9, 8, 7, 6), sample: bool = True, now=NOW, advance: int = 2,
                      **contest_fields) -> Final:
    """`now`: when it is set up (the deadlines a week later); the module's NOW unless the test runs on a live clock."""
    due = DUE + (now - NOW)
    contest = await make_contest(missing_task_forfeits=forfeits, **contest_fields)
    track = await make_track(contest, sample_required=sample, sample_instructions="寄送实物样品一件",
                             sample_due_at=due)
    second = await make_round(contest, kind="second", name="复评", position=1, opens_at=now - timedelta(days=3),
                              closes_at=now - timedelta(days=1))
    criterion = await Criterion.create(round=second, name="创意", scale_min=0, scale_max=10)
    judge = await make_judge()
    entries = []
    for n, figure in enumerate(figures):
        owner = await make_user(display_name=f"设计师{n}")
        entry = await submitted_entry(contest, track, owner, title=f"作品{n}", number=f"WC{contest.id}-{n:04d}")
        await RoundEntry.create(round=second, entry=entry, alias=f"SEC-{n:03d}")
        assignment = await Assignment.create(round=second, entry=entry, judge=judge)
        await Score.create(assignment=assignment, criterion=criterion, value=Decimal(figure), updated_at=now)
        entries.append(entry)
    organiser = await make_user(display_name="组委")
    ranking = await standings.round_results(second, vote_counts={})
    await advancing.advance_top_n(second, ranking=ranking, n=advance, per_track=True, by=organiser, now=now)
    final = await make_round(contest, kind="final", name="终评", position=2, entry_source=EntrySource.ADVANCED,
                             secret="final-secret", opens_at=now + timedelta(days=10),
                             closes_at=now + timedelta(days=11))
    await round_entries.open_round_entries(final, now=now)
    slot = await FileSlot.create(track_id=track.id, key="source", label="源文件", kinds=["source"], min_count=1,
                                 max_count=2, from_round=final.position, due_at=due, audience="organisers")
    return Final(contest, track, second, final, slot, entries, organiser)
