"""Queries about people and their roles."""

from __future__ import annotations

from typing import cast

from contest.accounts.models import ContestRole, ContestRoleKind, User
from contest.i18n import DEFAULT_LOCALE


async def organises(user: User | None, contest_id: int) -> bool:
    if user is None or not user.is_active:
        return False
    if user.is_staff:
        return True
    return await ContestRole.exists(user_id=user.id, contest_id=contest_id, role=ContestRoleKind.ORGANISER)


def is_site_organiser(user: User | None) -> bool:
    return user is not None and user.is_active and user.is_staff


async def locale_of(email: str) -> str:
    """The language the account with this e-mail chose for its messages, else Chinese."""
    chosen = cast(list[str], await User.filter(email=email.strip().lower()).values_list("locale", flat=True))
    return chosen[0] if chosen else DEFAULT_LOCALE


async def main_role(user: User) -> ContestRoleKind | None:
    """Where the user mostly works, for where logging in leads: organising before judging; None for a
    designer (who holds no role)."""
    if user.is_staff:
        return ContestRoleKind.ORGANISER
    roles = set(await ContestRole.filter(user_id=user.id).values_list("role", flat=True))
    return next((role for role in (ContestRoleKind.ORGANISER, ContestRoleKind.JUDGE) if role in roles), None)
