"""A forgotten password is replaced through a single-use link sent by e-mail.

The token (`secrets.token_urlsafe(16)`, 128 bits) goes out once, as the outbox message's secret, and only
its SHA-256 is stored. A link works for LIFETIME, once; asking again deletes the earlier unused links, and
using one ends every session of the account. Asking never tells whether an address has an account: the
same answer and the same throttle records either way, and a message only to an active account.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from contest.accounts import passwords, sessions, throttle
from contest.accounts.models import PasswordReset, User
from contest.accounts.service import EMAIL_PATTERN, check_password_rules, normalise_email
from contest.audit.log import record
from contest.errors import InvalidInput, NotFound
from contest.i18n import N_
from contest.notifications.outbox import queue_wording
from contest.notifications.templates import Wording

LIFETIME = timedelta(hours=1)
TOKEN_BYTES = 16  # 128 bits (ASVS 6.4.1)
RESET_MESSAGE = Wording(
    subject_zh="重设文创赛账号密码",
    body_zh="{name}，您好：\n\n请在一小时内打开以下链接设置新密码。链接只能使用一次。\n\n{link}\n\n"
    "如果您没有申请重设密码，请忽略本邮件，您的密码不会改变。",
    subject_en="Reset your contest password",
    body_en="Dear {name},\n\nOpen this link within an hour to choose a new password. It works only once.\n\n{link}\n\n"
    "If you did not ask to reset your password, ignore this e-mail: your password stays as it is.",
)


class ResetInvalid(NotFound):
    """Unknown, used, replaced and expired links all look the same."""

    message = N_("This link to reset your password is not valid any more: it was used, it expired, or a newer "
                 "one was sent. Ask for a new one.")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def request_reset(email: str, *, ip: str, now: datetime, link_for: Callable[[str], str]) -> None:
    """Send a reset link to `email` if an active account has it; otherwise nothing, silently. Side effects:
    two throttle records, and for an account its earlier unused links deleted, a new one stored (hash
    only) and one outbox message. Raises InvalidInput for a malformed address, TooManyAttempts past the
    limits per address and per e-mail."""
    email = normalise_email(email)
    if not EMAIL_PATTERN.match(email) or len(email) > 254:
        raise InvalidInput({"email": N_("Enter a valid e-mail address.")})
    await throttle.attempt(throttle.reset_limits(email, ip), now=now)
    user = await User.get_or_none(email=email, is_active=True)
    if user is None:
        return
    token = secrets.token_urlsafe(TOKEN_BYTES)
    async with in_transaction():
        await PasswordReset.filter(user_id=user.id, used_at__isnull=True).delete()
        await PasswordReset.create(user=user, token_hash=token_hash(token), created_at=now, expires_at=now + LIFETIME)
        await queue_wording("password_reset", RESET_MESSAGE, to_email=email, secret="link", locale=user.locale,
                            values={"name": user.display_name, "link": link_for(token)})


async def reset_for(token: str, *, now: datetime) -> PasswordReset | None:
    """The unused, unexpired reset of an active account for this token, else None (whatever the reason)."""
    if not token or len(token) > 100:
        return None
    return await PasswordReset.filter(token_hash=token_hash(token), used_at__isnull=True, expires_at__gt=now,
                                      user__is_active=True).first()


async def reset_password(token: str, *, password: str, now: datetime) -> User:
    """Use the link: set `password`, end every session of the account, drop its other links; audited.
    Single use under concurrency too (one conditional UPDATE claims the link). Raises ResetInvalid or
    InvalidInput; nothing is saved when it raises."""
    reset = await reset_for(token, now=now)
    if reset is None:
        raise ResetInvalid()
    errors = check_password_rules(password)
    if errors:
        raise InvalidInput(errors)
    password_hash = await passwords.hash_password(password)
    async with in_transaction():
        claimed = await PasswordReset.filter(id=reset.id, used_at__isnull=True, expires_at__gt=now).update(used_at=now)
        if claimed != 1:
            raise ResetInvalid()
        user = await User.get(id=reset.user_id)
        user.password_hash = password_hash
        await user.save(update_fields=["password_hash"])
        await PasswordReset.filter(user_id=user.id, used_at__isnull=True).delete()
        await sessions.end_all_sessions(user)
        await record("account.password_reset", subject=f"user:{user.id}", now=now, actor=user)
    return user
