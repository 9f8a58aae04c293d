from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from contest.judging.aggregation import (
    FORMULA_VERSION,
    Criterion,
    Entry,
    Judge,
    JudgeGroup,
    JudgeTotal,
    Score,
    aggregate,
    competition_ranks,
    trimmed_mean,
    weighted_total,
)

pytestmark = pytest.mark.unit

ONE_CRITERION = [Criterion(1, weight=1, scale_min=0, scale_max=100)]
TWO_CRITERIA = [Criterion(1, weight=2, scale_min=0, scale_max=10), Criterion(2, weight=1, scale_min=1, scale_max=5)]


def single(sheet: dict[tuple[int, int], int]) -> list[Score]:
    """Scores on ONE_CRITERION from {(entry_id, judge_id): value}."""
    return [Score(entry_id, judge_id, 1, value) for (entry_id, judge_id), value in sheet.items()]


def judges(*ids: int, group: int | None = None) -> list[Judge]:
    return [Judge(i, group) for i in ids]


def by_entry(results):
    return {r.entry_id: r for r in results}


def test_weighted_total_normalises_each_criterion_to_0_100():
    assert weighted_total({1: 8, 2: 4}, TWO_CRITERIA) == Fraction(235, 3)


def test_weighted_total_reads_decimals_exactly():
    assert weighted_total({1: Decimal("7.5"), 2: Decimal(5)}, TWO_CRITERIA) == Fraction(250, 3)


def test_weighted_total_is_none_when_a_criterion_is_missing():
    assert weighted_total({1: 8}, TWO_CRITERIA) is None


def test_trimmed_mean_drops_one_highest_and_one_lowest():
    totals = [(11, Fraction(90)), (12, Fraction(60)), (13, Fraction(100)), (14, Fraction(70)), (15, Fraction(85))]
    assert trimmed_mean(totals) == (Fraction(245, 3), (12, 13))


def test_trimmed_mean_with_four_totals_equals_the_mean():
    totals = [(11, Fraction(90)), (12, Fraction(60)), (13, Fraction(100)), (14, Fraction(70))]
    assert trimmed_mean(totals) == (Fraction(80), ())


def test_trimmed_mean_drops_only_one_of_equal_extremes():
    totals = [(11, Fraction(50)), (12, Fraction(50)), (13, Fraction(70)), (14, Fraction(90)), (15, Fraction(90))]
    assert trimmed_mean(totals) == (Fraction(70), (11, 15))


def test_competition_ranks_share_a_rank_and_skip_the_next():
    ranks, tied = competition_ranks({1: 90.0, 2: 80.0, 3: 80.0, 4: 70.0})
    assert (ranks, tied) == ({1: 1, 2: 2, 3: 2, 4: 4}, {2, 3})


def test_competition_ranks_tie_figures_equal_at_four_decimals():
    ranks, tied = competition_ranks({1: 80.00001, 2: 80.00004, 3: 80.0002})
    assert (ranks, tied) == ({3: 1, 1: 2, 2: 2}, {1, 2})


def test_aggregate_mean_of_judge_totals_with_two_criteria():
    scores = [Score(1, 7, 1, 8), Score(1, 7, 2, 4), Score(1, 8, 1, 6), Score(1, 8, 2, 5)]
    (result,) = aggregate([Entry(1, 1)], TWO_CRITERIA, scores, judges(7, 8))
    # judge 7: (2·80 + 75) / 3 = 235/3; judge 8: (2·60 + 100) / 3 = 220/3; mean 455/6
    assert (round(result.mean, 6), result.n_judges, [t.total for t in result.judge_totals]) == (
        75.833333,
        2,
        [float(Fraction(235, 3)), float(Fraction(220, 3))],
    )


def test_aggregate_trimmed_mean_drops_one_highest_and_one_lowest_with_five_judges():
    scores = single({(1, 11): 90, (1, 12): 60, (1, 13): 100, (1, 14): 70, (1, 15): 85})
    (result,) = aggregate([Entry(1, 1)], ONE_CRITERION, scores, judges(11, 12, 13, 14, 15), method="trimmed_mean")
    assert (result.mean, round(result.trimmed_mean, 4), result.figure == result.trimmed_mean) == (81.0, 81.6667, True)
    assert [t.judge_id for t in result.judge_totals if t.trimmed_out] == [12, 13]
    assert result.flags == ()


def test_aggregate_trimmed_mean_with_four_judges_is_the_mean_and_flagged():
    scores = single({(1, 11): 90, (1, 12): 60, (1, 13): 100, (1, 14): 70})
    (result,) = aggregate([Entry(1, 1)], ONE_CRITERION, scores, judges(11, 12, 13, 14), method="trimmed_mean")
    assert (result.trimmed_mean, result.mean, result.flags) == (80.0, 80.0, ("not_trimmed",))


