from __future__ import annotations

import pytest

from contest.judging.aggregation import Criterion, Entry, Judge, Score, aggregate
from contest.results.award_seats import (
    BoundaryTie,
    ProposedAward,
    RankedEntry,
    Revocation,
    Tier,
    Vacancy,
    apply_revocation,
    propose_awards,
    ranking_from_results,
)

pytestmark = pytest.mark.unit

GOLD, SILVER, BRONZE, SPECIAL = 1, 2, 3, 9
TIERS = [
    Tier(BRONZE, "三等奖", 3, 3, track_id=1),
    Tier(GOLD, "一等奖", 1, 1, track_id=1),
    Tier(SILVER, "二等奖", 2, 2, track_id=1),
    Tier(SPECIAL, "最佳创意奖", 4, 1, track_id=None),
]


def ranked(*figures: float, ties: tuple[int, ...] = ()) -> list[RankedEntry]:
    """Entries 101, 102, … with the given figures, best first; `ties` lists the tied entry ids."""
    return [RankedEntry(101 + i, f, 101 + i in ties) for i, f in enumerate(figures)]


def held(proposal) -> list[tuple[int, int]]:
    return [(a.tier_id, a.entry_id) for a in proposal.awards]


EIGHT = ranked(95, 90, 85, 80, 75, 70, 65, 60)


def test_propose_awards_fills_tiers_in_order_from_the_top():
    proposal = propose_awards({1: EIGHT}, TIERS)
    assert held(proposal) == [(1, 101), (2, 102), (2, 103), (3, 104), (3, 105), (3, 106)]
    assert (proposal.vacancies, proposal.boundary_ties) == ((), ())


def test_propose_awards_lists_special_tiers_without_filling_them():
    proposal = propose_awards({1: EIGHT}, TIERS)
    assert (proposal.special_tiers, [a for a in proposal.awards if a.tier_id == SPECIAL]) == ((SPECIAL,), [])


def test_propose_awards_reports_vacancies_when_entries_run_out():
    proposal = propose_awards({1: ranked(95, 90, 85, 80)}, TIERS)
    assert held(proposal) == [(1, 101), (2, 102), (2, 103), (3, 104)]
    assert proposal.vacancies == (Vacancy(BRONZE, 1, 2, "too_few_entries"),)


def test_propose_awards_reports_a_tie_across_a_tier_boundary_without_breaking_it():
    proposal = propose_awards({1: ranked(90, 90, 85, 80, 75, 70, 65, ties=(101, 102))}, TIERS)
    assert held(proposal) == [(2, 103), (3, 104), (3, 105), (3, 106)]
    assert proposal.boundary_ties == (BoundaryTie(1, (101, 102), (GOLD, SILVER)),)


def test_propose_awards_reports_a_tie_at_the_last_seat():
    proposal = propose_awards({1: ranked(95, 90, 85, 80, 75, 70, 70, ties=(106, 107))}, TIERS)
    assert held(proposal)[-2:] == [(3, 104), (3, 105)]
    assert proposal.boundary_ties == (BoundaryTie(1, (106, 107), (BRONZE, None)),)


def test_propose_awards_gives_a_tie_inside_one_tier_the_same_award():
    proposal = propose_awards({1: ranked(95, 90, 85, 80, 80, 70, 65, ties=(104, 105))}, TIERS)
    assert (held(proposal)[3:], proposal.boundary_ties) == ([(3, 104), (3, 105), (3, 106)], ())


def test_propose_awards_accepts_tuples_and_fills_tracks_separately():
    tiers = [Tier(1, "一等奖", 1, 1, track_id=1), Tier(2, "一等奖", 1, 2, track_id=2), Tier(3, "一等奖", 1, 1, track_id=3)]
    proposal = propose_awards({1: [(11, 80.0, False), (12, 70.0, False)], 2: [(21, 60.0, False)]}, tiers)
    assert proposal.awards == (ProposedAward(1, 11, 1), ProposedAward(2, 21, 2))
    assert proposal.vacancies == (Vacancy(2, 2, 1, "too_few_entries"), Vacancy(3, 3, 1, "too_few_entries"))


def test_apply_revocation_promote_next_shifts_each_lower_tier_up_by_one():
    proposal = apply_revocation(propose_awards({1: EIGHT}, TIERS), 101, "promote_next")
    assert held(proposal) == [(1, 102), (2, 103), (2, 104), (3, 105), (3, 106), (3, 107)]
    assert proposal.revoked == (Revocation(101, "promote_next", None),)


def test_apply_revocation_promote_next_in_the_lowest_tier_takes_the_next_unawarded_entry():
    proposal = apply_revocation(propose_awards({1: EIGHT}, TIERS), 105, "promote_next")
    assert held(proposal) == [(1, 101), (2, 102), (2, 103), (3, 104), (3, 106), (3, 107)]


def test_apply_revocation_leave_vacant_moves_nobody():
    proposal = apply_revocation(propose_awards({1: EIGHT}, TIERS), 102, "leave_vacant")
    assert held(proposal) == [(1, 101), (2, 103), (3, 104), (3, 105), (3, 106)]
    assert (proposal.vacancies, proposal.revoked) == (
        (Vacancy(SILVER, 1, 1, "revoked"),), (Revocation(102, "leave_vacant", SILVER),))


def test_apply_revocation_cascades_over_two_revocations():
    first = apply_revocation(propose_awards({1: EIGHT}, TIERS), 102, "leave_vacant")
    second = apply_revocation(first, 101, "promote_next")
    assert held(second) == [(1, 103), (2, 104), (3, 105), (3, 106), (3, 107)]
    assert second.vacancies == (Vacancy(SILVER, 1, 1, "revoked"),)
    assert (second.tier_of(108), second.tier_of(103)) == (None, GOLD)


def test_apply_revocation_of_a_tied_entry_settles_the_boundary_tie():
    proposal = propose_awards({1: ranked(90, 90, 85, 80, 75, 70, 65, ties=(101, 102))}, TIERS)
    settled = apply_revocation(proposal, 101)
    assert (held(settled), settled.boundary_ties) == ([(1, 102), (2, 103), (2, 104), (3, 105), (3, 106), (3, 107)], ())


def test_apply_revocation_of_an_entry_without_award_changes_no_award():
    proposal = propose_awards({1: EIGHT}, TIERS)
    for policy in ("promote_next", "leave_vacant"):
        after = apply_revocation(proposal, 108, policy)
        assert (after.awards, after.vacancies) == (proposal.awards, ())


def test_apply_revocation_rejects_unranked_or_already_revoked_entries():
    proposal = apply_revocation(propose_awards({1: EIGHT}, TIERS), 101)
    with pytest.raises(ValueError):
        apply_revocation(proposal, 999)
    with pytest.raises(ValueError):
        apply_revocation(proposal, 101, "leave_vacant")


def test_ranking_from_results_orders_ranked_entries_per_track():
    scores = [Score(e, 1, 1, v) for e, v in {1: 60, 2: 80, 3: 80, 4: 50}.items()]
    entries = [Entry(1, 10), Entry(2, 10), Entry(3, 10), Entry(4, 20), Entry(5, 20)]
    results = aggregate(entries, [Criterion(1, 1, 0, 100)], scores, [Judge(1)])
    assert ranking_from_results(results) == {
        10: [RankedEntry(2, 80.0, True), RankedEntry(3, 80.0, True), RankedEntry(1, 60.0, False)],
        20: [RankedEntry(4, 50.0, False)],
    }
