"""Configuring a round: its settings and switches, criteria, panels and their judges.

Raw form values are parsed and checked here (not in the web layer), so every field's problem is
reported at once and nothing is saved half. Changing the rules of a round that already has scores
needs `confirmed=True` and is logged with what changed.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, cast

from tortoise.expressions import Subquery
from tortoise.functions import Max
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from contest.accounts import access
from contest.accounts.models import ContestRole, ContestRoleKind, Invitation, User
from contest.audit.log import record
from contest.contests.models import Contest, Track
from contest.errors import Conflict as StateConflict
from contest.errors import InvalidInput
from contest.form_input import FieldReader
from contest.i18n import N_
from contest.judging.aggregation import Method
from contest.judging.locking import require_unlocked
from contest.judging.models import (
    Assignment,
    AssignmentMode,
    Criterion,
    EntrySource,
    JudgeGroup,
    OthersScores,
    Panel,
    PanelMember,
    Round,
    RoundKind,
    Score,
)

NAME_MAX = 100
GUIDANCE_MAX = 2000
MAX_JUDGES_PER_ENTRY = 50
SCALE_LIMIT = 1000
SWITCHES = ("judges_may_score", "designers_may_edit", "judges_see_identity", "judges_see_only_assigned",
            "judges_see_ai_labels")


class NeedsConfirmation(StateConflict):
    message = N_("This round already has scores. Changing its rules affects them: confirm to go ahead.")


class RemovesScores(NeedsConfirmation):
    message = N_("Scores were given through this panel. Removing takes them out of the round's figures "
                 "(the audit log keeps them): confirm to go ahead.")


@dataclass(frozen=True)
class RoundSettings:
    kind: RoundKind
    name: str
    name_en: str
    opens_at: datetime | None
    closes_at: datetime | None
    entry_source: EntrySource
    assignment_mode: AssignmentMode
    judges_per_entry: int
    method: Method
    judges_may_score: bool
    designers_may_edit: bool
    judges_see_identity: bool
    judges_see_others_scores: OthersScores
    judges_see_only_assigned: bool
    judges_see_ai_labels: bool


@dataclass(frozen=True)
class CriterionSpec:
    name: str
    name_en: str
    guidance: str
    guidance_en: str
    weight: float
    scale_min: int
    scale_max: int


# --- parsing raw form values ---------------------------------------------------------------------


def parse_round_settings(raw: Mapping[str, str], *, zone: str) -> RoundSettings:
    read = FieldReader(raw)
    settings = RoundSettings(
        kind=read.choice("kind", RoundKind, default=RoundKind.PRELIMINARY),
        name=read.text("name", max_length=NAME_MAX, required=True),
        name_en=read.text("name_en", max_length=NAME_MAX),
        opens_at=read.moment("opens_at", zone),
        closes_at=read.moment("closes_at", zone),
        entry_source=read.choice("entry_source", EntrySource, default=EntrySource.ALL_ELIGIBLE),
        assignment_mode=read.choice("assignment_mode", AssignmentMode, default=AssignmentMode.WHOLE_PANEL),
        judges_per_entry=read.integer("judges_per_entry", low=1, high=MAX_JUDGES_PER_ENTRY, default=3),
        method=read.choice("method", Method, default=Method.MEAN),
        judges_see_others_scores=read.choice("judges_see_others_scores", OthersScores, default=OthersScores.NEVER),
        **{switch: read.flag(switch) for switch in SWITCHES},
    )
    if settings.opens_at and settings.closes_at and settings.closes_at <= settings.opens_at:
        read.errors.setdefault("closes_at", N_("The window must close after it opens."))
    read.done()
    return settings


def parse_criterion(raw: Mapping[str, str]) -> CriterionSpec:
    read = FieldReader(raw)
    spec = CriterionSpec(
        name=read.text("name", max_length=NAME_MAX, required=True),
        name_en=read.text("name_en", max_length=NAME_MAX),
        guidance=read.text("guidance", max_length=GUIDANCE_MAX),
        guidance_en=read.text("guidance_en", max_length=GUIDANCE_MAX),
        weight=read.positive("weight"),
        scale_min=read.integer("scale_min", low=-SCALE_LIMIT, high=SCALE_LIMIT),
        scale_max=read.integer("scale_max", low=-SCALE_LIMIT, high=SCALE_LIMIT, default=10),
    )
    if "scale_min" not in read.errors and "scale_max" not in read.errors and spec.scale_max <= spec.scale_min:
        read.errors["scale_max"] = N_("The top of the scale must be above its bottom.")
    read.done()
    return spec


# --- checks against the rest of the contest ------------------------------------------------------


def busy_until(round_: Round) -> datetime | None:
    """Pure: until when a round holds the calendar. A round locked before it closes takes nothing more,
    so it frees the calendar from the minute it was locked (the console sets times to the minute)."""
    if round_.locked_at is not None and (round_.closes_at is None or round_.locked_at < round_.closes_at):
        return round_.locked_at.replace(second=0, microsecond=0)
    return round_.closes_at


async def _check_window(contest: Contest, settings: RoundSettings, *, round_id: int | None) -> None:
    errors: dict[str, str] = {}
    close = contest.submissions_close_at
    if settings.closes_at and close and settings.closes_at <= close:
        errors["closes_at"] = N_("A round must close after submissions close.")
    if settings.opens_at and settings.closes_at:
        others = await Round.filter(contest_id=contest.id, opens_at__lt=settings.closes_at).exclude(id=round_id or 0)
        if any((until := busy_until(other)) is not None and until > settings.opens_at for other in others):
            errors["opens_at"] = N_("This window overlaps another round of the contest.")
    if errors:
        raise InvalidInput(errors)


async def _has_scores(round_: Round) -> bool:
    return await Score.filter(assignment__round_id=round_.id).exists()


# --- rounds --------------------------------------------------------------------------------------


async def create_round(contest: Contest, settings: RoundSettings, *, by: User, now: datetime) -> Round:
    """A new round after the existing ones, with its own secret for aliases and judge order."""
    await _check_window(contest, settings, round_id=None)
    async with in_transaction():
        last = await Round.filter(contest_id=contest.id).annotate(top=Max("position")).first().values("top")
        round_ = await Round.create(contest_id=contest.id, position=((last or {}).get("top") or 0) + 1,
                                    secret=secrets.token_hex(16), **asdict(settings))
        await record("round.created", subject=f"round:{round_.id}", now=now, actor=by, contest_id=contest.id,
                     data=_plain(asdict(settings)))
    return round_


async def update_round(round_: Round, settings: RoundSettings, *, by: User, now: datetime,
                       confirmed: bool = False) -> dict[str, Any]:
    """Apply the settings; returns what changed. A round with scores needs `confirmed`."""
    require_unlocked(round_)
    changes = {k: v for k, v in asdict(settings).items() if getattr(round_, k) != v}
    if not changes:
        return {}
    if {"opens_at", "closes_at"} & changes.keys():
        await _check_window(await Contest.get(id=round_.contest_id), settings, round_id=round_.id)
    scored = await _has_scores(round_)
    if scored and not confirmed:
        raise NeedsConfirmation()
    async with in_transaction():
        await Round.filter(id=round_.id).update(**changes)
        await record("round.updated", subject=f"round:{round_.id}", now=now, actor=by, contest_id=round_.contest_id,
                     data={"changes": _plain(changes), "had_scores": scored})
    for key, value in changes.items():
        setattr(round_, key, value)
    return changes


def _plain(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in values.items()}


# --- criteria ------------------------------------------------------------------------------------


async def add_criterion(round_: Round, spec: CriterionSpec, *, by: User, now: datetime,
                        confirmed: bool = False) -> Criterion:
    """A new criterion; with scores already given, every judge's total becomes incomplete, hence confirm."""
    require_unlocked(round_)
    if await _has_scores(round_) and not confirmed:
        raise NeedsConfirmation()
    async with in_transaction():
        last = await Criterion.filter(round_id=round_.id).annotate(top=Max("position")).first().values("top")
        criterion = await Criterion.create(round_id=round_.id, position=((last or {}).get("top") or 0) + 1,
                                           **asdict(spec))
        # "submitted" means every criterion scored and sent: the judges submit again with the new one
        reopened = await Assignment.filter(round_id=round_.id, completed_at__isnull=False).update(completed_at=None)
        await record("criterion.added", subject=f"round:{round_.id}", now=now, actor=by, contest_id=round_.contest_id,
                     data={"criterion": criterion.id, **asdict(spec), "submissions_reopened": reopened})
    return criterion