def test_aggregate_method_chooses_the_figure_that_ranks():
    sheet = {(1, j): v for j, v in zip(range(11, 16), [10, 80, 80, 80, 80], strict=True)}
    sheet |= {(2, j): 70 for j in range(11, 16)}
    entries, panel = [Entry(1, 1), Entry(2, 1)], judges(11, 12, 13, 14, 15)
    by_mean = aggregate(entries, ONE_CRITERION, single(sheet), panel, method="mean")
    by_trimmed = aggregate(entries, ONE_CRITERION, single(sheet), panel, method="trimmed_mean")
    assert [(r.entry_id, r.rank, r.figure) for r in by_mean] == [(2, 1, 70.0), (1, 2, 66.0)]
    assert [(r.entry_id, r.rank, r.figure) for r in by_trimmed] == [(1, 1, 80.0), (2, 2, 70.0)]


def test_aggregate_zscore_standardises_each_judge_over_their_entries():
    sheet = {(1, 1): 50, (2, 1): 60, (3, 1): 70, (1, 2): 80, (2, 2): 90, (3, 2): 85}
    entries = [Entry(1, 1), Entry(2, 1), Entry(3, 1)]
    results = by_entry(aggregate(entries, ONE_CRITERION, single(sheet), judges(1, 2), method="zscore"))
    # judge 1: μ 60, σ √(200/3); judge 2: μ 85, σ √(50/3); both give z = ±√1.5 or 0
    assert {e: round(r.zscore, 6) for e, r in results.items()} == {1: -1.224745, 2: 0.612372, 3: 0.612372}
    assert [round(t.z, 6) for t in results[2].judge_totals] == [0.0, 1.224745]
    assert {e: (r.rank, r.flags) for e, r in results.items()} == {1: (3, ()), 2: (1, ("tie",)), 3: (1, ("tie",))}


def test_aggregate_zscore_of_a_judge_with_one_entry_is_zero_and_flagged():
    sheet = {(1, 1): 50, (2, 1): 70, (1, 2): 95}
    results = by_entry(aggregate([Entry(1, 1), Entry(2, 1)], ONE_CRITERION, single(sheet), judges(1, 2), method="zscore"))
    assert (results[1].zscore, results[1].flags) == (-0.5, ("degenerate_judge",))
    assert (results[2].zscore, results[2].flags) == (1.0, ())


def test_aggregate_flags_not_trimmed_only_when_the_trimmed_mean_ranks():
    sheet = {(1, 1): 80, (1, 2): 70}
    (by_mean,) = aggregate([Entry(1, 1)], ONE_CRITERION, single(sheet), judges(1, 2))
    (by_trimmed,) = aggregate([Entry(1, 1)], ONE_CRITERION, single(sheet), judges(1, 2), method="trimmed_mean")
    assert (by_mean.flags, by_trimmed.flags) == ((), ("not_trimmed",))


def test_aggregate_zscore_of_a_judge_giving_equal_totals_is_zero():
    sheet = {(1, 1): 80, (2, 1): 80}
    results = aggregate([Entry(1, 1), Entry(2, 1)], ONE_CRITERION, single(sheet), judges(1), method="zscore")
    assert [(r.zscore, r.judge_totals[0].z_degenerate) for r in results] == [(0.0, True), (0.0, True)]


def test_aggregate_combines_group_means_by_group_weight():
    sheet = {(1, 1): 80, (1, 2): 90, (1, 3): 60}
    panel = [Judge(1, 10), Judge(2, 10), Judge(3, 20)]
    groups = [JudgeGroup(10, 0.7), JudgeGroup(20, 0.3)]
    (result,) = aggregate([Entry(1, 1)], ONE_CRITERION, single(sheet), panel, groups)
    # 0.7 × 85 + 0.3 × 60
    assert (result.mean, [(g.group_id, g.mean, g.judge_ids) for g in result.groups]) == (
        77.5,
        [(10, 85.0, (1, 2)), (20, 60.0, (3,))],
    )


def test_aggregate_renormalises_group_weights_over_groups_that_scored():
    sheet = {(1, 1): 80, (1, 2): 90}
    panel = [Judge(1, 10), Judge(2, 10), Judge(3, 20)]
    groups = [JudgeGroup(10, 0.7), JudgeGroup(20, 0.3)]
    (result,) = aggregate([Entry(1, 1)], ONE_CRITERION, single(sheet), panel, groups, assignments=[(1, 3)])
    assert (result.mean, result.missing_judges, result.flags) == (85.0, (3,), ("missing_scores",))


def test_aggregate_trims_within_each_group():
    sheet = {(1, j): v for j, v in zip(range(1, 6), [50, 60, 70, 80, 100], strict=True)} | {(1, 6): 40, (1, 7): 60}
    panel = judges(1, 2, 3, 4, 5, group=10) + judges(6, 7, group=20)
    groups = [JudgeGroup(10, 3), JudgeGroup(20, 1)]
    (result,) = aggregate([Entry(1, 1)], ONE_CRITERION, single(sheet), panel, groups, method="trimmed_mean")
    # experts trimmed: (60+70+80)/3 = 70; committee untrimmed: 50; (3·70 + 1·50) / 4
    assert (result.trimmed_mean, [g.dropped for g in result.groups], result.flags) == (65.0, [(1, 5), ()], ("not_trimmed",))


