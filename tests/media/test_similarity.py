from __future__ import annotations

import itertools
import random

import pytest
from PIL import Image

from contest.media import similarity
from contest.media.similarity import THRESHOLD, Match, SimilarPair, find_pairs, find_similar, fingerprint
from tests import imagegen
from tests.media.edits import EDITS, crop, jpeg

pytestmark = [pytest.mark.unit, pytest.mark.any_database]

# seeds not used when the threshold was chosen
ORIGINAL_SEEDS = range(500, 506)
UNRELATED_SEEDS = range(600, 630)


@pytest.fixture(scope="module")
def originals() -> dict[int, Image.Image]:
    return {seed: imagegen.poster((800, 600), seed) for seed in ORIGINAL_SEEDS}


@pytest.fixture(scope="module")
def unrelated() -> dict[str, str]:
    images = {f"poster{s}": imagegen.poster((800, 600), s) for s in UNRELATED_SEEDS}
    images |= {f"photo{s}": imagegen.photo((900, 600), s) for s in range(700, 705)}
    return {name: fingerprint(im) for name, im in images.items()}


def test_fingerprint_is_a_short_versioned_hex_string() -> None:
    value = fingerprint(imagegen.poster((400, 300), 1))
    version, hashes, saturation, luma = value.split(":")
    assert (len(value), version, len(hashes), len(saturation), len(luma)) == (1625, "v2", 540, 540, 540)
    assert set(hashes + saturation + luma) <= set("0123456789abcdef")
    assert fingerprint(imagegen.poster((400, 300), 1)) == value


def test_an_image_without_colour_has_no_saturation_part() -> None:
    value = fingerprint(imagegen.poster((400, 300), 1).convert("L"))
    assert (len(value), value.split(":")[2]) == (545, "-")


def test_identical_images_score_one() -> None:
    value = fingerprint(imagegen.poster((400, 300), 2))
    assert (similarity.distance(value, value), similarity.similarity(value, value)) == (0, 1.0)


@pytest.mark.parametrize("edit", list(EDITS), ids=list(EDITS))
def test_edited_copies_are_caught(originals: dict[int, Image.Image], edit: str) -> None:
    scores = [similarity.similarity(fingerprint(im), fingerprint(EDITS[edit](im))) for im in originals.values()]
    assert [s >= THRESHOLD for s in scores] == [True] * len(scores), scores


def test_no_false_positive_among_unrelated_images(unrelated: dict[str, str]) -> None:
    assert find_similar(unrelated) == []
    scores = [similarity.similarity(a, b) for a, b in itertools.combinations(unrelated.values(), 2)]
    assert (len(scores), max(scores) < THRESHOLD) == (595, True), max(scores)


def test_threshold_sits_between_edits_and_unrelated_images(
    originals: dict[int, Image.Image], unrelated: dict[str, str],
) -> None:
    worst_edit = min(similarity.similarity(fingerprint(im), fingerprint(edit(im)))
                     for im in originals.values() for edit in EDITS.values())
    best_unrelated = max(similarity.similarity(a, b) for a, b in itertools.combinations(unrelated.values(), 2))
    assert best_unrelated < THRESHOLD <= worst_edit, (best_unrelated, worst_edit)


def test_find_similar_reports_the_planted_duplicates_best_first(unrelated: dict[str, str]) -> None:
    base = imagegen.poster((800, 600), 640)
    collection = dict(unrelated)
    collection["original"] = fingerprint(base)
    collection["recompressed"] = fingerprint(jpeg(base, 40))
    collection["cropped"] = fingerprint(crop(0.1, 0.0, 1.0, 1.0)(base))
    pairs = find_similar(collection)
    assert sorted((p.a, p.b) for p in pairs) == [
        ("original", "cropped"), ("original", "recompressed"), ("recompressed", "cropped")]
    assert [p.score for p in pairs] == sorted((p.score for p in pairs), reverse=True)


def test_find_pairs_uses_positions() -> None:
    a = fingerprint(imagegen.poster((400, 300), 3))
    b = fingerprint(imagegen.poster((400, 300), 4))
    assert find_pairs([a, b, a]) == [Match(0, 2, 1.0)]
    assert find_pairs([]) == []
    assert find_similar({"x": a, "y": a}) == [SimilarPair("x", "y", 1.0)]


def test_bad_fingerprint_is_refused() -> None:
    with pytest.raises(ValueError):
        similarity.parse("v0:abc")


def test_hash_image_reads_a_file(tmp_path: pytest.TempPathFactory) -> None:
    im = imagegen.poster((400, 300), 5)
    path = tmp_path / "display.jpg"  # type: ignore[operator]  # pytest passes a Path; the annotation says otherwise
    im.save(path, "JPEG", quality=85)
    assert similarity.similarity(similarity.hash_image(path), fingerprint(im)) >= 0.9


def test_among_2000_images_only_the_copy_is_found() -> None:
    # its speed is measured by benchmarks/screening.py, not asserted here
    rng = random.Random(0)
    def part() -> str:
        return "".join(f"{rng.getrandbits(144):036x}" for _ in range(similarity.HASHES_PER_IMAGE))
    values = [f"v2:{part()}:{part()}:{part()}" for _ in range(2000)]
    values.append(values[7])
    assert find_pairs(values) == [Match(7, 2000, 1.0)]


def test_a_fingerprint_stored_before_v2_still_compares_on_value_alone() -> None:
    """"v1" (11 value regions, no saturation) is what images uploaded before version 2 carry until re-hashed."""
    base = imagegen.poster((800, 600), 641)
    current = fingerprint(base)
    legacy = "v1:" + current.split(":")[1][:similarity.LEGACY_REGIONS * similarity.HEX_PER_HASH]
    assert similarity.similarity(legacy, fingerprint(jpeg(base, 40))) >= THRESHOLD
    assert similarity.similarity(legacy, current) == 1.0
    assert similarity.similarity(legacy, fingerprint(imagegen.poster((800, 600), 642))) < THRESHOLD
