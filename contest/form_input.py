"""Reading raw form values in domain code: each reader collects one message per field, so a form
reports every problem at once and nothing is saved half (`done()` raises them together)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from contest import clock
from contest.errors import InvalidInput
from contest.i18n import N_

# ASCII digits only: str.isdigit() also admits "²", which int() refuses. Past 18 digits a number
# fits no column (and past 4,300 int() refuses it), so it is out of every range.
_WHOLE = re.compile(r"-?[0-9]+")
MAX_ID = 2**31 - 1  # the largest value of an id (INT) column


def parse_integer(value: str, *, low: int = 0, high: int = MAX_ID) -> int | None:
    """`value` as an int within low..high (by default: an id or a page number); None for anything else."""
    number = int(value) if _WHOLE.fullmatch(value) and len(value.lstrip("-")) <= 18 else None
    return number if number is not None and low <= number <= high else None


class FieldReader:
    """Collects one message per field while reading, so a form reports every problem at once."""

    def __init__(self, raw: Mapping[str, str]) -> None:
        self.raw = raw
        self.errors: dict[str, str] = {}

    def text(self, name: str, *, max_length: int, required: bool = False) -> str:
        value = (self.raw.get(name) or "").strip()
        if required and not value:
            self.errors[name] = N_("This field is required.")
        elif len(value) > max_length:
            self.errors[name] = N_("Too long for this field.")
        return value

    def integer(self, name: str, *, low: int, high: int, default: int = 0) -> int:
        value = (self.raw.get(name) or "").strip()
        if not _WHOLE.fullmatch(value):
            self.errors[name] = N_("Enter a whole number.")
            return default
        number = parse_integer(value, low=low, high=high)
        if number is None:
            self.errors[name] = N_("This number is outside the allowed range.")
            return default
        return number

    def fraction(self, name: str) -> float:
        try:
            number = float((self.raw.get(name) or "0").strip())
        except ValueError:
            number = float("nan")
        if not 0 <= number <= 1:
            self.errors[name] = N_("Enter a share between 0 and 1, for example 0.2.")
            return 0.0
        return number

    def positive(self, name: str) -> float:
        try:
            number = Decimal((self.raw.get(name) or "").strip())
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite() or number <= 0:
            self.errors[name] = N_("Enter a number greater than zero.")
            return 1.0
        return float(number)

    def moment(self, name: str, zone: str) -> datetime | None:
        value = (self.raw.get(name) or "").strip()
        if not value:
            return None
        try:
            return clock.local_to_utc(datetime.fromisoformat(value).replace(tzinfo=None), zone)
        except (ValueError, OverflowError):  # OverflowError: a moment at the very edge of the calendar, e.g. year 1
            self.errors[name] = N_("Enter a date and time.")
            return None

    def choice(self, name: str, allowed: type, *, default: Any = None) -> Any:
        value = (self.raw.get(name) or "").strip()
        if not value and default is not None:
            return default
        try:
            return allowed(value)
        except ValueError:
            self.errors[name] = N_("Choose one of the options.")
            return default

    def flag(self, name: str) -> bool:
        return self.raw.get(name) in {"1", "on", "true"}

    def pattern(self, name: str, regex: re.Pattern[str], message: str) -> str:
        value = self.text(name, max_length=64, required=True).lower()
        if value and name not in self.errors and not regex.match(value):
            self.errors[name] = message
        return value

    def done(self) -> None:
        if self.errors:
            raise InvalidInput(self.errors)
