"""The near-duplicate search at 2,000, 20,000 and 100,000 fingerprints: the index (``similarity.find_pairs``)
against the scan of every pair (``similarity.find_pairs_exhaustive``).

    python benchmarks/screening.py [--quick] [--reps N]

Planted among random fingerprints (what distinct images look like to the hash): real edited copies, the
fingerprints of generated posters (tests/imagegen.py) and of each one's edits as the tests make them (crops,
rescales, recompression, hue and brightness changes, a caption, a duotone). Recall is the share of
(original, copy) pairs the rule flags (the scan, pair by pair) that the index finds among all the
others. The scan is timed on a sample (the planted fingerprints plus random ones) and scaled to all pairs
(it grows with their number); on that sample the two must find the same pairs with the same scores.
Time is the median of the repetitions (parsing included); memory is tracemalloc's peak during one more
run, and the process's peak resident size after each size. Beyond the index's guarantee (a pair within
INDEX_TABLES - 1 bits in a channel), the share found of synthetic pairs with every channel d bits apart
at one alignment is printed too. ``--quick``: 2,000 and 20,000 fingerprints only (100,000 takes 20-30 s
a run on a busy machine, too long for a quick run; ``seconds_100k`` is then null), 4 posters rather than 12
and a scan sample of 600 rather than 1,500. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from contest.media import similarity
from tests import imagegen
from tests.media.test_similarity_demo import ALL_EDITS

FULL_SIZES = (2_000, 20_000, 100_000)


def random_fingerprint(rng: random.Random) -> str:
    digits = similarity.HASHES_PER_IMAGE * similarity.HEX_PER_HASH
    return ":".join([similarity.VERSION, *(f"{rng.getrandbits(digits * 4):0{digits}x}" for _ in range(3))])


def planted(posters: int) -> tuple[list[str], list[tuple[int, int]]]:
    """Fingerprints of posters and their edited copies, and the (original, copy) positions the rule flags."""
    values, flagged = [], []
    for seed in range(900, 900 + posters):
        image = imagegen.poster((800, 600), seed)
        original = len(values)
        values.append(similarity.fingerprint(image))
        for edit in ALL_EDITS.values():
            values.append(similarity.fingerprint(edit(image)))
            if similarity.similarity(values[original], values[-1]) >= similarity.THRESHOLD:
                flagged.append((original, len(values) - 1))
    return values, flagged


def timed(search: Callable[[list[str]], list[similarity.Match]], values: list[str], reps: int
          ) -> tuple[float, list[similarity.Match]]:
    times, found = [], []
    for _ in range(reps):
        started = time.perf_counter()
        found = search(values)
        times.append(time.perf_counter() - started)
    return statistics.median(times), found


def peak_mb(values: list[str]) -> float:
    tracemalloc.start()
    similarity.find_pairs(values)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return round(peak / 2**20, 1)


def measure(size: int, plants: list[str], flagged: list[tuple[int, int]], sample: int, reps: int) -> dict:
    rng = random.Random(size)
    values = plants + [random_fingerprint(rng) for _ in range(size - len(plants))]
    order = list(range(size))
    rng.shuffle(order)  # planted copies anywhere among the others
    shuffled = [values[i] for i in order]
    where = {old: new for new, old in enumerate(order)}
    seconds, found = timed(similarity.find_pairs, shuffled, reps)
    pairs = {(m.left, m.right) for m in found}
    caught = sum(tuple(sorted((where[a], where[b]))) in pairs for a, b in flagged)
    head = values[:sample]  # planted ones and random ones
    scan_seconds, scanned = timed(similarity.find_pairs_exhaustive, head, reps)
    scan_scaled = scan_seconds * (size * (size - 1)) / (sample * (sample - 1))
    row = {"fingerprints": size, "seconds": round(seconds, 2), "scan_seconds_scaled": round(scan_scaled, 1),
           "ratio": round(seconds / scan_scaled, 5), "recall": round(caught / len(flagged), 4),
           "pairs_found": len(found), "same_as_scan_on_sample": similarity.find_pairs(head) == scanned,
           "tracemalloc_peak_mb": peak_mb(shuffled),
           "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}
    print(f"{size:>7} fingerprints: index {seconds:.2f} s (median of {reps}), scan ~{scan_scaled:.1f} s (timed on "
          f"{sample}, scaled), ratio {row['ratio']}, recall {caught}/{len(flagged)}, same pairs on the sample: "
          f"{row['same_as_scan_on_sample']}, peak {row['tracemalloc_peak_mb']} MB traced, process peak {row['peak_rss_mb']} MB")
    return row


def beyond_guarantee(pairs: int) -> dict[int, float]:
    """Bits apart (every channel, one random alignment) -> the share of such pairs the index finds."""
    rng = random.Random(7)
    shares = {}
    for bits in (8, 12, 16, 20, 24):
        values = []
        for _ in range(pairs):
            source = [[rng.getrandbits(similarity.BITS) for _ in range(similarity.HASHES_PER_IMAGE)] for _ in range(3)]
            copy = [[rng.getrandbits(similarity.BITS) for _ in range(similarity.HASHES_PER_IMAGE)] for _ in range(3)]
            i, j = rng.randrange(similarity.HASHES_PER_IMAGE), rng.randrange(similarity.HASHES_PER_IMAGE)
            for channel in range(3):
                copy[channel][j] = source[channel][i]
                for position in rng.sample(range(similarity.BITS), bits):
                    copy[channel][j] ^= 1 << position
            values += [":".join([similarity.VERSION, *("".join(f"{h:0{similarity.HEX_PER_HASH}x}" for h in channel)
                                                       for channel in hashes)]) for hashes in (source, copy)]
        expected = len(similarity.find_pairs_exhaustive(values))
        shares[bits] = round(len(similarity.find_pairs(values)) / expected, 3)
    print("beyond the guarantee, share found of pairs d bits apart in every channel: "
          + ", ".join(f"{bits}: {share}" for bits, share in shares.items()))
    return shares


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="2,000 and 20,000 only (under a minute)")
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    plants, flagged = planted(4 if args.quick else 12)
    sample = 600 if args.quick else 1_500
    print(f"{len(plants)} planted fingerprints: {len(flagged)} (original, copy) pairs the rule flags of "
          f"{len(plants) - len(plants) // (len(ALL_EDITS) + 1)} copies")
    rows = [measure(size, plants, flagged, sample, args.reps) for size in (FULL_SIZES[:2] if args.quick else FULL_SIZES)]
    shares = beyond_guarantee(100 if args.quick else 300)
    last = rows[-1] if rows[-1]["fingerprints"] == 100_000 else {}
    print(json.dumps({"benchmark": "screening", "quick": args.quick, "seconds_100k": last.get("seconds"),
                      "recall": min(r["recall"] for r in rows), "seconds_20k": rows[1]["seconds"],
                      "ratio_100k": last.get("ratio"), "scan_seconds_100k_scaled": last.get("scan_seconds_scaled"),
                      "same_as_scan_on_samples": all(r["same_as_scan_on_sample"] for r in rows),
                      "found_beyond_guarantee": shares, "runs": rows}))


if __name__ == "__main__":
    main()