async def update_criterion(criterion: Criterion, spec: CriterionSpec, *, by: User, now: datetime,
                           confirmed: bool = False) -> None:
    round_ = await Round.get(id=criterion.round_id)
    require_unlocked(round_)
    changes = {k: v for k, v in asdict(spec).items() if getattr(criterion, k) != v}
    if not changes:
        return
    scored = await Score.filter(criterion_id=criterion.id).exists()
    if scored and not confirmed:
        raise NeedsConfirmation()
    given = Score.filter(criterion_id=criterion.id)
    if scored and (await given.filter(value__lt=spec.scale_min).exists() or
                   await given.filter(value__gt=spec.scale_max).exists()):
        raise InvalidInput({"scale_min": N_("Scores already given fall outside this scale.")})
    async with in_transaction():
        await Criterion.filter(id=criterion.id).update(**changes)
        await record("criterion.updated", subject=f"round:{round_.id}", now=now, actor=by,
                     contest_id=round_.contest_id, data={"criterion": criterion.id, "changes": changes,
                                                         "had_scores": scored})


async def delete_criterion(criterion: Criterion, *, by: User, now: datetime, confirmed: bool = False) -> None:
    """Removes the criterion and the scores given on it (which is why a scored one needs confirming)."""
    round_ = await Round.get(id=criterion.round_id)
    require_unlocked(round_)
    scores = await Score.filter(criterion_id=criterion.id).count()
    if scores and not confirmed:
        raise NeedsConfirmation()
    async with in_transaction():
        await Criterion.filter(id=criterion.id).delete()
        await record("criterion.deleted", subject=f"round:{round_.id}", now=now, actor=by,
                     contest_id=round_.contest_id, data={"criterion": criterion.id, "name": criterion.name,
                                                         "scores_removed": scores})


