"""What the outbox page shows: a contest's messages, filtered and paged, with counts by state."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import cast

from tortoise.functions import Count

from contest.notifications.models import OutboxMessage, OutboxState

PAGE_SIZE = 50


@dataclass(frozen=True)
class OutboxPage:
    messages: list[OutboxMessage]
    total: int  # matching the filter
    page: int
    pages: int
    by_state: dict[str, int]  # the whole contest's outbox
    kinds: list[str]  # every kind the contest's outbox holds


async def outbox_for_contest(contest_id: int, *, kind: str = "", state: str = "", page: int = 1) -> OutboxPage:
    """Newest first; `kind` and `state` narrow the list when given. Messages without a contest never show."""
    mine = OutboxMessage.filter(contest_id=contest_id)
    matching = mine.filter(**({"kind": kind} if kind else {}), **({"state": OutboxState(state)} if state else {}))
    total = await matching.count()
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(page, 1), pages)
    messages = await matching.order_by("-id").offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    counts = await mine.annotate(n=Count("id")).group_by("state").values_list("state", "n")
    kinds = cast(list[str], await mine.distinct().order_by("kind").values_list("kind", flat=True))
    return OutboxPage(messages, total, page, pages, {str(s): n for s, n in counts}, kinds)


async def message_of_contest(contest_id: int, message_id: int) -> OutboxMessage | None:
    return await OutboxMessage.get_or_none(id=message_id, contest_id=contest_id)


async def state_counts() -> dict[str, int]:
    """The whole outbox's messages by state, every state present (0 when none): one grouped count."""
    counts = await OutboxMessage.all().annotate(n=Count("id")).group_by("state").values_list("state", "n")
    return {str(state): 0 for state in OutboxState} | {str(state): n for state, n in counts}
