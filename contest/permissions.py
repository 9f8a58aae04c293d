"""The one `require()` that enforces an access rule; the rules are small predicates beside what they guard.

Predicates never touch the database: queries load what they need first. A refusal is a 404 unless
the user already knows the thing exists, so a hidden object looks exactly like a missing one.
"""

from __future__ import annotations

from contest.errors import NotAllowed, NotFound


def require(allowed: bool, *, hide: bool = True) -> None:
    if not allowed:
        raise NotFound() if hide else NotAllowed()
