"""The audit log's hash chain: canonical JSON, event hashes and verification. Pure; no I/O.

Each event carries the version of the rule its hash was made by. Version 2 hashes every column that
says something (the actor's id and the contest too); version 1, the rule of events written before,
left those two out. Old events keep their version-1 hashes: rehashing them would break every chain
head already published.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from fractions import Fraction
from typing import Any
from uuid import UUID

GENESIS = "0" * 64

SEQ_GAP = "seq_gap"  # seq is not the previous seq + 1: a deletion, insertion or reordering
PREV_MISMATCH = "prev_mismatch"  # prev_hash is not the previous event's hash
HASH_MISMATCH = "hash_mismatch"  # the stored hash does not match the event's content
HEAD_MISMATCH = "head_mismatch"  # the chain ends somewhere other than the expected head
HEAD_MISSING = "head_missing"  # the chain is shorter than a head written down earlier
ACTOR_MISMATCH = "actor_mismatch"  # the actor's id is not the one the event's actor label names
UNKNOWN_VERSION = "unknown_version"  # an event hashed by a rule this code does not know

VERSION = 2
# The columns each version hashes besides seq, at, actor (label), action, subject and data.
EXTRA_COLUMNS: dict[int, tuple[str, ...]] = {1: (), 2: ("actor_id", "contest_id", "version")}


def iso_utc(moment: datetime) -> str:
    """ISO 8601 in UTC with a fixed microsecond precision, so the same instant always hashes alike."""
    if moment.tzinfo is None:
        raise ValueError("audit times must be timezone-aware")
    text = moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")
    return text + "Z"


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (Decimal, Fraction, UUID)):
        return str(value)
    raise TypeError(f"not canonical-JSON serialisable: {type(value).__name__}")


def canonical_json(data: Any) -> bytes:
    """UTF-8 JSON with sorted keys and no whitespace; datetimes as UTC ISO strings, Decimals as strings."""
    text = json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False, default=_json_default
    )
    return text.encode("utf-8")


def json_ready(data: Any) -> Any:
    """The data as canonical_json writes it (datetimes and Decimals as strings).

    Store this rather than the original, so the stored copy hashes the same when read back.
    """
    return json.loads(canonical_json(data))


def event_hash(
    prev_hash: str, seq: int, at: str, actor: str | None, action: str, subject: str, data: dict[str, Any],
    *, actor_id: int | None = None, contest_id: int | None = None, version: int = 1,
) -> str:
    """sha256 hex of the previous hash followed by the canonical JSON of this event's fields (those of
    its version). Raises KeyError for an unknown version."""
    extra = {"actor_id": actor_id, "contest_id": contest_id, "version": version}
    body = {"seq": seq, "at": at, "actor": actor, "action": action, "subject": subject, "data": data,
            **{name: extra[name] for name in EXTRA_COLUMNS[version]}}
    return hashlib.sha256(prev_hash.encode("ascii") + canonical_json(body)).hexdigest()


@dataclass(frozen=True)
class Head:
    """Where the chain ends: the last event's seq and hash. Written `seq:hash` to be noted down."""

    seq: int
    hash: str

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}"

    def as_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "hash": self.hash}


EMPTY_HEAD = Head(0, GENESIS)
HEAD_PATTERN = re.compile(r"(\d{1,12}):([0-9a-f]{64})")


def parse_head(text: str) -> Head:
    """A head as `str(head)` writes it. Raises ValueError for anything else."""
    found = HEAD_PATTERN.fullmatch(text.strip().lower())
    if found is None:
        raise ValueError("a chain head is written seq:hash, e.g. 12:3f2a… (64 hexadecimal digits)")
    return Head(int(found[1]), found[2])


@dataclass(frozen=True)
class EventRecord:
    seq: int
    at: str | datetime
    actor: str | None
    action: str
    subject: str
    data: dict[str, Any]
    prev_hash: str
    hash: str
    actor_id: int | None  # required, like the version: a reader that forgot them would check the wrong rule
    contest_id: int | None
    version: int

    def computed_hash(self) -> str:
        at = iso_utc(self.at) if isinstance(self.at, datetime) else self.at
        return event_hash(self.prev_hash, self.seq, at, self.actor, self.action, self.subject, self.data,
                          actor_id=self.actor_id, contest_id=self.contest_id, version=self.version)


@dataclass(frozen=True)
class VerificationResult:
    ok: bool
    count: int  # events checked, including a broken one
    head_hash: str  # hash of the last event that verified (GENESIS / start_hash when none did)
    broken_at: int | None = None  # index in the iterable, not seq
    reason: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


def _link_problem(event: EventRecord, expected_seq: int, expected_prev: str) -> tuple[str, dict[str, Any]] | None:
    if event.seq != expected_seq:
        return SEQ_GAP, {"expected": expected_seq, "found": event.seq}
    if event.prev_hash != expected_prev:
        return PREV_MISMATCH, {"expected": expected_prev, "found": event.prev_hash}
    if event.version not in EXTRA_COLUMNS:
        return UNKNOWN_VERSION, {"found": event.version}
    # Version 1 did not hash the actor's id, but its label names it ("user:7"); only a deleted user's is empty.
    if event.actor_id is not None and event.actor != f"user:{event.actor_id}":
        return ACTOR_MISMATCH, {"expected": event.actor, "found": event.actor_id}
    computed = event.computed_hash()
    if computed != event.hash:
        return HASH_MISMATCH, {"expected": computed, "found": event.hash}
    return None


def verify_chain(
    events: Iterable[EventRecord],
    *,
    start_seq: int = 1,
    start_hash: str = GENESIS,
    expected_head: str | None = None,
) -> VerificationResult:
    """Check every link in order and stop at the first broken one.

    A chain that was cut short, or rewritten from some point on with fresh hashes, looks intact on its
    own; passing the head hash published earlier (`expected_head`) detects that too.
    """
    head, index = start_hash, -1
    for index, event in enumerate(events):
        problem = _link_problem(event, start_seq + index, head)
        if problem is not None:
            return VerificationResult(False, index + 1, head, index, problem[0], problem[1])
        head = event.hash
    count = index + 1
    if expected_head is not None and head != expected_head:
        return VerificationResult(False, count, head, count, HEAD_MISMATCH, {"expected": expected_head, "found": head})
    return VerificationResult(True, count, head)
