"""Entry states and the transitions between them, as data."""

from __future__ import annotations

from enum import StrEnum


class EntryState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"
    RETURNED = "returned"  # sent back by the organisers for a fix, until its fix deadline (contest.entries.screening)
    DISQUALIFIED = "disqualified"  # final: out of judging and results for good


class LeakStatus(StrEnum):
    UNCHECKED = "unchecked"
    CLEAR = "clear"
    FLAGGED = "flagged"  # held from judges until an organiser redacts or clears it
    REDACTED = "redacted"


ALLOWED_TRANSITIONS: dict[EntryState, frozenset[EntryState]] = {
    EntryState.DRAFT: frozenset({EntryState.SUBMITTED, EntryState.WITHDRAWN}),
    EntryState.SUBMITTED: frozenset({EntryState.DRAFT, EntryState.WITHDRAWN, EntryState.RETURNED,
                                     EntryState.DISQUALIFIED}),
    EntryState.WITHDRAWN: frozenset({EntryState.DRAFT}),
    EntryState.RETURNED: frozenset({EntryState.SUBMITTED, EntryState.WITHDRAWN, EntryState.DISQUALIFIED}),
    EntryState.DISQUALIFIED: frozenset(),
}
EDITABLE_STATES = frozenset({EntryState.DRAFT, EntryState.SUBMITTED, EntryState.RETURNED})
JUDGEABLE_STATES = frozenset({EntryState.SUBMITTED})
# What organisers see of a contest's entries: everything once submitted (drafts stay their designers' own)
SENT_STATES = frozenset({EntryState.SUBMITTED, EntryState.WITHDRAWN, EntryState.RETURNED, EntryState.DISQUALIFIED})
SCREENABLE_STATES = frozenset({EntryState.SUBMITTED, EntryState.RETURNED})  # may be returned or disqualified