async def rounds_to_copy_from(round_: Round) -> list[Round]:
    """The contest's other rounds that have criteria, in their order."""
    return await Round.filter(contest_id=round_.contest_id, criteria__id__isnull=False).exclude(
        id=round_.id).distinct().order_by("position", "id")


async def copy_criteria(round_: Round, *, source_id: int | None, by: User, now: datetime) -> int:
    """Add the criteria of another round of the same contest that this round lacks (by name), after its own;
    returns how many. Refused in a round with scores, where a new criterion changes every judge's total."""
    require_unlocked(round_)
    source = await Round.get_or_none(id=source_id, contest_id=round_.contest_id) if source_id else None
    if source is None or source.id == round_.id:
        raise InvalidInput({"source": N_("Choose one of the options.")})
    if await _has_scores(round_):
        raise InvalidInput({"source": N_("This round already has scores: add criteria one at a time instead.")})
    have = set(await Criterion.filter(round_id=round_.id).values_list("name", flat=True))
    wanted = [c for c in await Criterion.filter(round_id=source.id).order_by("position", "id") if c.name not in have]
    async with in_transaction():
        last = await Criterion.filter(round_id=round_.id).annotate(top=Max("position")).first().values("top")
        start = ((last or {}).get("top") or 0) + 1
        for position, criterion in enumerate(wanted, start=start):
            await Criterion.create(round_id=round_.id, position=position,
                                   **{k: getattr(criterion, k) for k in CriterionSpec.__dataclass_fields__})
        await record("criteria.copied", subject=f"round:{round_.id}", now=now, actor=by, contest_id=round_.contest_id,
                     data={"source": source.id, "source_name": source.name, "names": [c.name for c in wanted]})
    return len(wanted)


