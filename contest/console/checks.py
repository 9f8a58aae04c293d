"""Is this installation fit to serve? Each check is a plain async function returning the problems it found.

`contest check` runs them all and prints every problem (in Chinese or English); `/readyz` runs the few a load
balancer needs on every probe (READY_CHECKS) and names the parts that failed, never the reasons (no secrets).
Tortoise must be initialised: the database check asks the configured connection.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import aiosmtplib
import anyio.to_thread
from tortoise.connection import get_connection

from contest import i18n
from contest.db import migration_state
from contest.i18n import N_
from contest.media.stores import open_store
from contest.results.payouts import payouts_in_use
from contest.settings import Settings, payout_keys, production_problems

TIMEOUT = 5.0  # seconds a service may take to answer before it counts as unreachable

DATABASE_UNREACHABLE = N_("The database cannot be reached: {error}")
MIGRATIONS_PENDING = N_("The database lacks {count} migration(s) ({names}): run contest migrate")
MIGRATIONS_UNKNOWN = N_("The database has migrations this version of the code does not know ({names}): "
                        "install the matching version")
STORAGE_NOT_WRITABLE = N_("The upload folder {path} is not writable: {error}")
BUCKET_NOT_WRITABLE = N_("The storage bucket {bucket} at {endpoint} cannot be written: {error}")
SMTP_UNREACHABLE = N_("The mail server {host}:{port} does not answer: {error}")
PAYOUT_KEY_MISSING = N_("Prize payouts are in use but CONTEST_PAYOUT_KEY is not set: make one with contest payout-key "
                        "and keep a copy apart from the backups, or payees' numbers cannot be read")


@dataclass(frozen=True)
class Problem:
    message: str  # an English msgid
    values: dict[str, object] = field(default_factory=dict)

    def text(self, locale: str) -> str:
        return i18n.translate(locale, self.message, **self.values)


Check = Callable[[Settings], Awaitable[list[Problem]]]


def _reason(error: BaseException) -> str:
    return str(error) or type(error).__name__  # a timeout's message is empty


async def configuration(settings: Settings) -> list[Problem]:
    """The rules production refuses to start without (contest.settings.PRODUCTION_RULES)."""
    return [Problem(message) for message in production_problems(settings)]


async def database_answers(settings: Settings) -> list[Problem]:
    """One round trip (readiness asks no more)."""
    try:
        async with asyncio.timeout(TIMEOUT):
            await get_connection("default").execute_query("SELECT 1")
    except Exception as error:  # noqa: BLE001 - whatever the driver raises (refused, auth, timeout) is the answer
        return [Problem(DATABASE_UNREACHABLE, {"error": _reason(error)})]
    return []


def _span(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{names[0]} … {names[-1]}"


async def database(settings: Settings) -> list[Problem]:
    """The database answers, and its migrations are those of this code."""
    problems = await database_answers(settings)
    if problems:
        return problems
    state = await migration_state(settings)
    if state.pending:
        problems.append(Problem(MIGRATIONS_PENDING, {"count": len(state.pending), "names": _span(state.pending)}))
    if state.unknown:
        problems.append(Problem(MIGRATIONS_UNKNOWN, {"names": _span(state.unknown)}))
    return problems


def _write_probe(root: Path) -> None:
    # in tmp/, where a probe a crash left behind is swept at the next start (media.storage)
    probe = root / "tmp" / f".probe-{uuid.uuid4().hex}.part"
    probe.parent.mkdir(parents=True, exist_ok=True)  # as the app does at start
    try:
        probe.write_bytes(b"probe")
    finally:
        probe.unlink(missing_ok=True)


async def storage(settings: Settings) -> list[Problem]:
    """A file can be written to the upload folder (uploads arrive there on every backend) and deleted again, and
    so can an object in the bucket when the files are kept in one."""
    try:
        await anyio.to_thread.run_sync(_write_probe, settings.upload_dir)
    except OSError as error:
        return [Problem(STORAGE_NOT_WRITABLE, {"path": settings.upload_dir, "error": error.strerror or error})]
    return await _bucket_writable(settings) if settings.storage == "s3" else []


async def _bucket_writable(settings: Settings) -> list[Problem]:
    store = open_store(settings)
    name = f"derived/00/probe-{uuid.uuid4().hex}"  # a name no row knows: a probe a crash left is swept as an orphan
    try:
        async with asyncio.timeout(TIMEOUT):
            await store.put(name, b"probe")
            await store.remove([name])
    except Exception as error:  # noqa: BLE001 - whatever the client raises (network, auth, no bucket) is the finding
        return [Problem(BUCKET_NOT_WRITABLE, {"bucket": settings.s3_bucket, "endpoint": settings.s3_endpoint or "AWS",
                                              "error": _reason(error)})]
    return []


async def smtp(settings: Settings) -> list[Problem]:
    """The mail server (when one is set) accepts a connection and answers EHLO; nothing is sent."""
    if not settings.smtp_host:
        return []
    client = aiosmtplib.SMTP(hostname=settings.smtp_host, port=settings.smtp_port, timeout=TIMEOUT,
                             use_tls=settings.smtp_port == 465)  # STARTTLS when offered, as the sender does
    try:
        await client.connect()
        await client.ehlo()
        await client.quit()
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
        return [Problem(SMTP_UNREACHABLE, {"host": settings.smtp_host, "port": settings.smtp_port,
                                           "error": _reason(error)})]
    return []


async def payout_key(settings: Settings) -> list[Problem]:
    """A contest takes prize payouts or keeps payees, so their numbers need a key of their own (docs/privacy.md)."""
    if payout_keys(settings):
        return []
    try:
        in_use = await payouts_in_use()
    except Exception:  # noqa: BLE001 - an unreachable database is the database check's finding
        return []
    return [Problem(PAYOUT_KEY_MISSING)] if in_use else []


async def broker(settings: Settings) -> list[Problem]:
    """The job queue's broker. Today the queue is the database itself (PostgreSQL; in process on SQLite), which
    `database` checks; a queue with a broker of its own connects to it here, with TIMEOUT."""
    return []


CHECKS: dict[str, Check] = {"configuration": configuration, "database": database, "storage": storage,
                            "smtp": smtp, "broker": broker, "payout_key": payout_key}
READY_CHECKS: dict[str, Check] = {"database": database_answers, "storage": storage, "broker": broker}


async def run_checks(settings: Settings, checks: dict[str, Check] = CHECKS) -> dict[str, list[Problem]]:
    """Every check's problems by its name (an empty list when it passed), all checks at once."""
    found = await asyncio.gather(*(check(settings) for check in checks.values()))
    return dict(zip(checks, found, strict=True))
