"""Near-duplicate detection with perceptual hashes, storable as short hex strings.

One global pHash misses crops, and a luma-based one misses hue shifts. So each image gets a
pHash of its *HSV value* channel (max of R, G, B: a hue rotation leaves it unchanged, a brightness
change only scales it) for the whole frame and for crops (90 % at nine anchors, 80 % centre, and
90 % of one side).
Two images compare as the best match over all region pairs: a crop of A lines up with the whole
of A-cropped. 144-bit hashes rather than 64: with 225 region pairs per comparison, 64 bits let
random pairs of 2,000 images fall under the threshold by chance. Comparisons run on uint64 words.
The search (``find_pairs``) does not compare every pair: a multi-index hash of the region hashes
(``_indexed_pairs``, contest/media/hamming_index.py) proposes the pairs to check, 100,000 images in well
under a minute where comparing all pairs would take about a day (benchmarks/screening.py).

Version 2 ("v2"), because the value channel alone could not tell apart two designs drawn on one
layout (the demo's tins and mascots, centred on a pale ground, scored 58-81 %), while a copy cut
on one side only lined up badly with the 90 % regions (cut on every side), so the threshold had to
stay low:
- four more regions, cut on one side only, line up exactly with such a copy (edits now <= 22 bits);
- the same regions are hashed on the *saturation* channel, which hue rotation and brightness
  scaling leave alone, and on *luma*, which recolouring (a duotone of the design) leaves in order.
  A pair matches only when one region alignment is close in value AND close in saturation or luma:
  bits = max(value, min(saturation, luma)) there. A copy keeps one of its colour traits; two designs
  sharing a layout rarely share where their colour and their light fall.
An image with next to no colour (ink, greys) gets no saturation part (its saturation is JPEG
noise); it is compared on value alone, as is a "v1" fingerprint (on its 11 regions) until the
stored images are re-hashed (contest migrate does it).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import imagehash
import numpy as np
from PIL import Image, ImageChops

from contest.media import hamming_index

VERSION = "v2"
LEGACY_VERSION = "v1"  # value hashes only; still compared, on value alone
GREY = "-"  # the saturation part of an image without colour
WORK_SIZE = 256
# (width, height, fx, fy) as fractions of the image: the anchor (fx, fy) places the crop from the left/top
# (0) to the right/bottom (1). The first 11 are those of "v1"; the last 4 line up with a copy cut on one
# side only (its whole frame is 90 % of the original one way and all of it the other way).
REGIONS: tuple[tuple[float, float, float, float], ...] = (
    (1.0, 1.0, 0.5, 0.5),
    *((0.9, 0.9, fx, fy) for fx in (0.0, 0.5, 1.0) for fy in (0.0, 0.5, 1.0)),
    (0.8, 0.8, 0.5, 0.5),
    (0.9, 1.0, 0.0, 0.5), (0.9, 1.0, 1.0, 0.5), (1.0, 0.9, 0.5, 0.0), (1.0, 0.9, 0.5, 1.0),
)
LEGACY_REGIONS = 11
HASHES_PER_IMAGE = len(REGIONS)
HASH_SIZE = 12
BITS = HASH_SIZE * HASH_SIZE
HEX_PER_HASH = BITS // 4
WORDS = -(-BITS // 64)
# Unrelated images sit ~BITS/2 apart; the score maps that to 0 and an exact match to 1.
RANDOM_DISTANCE = BITS // 2
# Below this spread of saturation (0-255) an image has no colour to hash.
MIN_SATURATION_STD = 6.0
# Measured (benchmarks/similarity.py) on 35 test posters and photos and the demo's 66 drawings: the
# tests' edited copies <= 24 bits apart (score >= 0.667; a duotone recolouring is the farthest) but for
# three close-ups that brightening clips flat (56-65 bits, missed by value-only hashes as well);
# unrelated images >= 54; different entries drawn on one layout: two pairs of last year's at 20 and
# 24, the next at 26. The cut (24 bits) loses no edit that value-only hashes caught.
THRESHOLD = 0.66


@dataclass(frozen=True)
class SimilarPair:
    a: str
    b: str
    score: float      # 1.0 = same picture; >= THRESHOLD = probably the same design


def fingerprint(image: Image.Image) -> str:
    """``"v2:<value>:<saturation>:<luma>"``: each part ``HASHES_PER_IMAGE`` 144-bit hashes in hex (540
    characters; 1,625 in all); saturation and luma are one ``"-"`` for an image without colour (545)."""
    rgb = _work_copy(image)
    saturation = rgb.convert("HSV").getchannel("S")
    if _std(saturation) < MIN_SATURATION_STD:
        return f"{VERSION}:{_region_hashes(_value_channel(rgb))}:{GREY}"
    return f"{VERSION}:{_region_hashes(_value_channel(rgb))}:{_region_hashes(saturation)}:{_region_hashes(rgb.convert('L'))}"


def _region_hashes(channel: Image.Image) -> str:
    return "".join(str(imagehash.phash(channel.crop(box), hash_size=HASH_SIZE)) for box in _boxes(*channel.size))


def _std(channel: Image.Image) -> float:
    return float(np.asarray(channel, dtype=np.float32).std())


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


def _work_copy(image: Image.Image) -> Image.Image:
    rgb = image.convert("RGB")
    rgb.thumbnail((WORK_SIZE, WORK_SIZE), Image.Resampling.LANCZOS)
    return rgb


def _value_channel(rgb: Image.Image) -> Image.Image:
    red, green, blue = rgb.split()
    return ImageChops.lighter(ImageChops.lighter(red, green), blue)


def _boxes(width: int, height: int) -> Iterator[tuple[int, int, int, int]]:
    for scale_x, scale_y, fx, fy in REGIONS:
        crop_w, crop_h = width * scale_x, height * scale_y
        left, top = (width - crop_w) * fx, (height - crop_h) * fy
        yield round(left), round(top), round(left + crop_w), round(top + crop_h)


@dataclass(frozen=True)
class Parsed:
    value: np.ndarray              # (HASHES_PER_IMAGE, WORDS) uint64; a "v1" one has zeros past LEGACY_REGIONS
    saturation: np.ndarray | None  # the same, or None: grey image or "v1" fingerprint
    luma: np.ndarray | None        # None when saturation is
    legacy: bool = False           # "v1": only the first LEGACY_REGIONS regions exist


def parse(value: str) -> Parsed:
    matrix = _Matrix.of([value])
    colour = bool(matrix.coloured[0])
    return Parsed(matrix.value[0], matrix.saturation[0] if colour else None, matrix.luma[0] if colour else None,
                  legacy=bool(matrix.legacy[0]))


@dataclass(frozen=True)
class _Matrix:
    value: np.ndarray       # (N, HASHES_PER_IMAGE, WORDS)
    saturation: np.ndarray  # the same, zeros where there is none
    luma: np.ndarray        # the same, zeros where there is none
    coloured: np.ndarray    # (N,) bool
    legacy: np.ndarray      # (N,) bool

    @classmethod
    def of(cls, fingerprints: Sequence[str]) -> _Matrix:
        """Many fingerprints read at once (100,000 in a few seconds); ValueError for a malformed one."""
        width = HASHES_PER_IMAGE * HEX_PER_HASH // 2
        raw = np.zeros((3, len(fingerprints), width), np.uint8)
        coloured = np.zeros(len(fingerprints), bool)
        legacy = np.zeros(len(fingerprints), bool)
        for row, value in enumerate(fingerprints):
            parts, legacy[row] = _hex_parts(value)
            coloured[row] = len(parts) == 3
            for channel, digits in enumerate(parts):
                raw[channel, row, :len(digits)] = np.frombuffer(digits, np.uint8)
        # each 144-bit hash as three uint64 words, the lowest bits first
        padded = np.zeros((3, len(fingerprints), HASHES_PER_IMAGE, WORDS * 8), np.uint8)
        padded[..., WORDS * 8 - BITS // 8:] = raw.reshape(3, len(fingerprints), HASHES_PER_IMAGE, BITS // 8)
        words = padded.view(">u8")[..., ::-1].astype(np.uint64)
        return cls(words[0], words[1], words[2], coloured, legacy)

    def rows(self, start: int, stop: int | None = None) -> _Matrix:
        return _Matrix(self.value[start:stop], self.saturation[start:stop], self.luma[start:stop],
                       self.coloured[start:stop], self.legacy[start:stop])

    def take(self, rows: np.ndarray) -> _Matrix:
        return _Matrix(self.value[rows], self.saturation[rows], self.luma[rows], self.coloured[rows], self.legacy[rows])


def _hex_parts(value: str) -> tuple[list[bytes], bool]:
    """The bytes of the value, saturation and luma parts (value only for a grey image), and whether it is a
    "v1" fingerprint."""
    version, _, rest = value.partition(":")
    if version == LEGACY_VERSION and ":" not in rest:
        return [_hash_bytes(rest, LEGACY_REGIONS, value)], True
    if version != VERSION:
        raise ValueError(f"not a {VERSION} fingerprint: {value[:20]!r}")
    parts = rest.split(":")
    if len(parts) == 2 and parts[1] == GREY:
        parts = parts[:1]
    elif len(parts) != 3:
        raise ValueError(f"not a {VERSION} fingerprint: {value[:20]!r}")
    return [_hash_bytes(digits, HASHES_PER_IMAGE, value) for digits in parts], False


def _hash_bytes(digits: str, count: int, whole: str) -> bytes:
    try:
        decoded = bytes.fromhex(digits)
    except ValueError:
        decoded = b""
    if len(digits) != count * HEX_PER_HASH or len(decoded) != count * BITS // 8:  # fromhex skips spaces
        raise ValueError(f"not a {VERSION} fingerprint: {whole[:20]!r}")
    return decoded


def distance(a: str, b: str) -> int:
    """Over all region pairs, the fewest of max(value bits, min(saturation bits, luma bits)); value bits
    alone when either image has no colour part."""
    matrix = _Matrix.of([a, b])
    return int(_min_distances(matrix.rows(0, 1), matrix.rows(1))[0])


def score_from_distance(bits: int | np.ndarray) -> float | np.ndarray:
    return np.clip(1.0 - np.asarray(bits) / RANDOM_DISTANCE, 0.0, 1.0)


def similarity(a: str, b: str) -> float:
    return float(score_from_distance(distance(a, b)))


def find_pairs(fingerprints: Sequence[str], *, threshold: float = THRESHOLD) -> list[Match]:
    """Every pair of positions whose images score >= ``threshold``, most similar first, found through an index
    (``_indexed_pairs``) rather than by comparing every pair."""
    return _matches(fingerprints, threshold, _indexed_pairs)


def find_pairs_exhaustive(fingerprints: Sequence[str], *, threshold: float = THRESHOLD) -> list[Match]:
    """``find_pairs`` by comparing every pair (quadratic): the reference the index is tested and measured against."""
    return _matches(fingerprints, threshold, _scanned_pairs)


def find_similar(fingerprints: Mapping[str, str], *, threshold: float = THRESHOLD) -> list[SimilarPair]:
    """``find_pairs`` for a mapping of ids (entry or image keys) to stored fingerprints."""
    ids = list(fingerprints)
    matches = find_pairs([fingerprints[i] for i in ids], threshold=threshold)
    return [SimilarPair(ids[m.left], ids[m.right], m.similarity) for m in matches]


def _matches(fingerprints: Sequence[str], threshold: float,
             search: Callable[[_Matrix, int], Iterator[tuple[int, int, int]]]) -> list[Match]:
    max_bits = int(np.floor((1.0 - threshold) * RANDOM_DISTANCE + 1e-9))
    matches = [Match(i, j, float(score_from_distance(bits))) for i, j, bits in search(_Matrix.of(fingerprints), max_bits)]
    return sorted(matches, key=lambda m: (-m.similarity, m.left, m.right))


def _scanned_pairs(matrix: _Matrix, max_bits: int) -> Iterator[tuple[int, int, int]]:
    for i in range(len(matrix.value) - 1):
        bits = _min_distances(matrix.rows(i, i + 1), matrix.rows(i + 1))
        for offset in np.flatnonzero(bits <= max_bits):
            yield i, i + 1 + int(offset), int(bits[offset])


# Substrings per hash in the index: a pair of regions within INDEX_TABLES - 1 bits in any one channel is
# always a candidate (see hamming_index). With 7 tables of 20-21 bits, about one region pair in 1.5 million
# meets by chance: some 700,000 a table among 100,000 random fingerprints, a number that grows with the
# square of theirs (much of the cost at 100,000; many more would need longer substrings).
INDEX_TABLES = 7
PAIR_CHUNK = 20_000


def _indexed_pairs(matrix: _Matrix, max_bits: int) -> Iterator[tuple[int, int, int]]:
    """The pairs ``_scanned_pairs`` finds, through the regions that meet in a multi-index hash of each channel.

    Complete for a pair with one region alignment that both passes the rule and lies within
    INDEX_TABLES - 1 bits in its value, saturation or luma hash: by pigeonhole the two hashes share one
    whole substring, so the pair meets and the check below sees that alignment. Beyond that an alignment
    is found by chance, likelier the closer it is (it can meet in any channel and any of the 7 tables, and
    a copy usually lines up at several alignments). Every edited copy in the tests and in
    benchmarks/similarity.py (1,000 of them) has an alignment within 12 bits in some channel, 999 within 6.
    Copies of one design are then checked against each other (``_within_groups``). The score is computed
    over all region pairs, as the scan does, so a found pair scores the same.
    """
    count = len(matrix.value)
    owners = np.repeat(np.arange(count), HASHES_PER_IMAGE)
    parts = np.tile(np.arange(HASHES_PER_IMAGE), count)
    real = ~matrix.legacy[owners] | (parts < LEGACY_REGIONS)
    found = [_passing(matrix, meeting, max_bits)
             for codes, present in ((matrix.value, real), (matrix.saturation, matrix.coloured[owners] & real),
                                    (matrix.luma, matrix.coloured[owners] & real))
             for meeting in hamming_index.meetings(codes.reshape(-1, WORDS)[present], owners[present], parts[present],
                                                   BITS, INDEX_TABLES)]
    pairs = _within_groups(np.unique(np.concatenate(found)) if found else np.empty(0, np.int64), count)
    left, right = np.divmod(pairs, max(count, 1))
    for start in range(0, len(pairs), PAIR_CHUNK):
        rows = slice(start, start + PAIR_CHUNK)
        bits = _min_distances(matrix.take(left[rows]), matrix.take(right[rows]))
        for i, j, b in zip(left[rows], right[rows], bits, strict=True):
            if b <= max_bits:
                yield int(i), int(j), int(b)


# Images linked by found pairs, up to this many, are all checked against each other (at most 124,750 pairs).
GROUP_CHECKED = 500


def _within_groups(pairs: np.ndarray, count: int) -> np.ndarray:
    """The pairs (as left * N + right) and every pair within a group of images they link: two copies of one
    design are each close to the original, but may be only just close enough to each other to meet by
    chance (a duotone and a darkened hue shift of one poster, both at the threshold)."""
    parent: dict[int, int] = {}

    def root(node: int) -> int:
        while (up := parent.setdefault(node, node)) != node:
            parent[node] = node = parent.setdefault(up, up)
        return node

    for left, right in zip(*np.divmod(pairs, max(count, 1)), strict=True):
        parent[root(int(left))] = root(int(right))
    groups: dict[int, list[int]] = {}
    for node in list(parent):
        groups.setdefault(root(node), []).append(node)
    within = [left * count + right for group in groups.values() if 2 < len(group) <= GROUP_CHECKED
              for left, right in itertools.combinations(sorted(group), 2)]
    return np.union1d(pairs, np.array(within, np.int64))


def _passing(matrix: _Matrix, meeting: hamming_index.Meeting, max_bits: int) -> np.ndarray:
    """The pairs (as left * N + right) of a table's meetings that pass the rule at the alignment that met, or
    at any alignment when an image had several regions with the key."""
    single = (meeting.left_part >= 0) & (meeting.right_part >= 0)
    left, right = meeting.left[single], meeting.right[single]
    close = _passes_at(matrix, left, meeting.left_part[single], right, meeting.right_part[single], max_bits)
    passing = [(left * len(matrix.value) + right)[close]]
    left, right = meeting.left[~single], meeting.right[~single]
    for start in range(0, len(left), PAIR_CHUNK):
        rows = slice(start, start + PAIR_CHUNK)
        bits = _min_distances(matrix.take(left[rows]), matrix.take(right[rows]))
        passing.append((left[rows] * len(matrix.value) + right[rows])[bits <= max_bits])
    return np.concatenate(passing)


def _passes_at(matrix: _Matrix, left: np.ndarray, left_part: np.ndarray, right: np.ndarray, right_part: np.ndarray,
               max_bits: int) -> np.ndarray:
    """Whether each pair passes the rule at one alignment: region ``left_part`` of ``left`` against ``right_part``
    of ``right``."""
    a, b = left * HASHES_PER_IMAGE + left_part, right * HASHES_PER_IMAGE + right_part

    def bits(codes: np.ndarray, rows: np.ndarray) -> np.ndarray:
        flat = codes.reshape(-1, WORDS)
        return np.bitwise_count(flat[a[rows]] ^ flat[b[rows]]).sum(axis=1, dtype=np.int64)

    close = bits(matrix.value, np.arange(len(a))) <= max_bits
    legacy = matrix.legacy[left] | matrix.legacy[right]
    close &= ~legacy | ((left_part < LEGACY_REGIONS) & (right_part < LEGACY_REGIONS))
    both = np.flatnonzero(close & matrix.coloured[left] & matrix.coloured[right])
    close[both] = np.minimum(bits(matrix.saturation, both), bits(matrix.luma, both)) <= max_bits
    return close


def _min_distances(one: _Matrix, many: _Matrix) -> np.ndarray:
    """Row against row (or one image against N): over the K x K region pairs, the smallest
    max(value, min(saturation, luma)) bits."""
    total = _popcounts(one.value, many.value)
    both = np.flatnonzero(one.coloured & many.coloured)
    if len(both):
        mine = both if len(one.value) > 1 else slice(None)
        colour = np.minimum(_popcounts(one.saturation[mine], many.saturation[both]),
                            _popcounts(one.luma[mine], many.luma[both]))
        total[both] = np.maximum(total[both], colour)
    legacy = np.flatnonzero(one.legacy | many.legacy)
    if len(legacy):  # regions a "v1" fingerprint does not have never match
        total[legacy, LEGACY_REGIONS:, :] = np.iinfo(np.uint8).max
        total[legacy, :, LEGACY_REGIONS:] = np.iinfo(np.uint8).max
    return total.reshape(len(many.value), -1).min(axis=1)


def _popcounts(one: np.ndarray, many: np.ndarray) -> np.ndarray:
    """For (1, K, W) or (N, K, W) against (N, K, W): the popcount of XOR for every one of the K x K region pairs."""
    # word by word: summing a short last axis is ~5x slower than adding whole uint8 arrays
    total = np.zeros((len(many), HASHES_PER_IMAGE, HASHES_PER_IMAGE), dtype=np.uint8)
    for word in range(WORDS):
        total += np.bitwise_count(one[:, :, None, word] ^ many[:, None, :, word])
    return total


def pairwise_scores(fingerprints: Mapping[str, str]) -> dict[tuple[str, str], float]:
    """All pairs with their scores (for small sets and for measuring thresholds)."""
    return {(a, b): similarity(fingerprints[a], fingerprints[b]) for a, b in itertools.combinations(fingerprints, 2)}