def test_aggregate_excludes_and_flags_a_judge_with_a_missing_criterion():
    scores = [Score(1, 7, 1, 8), Score(1, 7, 2, 4), Score(1, 8, 1, 2)]
    (result,) = aggregate([Entry(1, 1)], TWO_CRITERIA, scores, judges(7, 8))
    assert (round(result.mean, 4), result.n_judges) == (78.3333, 1)
    assert result.judge_totals[1] == JudgeTotal(judge_id=8, group_id=None, total=None, missing_criteria=(2,))
    assert result.flags == ("incomplete_judge",)


def test_aggregate_entry_without_scores_is_unranked_and_listed_last():
    results = aggregate([Entry(1, 1), Entry(2, 1)], ONE_CRITERION, single({(2, 1): 40}), judges(1), assignments=[(1, 1)])
    assert [(r.entry_id, r.rank, r.figure, r.flags) for r in results] == [
        (2, 1, 40.0, ()),
        (1, None, None, ("no_scores", "missing_scores")),
    ]


def test_aggregate_ranks_each_track_separately():
    sheet = {(1, 1): 60, (2, 1): 80, (3, 1): 70, (4, 1): 70}
    entries = [Entry(1, 100), Entry(2, 100), Entry(3, 200), Entry(4, 200)]
    results = aggregate(entries, ONE_CRITERION, single(sheet), judges(1))
    assert [(r.track_id, r.entry_id, r.rank, "tie" in r.flags) for r in results] == [
        (100, 2, 1, False),
        (100, 1, 2, False),
        (200, 3, 1, True),
        (200, 4, 1, True),
    ]


def test_aggregate_blends_the_public_vote_share_on_the_0_100_scale():
    sheet = {(1, 1): 80, (2, 1): 90}
    results = by_entry(
        aggregate([Entry(1, 1), Entry(2, 1)], ONE_CRITERION, single(sheet), judges(1), vote_shares={1: 0.5}, vote_weight=0.2)
    )
    # 0.8 × 80 + 0.2 × 50 = 74; 0.8 × 90 + 0.2 × 0 = 72
    assert {e: (r.judge_figure, r.figure, r.vote_share, r.rank) for e, r in results.items()} == {
        1: (80.0, 74.0, 0.5, 1),
        2: (90.0, 72.0, 0.0, 2),
    }


def test_aggregate_blends_the_vote_as_a_z_score_within_the_track_for_zscore():
    sheet = {(1, 1): 60, (2, 1): 80}
    results = by_entry(
        aggregate(
            [Entry(1, 1), Entry(2, 1)], ONE_CRITERION, single(sheet), judges(1),
            method="zscore", vote_shares={1: 0.75, 2: 0.25}, vote_weight=0.5,
        )
    )
    # judge z: -1, +1; vote z: +1, -1; blended 0.5·z + 0.5·vote
    assert {e: (r.judge_figure, r.vote_component, r.figure, r.rank) for e, r in results.items()} == {
        1: (-1.0, 1.0, 0.0, 1),
        2: (1.0, -1.0, 0.0, 1),
    }


def test_aggregate_explain_lists_every_input_behind_the_figure():
    sheet = {(1, j): v for j, v in zip(range(1, 6), [50, 60, 70, 80, 100], strict=True)}
    (result,) = aggregate([Entry(1, 9)], ONE_CRITERION, single(sheet), judges(1, 2, 3, 4, 5, group=10), [JudgeGroup(10, 1)],
                          method="trimmed_mean")
    explained = result.explain()
    assert explained["formula_version"] == FORMULA_VERSION == "wcs-aggregation/1"
    assert [(t["judge_id"], t["total"], t["trimmed_out"]) for t in explained["judge_totals"]] == [
        (1, 50.0, True), (2, 60.0, False), (3, 70.0, False), (4, 80.0, False), (5, 100.0, True),
    ]
    assert explained["groups"] == [
        {"group_id": 10, "weight": 1.0, "judge_ids": [1, 2, 3, 4, 5], "mean": 72.0, "trimmed_mean": 70.0,
         "trimmed": True, "dropped": [1, 5], "zscore": 0.0},
    ]
    assert (explained["method"], explained["figure"], explained["rank"], explained["flags"]) == ("trimmed_mean", 70.0, 1, [])


@pytest.mark.parametrize(
    ("scores", "panel", "groups"),
    [
        ([Score(1, 1, 1, 101)], [Judge(1)], []),
        ([Score(1, 1, 1, 50), Score(1, 1, 1, 60)], [Judge(1)], []),
        ([Score(1, 2, 1, 50)], [Judge(1)], []),
        ([Score(1, 1, 9, 50)], [Judge(1)], []),
        ([], [Judge(1, 77)], [JudgeGroup(10, 1)]),
    ],
    ids=["off_scale", "duplicate", "unknown_judge", "unknown_criterion", "unknown_group"],
)
def test_aggregate_rejects_inconsistent_input(scores, panel, groups):
    with pytest.raises(ValueError):
        aggregate([Entry(1, 1)], ONE_CRITERION, scores, panel, groups)
