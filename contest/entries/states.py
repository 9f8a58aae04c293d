"""Entry states and the transitions between them, as data."""

from __future__ import annotations

from enum import StrEnum


class EntryState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"


class LeakStatus(StrEnum):
    UNCHECKED = "unchecked"
    CLEAR = "clear"
    FLAGGED = "flagged"  # held from judges until an organiser redacts or clears it
    REDACTED = "redacted"


ALLOWED_TRANSITIONS: dict[EntryState, frozenset[EntryState]] = {
    EntryState.DRAFT: frozenset({EntryState.SUBMITTED, EntryState.WITHDRAWN}),
    EntryState.SUBMITTED: frozenset({EntryState.DRAFT, EntryState.WITHDRAWN}),
    EntryState.WITHDRAWN: frozenset({EntryState.DRAFT}),
}
EDITABLE_STATES = frozenset({EntryState.DRAFT, EntryState.SUBMITTED})
JUDGEABLE_STATES = frozenset({EntryState.SUBMITTED})
