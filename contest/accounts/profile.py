"""A person correcting what the account holds about them (PIPL art. 46): their name and their entrant profile.
Entries already made keep the facts they were submitted with; the next entry starts from these. The phone is
corrected on its own page (it may be verified) and the e-mail, the log-in name, by the committee."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from contest.accounts.models import EntrantCategory, EntrantProfile, User
from contest.accounts.service import EMAIL_PATTERN
from contest.audit.log import record
from contest.errors import InvalidInput
from contest.i18n import N_


@dataclass(frozen=True)
class ProfileInput:
    display_name: str
    category: str
    organisation: str
    school: str
    supervisor_name: str
    supervisor_email: str


def check_profile(values: ProfileInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not values.display_name.strip() or len(values.display_name) > 100:
        errors["display_name"] = N_("Enter your name (at most 100 characters).")
    if values.category not in set(EntrantCategory):
        errors["category"] = N_("Choose a category.")
    if values.supervisor_email and not EMAIL_PATTERN.match(values.supervisor_email):
        errors["supervisor_email"] = N_("Enter a valid e-mail address.")
    return errors


async def correct_profile(user: User, values: ProfileInput, *, now: datetime) -> list[str]:
    """Save the corrected name and profile; returns the names of the fields that changed. Raises InvalidInput.
    Audited as account.profile_corrected with the fields' names only: the audit chain cannot forget a value."""
    if errors := check_profile(values):
        raise InvalidInput(errors)
    profile = await EntrantProfile.get_or_none(user_id=user.id) or EntrantProfile(user_id=user.id)
    wanted = {name: value.strip() for name, value in asdict(values).items()}
    changed = [name for name, value in wanted.items() if getattr(user if name == "display_name" else profile, name)
               != value]
    if not changed:
        return []
    user.display_name = wanted.pop("display_name")
    await user.save(update_fields=["display_name"])
    for name, value in wanted.items():
        setattr(profile, name, EntrantCategory(value) if name == "category" else value)
    await profile.save()
    await record("account.profile_corrected", subject=f"user:{user.id}", now=now, actor=user,
                 data={"fields": changed})
    return changed
