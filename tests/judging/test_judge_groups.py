"""Judge groups (评委类别): validated as a whole, their shares follow the weights, and one in use stays."""

from __future__ import annotations

import pytest

from contest.audit.models import AuditEvent
from contest.console import invitations
from contest.errors import InvalidInput
from contest.judging import judge_groups
from contest.judging.judge_groups import JudgeGroupInUse
from contest.judging.models import JudgeGroup, PanelMember
from tests.factories import NOW, make_contest, make_user
from tests.judging.helpers import make_round, panel_with

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("raw", "expected"), [
    ("70", 70.0), (" 70 % ", 70.0), ("70％", 70.0), ("0.7", 0.7), ("1000", 1000.0),
    ("0", None), ("-5", None), ("1001", None), ("nan", None), ("inf", None), ("", None), ("seventy", None),
])
def test_parse_weight(raw, expected):
    assert judge_groups.parse_weight(raw) == expected


async def test_judge_groups_are_validated_as_a_whole_and_shares_follow_the_weights(db):
    contest = await make_contest()
    organiser = await make_user()
    experts = await judge_groups.create_judge_group(contest, {"name": "专家组", "name_en": "Experts", "weight": "70 %"},
                                                   by=organiser, now=NOW)
    await judge_groups.create_judge_group(contest, {"name": "代表组", "weight": "30"}, by=organiser, now=NOW)
    with pytest.raises(InvalidInput) as caught:
        await judge_groups.create_judge_group(contest, {"name": "专家组", "name_en": "x" * 101, "weight": "0"},
                                             by=organiser, now=NOW)
    assert set(caught.value.field_errors) == {"name", "name_en", "weight"}
    await judge_groups.update_judge_group(experts, {"name": "专家组", "name_en": "Expert panel", "weight": "60"},
                                         by=organiser, now=NOW)
    rows = await judge_groups.judge_groups_of(contest)
    assert [(r.group.name, r.group.name_en, r.group.weight, round(r.share), r.seats) for r in rows] == [
        ("专家组", "Expert panel", 60.0, 67, 0), ("代表组", "", 30.0, 33, 0)]
    assert await AuditEvent.filter(action__startswith="judge_group.").count() == 3


async def test_a_judge_group_in_use_is_not_deleted(db):
    contest = await make_contest()
    organiser = await make_user()
    seated = await JudgeGroup.create(contest=contest, name="有评委")
    invited = await JudgeGroup.create(contest=contest, name="有邀请")
    unused = await JudgeGroup.create(contest=contest, name="空组")
    panel = await panel_with(await make_round(contest), [await make_user()])
    await PanelMember.filter(panel_id=panel.id).update(group_id=seated.id)
    await invitations.invite(contest, email="judge@jury.example.net", role="judge", judge_group=invited, by=organiser,
                             now=NOW, link_for=str)
    for group in (seated, invited):
        with pytest.raises(JudgeGroupInUse):
            await judge_groups.delete_judge_group(group, by=organiser, now=NOW)
    await judge_groups.delete_judge_group(unused, by=organiser, now=NOW)
    assert sorted(await JudgeGroup.filter(contest_id=contest.id).values_list("name", flat=True)) == ["有评委", "有邀请"]