# --- panels and their judges ---------------------------------------------------------------------


async def create_panel(round_: Round, *, name: str, track_id: int | None, by: User, now: datetime) -> Panel:
    require_unlocked(round_)
    read = FieldReader({"name": name})
    name = read.text("name", max_length=NAME_MAX, required=True)
    if track_id is not None and not await Track.filter(id=track_id, contest_id=round_.contest_id).exists():
        read.errors["track"] = N_("Choose one of the options.")
    read.done()
    async with in_transaction():
        panel = await Panel.create(round_id=round_.id, name=name, track_id=track_id)
        await record("panel.created", subject=f"round:{round_.id}", now=now, actor=by, contest_id=round_.contest_id,
                     data={"panel": panel.id, "name": name, "track": track_id})
    return panel


@dataclass(frozen=True)
class Removed:
    """What a judge's leaving a panel took out of the round."""

    assignments: int
    scores: int


async def delete_panel(panel: Panel, round_: Round, *, by: User, now: datetime, confirmed: bool = False) -> Removed:
    """Every judge of the panel leaves it, as by `remove_panel_member`; then the panel goes."""
    require_unlocked(round_)
    work = Assignment.filter(panel_id=panel.id)
    await _confirm_dropping(work, confirmed=confirmed)
    async with in_transaction():
        assignments, scores = await _drop_seat_work(work)
        await Panel.filter(id=panel.id).delete()
        await record("panel.deleted", subject=f"round:{round_.id}", now=now, actor=by, contest_id=round_.contest_id,
                     data={"panel": panel.id, "name": panel.name, "assignments_removed": assignments,
                           "scores_removed": scores})
    return Removed(assignments, len(scores))


async def contest_judges(contest_id: int) -> list[dict[str, Any]]:
    """Everyone with the judge role in the contest: id, display name, e-mail."""
    ids = ContestRole.filter(contest_id=contest_id, role=ContestRoleKind.JUDGE).values_list("user_id", flat=True)
    return list(await User.filter(id__in=await ids, is_active=True).order_by("display_name", "id").values(
        "id", "display_name", "email"))


async def invited_group(contest_id: int, judge_id: int) -> int | None:
    """The judge group the judge was invited into (their latest accepted invitation naming one), else the
    group of their seats on this contest's panels when those agree; None when neither says."""
    emails = await User.filter(id=judge_id).values_list("email", flat=True)
    invited = await Invitation.filter(contest_id=contest_id, email__in=list(emails), role=ContestRoleKind.JUDGE,
                                      used_at__isnull=False, judge_group_id__isnull=False).order_by(
        "-used_at", "-id").limit(1).values_list("judge_group_id", flat=True)
    if invited:
        return cast(int, invited[0])
    seated = set(cast(list[int], await PanelMember.filter(panel__round__contest_id=contest_id, judge_id=judge_id,
                                                          group_id__isnull=False).values_list("group_id", flat=True)))
    return seated.pop() if len(seated) == 1 else None


async def _own_group(round_: Round, judge_id: int) -> int | None:
    """The judge's own group. In a contest that weighs groups a seat needs one: a judge outside every
    group would count as a group of weight 1 and silently change every group's share."""
    group_id = await invited_group(round_.contest_id, judge_id)
    if group_id is None and await JudgeGroup.filter(contest_id=round_.contest_id).exists():
        raise InvalidInput({"group": N_("This judge was invited without a judge group. Choose their judge group: "
                                        "a judge outside every group would count as a group of weight 1 and "
                                        "change the share of every group.")})
    return group_id


