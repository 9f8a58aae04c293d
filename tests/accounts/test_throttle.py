"""Login throttling holds under concurrent bursts, and slows guessers down without locking owners out."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import pytest

from contest.accounts import service, throttle
from contest.accounts.models import LoginAttempt
from contest.errors import InvalidCredentials, TooManyAttempts
from tests.factories import NOW, PASSWORD, make_user

pytestmark = pytest.mark.unit


async def _outcomes(attempts) -> Counter:
    results = await asyncio.gather(*attempts, return_exceptions=True)
    return Counter(type(result).__name__ for result in results)


async def test_a_burst_of_wrong_passwords_is_evaluated_only_up_to_the_limit(db):
    await make_user(email="judge@example.org")
    outcomes = await _outcomes(
        service.authenticate("judge@example.org", f"guess number {n}", ip="10.0.0.66", now=NOW) for n in range(40))
    assert outcomes == Counter({"TooManyAttempts": 35, "InvalidCredentials": 5})
    assert await LoginAttempt.filter(key="login:judge@example.org|10.0.0.66").count() == 5


async def test_the_right_password_at_the_end_of_a_burst_is_not_evaluated(db):
    await make_user(email="judge@example.org")
    guesses = [f"guess number {n}" for n in range(39)] + [PASSWORD]
    outcomes = await _outcomes(
        service.authenticate("judge@example.org", guess, ip="10.0.0.66", now=NOW) for guess in guesses)
    assert outcomes == Counter({"TooManyAttempts": 35, "InvalidCredentials": 5})


async def test_wrong_passwords_from_elsewhere_do_not_keep_the_owner_out(db):
    user = await make_user(email="judge@example.org")
    for n in range(60):
        with pytest.raises((InvalidCredentials, TooManyAttempts)):
            await service.authenticate("judge@example.org", f"guess number {n}", ip=f"10.0.{n % 3}.66", now=NOW)
    assert (await service.authenticate("judge@example.org", PASSWORD, ip="192.0.2.7", now=NOW)).id == user.id


async def test_a_guesser_at_the_owners_address_holds_the_account_for_a_minute_at_most(db):
    user = await make_user(email="judge@example.org")
    for n in range(10):
        with pytest.raises((InvalidCredentials, TooManyAttempts)):
            await service.authenticate("judge@example.org", f"guess number {n}", ip="10.0.0.66", now=NOW)
    with pytest.raises(TooManyAttempts):
        await service.authenticate("judge@example.org", PASSWORD, ip="10.0.0.66", now=NOW + timedelta(seconds=59))
    later = NOW + timedelta(seconds=61)
    assert (await service.authenticate("judge@example.org", PASSWORD, ip="10.0.0.66", now=later)).id == user.id


async def test_a_success_takes_back_its_count_and_the_failures_before_it(db):
    await make_user(email="ok@example.org")
    for n in range(4):
        with pytest.raises(InvalidCredentials):
            await service.authenticate("ok@example.org", f"guess number {n}", ip="10.0.0.1", now=NOW)
    await service.authenticate("OK@example.org", PASSWORD, ip="10.0.0.1", now=NOW)
    keys = Counter(await LoginAttempt.all().values_list("key", flat=True))
    assert keys == Counter({"ip:10.0.0.1": 4})


async def test_one_address_is_refused_past_its_limit_across_accounts(db):
    for n in range(50):
        await throttle.attempt(throttle.login_limits(f"a{n}@example.org", "10.9.9.9"), now=NOW)
    await make_user(email="fresh@example.org")
    with pytest.raises(TooManyAttempts):
        await service.authenticate("fresh@example.org", PASSWORD, ip="10.9.9.9", now=NOW)
    later = NOW + timedelta(minutes=15, seconds=1)
    assert (await service.authenticate("fresh@example.org", PASSWORD, ip="10.9.9.9", now=later)).email == "fresh@example.org"


async def test_a_refused_attempt_records_nothing(db):
    limits = (throttle.Limit("k", 2, timedelta(minutes=1)),)
    for _ in range(2):
        await throttle.attempt(limits, now=NOW)
    with pytest.raises(TooManyAttempts) as caught:
        await throttle.attempt(limits, now=NOW, refusal="别急 Slow down")
    assert (caught.value.message, await LoginAttempt.filter(key="k").count()) == ("别急 Slow down", 2)
