"""The entrant's profile: what a designer enters once (category, organisation or school, supervisor,
phone) and is offered again, prefilled, on every new entry. The phone lives on the account, where the
leak check also looks for it."""

from __future__ import annotations

from contest.accounts.models import EntrantCategory, EntrantProfile, User

REMEMBERED = ("category", "organisation", "school", "supervisor_name", "supervisor_email")


async def profile_of(user_id: int) -> EntrantProfile:
    """The user's profile; accounts made by an invitation have none and start from its defaults (unsaved)."""
    return await EntrantProfile.get_or_none(user_id=user_id) or EntrantProfile(user_id=user_id)


async def phone_of(user_id: int) -> str:
    return (await User.get(id=user_id)).phone


async def remember(user_id: int, facts: dict[str, str]) -> None:
    """Keep what the entry form said about the entrant for the next entry; writes only what differs."""
    profile = await profile_of(user_id)
    wanted = {**facts, "category": EntrantCategory(facts["category"])}
    if any(getattr(profile, name) != wanted[name] for name in REMEMBERED):
        for name in REMEMBERED:
            setattr(profile, name, wanted[name])
        await profile.save()
    # another number is not the one a text message proved
    await User.filter(id=user_id).exclude(phone=facts["phone"]).update(phone=facts["phone"], phone_verified_at=None)
