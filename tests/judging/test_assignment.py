from __future__ import annotations

import re
from collections import Counter

import pytest

from contest.judging.assignment import (
    AssignmentPlan,
    DetectedConflict,
    EntrantProfile,
    JudgeProfile,
    Shortfall,
    TeamMemberProfile,
    assign_k_per_entry,
    assign_whole_panel,
    detect_conflicts,
    email_domain,
    make_alias,
    make_aliases,
    normalise_organisation,
    shuffle_for_judge,
)

pytestmark = pytest.mark.unit

ALIAS_SHAPE = re.compile(r"^[ABCDEFGHJKMNPQRSTUVWXYZ2-9]{3}-[ABCDEFGHJKMNPQRSTUVWXYZ2-9]{3}$")


def loads(plan: AssignmentPlan) -> Counter[int]:
    return Counter(judge for _, judge in plan.pairs)


def test_assign_whole_panel_gives_every_judge_every_entry():
    assert assign_whole_panel([1, 2], [7, 8]) == [(1, 7), (1, 8), (2, 7), (2, 8)]


def test_assign_whole_panel_skips_conflicted_pairs():
    assert assign_whole_panel([1, 2], [7, 8], conflicts=[(8, 1)]) == [(1, 7), (2, 7), (2, 8)]


def test_assign_whole_panel_accepts_detected_conflicts():
    conflicts = [DetectedConflict(7, 2, "supervisor")]
    assert assign_whole_panel([1, 2], [7, 8], conflicts) == [(1, 7), (1, 8), (2, 8)]


def test_assign_k_per_entry_gives_k_distinct_judges_with_loads_one_apart():
    plan = assign_k_per_entry(list(range(1, 11)), [1, 2, 3, 4], 3, seed="round-1")
    per_entry = Counter(entry for entry, _ in plan.pairs)
    assert (set(per_entry.values()), len(set(plan.pairs)), sorted(loads(plan).values())) == ({3}, 30, [7, 7, 8, 8])
    assert (plan.load == dict(loads(plan)), plan.shortfalls) == (True, [])


def test_assign_k_per_entry_is_deterministic_for_a_seed():
    first = assign_k_per_entry(list(range(1, 21)), list(range(1, 8)), 2, seed=b"abc")
    again = assign_k_per_entry(list(range(1, 21)), list(range(1, 8)), 2, seed=b"abc")
    assert first == again


def test_assign_k_per_entry_varies_with_the_seed():
    plans = {tuple(assign_k_per_entry(list(range(1, 21)), list(range(1, 8)), 2, seed=s).pairs) for s in range(5)}
    assert len(plans) > 1


def test_assign_k_per_entry_never_assigns_a_conflicted_pair_and_stays_balanced():
    conflicts = [(1, 1), (1, 2), (2, 1), (3, 4), (4, 5)]
    plan = assign_k_per_entry(list(range(1, 9)), [1, 2, 3, 4, 5], 2, conflicts, seed=3)
    assert {(e, j) for e, j in plan.pairs} & {(e, j) for j, e in conflicts} == set()
    assert (len(plan.pairs), max(plan.load.values()) - min(plan.load.values()), plan.shortfalls) == (16, 1, [])


def test_assign_k_per_entry_reports_a_shortfall_instead_of_raising():
    plan = assign_k_per_entry([1, 2], [7, 8, 9], 2, conflicts=[(7, 1), (8, 1)], seed=0)
    assert ([p for p in plan.pairs if p[0] == 1], plan.shortfalls) == ([(1, 9)], [Shortfall(1, 2, 1)])


def test_assign_k_per_entry_evens_out_existing_load():
    plan = assign_k_per_entry([1, 2, 3], [7, 8, 9], 1, existing_load={7: 2, 8: 1}, seed=0)
    assert (sorted(j for _, j in plan.pairs), plan.load) == ([8, 9, 9], {7: 2, 8: 2, 9: 2})


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("  ACME Co., Ltd. ", "acme"),
        ("Tesco", "tesco"),
        ("北京 文创设计有限公司", "北京文创设计"),
        ("ＡＢＣ股份有限公司", "abc"),
        ("中国美术学院", "中国美术学院"),
        ("", ""),
    ],
)
def test_normalise_organisation_drops_case_spaces_and_legal_suffixes(raw, normalised):
    assert normalise_organisation(raw) == normalised


