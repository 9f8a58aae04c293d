from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest

from contest.accounts import resets, sessions
from contest.accounts.models import PasswordReset, User
from contest.errors import InvalidInput, TooManyAttempts
from contest.notifications.models import OutboxMessage
from contest.notifications.outbox import outgoing
from tests.factories import NOW, make_user

pytestmark = pytest.mark.unit


async def ask(email: str, *, ip: str = "10.0.0.1", now=NOW) -> str | None:
    """The token mailed for `email`, or None when no message went out."""
    tokens: list[str] = []
    await resets.request_reset(email, ip=ip, now=now, link_for=lambda t: tokens.append(t) or f"https://c.test/r/{t}")
    return tokens[-1] if tokens else None


async def test_a_reset_link_is_mailed_in_the_account_s_language_and_only_its_hash_is_stored(db):
    user = await make_user(email="mei@example.org", display_name="Mei", locale="en")
    token = await ask(" Mei@Example.org ")
    reset = await PasswordReset.get(user_id=user.id)
    assert (reset.token_hash, reset.expires_at) == (hashlib.sha256(token.encode()).hexdigest(), NOW + timedelta(hours=1))
    message = await OutboxMessage.get(kind="password_reset")
    subject, body = outgoing(message)
    assert (message.to_email, subject, message.contest_id) == ("mei@example.org", "Reset your contest password", None)
    assert f"https://c.test/r/{token}" in body and token not in message.body_text
    assert body.startswith("Dear Mei,\n\nOpen this link within an hour")


async def test_an_unknown_or_disabled_address_gets_nothing_and_is_throttled_the_same(db):
    await make_user(email="off@example.org", is_active=False)
    assert [await ask("nobody@example.org"), await ask("off@example.org")] == [None, None]
    assert await OutboxMessage.all().count() == 0 and await PasswordReset.all().count() == 0
    for _ in range(2):
        await ask("nobody@example.org")
    with pytest.raises(TooManyAttempts):
        await ask("nobody@example.org", ip="10.0.0.2")


async def test_a_malformed_address_is_refused(db):
    with pytest.raises(InvalidInput) as caught:
        await ask("not an address")
    assert caught.value.field_errors == {"email": "Enter a valid e-mail address."}


async def test_the_link_sets_the_password_once_and_ends_every_session(db):
    user = await make_user(email="mei@example.org")
    await sessions.start_session(user, now=NOW)
    token = await ask("mei@example.org")
    await resets.reset_password(token, password="a brand new password", now=NOW + timedelta(minutes=5))
    assert await sessions.Session.filter(user_id=user.id).count() == 0
    changed = await User.get(id=user.id)
    assert changed.password_hash != user.password_hash
    with pytest.raises(resets.ResetInvalid):
        await resets.reset_password(token, password="yet another password", now=NOW + timedelta(minutes=6))
    assert (await User.get(id=user.id)).password_hash == changed.password_hash


async def test_an_expired_link_and_one_replaced_by_a_newer_link_no_longer_work(db):
    await make_user(email="mei@example.org")
    first = await ask("mei@example.org")
    second = await ask("mei@example.org")
    assert await resets.reset_for(first, now=NOW) is None
    assert await resets.reset_for(second, now=NOW + timedelta(minutes=59)) is not None
    assert await resets.reset_for(second, now=NOW + timedelta(hours=1)) is None
    with pytest.raises(resets.ResetInvalid):
        await resets.reset_password(second, password="a brand new password", now=NOW + timedelta(hours=1))


async def test_a_short_password_is_refused_and_the_link_still_works(db):
    user = await make_user(email="mei@example.org")
    token = await ask("mei@example.org")
    with pytest.raises(InvalidInput) as caught:
        await resets.reset_password(token, password="short", now=NOW)
    assert caught.value.field_errors == {"password": "Use at least 10 characters."}
    assert (await User.get(id=user.id)).password_hash == user.password_hash
    assert await resets.reset_for(token, now=NOW) is not None


async def test_a_link_of_a_disabled_account_does_not_work(db):
    user = await make_user(email="mei@example.org")
    token = await ask("mei@example.org")
    await User.filter(id=user.id).update(is_active=False)
    assert await resets.reset_for(token, now=NOW) is None
