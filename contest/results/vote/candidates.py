"""The popular vote's candidates: the final round's entries still in a judgeable state, each with its
cover, named by a key so that nothing on a page follows rank or id."""

from __future__ import annotations

import hashlib
import hmac
import random
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from contest.columns import fits
from contest.contests.models import SlotAudience
from contest.entries.disclosure import Disclosure, ai_label
from contest.entries.models import EntryImage
from contest.entries.states import JUDGEABLE_STATES
from contest.judging.models import Round, RoundEntry
from contest.results.gallery import Picture, picture


@dataclass(frozen=True)
class Candidate:
    entry_id: int
    key: str  # what forms and pages name it by: never the entry's id, which follows submission order
    title: str
    public_name: str
    track_name: str
    track_name_en: str
    cover: Picture | None
    ai_label: str | None = None  # "generated" | "assisted": declared, or read from its public images


def candidate_key(secret: str, entry_id: int) -> str:
    return hmac.new(secret.encode(), f"popular-vote:{entry_id}".encode(), hashlib.sha256).hexdigest()[:16]


def shuffled(candidates: Iterable[Candidate], *, seed: str) -> list[Candidate]:
    """A visitor's own order: the same seed gives the same order, so nothing follows rank or id."""
    ordered = sorted(candidates, key=lambda c: c.key)
    random.Random(seed).shuffle(ordered)
    return ordered


async def candidates(final: Round) -> list[Candidate]:
    """The final round's entries still in a judgeable state, each with its cover image."""
    rows = await RoundEntry.filter(round_id=final.id, entry__state__in=list(JUDGEABLE_STATES)).values(
        "entry_id", "entry__title", "entry__public_name", "entry__track__name", "entry__track__name_en",
        "entry__ai_disclosure")
    covers, signals = await _covers([row["entry_id"] for row in rows])
    return [Candidate(row["entry_id"], candidate_key(final.secret, row["entry_id"]), row["entry__title"],
                      row["entry__public_name"], row["entry__track__name"], row["entry__track__name_en"],
                      covers.get(row["entry_id"]),
                      ai_label(Disclosure.of(row["entry__ai_disclosure"] or {}), signals.get(row["entry_id"], [])))
            for row in rows]


async def candidate_entry(final: Round, key: str) -> int | None:
    ids = cast(list[int], await RoundEntry.filter(round_id=final.id, entry__state__in=list(JUDGEABLE_STATES))
               .values_list("entry_id", flat=True))
    return next((entry_id for entry_id in ids if candidate_key(final.secret, entry_id) == key), None)


async def _covers(entry_ids: list[int]) -> tuple[dict[int, Picture], dict[int, list[dict[str, Any]]]]:
    """Each entry's cover, and the AI provenance of all its public images."""
    public = EntryImage.filter(entry_id__in=entry_ids, slot__audience=SlotAudience.PUBLIC)
    rows = await public.order_by("entry_id", "-is_cover", "position", "id").values(
        "entry_id", "key", "derivatives", "provenance")
    covers: dict[int, Picture] = {}
    signals: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        covers.setdefault(row["entry_id"], picture(row))
        signals.setdefault(row["entry_id"], []).append(row["provenance"])
    return covers, signals


async def candidate_picture(final: Round, key: str) -> Picture | None:
    """An image of a candidate entry, None for any other image."""
    if not fits(EntryImage, "key", key):
        return None
    rows = await EntryImage.filter(
        key=key, slot__audience=SlotAudience.PUBLIC, entry__round_entries__round_id=final.id,
        entry__state__in=list(JUDGEABLE_STATES)
    ).limit(1).values("key", "derivatives")
    return picture(rows[0]) if rows else None
