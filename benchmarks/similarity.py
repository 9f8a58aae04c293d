"""Precision and recall of the near-duplicate rule: value-only pHash on 11 regions ("v1", score >= 0.54)
against the current rule ("v2": 15 regions, value and saturation-or-luma at one alignment), on the same
pictures in the same run.

    python benchmarks/similarity.py [--quick]

Negatives: every pair of pictures of two different entries of one demo contest (drawn by contest.demo_art
as contest.demo seeds them), and every pair of the unrelated test posters and photos. Positives: each
original against its copies made with the edits of tests/media/test_similarity.py (crops, rescales,
recompression, hue and brightness changes) plus a small caption and a duotone recolouring, on test
posters and on every demo picture. The compare time is the median of single ``similarity.distance`` calls.
On all the originals and copies together, the indexed search (``find_pairs``) must find the same pairs as the
scan of every pair (``index_same_as_scan``). The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image

from contest import demo_art
from contest.demo import PICTURE_SIZE, TRACKS
from contest.media import similarity
from tests import imagegen
from tests.media.test_similarity_demo import ALL_EDITS

OLD_THRESHOLD = 0.54
# contest -> first seed, entries per track (as contest.demo seeds last year's, this year's and the campus contest)
CONTESTS = {"2025": (2025_000, 6), "2026": (2026_000, 3), "campus": (2026_500, 2)}


def old_rule(fingerprint: str) -> str:
    """The "v1" fingerprint: the value hashes of the first 11 regions, computed as before."""
    value = fingerprint.split(":")[1]
    return f"{similarity.LEGACY_VERSION}:{value[:similarity.LEGACY_REGIONS * similarity.HEX_PER_HASH]}"


def demo_pictures(quick: bool) -> dict[tuple[str, int, int], Image.Image]:
    """(contest, entry seed, picture number) -> picture."""
    pictures = {}
    for contest, (base, per_track) in CONTESTS.items():
        if quick and contest != "campus":
            continue
        for position, spec in enumerate(TRACKS, start=1):
            for index in range(per_track):
                seed = base + position * 10 + index
                for n, image in enumerate(demo_art.render_entry_images(seed, track=spec["art"], count=2,
                                                                       size=PICTURE_SIZE)):
                    pictures[(contest, seed, n)] = image
    return pictures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the campus contest and two test posters (~30 s)")
    args = parser.parse_args()

    demo = demo_pictures(args.quick)
    demo_fp = {key: similarity.fingerprint(image) for key, image in demo.items()}
    negatives = [(demo_fp[a], demo_fp[b]) for a, b in itertools.combinations(demo_fp, 2)
                 if a[0] == b[0] and a[1] != b[1]]
    unrelated = [imagegen.poster((800, 600), seed) for seed in range(600, 630)]
    unrelated += [imagegen.photo((900, 600), seed) for seed in range(700, 705)]
    negatives += list(itertools.combinations([similarity.fingerprint(image) for image in unrelated], 2))

    originals = [imagegen.poster((800, 600), seed) for seed in range(500, 502 if args.quick else 506)]
    originals += list(demo.values())
    positives, collection = [], []
    for image in originals:
        original = similarity.fingerprint(image)
        positives += [(original, similarity.fingerprint(edit(image))) for edit in ALL_EDITS.values()]
        collection += [original, *(copy for _, copy in positives[-len(ALL_EDITS):])]
    indexed = similarity.find_pairs(collection)
    same = indexed == similarity.find_pairs_exhaustive(collection)
    print(f"index on {len(collection)} originals and copies: {len(indexed)} pairs, the same as the scan: {same}")

    def old(a: str, b: str) -> bool:
        return similarity.similarity(old_rule(a), old_rule(b)) >= OLD_THRESHOLD

    def new(a: str, b: str) -> bool:
        return similarity.similarity(a, b) >= similarity.THRESHOLD

    figures, caught_by = {}, {}
    for name, rule in (("old", old), ("new", new)):
        false_pairs = sum(rule(a, b) for a, b in negatives)
        caught_by[name] = {i for i, (a, b) in enumerate(positives) if rule(a, b)}
        caught = len(caught_by[name])
        figures[name] = (false_pairs, caught)
        print(f"{name}: {false_pairs} false pairs of {len(negatives)}, {caught} of {len(positives)} edits caught; "
              f"precision {caught / max(caught + false_pairs, 1):.3f}, recall {caught / len(positives):.3f}")

    def p50_us(pairs: list[tuple[str, str]]) -> float:
        times = []
        for a, b in pairs:
            start = time.perf_counter()
            similarity.distance(a, b)
            times.append(time.perf_counter() - start)
        return round(statistics.median(times) * 1e6, 1)

    sample = negatives[:300]
    print(json.dumps({"benchmark": "similarity", "quick": args.quick, "negatives": len(negatives),
                      "edits": len(positives), "old_false_pairs": figures["old"][0],
                      "new_false_pairs": figures["new"][0], "edits_caught_old": figures["old"][1],
                      "edits_caught_new": figures["new"][1],
                      "edits_lost": len(caught_by["old"] - caught_by["new"]),
                      "compare_p50_us_old": p50_us([(old_rule(a), old_rule(b)) for a, b in sample]),
                      "compare_p50_us": p50_us(sample), "index_same_as_scan": same}))


if __name__ == "__main__":
    main()
