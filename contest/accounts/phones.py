"""Proving a mainland China mobile number with a 6-digit code by text message (docs/sms.md).

A code is kept only as an HMAC (the app's secret key, the purpose, the number), lives CODE_LIFETIME, and
dies after WRONG_TRIES_PER_CODE wrong tries. Sending is throttled per number and per network address (each
message costs money and reaches a person), and so are wrong codes per address. The code itself appears in
the text message and nowhere else: not in a page, a log or the database.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from datetime import datetime, timedelta

from tortoise.expressions import F

from contest.accounts import throttle
from contest.accounts.models import PhoneCode, User
from contest.errors import InvalidInput
from contest.i18n import N_
from contest.sms import CODE_MINUTES, SmsSender

CODE_LIFETIME = timedelta(minutes=CODE_MINUTES)
WRONG_TRIES_PER_CODE = 5
CODES_PER_NUMBER = (3, throttle.WINDOW)  # and the providers' own limits (e.g. 1 a minute, 10 a day)
CODES_PER_ADDRESS = (10, throttle.WINDOW)
WRONG_CODES_PER_ADDRESS = (30, throttle.WINDOW)
MAINLAND_MOBILE = re.compile(r"1[3-9]\d{9}")
WRONG_CODE = N_("This code is not correct. Check the latest text message, or ask for a new code.")
EXPIRED = N_("This code has expired or was tried too often. Ask for a new one.")


def normalise_phone(raw: str) -> str:
    """The 11 digits of a mainland mobile number typed with +86 or 0086, spaces, dashes, brackets or
    full-width digits; InvalidInput({"phone": …}) for anything else."""
    text = unicodedata.normalize("NFKC", raw)
    digits = re.sub(r"[\s\-()]", "", text).removeprefix("+86").removeprefix("0086")
    if not MAINLAND_MOBILE.fullmatch(digits):
        raise InvalidInput({"phone": N_("Enter a mainland China mobile number: 11 digits starting with 1.")})
    return digits


def code_digest(secret: str, purpose: str, phone: str, code: str) -> str:
    return hmac.new(secret.encode(), f"phone-code:{purpose}:{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def _typed(code: str) -> str:
    """As typed: full-width digits from a Chinese input method, spaces between groups."""
    return "".join(unicodedata.normalize("NFKC", code).split())


async def send_code(purpose: str, phone: str, *, sender: SmsSender, secret: str, ip: str, now: datetime,
                    locale: str) -> None:
    """Text a new code to `phone` (normalised); the old code for this purpose stops working. Side effects:
    the PhoneCode row, two throttle records (taken back when the provider refuses), and any code expired a
    while ago is deleted, with its number. Raises TooManyAttempts
    past CODES_PER_NUMBER / CODES_PER_ADDRESS, and the sender's SmsNotSent."""
    counted = await throttle.attempt([throttle.Limit(f"sms:{phone}", *CODES_PER_NUMBER),
                                      throttle.Limit(f"sms-ip:{ip}", *CODES_PER_ADDRESS)], now=now)
    code = f"{secrets.randbelow(10**6):06d}"
    try:
        await sender.send_code(phone, code, locale)
    except Exception:
        await throttle.forget(counted)
        raise
    await PhoneCode.update_or_create({"code_hash": code_digest(secret, purpose, phone, code),
                                      "expires_at": now + CODE_LIFETIME, "wrong_tries": 0},
                                     purpose=purpose, phone=phone)
    await PhoneCode.filter(expires_at__lt=now - CODE_LIFETIME).delete()  # numbers are kept no longer than needed


async def check_code(purpose: str, phone: str, code: str, *, secret: str, ip: str, now: datetime) -> None:
    """Use up the live code if `code` is it. Raises InvalidInput({"code": …}) for a wrong, expired or
    exhausted code (a number that was sent none reads as wrong), TooManyAttempts past
    WRONG_CODES_PER_ADDRESS. Each try is counted before it is checked, against the code (in one UPDATE, so
    concurrent guesses cannot pass WRONG_TRIES_PER_CODE) and the address; the right code takes back the
    address's count."""
    counted = await throttle.attempt([throttle.Limit(f"sms-wrong-ip:{ip}", *WRONG_CODES_PER_ADDRESS)], now=now)
    sent = await PhoneCode.get_or_none(purpose=purpose, phone=phone)
    if sent is None:
        raise InvalidInput({"code": WRONG_CODE})
    tried = await PhoneCode.filter(id=sent.id, wrong_tries__lt=WRONG_TRIES_PER_CODE).update(
        wrong_tries=F("wrong_tries") + 1)
    if not tried or sent.expires_at <= now:
        raise InvalidInput({"code": EXPIRED})
    if not hmac.compare_digest(sent.code_hash, code_digest(secret, purpose, phone, _typed(code))):
        raise InvalidInput({"code": WRONG_CODE})
    await sent.delete()
    await throttle.forget(counted)


def account_purpose(user: User) -> str:
    return f"account:{user.id}"


async def verify_account_phone(user: User, phone: str, code: str, *, secret: str, ip: str, now: datetime) -> None:
    """The designer proved `phone`: it becomes the account's phone, verified now."""
    await check_code(account_purpose(user), phone, code, secret=secret, ip=ip, now=now)
    user.phone, user.phone_verified_at = phone, now
    await user.save(update_fields=["phone", "phone_verified_at"])
