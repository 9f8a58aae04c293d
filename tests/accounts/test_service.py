from __future__ import annotations

from datetime import timedelta

import pytest

from contest.accounts import service, throttle
from contest.accounts.models import LoginAttempt, User
from contest.errors import InvalidCredentials, InvalidInput, TooManyAttempts
from tests.factories import NOW, PASSWORD, make_user

pytestmark = pytest.mark.unit


async def test_register_hashes_with_argon2id_and_normalises_email(db):
    user = await service.register_designer(email=" Mei@Example.ORG ", password="long enough pw", display_name="梅")
    assert user.email == "mei@example.org"
    assert user.password_hash.startswith("$argon2id$")


async def test_register_refuses_a_taken_email_without_creating_anything(db):
    await make_user(email="taken@example.org")
    with pytest.raises(InvalidInput) as caught:
        await service.register_designer(email="taken@example.org", password="long enough pw", display_name="X")
    assert list(caught.value.field_errors) == ["email"]
    assert await User.filter(email="taken@example.org").count() == 1


async def test_authenticate_returns_the_user_and_clears_failures(db):
    user = await make_user(email="ok@example.org")
    await throttle.record_failure(email="ok@example.org", ip="10.0.0.1", now=NOW)
    found = await service.authenticate("OK@example.org", PASSWORD, ip="10.0.0.1", now=NOW)
    assert found.id == user.id
    assert await LoginAttempt.filter(key="account:ok@example.org").count() == 0


async def test_unknown_email_and_wrong_password_raise_the_same_error(db):
    await make_user(email="real@example.org")
    errors = []
    for email in ("real@example.org", "ghost@example.org"):
        with pytest.raises(InvalidCredentials) as caught:
            await service.authenticate(email, "wrong password", ip="10.0.0.2", now=NOW)
        errors.append((type(caught.value), caught.value.message, caught.value.status_code))
    assert errors[0] == errors[1]


async def test_throttle_per_address_across_accounts(db):
    for n in range(throttle.LIMIT_PER_ADDRESS):
        await throttle.record_failure(email=f"a{n}@example.org", ip="10.9.9.9", now=NOW)
    await make_user(email="fresh@example.org")
    with pytest.raises(TooManyAttempts):
        await service.authenticate("fresh@example.org", PASSWORD, ip="10.9.9.9", now=NOW)
    later = NOW + throttle.WINDOW + timedelta(seconds=1)
    assert (await service.authenticate("fresh@example.org", PASSWORD, ip="10.9.9.9", now=later)).email == "fresh@example.org"


async def test_create_organiser_makes_staff_and_resets_password(db):
    organiser = await service.create_organiser("Boss@Example.org", "organiser password")
    again = await service.create_organiser("boss@example.org", "another password!")
    assert (organiser.id, again.is_staff) == (again.id, True)
    assert (await service.authenticate("boss@example.org", "another password!", ip="1.1.1.1", now=NOW)).id == organiser.id
