"""Track form fields as data: each kind's parsing and limits, so forms are validated without branches per track."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from contest.contests.models import FieldKind, TrackField
from contest.i18n import N_

Answer = str | float | list[str] | None


class FieldProblem(ValueError):
    """A msgid explaining why a value does not fit its field."""


@dataclass(frozen=True)
class KindSpec:
    default_max_length: int
    multiple: bool
    parse: Callable[[TrackField, list[str]], Answer]


def _single(values: list[str]) -> str:
    return values[0].strip() if values else ""


def _text(field: TrackField, values: list[str]) -> Answer:
    text = _single(values)
    limit = field.max_length or KINDS[field.kind].default_max_length
    if len(text) > limit:
        raise FieldProblem(N_("Too long for this field."))
    return text or None


def _number(field: TrackField, values: list[str]) -> Answer:
    text = _single(values)
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        raise FieldProblem(N_("Enter a number.")) from None
    if number != number or abs(number) > 1e12:
        raise FieldProblem(N_("Enter a number."))
    return number


def _choice(field: TrackField, values: list[str]) -> Answer:
    text = _single(values)
    if text and text not in {option["value"] for option in field.options}:
        raise FieldProblem(N_("Choose one of the options."))
    return text or None


def _multi_choice(field: TrackField, values: list[str]) -> Answer:
    allowed = {option["value"] for option in field.options}
    chosen = [v for v in dict.fromkeys(v.strip() for v in values) if v]
    if any(v not in allowed for v in chosen):
        raise FieldProblem(N_("Choose one of the options."))
    return chosen or None


def _link(field: TrackField, values: list[str]) -> Answer:
    text = _single(values)
    if not text:
        return None
    parts = urlsplit(text)
    if parts.scheme not in {"http", "https"} or not parts.netloc or len(text) > 500:
        raise FieldProblem(N_("Enter a web address starting with http:// or https://."))
    return text


KINDS: dict[FieldKind, KindSpec] = {
    FieldKind.TEXT: KindSpec(200, False, _text),
    FieldKind.LONG_TEXT: KindSpec(5000, False, _text),
    FieldKind.NUMBER: KindSpec(0, False, _number),
    FieldKind.CHOICE: KindSpec(0, False, _choice),
    FieldKind.MULTI_CHOICE: KindSpec(0, True, _multi_choice),
    FieldKind.LINK: KindSpec(500, False, _link),
}


def parse_answers(fields: list[TrackField], raw: dict[str, list[str]]) -> tuple[dict[str, Any], dict[str, str]]:
    """Typed answers keyed by field, and a msgid per field that could not be read. Missing is not an error here."""
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field in fields:
        try:
            value = KINDS[field.kind].parse(field, raw.get(field.key, []))
        except FieldProblem as problem:
            errors[field.key] = str(problem)
            continue
        if value is not None:
            answers[field.key] = value
    return answers, errors


def missing_required(fields: list[TrackField], answers: dict[str, Any]) -> list[str]:
    return [field.key for field in fields if field.required and answers.get(field.key) in (None, "", [])]
