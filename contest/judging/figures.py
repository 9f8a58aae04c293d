"""How a figure is shown: the one rounding rule of the results pages, the meeting sheet and the results
export, so a spreadsheet cell never disagrees with the screen it is checked against."""

from __future__ import annotations

from enum import IntEnum


class Digits(IntEnum):
    """Decimals shown for each kind of figure."""

    SCORE = 2  # a figure, mean, trimmed mean, a judge's total (0..100)
    ZSCORE = 3
    PERCENT = 1  # a share × 100, as "45.7%"


def rounded(value: float | None, digits: Digits = Digits.SCORE) -> float | None:
    """The value the screen prints (half-way cases as printf rounds them, on the exact binary value)."""
    return None if value is None else float(f"{value:.{digits}f}")


def shown(value: float | None, digits: Digits = Digits.SCORE) -> str:
    """The figure as text, "—" when there is none."""
    figure = rounded(value, digits)
    return "—" if figure is None else f"{figure:.{digits}f}"


def percent(share: float | None) -> float | None:
    """A share (0..1) as the percentage the screen prints."""
    return None if share is None else rounded(share * 100, Digits.PERCENT)
