"""Near-duplicate detection with perceptual hashes, storable as short hex strings.

One global pHash misses crops, and a luma-based one misses hue shifts. So each image gets a
pHash of its *HSV value* channel (max of R, G, B: a hue rotation leaves it unchanged, a brightness
change only scales it) for the whole frame and for 10 crops (90 % at nine anchors, 80 % centre).
Two images compare as the best match over all region pairs: a crop of A lines up with the whole
of A-cropped. 144-bit hashes rather than 64: with 121 region pairs per comparison, 64 bits let
random pairs of 2,000 images fall under the threshold by chance. Comparisons run on uint64 words:
2,000 images in about 1.5 s on 2 cores.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import imagehash
import numpy as np
from PIL import Image, ImageChops

VERSION = "v1"
WORK_SIZE = 256
# (scale, anchors): an anchor (fx, fy) places the crop from the left/top (0) to the right/bottom (1)
_GRID = tuple((fx, fy) for fx in (0.0, 0.5, 1.0) for fy in (0.0, 0.5, 1.0))
REGIONS: tuple[tuple[float, tuple[tuple[float, float], ...]], ...] = (
    (1.0, ((0.5, 0.5),)), (0.9, _GRID), (0.8, ((0.5, 0.5),)),
)
HASHES_PER_IMAGE = sum(len(anchors) for _, anchors in REGIONS)
HASH_SIZE = 12
BITS = HASH_SIZE * HASH_SIZE
HEX_PER_HASH = BITS // 4
WORDS = -(-BITS // 64)
# Unrelated images sit ~BITS/2 apart; the score maps that to 0 and an exact match to 1.
RANDOM_DISTANCE = BITS // 2
# Measured on 50 generated posters and photos: edited copies <= 28 bits apart (score >= 0.61),
# unrelated images >= 38 bits (score <= 0.47). The cut (33 bits) sits in the middle.
THRESHOLD = 0.54


@dataclass(frozen=True)
class SimilarPair:
    a: str
    b: str
    score: float      # 1.0 = same picture; >= THRESHOLD = probably the same design


def fingerprint(image: Image.Image) -> str:
    """``"v1:"`` followed by ``HASHES_PER_IMAGE`` 144-bit hashes in hex (399 characters)."""
    value = _value_channel(image)
    hashes = (str(imagehash.phash(value.crop(box), hash_size=HASH_SIZE)) for box in _boxes(*value.size))
    return f"{VERSION}:" + "".join(hashes)


@dataclass(frozen=True)
class Match:
    left: int         # indexes into the sequence given to find_pairs
    right: int
    similarity: float


def fingerprint_file(path: Path) -> str:
    with Image.open(path, formats=["JPEG", "PNG", "WEBP"]) as image:
        image.draft("RGB", (WORK_SIZE * 2, WORK_SIZE * 2))
        return fingerprint(image)


def hash_image(path: Path) -> str:
    """The fingerprint of an image file (use a derivative: it is upright, sRGB and small)."""
    return fingerprint_file(path)


def _value_channel(image: Image.Image) -> Image.Image:
    rgb = image.convert("RGB")
    rgb.thumbnail((WORK_SIZE, WORK_SIZE), Image.Resampling.LANCZOS)
    red, green, blue = rgb.split()
    return ImageChops.lighter(ImageChops.lighter(red, green), blue)


def _boxes(width: int, height: int) -> Iterator[tuple[int, int, int, int]]:
    for scale, anchors in REGIONS:
        crop_w, crop_h = width * scale, height * scale
        for fx, fy in anchors:
            left, top = (width - crop_w) * fx, (height - crop_h) * fy
            yield round(left), round(top), round(left + crop_w), round(top + crop_h)


def parse(value: str) -> np.ndarray:
    version, _, digits = value.partition(":")
    if version != VERSION or len(digits) != HASHES_PER_IMAGE * HEX_PER_HASH:
        raise ValueError(f"not a {VERSION} fingerprint: {value[:20]!r}")
    hashes = (int(digits[i:i + HEX_PER_HASH], 16) for i in range(0, len(digits), HEX_PER_HASH))
    return np.array([_words(h) for h in hashes], dtype=np.uint64)


def _words(value: int) -> list[int]:
    return [(value >> (64 * i)) & 0xFFFF_FFFF_FFFF_FFFF for i in range(WORDS)]


def distance(a: str, b: str) -> int:
    """Fewest differing bits over all region pairs."""
    return int(_min_distances(parse(a)[None, :], parse(b)[None, :])[0])


def score_from_distance(bits: int | np.ndarray) -> float | np.ndarray:
    return np.clip(1.0 - np.asarray(bits) / RANDOM_DISTANCE, 0.0, 1.0)


def similarity(a: str, b: str) -> float:
    return float(score_from_distance(distance(a, b)))


def find_pairs(fingerprints: Sequence[str], *, threshold: float = THRESHOLD) -> list[Match]:
    """Every pair of positions whose images score >= ``threshold``, most similar first."""
    shape = (0, HASHES_PER_IMAGE, WORDS)
    matrix = np.stack([parse(value) for value in fingerprints]) if fingerprints else np.empty(shape, np.uint64)
    max_bits = int(np.floor((1.0 - threshold) * RANDOM_DISTANCE + 1e-9))
    matches = [Match(i, j, float(score_from_distance(bits))) for i, j, bits in _close_pairs(matrix, max_bits)]
    return sorted(matches, key=lambda m: (-m.similarity, m.left, m.right))


def find_similar(fingerprints: Mapping[str, str], *, threshold: float = THRESHOLD) -> list[SimilarPair]:
    """``find_pairs`` for a mapping of ids (entry or image keys) to stored fingerprints."""
    ids = list(fingerprints)
    matches = find_pairs([fingerprints[i] for i in ids], threshold=threshold)
    return [SimilarPair(ids[m.left], ids[m.right], m.similarity) for m in matches]


def _close_pairs(matrix: np.ndarray, max_bits: int) -> Iterator[tuple[int, int, int]]:
    for i in range(len(matrix) - 1):
        bits = _min_distances(matrix[i][None, :], matrix[i + 1:])
        for offset in np.flatnonzero(bits <= max_bits):
            yield i, i + 1 + int(offset), int(bits[offset])


def _min_distances(one: np.ndarray, many: np.ndarray) -> np.ndarray:
    """For (1, K, W) against (N, K, W): the smallest popcount of XOR over the K x K region pairs."""
    # word by word: summing a short last axis is ~5x slower than adding whole uint8 arrays
    total = np.zeros((len(many), HASHES_PER_IMAGE, HASHES_PER_IMAGE), dtype=np.uint8)
    for word in range(WORDS):
        total += np.bitwise_count(one[:, :, None, word] ^ many[:, None, :, word])
    return total.reshape(len(many), -1).min(axis=1)


def pairwise_scores(fingerprints: Mapping[str, str]) -> dict[tuple[str, str], float]:
    """All pairs with their scores (for small sets and for measuring thresholds)."""
    return {(a, b): similarity(fingerprints[a], fingerprints[b]) for a, b in itertools.combinations(fingerprints, 2)}
