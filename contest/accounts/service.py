"""Account rules: registration, authentication with throttling, passwords, organisers, disabling."""

from __future__ import annotations

import re
from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from contest.accounts import passwords, sessions, throttle
from contest.accounts.models import EntrantCategory, EntrantKind, EntrantProfile, User
from contest.errors import InvalidCredentials, InvalidInput, TooManyAttempts
from contest.i18n import N_

EMAIL_PATTERN = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_password_rules(password: str, *, field: str = "password") -> dict[str, str]:
    if len(password) < passwords.MIN_PASSWORD_LENGTH:
        return {field: N_("Use at least 10 characters.")}
    if len(password) > 256:
        return {field: N_("Use at most 256 characters.")}
    return {}


def check_registration(email: str, password: str, display_name: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not EMAIL_PATTERN.match(email) or len(email) > 254:
        errors["email"] = N_("Enter a valid e-mail address.")
    if not display_name.strip() or len(display_name) > 100:
        errors["display_name"] = N_("Enter your name (at most 100 characters).")
    errors.update(check_password_rules(password))
    return errors


async def register_designer(
    *,
    email: str,
    password: str,
    display_name: str,
    category: EntrantCategory = EntrantCategory.WORKER,
    kind: EntrantKind = EntrantKind.INDIVIDUAL,
    organisation: str = "",
    school: str = "",
    locale: str = "zh_CN",
) -> User:
    """Create a designer account with its entrant profile. Raises InvalidInput on bad fields."""
    email = normalise_email(email)
    errors = check_registration(email, password, display_name)
    if errors:
        raise InvalidInput(errors)
    password_hash = await passwords.hash_password(password)
    try:
        async with in_transaction():
            user = await User.create(
                email=email, password_hash=password_hash, display_name=display_name.strip(), locale=locale
            )
            await EntrantProfile.create(
                user=user, category=category, kind=kind, organisation=organisation.strip(), school=school.strip()
            )
    except IntegrityError:
        raise InvalidInput({"email": N_("This e-mail cannot be used to register. If it is yours, log in.")}) from None
    return user


async def authenticate(email: str, password: str, *, ip: str, now: datetime) -> User:
    """The active user with these credentials. Unknown e-mail and wrong password fail the same way."""
    email = normalise_email(email)
    if await throttle.is_throttled(email=email, ip=ip, now=now):
        raise TooManyAttempts()
    user = await User.get_or_none(email=email)
    ok = await passwords.verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        await throttle.record_failure(email=email, ip=ip, now=now)
        raise InvalidCredentials()
    await throttle.clear_account(email)
    user.last_login_at = now
    await user.save(update_fields=["last_login_at"])
    return user


async def change_password(user: User, *, current: str, new: str) -> None:
    """Set a new password and end every session of the user; the caller logs the user in afresh."""
    if not await passwords.verify_password(user.password_hash, current):
        raise InvalidInput({"current_password": N_("The current password is not correct.")})
    errors = check_password_rules(new, field="new_password")
    if errors:
        raise InvalidInput(errors)
    user.password_hash = await passwords.hash_password(new)
    await user.save(update_fields=["password_hash"])
    await sessions.end_all_sessions(user)


async def create_organiser(email: str, password: str, *, display_name: str = "") -> User:
    """A site-wide organiser (staff). Updates the password if the account exists."""
    email = normalise_email(email)
    errors = check_password_rules(password)
    if errors:
        raise InvalidInput(errors)
    password_hash = await passwords.hash_password(password)
    user, created = await User.get_or_create(
        email=email,
        defaults={"password_hash": password_hash, "display_name": display_name or email.split("@")[0]},
    )
    if not created:
        user.password_hash = password_hash
    user.is_staff = True
    user.is_active = True
    await user.save()
    return user


async def set_active(user: User, active: bool) -> None:
    """Disabling an account ends all its sessions at once."""
    user.is_active = active
    await user.save(update_fields=["is_active"])
    if not active:
        await sessions.end_all_sessions(user)
