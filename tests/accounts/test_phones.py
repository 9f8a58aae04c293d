"""Phone codes: numbers as people type them, codes kept only as hashes, expiry, tries and throttles."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import pytest

from contest.accounts import phones
from contest.accounts.models import PhoneCode, User
from contest.entries import profile
from contest.errors import InvalidInput, TooManyAttempts
from contest.sms import SmsLimited
from tests.factories import NOW, make_user
from tests.sms_servers import Inbox

pytestmark = pytest.mark.unit

SECRET = "s" * 40
PHONE = "13812345678"


@pytest.mark.parametrize("typed", ["13812345678", "+86 138 1234 5678", "138-1234-5678", "0086 13812345678",
                                   "(+86) 138 1234 5678", "１３８１２３４５６７８", " 13812345678 "])
def test_normalise_phone_accepts_a_mainland_mobile_as_typed(typed: str):
    assert phones.normalise_phone(typed) == PHONE


@pytest.mark.parametrize("typed", ["", "12812345678", "1381234567", "138123456789", "+1 415 555 0100",
                                   "010-12345678", "1381234567a", "+852 13812345678"])
def test_normalise_phone_refuses_anything_else(typed: str):
    with pytest.raises(InvalidInput) as refused:
        phones.normalise_phone(typed)
    assert refused.value.field_errors == {"phone": "Enter a mainland China mobile number: 11 digits starting with 1."}


async def _send(inbox: Inbox, *, phone: str = PHONE, ip: str = "10.0.0.1", purpose: str = "vote:1",
                now=NOW) -> str:
    await phones.send_code(purpose, phone, sender=inbox, secret=SECRET, ip=ip, now=now, locale="zh_CN")
    return inbox.last_code(phone)


async def _check(code: str, *, phone: str = PHONE, ip: str = "10.0.0.1", purpose: str = "vote:1", now=NOW) -> None:
    await phones.check_code(purpose, phone, code, secret=SECRET, ip=ip, now=now)


async def test_a_code_is_six_digits_kept_only_as_its_hmac(db):
    inbox = Inbox()
    code = await _send(inbox)
    stored = await PhoneCode.get(purpose="vote:1", phone=PHONE)
    assert (len(code), code.isdigit(), inbox.sent) == (6, True, [(PHONE, code, "zh_CN")])
    assert stored.code_hash == phones.code_digest(SECRET, "vote:1", PHONE, code)
    assert code not in stored.code_hash and stored.expires_at == NOW + timedelta(minutes=5)


async def test_the_right_code_is_used_up_once(db):
    code = await _send(Inbox())
    await _check(code)
    with pytest.raises(InvalidInput) as again:
        await _check(code)
    assert (await PhoneCode.all().count(), again.value.field_errors) == (0, {"code": phones.WRONG_CODE})


async def test_full_width_digits_and_spaces_are_the_same_code(db):
    code = await _send(Inbox())
    await _check(" ".join(code[:3]) + " " + "".join(chr(0xFF10 + int(d)) for d in code[3:]))
    assert await PhoneCode.all().count() == 0


async def test_a_code_is_bound_to_its_purpose_and_number(db):
    code = await _send(Inbox())
    for wrong_place in ({"purpose": "vote:2"}, {"phone": "13912345678"}):
        with pytest.raises(InvalidInput):
            await _check(code, **wrong_place)
    await _check(code)


async def test_a_code_expires_after_five_minutes(db):
    code = await _send(Inbox())
    await _check(code, now=NOW + timedelta(minutes=4, seconds=59))
    code = await _send(Inbox(), now=NOW + timedelta(minutes=10))
    with pytest.raises(InvalidInput) as late:
        await _check(code, now=NOW + timedelta(minutes=15))
    assert late.value.field_errors == {"code": phones.EXPIRED}


async def test_a_new_code_replaces_the_old(db):
    inbox = Inbox()
    old = await _send(inbox)
    new = await _send(inbox)
    if old != new:
        with pytest.raises(InvalidInput):
            await _check(old)
    await _check(new)
    assert len(inbox.sent) == 2


async def test_five_wrong_tries_end_a_code_even_the_right_one_after(db):
    code = await _send(Inbox())
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(phones.WRONG_TRIES_PER_CODE):
        with pytest.raises(InvalidInput) as refused:
            await _check(wrong)
        assert refused.value.field_errors == {"code": phones.WRONG_CODE}
    with pytest.raises(InvalidInput) as exhausted:
        await _check(code)
    assert exhausted.value.field_errors == {"code": phones.EXPIRED}


async def test_concurrent_guesses_get_no_more_than_five_tries(db):
    code = await _send(Inbox())
    guesses = [f"{(int(code) + n) % 10**6:06d}" for n in range(1, 21)]
    results = await asyncio.gather(*(_check(g, ip=f"10.0.1.{n}") for n, g in enumerate(guesses)),
                                   return_exceptions=True)
    messages = Counter(r.field_errors["code"] for r in results if isinstance(r, InvalidInput))
    assert messages == Counter({phones.WRONG_CODE: 5, phones.EXPIRED: 15})
    assert (await PhoneCode.get(phone=PHONE)).wrong_tries == 5


async def test_sending_is_throttled_per_number_and_per_address(db):
    inbox = Inbox()
    for n in range(3):
        await _send(inbox, ip=f"10.0.0.{n}")
    with pytest.raises(TooManyAttempts):
        await _send(inbox, ip="10.0.0.9")
    for n in range(10):
        await _send(inbox, phone=f"139000000{n:02d}", ip="10.0.9.9")
    with pytest.raises(TooManyAttempts):
        await _send(inbox, phone="13900000099", ip="10.0.9.9")
    await _send(inbox, ip="10.0.0.1", now=NOW + timedelta(minutes=16))
    assert len(inbox.sent) == 3 + 10 + 1


async def test_wrong_codes_are_throttled_per_address(db):
    inbox = Inbox()
    for n in range(6):
        await _send(inbox, phone=f"1390000000{n}", ip=f"10.0.0.{n}")
    for n in range(30):
        with pytest.raises(InvalidInput):
            await _check("000000" if inbox.last_code(f"1390000000{n % 6}") != "000000" else "000001",
                         phone=f"1390000000{n % 6}", ip="10.6.6.6")
    with pytest.raises(TooManyAttempts):
        await _check(inbox.last_code("13900000005"), phone="13900000005", ip="10.6.6.6")


async def test_a_provider_refusal_stores_no_code_and_gives_back_the_throttle(db):
    inbox = Inbox(refuse_with=SmsLimited())
    for _ in range(4):
        with pytest.raises(SmsLimited):
            await _send(inbox)
    assert await PhoneCode.all().count() == 0
    inbox.refuse_with = None
    await _send(inbox)
    assert [to for to, _, _ in inbox.sent] == [PHONE]


async def test_verify_account_phone_makes_it_the_accounts_verified_phone(db):
    user = await make_user(phone="010-1234")
    inbox = Inbox()
    await phones.send_code(phones.account_purpose(user), PHONE, sender=inbox, secret=SECRET, ip="10.0.0.1",
                           now=NOW, locale="en")
    await phones.verify_account_phone(user, PHONE, inbox.last_code(PHONE), secret=SECRET, ip="10.0.0.1", now=NOW)
    stored = await User.get(id=user.id)
    assert (stored.phone, stored.phone_verified_at) == (PHONE, NOW)


@pytest.mark.parametrize(("typed", "verified"), [(PHONE, NOW), ("13900000000", None)])
async def test_the_entry_forms_phone_keeps_the_verification_only_for_the_same_number(db, typed, verified):
    user = await make_user(phone=PHONE, phone_verified_at=NOW)
    facts = {"category": "worker", "organisation": "", "school": "", "supervisor_name": "", "supervisor_email": "",
             "phone": typed}
    await profile.remember(user.id, facts)
    stored = await User.get(id=user.id)
    assert (stored.phone, stored.phone_verified_at) == (typed, verified)


async def test_a_code_expired_a_while_ago_leaves_no_number_behind(db):
    inbox = Inbox()
    await _send(inbox, phone="13900000000")
    await _send(inbox, now=NOW + timedelta(minutes=9))
    assert await PhoneCode.all().order_by("id").values_list("phone", flat=True) == ["13900000000", PHONE]
    await _send(inbox, phone="13700000000", now=NOW + timedelta(minutes=11))
    assert sorted(await PhoneCode.all().values_list("phone", flat=True)) == ["13700000000", PHONE]
