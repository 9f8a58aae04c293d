"""The indexed near-duplicate search (``find_pairs``) against the scan of every pair (``find_pairs_exhaustive``):
the same pairs with the same scores on a mix of unrelated fingerprints, real edited copies and synthetic pairs
on either side of the threshold; and every pair it promises to find (one alignment passing the rule within
INDEX_TABLES - 1 bits in some channel), wherever the regions sit."""

from __future__ import annotations

import random
from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contest.media import hamming_index, similarity
from contest.media.similarity import (
    HASHES_PER_IMAGE,
    INDEX_TABLES,
    LEGACY_REGIONS,
    THRESHOLD,
    find_pairs,
    find_pairs_exhaustive,
    fingerprint,
)
from tests import imagegen
from tests.media.edits import EDITS

pytestmark = [pytest.mark.unit, pytest.mark.any_database]

MAX_BITS = int((1 - THRESHOLD) * similarity.RANDOM_DISTANCE)  # 24
GUARANTEED = INDEX_TABLES - 1


def _hashes(rng: random.Random, count: int = HASHES_PER_IMAGE) -> list[int]:
    return [rng.getrandbits(similarity.BITS) for _ in range(count)]


def _text(hashes: Sequence[int]) -> str:
    return "".join(f"{h:0{similarity.HEX_PER_HASH}x}" for h in hashes)


def _fingerprint(value: Sequence[int], colour: tuple[Sequence[int], Sequence[int]] | None) -> str:
    if len(value) == LEGACY_REGIONS:
        return f"{similarity.LEGACY_VERSION}:{_text(value)}"
    return f"v2:{_text(value)}:" + (similarity.GREY if colour is None else f"{_text(colour[0])}:{_text(colour[1])}")


def _flip(rng: random.Random, code: int, bits: int) -> int:
    for position in rng.sample(range(similarity.BITS), bits):
        code ^= 1 << position
    return code


def _near_copy(rng: random.Random, source: tuple[list[int], list[int] | None, list[int] | None],
               alignment: tuple[int, int], bits: tuple[int, int, int]) -> str:
    """Random hashes but for region ``alignment[1]``: source's region ``alignment[0]`` with (value, saturation,
    luma) bits flipped."""
    value, saturation, luma = source
    i, j = alignment
    count = len(value)
    copy_value = _hashes(rng, count)
    copy_value[j] = _flip(rng, value[i], bits[0])
    if saturation is None or luma is None:
        return _fingerprint(copy_value, None)
    copy_saturation, copy_luma = _hashes(rng), _hashes(rng)
    copy_saturation[j] = _flip(rng, saturation[i], bits[1])
    copy_luma[j] = _flip(rng, luma[i], bits[2])
    return _fingerprint(copy_value, (copy_saturation, copy_luma))


def _mixed_set() -> list[str]:
    rng = random.Random(16)
    values = [_fingerprint(_hashes(rng), (_hashes(rng), _hashes(rng))) for _ in range(300)]
    values += [_fingerprint(_hashes(rng), None) for _ in range(20)]
    values += [_fingerprint(_hashes(rng, LEGACY_REGIONS), None) for _ in range(10)]
    for seed in (650, 651):
        original = imagegen.poster((800, 600), seed)
        values += [fingerprint(original)] + [fingerprint(edit(original)) for edit in EDITS.values()]
    for _ in range(40):  # the rule's value bits on either side of the threshold, the colour close
        source = (_hashes(rng), _hashes(rng), _hashes(rng))
        values.append(_fingerprint(source[0], (source[1], source[2])))
        alignment = (rng.randrange(HASHES_PER_IMAGE), rng.randrange(HASHES_PER_IMAGE))
        values.append(_near_copy(rng, source, alignment,
                                 (rng.choice([MAX_BITS - 1, MAX_BITS, MAX_BITS + 1]), rng.randrange(60), 2)))
    for _ in range(10):  # grey, close enough to be guaranteed, against the colour copy's value
        source = (_hashes(rng), _hashes(rng), _hashes(rng))
        values.append(_fingerprint(source[0], None))
        values.append(_near_copy(rng, source, (3, 9), (GUARANTEED, 70, 70)))
    rng.shuffle(values)
    return values


def test_the_index_finds_what_the_scan_finds_on_a_mixed_set() -> None:
    values = _mixed_set()
    indexed = find_pairs(values)
    assert indexed == find_pairs_exhaustive(values)
    scores = [m.similarity for m in indexed]
    # not vacuous: the edited posters, and synthetic pairs right at the threshold, are among them
    assert len(indexed) > 100 and min(scores) == pytest.approx(1 - MAX_BITS / similarity.RANDOM_DISTANCE), scores


