"""Queries about people and their roles."""

from __future__ import annotations

from contest.accounts.models import ContestRole, ContestRoleKind, User
from contest.columns import fits
from contest.contests.models import Contest


async def organised_contests(user: User) -> list[Contest]:
    """Contests `user` may organise: all for site organisers, else those with an organiser role."""
    if user.is_staff:
        return await Contest.all().order_by("-submissions_open_at", "-id")
    ids = await ContestRole.filter(user_id=user.id, role=ContestRoleKind.ORGANISER).values_list("contest_id", flat=True)
    return await Contest.filter(id__in=list(ids)).order_by("-submissions_open_at", "-id")


async def organised_contest(user: User, slug: str) -> Contest | None:
    """The contest, only if `user` may organise it."""
    if not user.is_active or not fits(Contest, "slug", slug):
        return None
    if user.is_staff:
        return await Contest.get_or_none(slug=slug)
    return await Contest.filter(slug=slug, roles__user_id=user.id, roles__role=ContestRoleKind.ORGANISER).first()


async def organises(user: User | None, contest_id: int) -> bool:
    if user is None or not user.is_active:
        return False
    if user.is_staff:
        return True
    return await ContestRole.exists(user_id=user.id, contest_id=contest_id, role=ContestRoleKind.ORGANISER)


async def main_role(user: User) -> ContestRoleKind | None:
    """Where the user mostly works, for where logging in leads: organising before judging; None for a
    designer (who holds no role)."""
    if user.is_staff:
        return ContestRoleKind.ORGANISER
    roles = set(await ContestRole.filter(user_id=user.id).values_list("role", flat=True))
    return next((role for role in (ContestRoleKind.ORGANISER, ContestRoleKind.JUDGE) if role in roles), None)
