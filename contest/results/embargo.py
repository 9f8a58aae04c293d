"""When results become public: the one rule every results, gallery, notice, vote and certificate
route asks (docs/reliability.md G4). Pure predicates on the contest's times and the server's `now`.

Before the announcement everything about results is a 404 identical to a missing page, sent with
`Cache-Control: no-store`, for everyone but the contest's organisers (who see a marked preview).
At `announce_at` it all appears at once, with no action by anyone: nothing here is a flag to flip.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any


def results_public(contest: Any, now: datetime) -> bool:
    """The award gallery, results pages, winners' certificates and designers' own results."""
    return contest.announce_at is not None and now >= contest.announce_at


def notice_window(contest: Any) -> tuple[datetime, datetime] | None:
    """The 公示 period [start, end), when the contest has one."""
    if not contest.notice_days or contest.notice_starts_at is None:
        return None
    return contest.notice_starts_at, contest.notice_starts_at + timedelta(days=contest.notice_days)


def notice_public(contest: Any, now: datetime) -> bool:
    """The public notice (shortlist or proposed winners) is readable from its start, and stays readable."""
    window = notice_window(contest)
    return window is not None and now >= window[0]


def objections_open(contest: Any, now: datetime) -> bool:
    window = notice_window(contest)
    return window is not None and window[0] <= now < window[1]
