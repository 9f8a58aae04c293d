"""The near-duplicate search over stored fingerprints: the vectorised scan against a plain pairwise loop.

    python benchmarks/screening.py [--quick] [--reps N]

Random fingerprints (what distinct images look like to the hash) with a few planted copies. The
reference is ``similarity.distance`` called pair by pair on a sample of the same fingerprints, the
straightforward way to write the search; its time is scaled to all pairs. Each figure is the median
of the repetitions. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from contest.media import similarity

REFERENCE_SAMPLE = 120


def fingerprints(count: int, copies: int, seed: int) -> tuple[list[str], set[tuple[int, int]]]:
    rng = random.Random(seed)
    digits = similarity.HASHES_PER_IMAGE * similarity.HEX_PER_HASH
    def part() -> str:
        return f"{rng.getrandbits(digits * 4):0{digits}x}"
    values = [f"{similarity.VERSION}:{part()}:{part()}:{part()}" for _ in range(count)]
    planted = set()
    for _ in range(copies):
        source = rng.randrange(count)
        values.append(values[source])
        planted.add((source, len(values) - 1))
    return values, planted


def time_scan(values: list[str]) -> tuple[float, set[tuple[int, int]]]:
    started = time.perf_counter()
    found = {(m.left, m.right) for m in similarity.find_pairs(values)}
    return time.perf_counter() - started, found


def time_reference_per_pair(values: list[str]) -> float:
    sample = values[:REFERENCE_SAMPLE]
    pairs = list(itertools.combinations(sample, 2))
    started = time.perf_counter()
    for a, b in pairs:
        similarity.distance(a, b)
    return (time.perf_counter() - started) / len(pairs)


def measure(count: int, reps: int) -> dict:
    values, planted = fingerprints(count, copies=10, seed=count)
    scans, recalls = [], []
    for _ in range(reps):
        seconds, found = time_scan(values)
        scans.append(seconds)
        recalls.append(len(planted & found) / len(planted))
    pairs = len(values) * (len(values) - 1) / 2
    reference = statistics.median(time_reference_per_pair(values) for _ in range(reps)) * pairs
    scan = statistics.median(scans)
    row = {"fingerprints": len(values), "seconds": round(scan, 3), "reference_seconds": round(reference, 1),
           "ratio": round(scan / reference, 4), "recall": min(recalls)}
    print(f"{len(values):>7} fingerprints: scan {scan:.3f} s (median of {reps}), pairwise loop ~{reference:.1f} s "
          f"(scaled from {REFERENCE_SAMPLE} fingerprints), ratio {row['ratio']}, recall {row['recall']:.2f}")
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 fingerprints only (a few seconds)")
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    sizes = [2_000] if args.quick else [2_000, 5_000]
    rows = [measure(size, args.reps) for size in sizes]
    print(json.dumps({"benchmark": "screening", "runs": rows,
                      "seconds_2k": rows[0]["seconds"], "recall": min(r["recall"] for r in rows)}))


if __name__ == "__main__":
    main()