@settings(max_examples=60, deadline=None, database=None, derandomize=True)
@given(seed=st.integers(0, 2**32), alignment=st.tuples(st.integers(0, 14), st.integers(0, 14)),
       close=st.integers(0, GUARANTEED), far=st.tuples(st.integers(0, MAX_BITS), st.integers(0, MAX_BITS)),
       channel=st.integers(0, 2), kind=st.sampled_from(["colour", "grey", "legacy"]))
def test_a_pair_within_the_guarantee_is_always_found(
    seed: int, alignment: tuple[int, int], close: int, far: tuple[int, int], channel: int, kind: str,
) -> None:
    rng = random.Random(seed)
    if kind == "colour":
        source = (_hashes(rng), _hashes(rng), _hashes(rng))
        bits = list(far)
        bits.insert(channel, close)
    else:
        count = LEGACY_REGIONS if kind == "legacy" else HASHES_PER_IMAGE
        source = (_hashes(rng, count), None, None)
        alignment = (alignment[0] % count, alignment[1] % count)
        bits = [close, 0, 0]
    original = _fingerprint(source[0], None if source[1] is None else (source[1], source[2] or []))
    copy = _near_copy(rng, source, alignment, (bits[0], bits[1], bits[2]))
    others = [_fingerprint(_hashes(rng), (_hashes(rng), _hashes(rng))) for _ in range(5)]
    values = [*others[:2], original, *others[2:], copy]
    expected = find_pairs_exhaustive(values)
    assert [(m.left, m.right) for m in expected] == [(2, 6)]
    assert find_pairs(values) == expected


def test_substrings_cover_every_bit_once() -> None:
    runs = hamming_index.substrings(similarity.BITS, INDEX_TABLES)
    covered = [bit for start, length in runs for bit in range(start, start + length)]
    assert covered == list(range(similarity.BITS))
    assert {length for _, length in runs} == {20, 21}


def _words(code: int) -> list[int]:
    return [(code >> (64 * w)) & (2**64 - 1) for w in range(similarity.WORDS)]


def test_fingerprints_are_read_as_their_hashes_in_uint64_words() -> None:
    rng = random.Random(3)
    value, saturation, luma, grey = (_hashes(rng) for _ in range(4))
    legacy = _hashes(rng, LEGACY_REGIONS)
    coloured = similarity.parse(_fingerprint(value, (saturation, luma)))
    assert [(coloured.value == [_words(h) for h in value]).all(), coloured.legacy] == [True, False]
    assert coloured.saturation is not None and (coloured.saturation == [_words(h) for h in saturation]).all()
    assert coloured.luma is not None and (coloured.luma == [_words(h) for h in luma]).all()
    plain = similarity.parse(_fingerprint(grey, None))
    assert ((plain.value == [_words(h) for h in grey]).all(), plain.saturation, plain.luma) == (True, None, None)
    old = similarity.parse(_fingerprint(legacy, None))
    padded = [_words(h) for h in legacy] + [[0] * similarity.WORDS] * (HASHES_PER_IMAGE - LEGACY_REGIONS)
    assert ((old.value == padded).all(), old.saturation, old.legacy) == (True, None, True)


@pytest.mark.parametrize("value", ["v2:" + "g" * 540 + ":-", "v2:" + " " * 540 + ":-", "v2:ab:-", "v1:" + "a" * 540,
                                   "v2:" + "a" * 540 + ":" + "a" * 540])
def test_the_bulk_reader_refuses_what_parse_refuses(value: str) -> None:
    with pytest.raises(ValueError):
        similarity.parse(value)
    with pytest.raises(ValueError):
        find_pairs([value])


def test_codes_within_tables_minus_one_bits_meet_and_an_owner_never_meets_itself() -> None:
    rng = random.Random(5)
    base = [rng.getrandbits(similarity.BITS) for _ in range(40)]
    near = [_flip(rng, code, rng.randrange(INDEX_TABLES)) for code in base]
    codes = base + near + [base[0]]  # the last: owner 0 again, a second part with the same code

    array = np.array([_words(code) for code in codes], np.uint64)
    owners = np.array([*range(40), *range(40, 80), 0])
    parts = np.array([0] * 80 + [1])
    met: set[tuple[int, int]] = set()
    for meeting in hamming_index.meetings(array, owners, parts, similarity.BITS, INDEX_TABLES):
        assert (meeting.left < meeting.right).all()
        met |= set(zip(meeting.left.tolist(), meeting.right.tolist(), strict=True))
        several = meeting.left == 0  # owner 0 has two parts under its key: no single part is named
        assert (meeting.left_part[several] == -1).all()
    assert {(i, i + 40) for i in range(40)} <= met
