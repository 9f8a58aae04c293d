"""The read models of a round's organiser pages: its setup (criteria, panels with their members, the judges
and judge groups to seat), its progress with the conflicts ruled so far, and its standings with what has
advanced; and the organiser's ruling of a conflict from the progress page's form."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from contest.accounts.models import User
from contest.contests import queries as contest_queries
from contest.contests.models import Contest, Track
from contest.errors import InvalidInput
from contest.form_input import parse_integer
from contest.i18n import N_
from contest.judging import conflicts, progress, setup, standings
from contest.judging import queries as judging_queries
from contest.judging.aggregation import EntryResult
from contest.judging.models import Conflict, Criterion, JudgeGroup, Panel, PanelMember, Round, RoundEntry
from contest.results.standings import round_inputs


@dataclass(frozen=True)
class RoundSetup:
    criteria: list[Criterion]
    panels: list[dict[str, Any]]  # id, name, track_id and members (id, judge's name and e-mail, group name)
    tracks: list[Track]
    judges: list[dict[str, Any]]  # setup.contest_judges
    groups: list[dict[str, Any]]  # id, name, weight
    overview: progress.RoundOverview
    copy_sources: list[Round]


async def round_setup(contest: Contest, round_: Round) -> RoundSetup:
    panels = await Panel.filter(round_id=round_.id).order_by("id").values("id", "name", "track_id")
    members = await PanelMember.filter(panel__round_id=round_.id).order_by("judge__display_name").values(
        "id", "panel_id", "judge__display_name", "judge__email", "group__name")
    for panel in panels:
        panel["members"] = [m for m in members if m["panel_id"] == panel["id"]]
    return RoundSetup(
        criteria=await Criterion.filter(round_id=round_.id), panels=panels,
        tracks=await contest_queries.tracks_in_order(contest), judges=await setup.contest_judges(contest.id),
        groups=await JudgeGroup.filter(contest_id=contest.id).order_by("id").values("id", "name", "weight"),
        overview=(await progress.rounds_overview(contest, round_id=round_.id))[0],
        copy_sources=await setup.rounds_to_copy_from(round_),
    )


@dataclass(frozen=True)
class RoundProgress:
    matrix: progress.ProgressMatrix
    conflicts: list[dict[str, Any]]  # newest first: judge's name, entry id and alias, source, reason, when
    started: bool
    paper: list[dict[str, Any]]  # submissions the chair entered from paper: judge, chair, alias, reason, when


async def round_progress(contest: Contest, round_: Round, *, now: datetime) -> RoundProgress:
    matrix = await progress.progress_matrix(round_, now=now)
    conflicts = await Conflict.filter(contest_id=contest.id, entry_id__in=[e.id for e in matrix.entries]).order_by(
        "-created_at").values("judge__display_name", "entry_id", "source", "reason", "created_at")
    aliases = {e.id: e.alias for e in matrix.entries}
    for row in conflicts:
        row["alias"] = aliases[row["entry_id"]]
    paper = await judging_queries.paper_sheets_of_round(round_)
    for row in paper:
        row["alias"] = aliases.get(row["entry_id"], "")
    return RoundProgress(matrix, conflicts, progress.has_started(round_, now), paper)


async def rule_conflict(round_: Round, raw: Mapping[str, str], *, by: User, now: datetime) -> Conflict:
    """An organiser's ruling that a judge of the round may not score an entry (`raw["entry"]`: its number or
    alias). InvalidInput names each bad field."""
    judge_id = parse_integer(raw.get("judge", ""))
    entry = await progress.find_round_entry(round_, raw.get("entry", ""))
    errors = {}
    if judge_id is None or not await progress.is_round_judge(round_, judge_id):
        errors["judge"] = N_("Choose one of the options.")
    if entry is None:
        errors["entry"] = N_("No entry of this round has this alias or number.")
    if errors or judge_id is None or entry is None:
        raise InvalidInput(errors)
    return await conflicts.set_conflict(await User.get(id=judge_id), entry, reason=raw.get("reason", ""), by=by, now=now)


@dataclass(frozen=True)
class RoundStandings:
    by_track: list[tuple[Track | None, list[EntryResult]]]  # in the order the results came, grouped by track
    labels: standings.Labels
    advanced: set[int]  # entry ids already advanced from this round


def _by_track(results: list[EntryResult], tracks: list[Track]) -> list[tuple[Track | None, list[EntryResult]]]:
    names: dict[int | None, Track] = {t.id: t for t in tracks}
    grouped: dict[int | None, list[EntryResult]] = {}
    for result in results:
        grouped.setdefault(result.track_id, []).append(result)
    return [(names.get(track_id), rows) for track_id, rows in grouped.items()]


async def round_standings(contest: Contest, round_: Round) -> RoundStandings:
    inputs = await round_inputs(round_)
    results = standings.compute(inputs, round_.method)
    advanced = set(cast(list[int], await RoundEntry.filter(round_id=round_.id, advanced=True).values_list(
        "entry_id", flat=True)))
    return RoundStandings(_by_track(results, await contest_queries.tracks_in_order(contest)), inputs.labels, advanced)
