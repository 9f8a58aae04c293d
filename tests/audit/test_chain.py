from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from contest.audit import chain
from contest.audit.chain import GENESIS, EventRecord, canonical_json, event_hash, iso_utc, verify_chain

pytestmark = pytest.mark.unit

T0 = datetime(2025, 3, 1, 8, 30, tzinfo=UTC)


def build_chain(count: int) -> list[EventRecord]:
    events: list[EventRecord] = []
    prev = GENESIS
    for seq in range(1, count + 1):
        at = iso_utc(T0 + timedelta(minutes=seq))
        data = {"value": str(seq), "note": "评分"}
        digest = event_hash(prev, seq, at, "user:7", "score.saved", f"score:{seq}", data)
        events.append(EventRecord(seq, at, "user:7", "score.saved", f"score:{seq}", data, prev, digest, None, None, 1))
        prev = digest
    return events


def test_canonical_json_sorts_keys_without_whitespace_and_keeps_chinese():
    assert canonical_json({"b": 1, "a": [True, None], "名": "张三"}) == '{"a":[true,null],"b":1,"名":"张三"}'.encode()


def test_canonical_json_writes_datetimes_in_utc_and_decimals_as_strings():
    beijing = timezone(timedelta(hours=8))
    data = {"at": datetime(2025, 3, 1, 16, 30, tzinfo=beijing), "day": date(2025, 3, 1), "v": Decimal("8.50")}
    assert canonical_json(data) == b'{"at":"2025-03-01T08:30:00.000000Z","day":"2025-03-01","v":"8.50"}'


def test_json_ready_data_hashes_like_the_original():
    data = {"v": Decimal("8.50"), "at": T0}
    assert (chain.json_ready(data), canonical_json(chain.json_ready(data)) == canonical_json(data)) == (
        {"v": "8.50", "at": "2025-03-01T08:30:00.000000Z"},
        True,
    )


def test_canonical_json_rejects_unknown_types():
    with pytest.raises(TypeError):
        canonical_json({"s": {1, 2}})


def test_iso_utc_rejects_naive_datetimes():
    with pytest.raises(ValueError):
        iso_utc(datetime(2025, 3, 1, 8, 30))


def test_event_hash_is_sha256_of_prev_hash_and_canonical_body():
    body = (b'{"action":"entry.submitted","actor":null,"at":"2025-03-01T08:30:00.000000Z",'
            b'"data":{"n":1},"seq":1,"subject":"entry:3"}')
    expected = hashlib.sha256(GENESIS.encode() + body).hexdigest()
    assert event_hash(GENESIS, 1, "2025-03-01T08:30:00.000000Z", None, "entry.submitted", "entry:3", {"n": 1}) == expected


def test_version_2_also_hashes_the_actor_id_the_contest_and_the_version():
    body = (b'{"action":"entry.submitted","actor":"user:7","actor_id":7,"at":"2025-03-01T08:30:00.000000Z",'
            b'"contest_id":2,"data":{"n":1},"seq":1,"subject":"entry:3","version":2}')
    expected = hashlib.sha256(GENESIS.encode() + body).hexdigest()
    assert event_hash(GENESIS, 1, "2025-03-01T08:30:00.000000Z", "user:7", "entry.submitted", "entry:3", {"n": 1},
                      actor_id=7, contest_id=2, version=2) == expected


def test_an_unknown_version_is_reported_not_hashed():
    event = replace(build_chain(1)[0], version=3)
    assert verify_chain([event]) == chain.VerificationResult(False, 1, GENESIS, 0, "unknown_version", {"found": 3})


def test_a_head_reads_back_as_written_and_nothing_else_reads():
    head = chain.Head(12, "3f" * 32)
    assert (str(head), chain.parse_head(f" {str(head).upper()}\n")) == (f"12:{'3f' * 32}", head)
    for text in ("12", f"12:{'3f' * 31}", f"-1:{'3f' * 32}", f"12:{'3g' * 32}", f"12 {'3f' * 32}"):
        with pytest.raises(ValueError):
            chain.parse_head(text)


def test_genesis_is_sixty_four_zeros():
    assert GENESIS == "0000000000000000000000000000000000000000000000000000000000000000"


def test_verify_chain_accepts_an_intact_chain_and_reports_its_head():
    events = build_chain(4)
    assert verify_chain(events) == chain.VerificationResult(True, 4, events[3].hash)


def test_verify_chain_accepts_datetimes_for_at():
    events = build_chain(2)
    as_datetimes = [replace(e, at=datetime.fromisoformat(str(e.at))) for e in events]
    assert verify_chain(as_datetimes).ok is True


def test_verify_chain_of_nothing_is_ok_with_genesis_head():
    assert verify_chain([]) == chain.VerificationResult(True, 0, GENESIS)


def test_verify_chain_detects_a_tampered_field_at_its_index():
    events = build_chain(5)
    events[2] = replace(events[2], data={"value": "10", "note": "评分"})
    result = verify_chain(events)
    assert (result.ok, result.broken_at, result.reason, result.head_hash) == (False, 2, "hash_mismatch", events[1].hash)


def test_verify_chain_detects_a_tampered_actor():
    events = build_chain(3)
    events[0] = replace(events[0], actor="user:8")
    assert (verify_chain(events).broken_at, verify_chain(events).reason) == (0, "hash_mismatch")


def test_verify_chain_detects_a_deleted_event():
    events = build_chain(5)
    del events[3]
    result = verify_chain(events)
    assert (result.broken_at, result.reason, result.detail) == (3, "seq_gap", {"expected": 4, "found": 5})


def test_verify_chain_detects_reordered_events():
    events = build_chain(5)
    events[1], events[2] = events[2], events[1]
    result = verify_chain(events)
    assert (result.broken_at, result.reason) == (1, "seq_gap")


def test_verify_chain_detects_a_deleted_event_renumbered_by_prev_mismatch():
    events = build_chain(4)
    renumbered = [events[0], replace(events[2], seq=2), replace(events[3], seq=3)]
    result = verify_chain(renumbered)
    assert (result.broken_at, result.reason) == (1, "prev_mismatch")


def test_verify_chain_detects_a_cut_off_tail_only_against_an_expected_head():
    events = build_chain(4)
    assert verify_chain(events[:3]).ok is True
    result = verify_chain(events[:3], expected_head=events[3].hash)
    assert (result.ok, result.broken_at, result.reason, result.head_hash) == (False, 3, "head_mismatch", events[2].hash)


def test_verify_chain_checks_a_segment_from_a_known_link():
    events = build_chain(4)
    assert verify_chain(events[2:], start_seq=3, start_hash=events[1].hash) == chain.VerificationResult(
        True, 2, events[3].hash
    )
