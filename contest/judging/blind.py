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
    answers: dict[str, Any] = field(default_factory=dict)  # by question label, in words (see shown_answers)
    images: tuple[JudgingImage, ...] = ()


@dataclass(frozen=True)
class EntrantIdentity:
    """Only for rounds with judges_see_identity."""

    public_name: str
    organisation: str
    school: str


ENTRY_VALUES = ("entry_id", "alias", "entry__title", "entry__concept", "entry__answers", "entry__track_id")
IMAGE_VALUES = ("entry_id", "key", "position", "derivatives")
IDENTITY_VALUES = ("entry_id", "entry__public_name", "entry__organisation", "entry__school")
FIELD_VALUES = ("track_id", "key", "label", "options")  # TrackField rows, in the form's order


def judging_image(row: Mapping[str, Any]) -> JudgingImage:
    return JudgingImage(key=row["key"], position=row["position"], derivatives=tuple(sorted(row["derivatives"] or {})))


def _in_words(answer: Any, options: Iterable[Mapping[str, Any]]) -> Any:
    labels = {o["value"]: o.get("label") or o["value"] for o in options}
    if isinstance(answer, list):
        return [labels.get(a, a) for a in answer]
    if isinstance(answer, float) and answer.is_integer():
        return int(answer)
    return labels.get(answer, answer) if isinstance(answer, str) else answer


def shown_answers(answers: Mapping[str, Any], field_rows: Iterable[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """The track answers as a judge reads them: under the question's label, in the form's order, a choice
    by its option's label, never the stored key. An answer whose field has gone keeps its key and value."""
    fields = {f["key"]: f for f in field_rows}
    ordered = [k for k in fields if k in answers] + [k for k in answers if k not in fields]
    shown: dict[str, Any] = {}
    for key in ordered:
        field = fields.get(key, {})
        label = field.get("label") or key
        shown[label if label not in shown else f"{label} ({key})"] = _in_words(answers[key], field.get("options") or ())
    return shown


def anonymous_entry(row: Mapping[str, Any], image_rows: Iterable[Mapping[str, Any]] = (),
                    field_rows: Iterable[Mapping[str, Any]] = ()) -> AnonymousEntry:
    """From an `ENTRY_VALUES` row, that entry's `IMAGE_VALUES` rows and its track's `FIELD_VALUES` rows."""
    images = sorted((judging_image(r) for r in image_rows), key=lambda i: i.position)
    return AnonymousEntry(
        alias=row["alias"], title=row["entry__title"] or "", concept=row["entry__concept"] or "",
        answers=shown_answers(row["entry__answers"] or {}, field_rows), images=tuple(images),
    )


def entrant_identity(row: Mapping[str, Any]) -> EntrantIdentity:
    return EntrantIdentity(
        public_name=row["entry__public_name"] or "", organisation=row["entry__organisation"] or "",
        school=row["entry__school"] or "",
    )
