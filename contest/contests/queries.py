"""Queries for contests and their configuration, prefetched for the templates that show them; the contests a
person may organise; each child of a contest found only through its contest."""

from __future__ import annotations

from contest.accounts.models import ContestRole, ContestRoleKind, User
from contest.columns import fits
from contest.contests.models import AwardTier, Contest, FileSlot, TermsKind, TermsText, Track, TrackField


async def published_contests() -> list[Contest]:
    return await Contest.filter(is_published=True).order_by("-submissions_open_at", "-id")


async def contest_by_slug(slug: str) -> Contest | None:
    return await Contest.get_or_none(slug=slug, is_published=True) if fits(Contest, "slug", slug) else None


async def privacy_additions(contest: Contest) -> TermsText | None:
    """The latest version of the contest's additions to the installation's privacy notice, if it has any."""
    return await TermsText.filter(contest_id=contest.id, kind=TermsKind.PRIVACY).order_by("-version").first()


async def tracks_in_order(contest: Contest) -> list[Track]:
    return await Track.filter(contest_id=contest.id).order_by("position", "id")


async def track_of(contest: Contest, track_id: int) -> Track | None:
    return await Track.get_or_none(id=track_id, contest_id=contest.id)


async def fields_of(track: Track) -> list[TrackField]:
    return await TrackField.filter(track_id=track.id).order_by("position", "id")


async def field_of(track: Track, field_id: int) -> TrackField | None:
    return await TrackField.get_or_none(id=field_id, track_id=track.id)


async def slots_of(track: Track) -> list[FileSlot]:
    return await FileSlot.filter(track_id=track.id).order_by("position", "id")


async def slot_of(track: Track, key: str) -> FileSlot | None:
    return await FileSlot.get_or_none(track_id=track.id, key=key)


async def tiers_of(contest: Contest) -> list[AwardTier]:
    """By track (contest-wide tiers have none), then by rank."""
    return await AwardTier.filter(contest_id=contest.id).order_by("track_id", "rank", "id")


async def tier_of(contest: Contest, tier_id: int) -> AwardTier | None:
    return await AwardTier.get_or_none(id=tier_id, contest_id=contest.id)


async def tracks_with_rules(contest: Contest) -> list[Track]:
    """Tracks with their form fields and file slots."""
    return await Track.filter(contest_id=contest.id).prefetch_related("fields_", "slots").order_by("position", "id")


async def contest_with_poster(key: str) -> Contest | None:
    return await Contest.get_or_none(poster_key=key, is_published=True) if fits(Contest, "poster_key", key) else None


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
