"""All access rules, as small synchronous predicates, and the one `require()` that enforces them.

Predicates never touch the database: queries load what they need first. A refusal is a 404 unless
the user already knows the thing exists, so a hidden object looks exactly like a missing one.
"""

from __future__ import annotations

from contest.accounts.models import User
from contest.errors import NotAllowed, NotFound


def require(allowed: bool, *, hide: bool = True) -> None:
    if not allowed:
        raise NotFound() if hide else NotAllowed()


def is_site_organiser(user: User | None) -> bool:
    return user is not None and user.is_active and user.is_staff