async def add_panel_member(panel: Panel, round_: Round, *, judge_id: int, group_id: int | None, by: User,
                           now: datetime) -> PanelMember:
    """Seat the judge on the panel in `group_id`, or, when None, in the group they were invited into."""
    require_unlocked(round_)
    errors = {}
    if not await ContestRole.filter(contest_id=round_.contest_id, user_id=judge_id, role=ContestRoleKind.JUDGE).exists():
        errors["judge"] = N_("Choose one of the options.")
    if group_id is not None and not await JudgeGroup.filter(id=group_id, contest_id=round_.contest_id).exists():
        errors["group"] = N_("Choose one of the options.")
    if not errors and await PanelMember.filter(panel_id=panel.id, judge_id=judge_id).exists():
        errors["judge"] = N_("This judge is already on the panel.")
    if errors:
        raise InvalidInput(errors)
    invited = group_id is None
    if invited:
        group_id = await _own_group(round_, judge_id)
    async with in_transaction():
        member = await PanelMember.create(panel_id=panel.id, judge_id=judge_id, group_id=group_id)
        await record("panel.member_added", subject=f"round:{round_.id}", now=now, actor=by,
                     contest_id=round_.contest_id, data={"panel": panel.id, "judge": judge_id, "group": group_id,
                                                         "group_from_invitation": invited})
    return member


async def remove_panel_member(member: PanelMember, round_: Round, *, by: User, now: datetime,
                              confirmed: bool = False) -> Removed:
    """The judge leaves the panel and, at once, what came to them through it: those assignments and
    their scores are deleted, so the judge's pages answer 404 and the round's figures no longer count
    them. The audit event lists the scores removed (each one's `score.saved` events stay too).
    With scores to remove, RemovesScores unless `confirmed`."""
    require_unlocked(round_)
    work = Assignment.filter(panel_id=member.panel_id, judge_id=member.judge_id)
    await _confirm_dropping(work, confirmed=confirmed)
    async with in_transaction():
        assignments, scores = await _drop_seat_work(work)
        await PanelMember.filter(id=member.id).delete()
        await record("panel.member_removed", subject=f"round:{round_.id}", now=now, actor=by,
                     contest_id=round_.contest_id, data={"panel": member.panel_id, "judge": member.judge_id,
                                                         "assignments_removed": assignments, "scores_removed": scores})
    return Removed(assignments, len(scores))


async def remove_from_contest(person: User, *, contest: Contest, by: User, now: datetime) -> list[str]:
    """The person loses every role in the contest and every seat on the panels of its unlocked rounds, with
    what came to them through those seats (`remove_panel_member`). Returns the roles taken away."""
    seats = await PanelMember.filter(judge_id=person.id, panel__round__contest_id=contest.id,
                                     panel__round__locked_at__isnull=True).prefetch_related("panel__round")
    for seat in seats:
        await remove_panel_member(seat, seat.panel.round, by=by, now=now, confirmed=True)
    return await access.remove_from_contest(person, contest_id=contest.id, by=by, now=now)


async def _confirm_dropping(assignments: QuerySet[Assignment], *, confirmed: bool) -> None:
    if not confirmed and await Score.filter(assignment_id__in=Subquery(assignments.values("id"))).exists():
        raise RemovesScores()


async def _drop_seat_work(assignments: QuerySet[Assignment]) -> tuple[int, list[dict[str, Any]]]:
    """Delete these assignments with their scores; (how many assignments, the scores as they were)."""
    ids = [a.id for a in await assignments.select_for_update()]  # an autosave in flight finishes first
    scores = await Score.filter(assignment_id__in=ids).order_by("assignment__entry_id", "criterion_id").values(
        "assignment__entry_id", "criterion_id", "value") if ids else []
    if ids:
        await Score.filter(assignment_id__in=ids).delete()
        await Assignment.filter(id__in=ids).delete()
    return len(ids), [{"entry": s["assignment__entry_id"], "criterion": s["criterion_id"], "value": str(s["value"])}
                      for s in scores]
