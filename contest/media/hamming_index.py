"""Candidate pairs of close binary codes by multi-index hashing (Norouzi, Punjani and Fleet, CVPR 2012).

Each code is cut into ``tables`` disjoint runs of bits (substrings). Two codes that differ in at most
``tables - 1`` bits agree on at least one substring outright (pigeonhole: each differing bit spoils one
substring), so they meet in that substring's table. Codes further apart meet by chance, the more often
the closer they are. A table is one sort, not a hash map: entries with equal keys end up side by side.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

OWNER_BITS = 24  # up to 16 million owners (images) per search
PART_BITS = 8    # up to 256 codes per owner (regions of an image)


@dataclass(frozen=True)
class Meeting:
    """Owners that met in one table: ``left[k]`` and ``right[k]`` (``left < right``), each with the part of its
    code that met, when only one of its parts had that key (else -1: check the owners' parts in full)."""
    left: np.ndarray
    right: np.ndarray
    left_part: np.ndarray
    right_part: np.ndarray


def substrings(bits: int, tables: int) -> list[tuple[int, int]]:
    """(first bit, length) of each of ``tables`` near-equal runs covering ``bits``."""
    cuts = [round(bits * t / tables) for t in range(tables + 1)]
    return [(start, stop - start) for start, stop in itertools.pairwise(cuts)]


def keys(codes: np.ndarray, start: int, length: int) -> np.ndarray:
    """Bits ``start .. start + length`` of codes stored as (M, W) uint64 words, lowest bits in word 0."""
    word, offset = divmod(start, 64)
    key = codes[:, word] >> np.uint64(offset)
    if offset + length > 64:
        key |= codes[:, word + 1] << np.uint64(64 - offset)
    return key & np.uint64((1 << length) - 1)


def meetings(codes: np.ndarray, owners: np.ndarray, parts: np.ndarray, bits: int, tables: int) -> Iterator[Meeting]:
    """For each substring table, the pairs of different owners with a code each that agree on that substring."""
    if not owners.size:
        return
    if (owners.max() >= 1 << OWNER_BITS or parts.max() >= 1 << PART_BITS):
        raise ValueError("too many codes for the index")
    for start, length in substrings(bits, tables):
        if length + OWNER_BITS + PART_BITS > 63:
            raise ValueError("substrings too long for the index")
        composite = (keys(codes, start, length).astype(np.int64) << (OWNER_BITS + PART_BITS)
                     | owners.astype(np.int64) << PART_BITS | parts.astype(np.int64))
        yield _pairs_in_buckets(np.sort(composite))


def _pairs_in_buckets(entries: np.ndarray) -> Meeting:
    # runs of one owner within one key, then every pair of runs that share a key
    owner_key = entries >> PART_BITS
    run_starts = np.flatnonzero(np.diff(owner_key, prepend=-1))
    run_sizes = np.diff(run_starts, append=len(entries))
    run_key = owner_key[run_starts] >> OWNER_BITS
    run_owner = owner_key[run_starts] & ((1 << OWNER_BITS) - 1)
    run_part = np.where(run_sizes == 1, entries[run_starts] & ((1 << PART_BITS) - 1), -1)
    group_starts = np.flatnonzero(np.diff(run_key, prepend=-1))
    group_ends = np.repeat(np.append(group_starts[1:], len(run_key)), np.diff(group_starts, append=len(run_key)))
    partners = group_ends - np.arange(len(run_key)) - 1
    first = np.repeat(np.arange(len(run_key)), partners)
    offsets = np.arange(len(first)) - np.repeat(np.cumsum(partners) - partners, partners)
    second = first + 1 + offsets
    return Meeting(run_owner[first], run_owner[second], run_part[first], run_part[second])
