"""The entrant's profile: what a designer enters once (category, organisation or school, supervisor,
phone) and is offered again, prefilled, on every new entry."""

from __future__ import annotations

from contest.accounts.models import EntrantCategory, EntrantProfile

REMEMBERED = ("category", "organisation", "school", "supervisor_name", "supervisor_email", "phone")


async def profile_of(user_id: int) -> EntrantProfile:
    """The user's profile; accounts made by an invitation have none and start from its defaults (unsaved)."""
    return await EntrantProfile.get_or_none(user_id=user_id) or EntrantProfile(user_id=user_id)


async def remember(user_id: int, facts: dict[str, str]) -> None:
    """Keep what the entry form said about the entrant for the next entry; writes only when it differs."""
    profile = await profile_of(user_id)
    facts = {**facts, "category": EntrantCategory(facts["category"])}
    if all(getattr(profile, name) == facts[name] for name in REMEMBERED):
        return
    for name in REMEMBERED:
        setattr(profile, name, facts[name])
    await profile.save()
