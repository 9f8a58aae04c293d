"""The audit log's hash chain: canonical JSON, event hashes and verification. Pure; no I/O."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
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


def iso_utc(moment: datetime) -> str:
    """ISO 8601 in UTC with a fixed microsecond precision, so the same instant always hashes alike."""
    if moment.tzinfo is None:
        raise ValueError("audit times must be timezone-aware")
    text = moment.astimezone(timezone.utc).replace(tzinfo=None).isoformat(timespec="microseconds")
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
    prev_hash: str, seq: int, at: str, actor: str | None, action: str, subject: str, data: dict[str, Any]
) -> str:
    """sha256 hex of the previous hash followed by the canonical JSON of this event's fields."""
    body = {"seq": seq, "at": at, "actor": actor, "action": action, "subject": subject, "data": data}
    return hashlib.sha256(prev_hash.encode("ascii") + canonical_json(body)).hexdigest()


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

    def computed_hash(self) -> str:
        at = iso_utc(self.at) if isinstance(self.at, datetime) else self.at
        return event_hash(self.prev_hash, self.seq, at, self.actor, self.action, self.subject, self.data)


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
