"""What a judge may receive about an entry: an alias, its text and its judging images. Nothing else.

Built from plain `.values()` rows, never from model objects, so no identity field can ride along:
no database id, owner, name, organisation, e-mail, timestamp or original file name. Identity is a
separate object, given only when the round's switch `judges_see_identity` is on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class JudgingImage:
    key: str  # random storage key; the web layer serves the judging derivative under the alias
    position: int
    derivatives: tuple[str, ...]  # derivative names, e.g. ("judging", "thumb")


@dataclass(frozen=True)
class AnonymousEntry:
    alias: str
    title: str
    concept: str
    answers: dict[str, Any] = field(default_factory=dict)
    images: tuple[JudgingImage, ...] = ()


@dataclass(frozen=True)
class EntrantIdentity:
    """Only for rounds with judges_see_identity."""

    public_name: str
    organisation: str
    school: str


ENTRY_VALUES = ("entry_id", "alias", "entry__title", "entry__concept", "entry__answers")
IMAGE_VALUES = ("entry_id", "key", "position", "derivatives")
IDENTITY_VALUES = ("entry_id", "entry__public_name", "entry__organisation", "entry__school")


def judging_image(row: Mapping[str, Any]) -> JudgingImage:
    return JudgingImage(key=row["key"], position=row["position"], derivatives=tuple(sorted(row["derivatives"] or {})))


def anonymous_entry(row: Mapping[str, Any], image_rows: Iterable[Mapping[str, Any]] = ()) -> AnonymousEntry:
    """From a RoundEntry `.values(*ENTRY_VALUES)` row and that entry's EntryImage `.values(*IMAGE_VALUES)` rows."""
    images = sorted((judging_image(r) for r in image_rows), key=lambda i: i.position)
    return AnonymousEntry(
        alias=row["alias"], title=row["entry__title"] or "", concept=row["entry__concept"] or "",
        answers=dict(row["entry__answers"] or {}), images=tuple(images),
    )


def entrant_identity(row: Mapping[str, Any]) -> EntrantIdentity:
    return EntrantIdentity(
        public_name=row["entry__public_name"] or "", organisation=row["entry__organisation"] or "",
        school=row["entry__school"] or "",
    )
