"""The audit log page's read model: a page of events with the names of what they point at, the chain's head,
and on request the verification of the whole chain.

The audit package records and reads events without knowing any domain; naming an event's objects (an entry
by its number, a judge by name) needs every domain's models, so it lives here.
"""

from __future__ import annotations

from dataclasses import dataclass

from contest.accounts.models import User
from contest.audit import chain, queries
from contest.audit.models import AuditEvent
from contest.audit.sentences import ID_KINDS
from contest.contests.models import AwardTier, Track, TrackField
from contest.entries.models import Entry
from contest.judging.models import Criterion, JudgeGroup, Panel, Round

NAMED = {"user": (User, "display_name"), "entry": (Entry, "number"), "award_tier": (AwardTier, "name"),
         "panel": (Panel, "name"), "criterion": (Criterion, "name"), "track_field": (TrackField, "label"),
         "judge_group": (JudgeGroup, "name"), "track": (Track, "name"), "round": (Round, "name")}


def _named_ids(events: list[AuditEvent]) -> dict[str, set[int]]:
    wanted: dict[str, set[int]] = {kind: set() for kind in NAMED}
    for event in events:
        kind, _, ident = event.subject.partition(":")
        if kind in wanted and ident.isdigit():
            wanted[kind].add(int(ident))
        for key, value in (event.data or {}).items():
            if key in ID_KINDS and isinstance(value, int):
                wanted[ID_KINDS[key]].add(value)
    return wanted


async def names_in(events: list[AuditEvent]) -> dict[tuple[str, int], str]:
    """The names of the objects the events point at ("entry", 12) → its number, one query per kind named.
    Deleted objects are missing; the sentences show their id."""
    names: dict[tuple[str, int], str] = {}
    for kind, ids in _named_ids(events).items():
        if ids:
            model, field = NAMED[kind]
            rows = await model.filter(id__in=ids).values_list("id", field)
            names.update({(kind, ident): f"「{name}」" if kind != "user" else name for ident, name in rows if name})
    return names


@dataclass(frozen=True)
class AuditLogPage:
    page: queries.AuditPage
    names: dict[tuple[str, int], str]
    head: chain.Head
    chain: queries.ChainStatus | None  # only when verification was asked for


async def audit_log_page(contest_id: int, selection: queries.AuditFilter, *, page: int, verify: bool) -> AuditLogPage:
    """One page of the contest's events, named; `verify` reads the whole log (about 2 s per 100,000 events)."""
    found = await queries.audit_page(contest_id, selection, page=page)
    return AuditLogPage(found, await names_in(found.events), await queries.current_head(),
                        await queries.verify_whole_log() if verify else None)
