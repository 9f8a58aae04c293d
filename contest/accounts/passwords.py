"""argon2id hashing, always off the event loop and bounded so parallel logins cannot stall the box."""

from __future__ import annotations

import os

import anyio
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# Each hash costs ~170 ms of CPU and 64 MiB (STACK.md G22).
_limiter = anyio.CapacityLimiter(os.cpu_count() or 2)
# Verified against when the e-mail is unknown, so both failures cost the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password-0d1f3c")

MIN_PASSWORD_LENGTH = 10


async def hash_password(password: str) -> str:
    return await anyio.to_thread.run_sync(_hasher.hash, password, limiter=_limiter)


async def verify_password(password_hash: str | None, password: str) -> bool:
    def verify() -> bool:
        try:
            return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
        except (VerificationError, InvalidHashError):
            return False

    return await anyio.to_thread.run_sync(verify, limiter=_limiter)
