"""What a column can hold, asked before a lookup by a value the user typed."""

from __future__ import annotations

from tortoise.models import Model


def fits(model: type[Model], field: str, value: str) -> bool:
    """Whether `value` fits the text column: no row holds a longer one, and Tortoise refuses to filter by it."""
    column = model._meta.fields_map[field]
    return len(value) <= column.max_length  # type: ignore[attr-defined]  # a text column is a CharField; Field has no max_length
