"""argon2id hashing, always off the event loop and bounded so parallel logins cannot stall the box."""

from __future__ import annotations

import os

import anyio
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# OWASP's argon2id profile (19 MiB, 2 passes, 1 lane): 25-45 ms of CPU a hash. argon2-cffi's default
# (RFC 9106: 64 MiB, 3 passes, 4 lanes) cost 170-220 ms of CPU and about 1.2 s of wall time on a busy
# 2-core box, most of accepting an invitation (benchmarks/console_actions.py). Hashes made with the old
# profile still verify (the hash carries its parameters); a successful log-in rehashes them.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
_limiter = anyio.CapacityLimiter(os.cpu_count() or 2)
# Verified against when the e-mail is unknown, so both failures cost the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password-0d1f3c")

MIN_PASSWORD_LENGTH = 10


async def hash_password(password: str) -> str:
    return await anyio.to_thread.run_sync(_hasher.hash, password, limiter=_limiter)


def needs_rehash(password_hash: str) -> bool:
    """The hash was made with other parameters than today's (an older, costlier profile)."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return False


async def verify_password(password_hash: str | None, password: str) -> bool:
    def verify() -> bool:
        try:
            return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
        except (VerificationError, InvalidHashError):
            return False

    return await anyio.to_thread.run_sync(verify, limiter=_limiter)
