"""Judge groups (评委类别) of a contest: each carries its judges' weight in a round's figure; created, edited
and deleted from the people page, deleted only while nothing uses them."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from tortoise.functions import Count
from tortoise.transactions import in_transaction

from contest.accounts.models import Invitation, User
from contest.audit.log import record
from contest.contests.models import Contest
from contest.errors import Conflict, InvalidInput
from contest.i18n import N_
from contest.judging.models import JudgeGroup, PanelMember

MAX_WEIGHT = 1000.0


class JudgeGroupInUse(Conflict):
    message = N_("This judge group is still used by a panel member or a pending invitation; nothing was deleted.")


@dataclass(frozen=True)
class GroupRow:
    group: JudgeGroup
    share: float  # percent of the judges' figure when every group scored an entry
    seats: int  # panel members in this group


async def judge_groups_of(contest: Contest) -> list[GroupRow]:
    groups = await JudgeGroup.filter(contest_id=contest.id).annotate(seats=Count("members")).order_by("id")
    total = sum(g.weight for g in groups)
    return [GroupRow(g, g.weight / total * 100 if total else 0.0, g.seats) for g in groups]  # type: ignore[attr-defined]  # seats: the annotation above


async def judge_group_of(contest: Contest, group_id: int) -> JudgeGroup | None:
    return await JudgeGroup.get_or_none(id=group_id, contest_id=contest.id)


def parse_weight(raw: str) -> float | None:
    """"70", "70 %", "70％" and "0.7" are all accepted as numbers; weights are relative, so only ratios matter."""
    try:
        weight = float(raw.strip().rstrip("%％").strip())
    except ValueError:
        return None
    return weight if math.isfinite(weight) and 0 < weight <= MAX_WEIGHT else None


@dataclass(frozen=True)
class GroupSpec:
    name: str
    name_en: str
    weight: float


async def _checked_group(contest: Contest, raw: Mapping[str, str], *, group_id: int | None) -> GroupSpec:
    name, name_en = raw.get("name", "").strip(), raw.get("name_en", "").strip()
    weight = parse_weight(raw.get("weight", ""))
    errors: dict[str, str] = {}
    if not name or len(name) > 100:
        errors["name"] = N_("Enter a name (at most 100 characters).")
    elif await JudgeGroup.filter(contest_id=contest.id, name=name).exclude(id=group_id or 0).exists():
        errors["name"] = N_("Another judge group of this contest has this name.")
    if len(name_en) > 100:
        errors["name_en"] = N_("Use at most 100 characters.")
    if weight is None:
        errors["weight"] = N_("Enter a weight above 0 and at most 1000, for example 70 or 70 %.")
    if errors or weight is None:
        raise InvalidInput(errors)
    return GroupSpec(name, name_en, weight)


async def create_judge_group(contest: Contest, raw: Mapping[str, str], *, by: User, now: datetime) -> JudgeGroup:
    """Validate `raw` (name, name_en, weight), create the group and audit; InvalidInput lists every bad field."""
    spec = await _checked_group(contest, raw, group_id=None)
    async with in_transaction():
        group = await JudgeGroup.create(contest=contest, name=spec.name, name_en=spec.name_en, weight=spec.weight)
        await record("judge_group.create", subject=f"judge_group:{group.id}", now=now, actor=by,
                     contest_id=contest.id, data=_group_data(group))
    return group


async def update_judge_group(group: JudgeGroup, raw: Mapping[str, str], *, by: User, now: datetime) -> JudgeGroup:
    await group.fetch_related("contest")
    spec = await _checked_group(group.contest, raw, group_id=group.id)
    before = _group_data(group)
    group.name, group.name_en, group.weight = spec.name, spec.name_en, spec.weight
    async with in_transaction():
        await group.save(update_fields=["name", "name_en", "weight"])
        await record("judge_group.update", subject=f"judge_group:{group.id}", now=now, actor=by,
                     contest_id=group.contest_id, data={"from": before, "to": _group_data(group)})
    return group


async def delete_judge_group(group: JudgeGroup, *, by: User, now: datetime) -> None:
    """Only an unused group: no panel member sits in it and no pending invitation names it."""
    async with in_transaction():
        pending = Invitation.filter(judge_group_id=group.id, used_at__isnull=True, expires_at__gt=now)
        if await PanelMember.exists(group_id=group.id) or await pending.exists():
            raise JudgeGroupInUse()
        await group.delete()
        await record("judge_group.delete", subject=f"judge_group:{group.id}", now=now, actor=by,
                     contest_id=group.contest_id, data=_group_data(group))


def _group_data(group: JudgeGroup) -> dict[str, object]:
    return {"name": group.name, "name_en": group.name_en, "weight": group.weight}