def test_email_domain_is_casefolded_and_empty_without_at():
    assert (email_domain(" Wang@Design.CN "), email_domain("nobody")) == ("design.cn", "")


def test_detect_conflicts_same_organisation_after_normalising():
    judges = [JudgeProfile(7, "li@qq.com", "杭州文创有限公司", "李老师")]
    entrants = [EntrantProfile(1, "a@163.com", organisation="杭州文创"), EntrantProfile(2, "b@163.com", organisation="别家")]
    assert detect_conflicts(judges, entrants) == [(7, 1, "same_organisation")]


def test_detect_conflicts_school_and_team_member_organisation():
    judges = [JudgeProfile(7, "", "Tongji University", "")]
    entrants = [
        EntrantProfile(1, school="tongji  university"),
        EntrantProfile(2, team=(TeamMemberProfile("赵六", "Tongji University"),)),
    ]
    assert detect_conflicts(judges, entrants) == [(7, 1, "same_organisation"), (7, 2, "same_organisation")]


def test_detect_conflicts_same_email_domain_except_common_providers():
    judges = [JudgeProfile(7, "zhang@caa.edu.cn"), JudgeProfile(8, "wang@qq.com")]
    entrants = [EntrantProfile(1, "student@CAA.edu.cn"), EntrantProfile(2, "other@qq.com")]
    assert detect_conflicts(judges, entrants) == [DetectedConflict(7, 1, "same_email_domain")]


def test_detect_conflicts_supervisor_by_email():
    judges = [JudgeProfile(7, "Prof.Chen@qq.com", name="陈教授")]
    entrants = [EntrantProfile(1, "s@163.com", supervisor_name="陈某", supervisor_email="prof.chen@qq.com")]
    assert detect_conflicts(judges, entrants) == [(7, 1, "supervisor")]


def test_detect_conflicts_supervisor_by_name_only_without_email():
    judges = [JudgeProfile(7, "chen@qq.com", name="陈 明")]
    entrants = [
        EntrantProfile(1, supervisor_name="陈明"),
        EntrantProfile(2, supervisor_name="陈明", supervisor_email="other@qq.com"),
    ]
    assert detect_conflicts(judges, entrants) == [(7, 1, "supervisor")]


def test_detect_conflicts_lists_each_reason_and_ignores_blank_fields():
    judges = [JudgeProfile(7, "me@studio.cn", "Studio", "Me"), JudgeProfile(8)]
    entrants = [EntrantProfile(1, "me@studio.cn", organisation="studio"), EntrantProfile(2)]
    assert detect_conflicts(judges, entrants) == [
        (7, 1, "entrant"),
        (7, 1, "same_organisation"),
        (7, 1, "same_email_domain"),
    ]


def test_shuffle_for_judge_is_a_stable_permutation_of_its_own():
    ids = list(range(1, 21))
    first = shuffle_for_judge(ids, round_seed=b"round-secret", judge_id=7)
    assert (sorted(first), first == shuffle_for_judge(ids, round_seed=b"round-secret", judge_id=7)) == (ids, True)
    assert first != ids
    assert first != shuffle_for_judge(ids, round_seed=b"round-secret", judge_id=8)
    assert first != shuffle_for_judge(ids, round_seed=b"another-round", judge_id=7)


def test_make_alias_has_the_short_unambiguous_shape_and_depends_on_the_secret():
    alias = make_alias(1, "secret")
    assert (bool(ALIAS_SHAPE.match(alias)), alias == make_alias(1, "secret")) == (True, True)
    assert len({alias, make_alias(1, "other"), make_alias(1, "secret", attempt=1), make_alias(2, "secret")}) == 4


def test_make_aliases_are_unique_and_reproducible_with_a_secret():
    ids = list(range(1, 501))
    aliases = make_aliases(ids, "round-secret")
    assert (len(set(aliases.values())), aliases == make_aliases(ids, b"round-secret")) == (500, True)
    assert all(ALIAS_SHAPE.match(a) for a in aliases.values())


def test_make_aliases_are_not_monotone_in_ids():
    ids = list(range(1, 51))
    aliases = make_aliases(ids, "round-secret")
    assert sorted(ids, key=aliases.__getitem__) != ids


def test_make_aliases_without_a_secret_are_random():
    ids = list(range(1, 31))
    first, second = make_aliases(ids), make_aliases(ids)
    assert (len(set(first.values())), first != second) == (30, True)
