"""Account rules: registration, authentication with throttling, passwords, organisers, disabling."""

from __future__ import annotations

import re
from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from contest.accounts import passwords, privacy, sessions, throttle
from contest.accounts.models import EntrantCategory, EntrantKind, EntrantProfile, User
from contest.accounts.queries import locale_of
from contest.errors import InvalidCredentials, InvalidInput
from contest.i18n import N_
from contest.notifications.outbox import queue_wording
from contest.notifications.templates import Wording

EMAIL_PATTERN = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
ACCOUNT_CREATED = Wording(
    subject_zh="文创赛账号已创建",
    body_zh="您的设计师账号已创建，请用注册时设置的密码登录：{login_url}",
    subject_en="Your contest account is ready",
    body_en="Your designer account is ready. Log in with the password you chose: {login_url}",
)
ACCOUNT_EXISTS = Wording(
    subject_zh="文创赛注册提醒",
    body_zh="有人用您的邮箱申请注册，但该邮箱已有账号，因此没有创建新账号。如果是您本人，请直接登录：{login_url}\n"
    "如忘记密码，可在登录页重设密码。如非本人操作，请忽略本邮件。",
    subject_en="Someone tried to register with your e-mail",
    body_en="Someone asked to register with your e-mail, which already has an account, so no new account was made. "
    "If it was you, log in: {login_url}\nIf you forgot your password, reset it on the log-in page. "
    "If it was not you, ignore this e-mail.",
)


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
    ip: str,
    now: datetime,
    login_url: str,
    consent: privacy.Consent,
    category: EntrantCategory = EntrantCategory.WORKER,
    kind: EntrantKind = EntrantKind.INDIVIDUAL,
    organisation: str = "",
    school: str = "",
    locale: str = "zh_CN",
) -> None:
    """Create a designer account with its entrant profile and its consent to the privacy notice, or, when
    the e-mail has one already, tell its owner by e-mail: the caller answers both the same way, so registering
    reveals no account. Side effects: two throttle records, an account and its consent (or none) and one outbox
    message. Raises InvalidInput on bad fields or a consent not given to the current notice, TooManyAttempts
    past the registration limits."""
    email = normalise_email(email)
    notice = await privacy.current_notice()
    errors = {**check_registration(email, password, display_name), **privacy.consent_errors(notice, consent)}
    if errors:
        raise InvalidInput(errors)
    await throttle.attempt(throttle.registration_limits(email, ip), now=now)
    password_hash = await passwords.hash_password(password)  # also when the account exists: the same time
    try:
        async with in_transaction():
            user = await User.create(
                email=email, password_hash=password_hash, display_name=display_name.strip(), locale=locale
            )
            await EntrantProfile.create(
                user=user, category=category, kind=kind, organisation=organisation.strip(), school=school.strip()
            )
            await privacy.record_consent(user, notice, sensitive=consent.sensitive, ip=ip, now=now)
            await queue_wording("account_created", ACCOUNT_CREATED, to_email=email, values={"login_url": login_url},
                                locale=locale)
    except IntegrityError:  # the owner reads it in the language their account chose
        await queue_wording("account_exists", ACCOUNT_EXISTS, to_email=email, values={"login_url": login_url},
                            locale=await locale_of(email))


async def authenticate(email: str, password: str, *, ip: str, now: datetime, locale: str | None = None) -> User:
    """The active user with these credentials. Unknown e-mail and wrong password fail the same way.
    The attempt is counted before the password is checked; a success takes back its own count and
    the account's earlier failures from this address, and keeps `locale` (the language the user logs in
    with) as the account's language for e-mails."""
    email = normalise_email(email)
    limits = throttle.login_limits(email, ip)
    counted = await throttle.attempt(limits, now=now)
    user = await User.get_or_none(email=email)
    ok = await passwords.verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        raise InvalidCredentials()
    await throttle.forget(counted, keys=[limits[0].key])
    user.last_login_at = now
    user.locale = locale or user.locale
    fields = ["last_login_at", "locale"]
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = await passwords.hash_password(password)
        fields.append("password_hash")
    await user.save(update_fields=fields)
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
