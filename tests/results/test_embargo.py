"""The embargo rule at one second before, at, and after each moment (docs/reliability.md G4)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from contest.results import embargo

pytestmark = pytest.mark.unit

T = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


def contest(**fields):
    return SimpleNamespace(**{"announce_at": T, "notice_days": 7, "notice_starts_at": T - timedelta(days=8), **fields})


def test_results_are_public_from_the_announcement_to_the_second():
    assert [embargo.results_public(contest(), T + d) for d in (-SECOND, timedelta(0), SECOND)] == [False, True, True]


def test_without_an_announcement_time_results_stay_private():
    assert not embargo.results_public(contest(announce_at=None), T + timedelta(days=999))


def test_the_notice_is_readable_from_its_start_and_objections_close_after_its_days():
    start, end = T - timedelta(days=8), T - timedelta(days=1)
    assert embargo.notice_window(contest()) == (start, end)
    assert [embargo.notice_public(contest(), start + d) for d in (-SECOND, timedelta(0))] == [False, True]
    assert embargo.notice_public(contest(), T + timedelta(days=30))
    assert [embargo.objections_open(contest(), end + d) for d in (-SECOND, timedelta(0))] == [True, False]


def test_a_contest_without_a_notice_has_none():
    assert embargo.notice_window(contest(notice_days=0)) is None
    assert not embargo.notice_public(contest(notice_days=0), T)
