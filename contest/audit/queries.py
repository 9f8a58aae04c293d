"""Reading the audit log: a contest's events filtered and paged, streamed for export, and the whole chain verified."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from contest.audit import chain
from contest.audit.models import AuditEvent

PAGE_SIZE = 50
BATCH = 2000
# In chain.EventRecord's order.
EVENT_FIELDS = ("seq", "at", "actor_label", "action", "subject", "data", "prev_hash", "hash", "actor_id", "contest_id",
                "version")


@dataclass(frozen=True)
class AuditFilter:
    action: str = ""
    actor: str = ""  # part of the actor's e-mail or name, or "system"
    subject: str = ""  # "entry:12" for one subject, "entry" for all of a kind
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    total: int
    page: int
    pages: int
    actions: list[str]  # every action in the contest's log, for the filter


def _subject_q(subject: str) -> Q:
    return Q(subject=subject) if ":" in subject else Q(subject__startswith=f"{subject}:")


def _actor_q(actor: str) -> Q:
    return Q(actor__email__icontains=actor) | Q(actor__display_name__icontains=actor) | Q(actor_label=actor)


def events_of_contest(contest_id: int, selection: AuditFilter) -> QuerySet[AuditEvent]:
    query = AuditEvent.filter(contest_id=contest_id)
    if selection.action:
        query = query.filter(action=selection.action)
    if selection.actor:
        query = query.filter(_actor_q(selection.actor))
    if selection.subject:
        query = query.filter(_subject_q(selection.subject))
    if selection.since:
        query = query.filter(at__gte=selection.since)
    if selection.until:
        query = query.filter(at__lt=selection.until)
    return query


async def audit_page(contest_id: int, selection: AuditFilter, *, page: int = 1) -> AuditPage:
    """Newest first, with each event's actor fetched for the table."""
    matching = events_of_contest(contest_id, selection)
    total = await matching.count()
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(page, 1), pages)
    events = await matching.order_by("-seq").offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE).select_related("actor")
    actions = await AuditEvent.filter(contest_id=contest_id).distinct().order_by("action").values_list(
        "action", flat=True)
    return AuditPage(events, total, page, pages, cast(list[str], actions))


async def stream_events(contest_id: int, selection: AuditFilter) -> AsyncIterator[AuditEvent]:
    """Every matching event in chain order, read in batches so memory stays flat however long the log is."""
    after = 0
    while batch := await events_of_contest(contest_id, selection).filter(seq__gt=after).order_by("seq").limit(
            BATCH).select_related("actor"):
        for event in batch:
            yield event
        after = batch[-1].seq


# kind → (model, the field that names it to organisers)
@dataclass(frozen=True)
class ChainStatus:
    ok: bool
    count: int  # events checked
    broken_seq: int | None = None  # the first event whose link does not hold
    reason: str | None = None  # chain.SEQ_GAP, PREV_MISMATCH, HASH_MISMATCH, ACTOR_MISMATCH… or HEAD_*


async def current_head() -> chain.Head:
    """The last event's seq and hash (chain.EMPTY_HEAD for an empty log)."""
    last = await AuditEvent.all().order_by("-seq").first().values_list("seq", "hash")
    return chain.Head(*last) if last else chain.EMPTY_HEAD


async def head_at(moment: datetime) -> chain.Head:
    """The head as it stood at `moment`: the last event written at or before it."""
    last = await AuditEvent.filter(at__lte=moment).order_by("-seq").first().values_list("seq", "hash")
    return chain.Head(*last) if last else chain.EMPTY_HEAD


async def verify_whole_log(head: chain.Head | None = None) -> ChainStatus:
    """Check every link of the global chain from the first event, a batch at a time; stop at the first break.

    With `head` (written down earlier), also check that the chain still passes through it: then no event
    up to it was changed, removed or added since, and today's chain continues it.
    """
    seq, last_hash, count = 1, chain.GENESIS, 0
    while rows := await AuditEvent.filter(seq__gte=seq).order_by("seq").limit(BATCH).values_list(*EVENT_FIELDS):
        events = [chain.EventRecord(*row) for row in rows]
        result = chain.verify_chain(events, start_seq=seq, start_hash=last_hash)
        if not result.ok:
            return ChainStatus(False, count + result.count, events[result.broken_at or 0].seq, result.reason)
        seq, last_hash, count = events[-1].seq + 1, result.head_hash, count + result.count
    return ChainStatus(True, count) if head is None else await _through(head, count)


async def _through(head: chain.Head, count: int) -> ChainStatus:
    # The links all hold, so the stored hash of event `head.seq` is the one its content and history give.
    if head.seq > count:
        return ChainStatus(False, count, head.seq, chain.HEAD_MISSING)
    found = await AuditEvent.filter(seq=head.seq).values_list("hash", flat=True) if head.seq else [chain.GENESIS]
    return ChainStatus(True, count) if found == [head.hash] else ChainStatus(False, count, head.seq, chain.HEAD_MISMATCH)
