from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from contest.accounts import passwords, privacy, service
from contest.accounts.models import User
from contest.errors import InvalidCredentials, TooManyAttempts
from contest.notifications.models import OutboxMessage
from tests.factories import NOW, PASSWORD, make_user

pytestmark = pytest.mark.unit


REGISTRATION = {"password": "long enough pw", "display_name": "梅", "ip": "10.0.0.9", "now": NOW,
                "login_url": "https://contest.example/account/login",
                "consent": privacy.Consent(accepted=True, version_read=1, sensitive=False)}


async def test_register_hashes_with_argon2id_and_normalises_email(db):
    await service.register_designer(email=" Mei@Example.ORG ", **REGISTRATION)
    user = await User.get(email="mei@example.org")
    assert user.password_hash.startswith("$argon2id$")
    sent = await OutboxMessage.all().values_list("kind", "to_email")
    assert sent == [("account_created", "mei@example.org")]


async def test_registering_a_taken_email_tells_its_owner_and_changes_nothing(db):
    owner = await make_user(email="taken@example.org")
    await service.register_designer(email="Taken@example.org", **REGISTRATION)
    assert await User.filter(email="taken@example.org").values_list("id", "password_hash") == [
        (owner.id, owner.password_hash)]
    message = await OutboxMessage.get()
    assert (message.kind, message.to_email) == ("account_exists", "taken@example.org")
    assert "https://contest.example/account/login" in message.body_text


async def test_registration_is_throttled_per_address_and_per_email(db):
    for n in range(10):
        await service.register_designer(email=f"new{n}@example.org", **REGISTRATION)
    with pytest.raises(TooManyAttempts):
        await service.register_designer(email="one-more@example.org", **REGISTRATION)
    for _ in range(3):
        await service.register_designer(email="victim@example.org", **{**REGISTRATION, "ip": "10.0.0.10"})
    with pytest.raises(TooManyAttempts):
        await service.register_designer(email="victim@example.org", **{**REGISTRATION, "ip": "10.0.0.11"})
    assert await OutboxMessage.filter(to_email="victim@example.org").count() == 3
    assert await User.filter(email="one-more@example.org").count() == 0


async def test_unknown_email_and_wrong_password_raise_the_same_error(db):
    await make_user(email="real@example.org")
    errors = []
    for email in ("real@example.org", "ghost@example.org"):
        with pytest.raises(InvalidCredentials) as caught:
            await service.authenticate(email, "wrong password", ip="10.0.0.2", now=NOW)
        errors.append((type(caught.value), caught.value.message, caught.value.status_code))
    assert errors[0] == errors[1]


async def test_create_organiser_makes_staff_and_resets_password(db):
    organiser = await service.create_organiser("Boss@Example.org", "organiser password")
    again = await service.create_organiser("boss@example.org", "another password!")
    assert (organiser.id, again.is_staff) == (again.id, True)
    assert (await service.authenticate("boss@example.org", "another password!", ip="1.1.1.1", now=NOW)).id == organiser.id


async def test_a_log_in_moves_a_hash_of_the_older_costlier_profile_to_todays(db):
    old = PasswordHasher().hash(PASSWORD)  # argon2-cffi's default, as hashes were made before
    user = await make_user(email="old.hash@example.org", password_hash=old)
    assert passwords.needs_rehash(old)
    await service.authenticate("old.hash@example.org", PASSWORD, ip="10.0.0.9", now=NOW)
    stored = (await User.get(id=user.id)).password_hash
    assert (stored != old, passwords.needs_rehash(stored)) == (True, False)
    assert await passwords.verify_password(stored, PASSWORD)
    again = await service.authenticate("old.hash@example.org", PASSWORD, ip="10.0.0.9", now=NOW)
    assert again.password_hash == stored
