"""Queries for contests and their configuration, prefetched for the templates that show them."""

from __future__ import annotations

from contest.columns import fits
from contest.contests.models import Contest, Track
from contest.judging.models import Round


async def published_contests() -> list[Contest]:
    return await Contest.filter(is_published=True).order_by("-submissions_open_at", "-id")


async def contest_by_slug(slug: str) -> Contest | None:
    return await Contest.get_or_none(slug=slug, is_published=True) if fits(Contest, "slug", slug) else None


async def tracks_with_fields(contest: Contest) -> list[Track]:
    return await Track.filter(contest_id=contest.id).prefetch_related("fields_").order_by("position", "id")


async def rounds_of(contest: Contest) -> list[Round]:
    return await Round.filter(contest_id=contest.id).order_by("position", "id")


async def contest_with_poster(key: str) -> Contest | None:
    return await Contest.get_or_none(poster_key=key, is_published=True) if fits(Contest, "poster_key", key) else None
