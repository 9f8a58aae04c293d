"""The read models of the public notice (公示) desk and of one objection's case file, for the organiser's pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from contest.audit.models import AuditEvent
from contest.contests.models import Contest
from contest.results import embargo, notice, objections
from contest.results.models import Award, Notice, NoticeKind, Objection


@dataclass(frozen=True)
class NoticeDesk:
    shown: notice.Shown  # the notice as the public sees it (or will, once approved)
    window: tuple[datetime, datetime] | None  # the notice period
    phase: notice.Phase
    cases: list[Objection]
    outcomes: list[Notice]  # the published outcome notices
    listing: notice.Listing  # what the notice of the edited kind lists


async def shown_notice(contest: Contest) -> notice.Shown:
    return await notice.current(contest)


async def notice_draft(contest: Contest, kind: NoticeKind) -> tuple[str, str]:
    """A notice of `kind` written from the entries it lists: (title, body in Markdown)."""
    return notice.draft(contest, kind, await notice.listed(contest, kind))


async def notice_desk(contest: Contest, shown: notice.Shown, *, editing: NoticeKind, now: datetime) -> NoticeDesk:
    return NoticeDesk(
        shown=shown, window=embargo.notice_window(contest),
        phase=notice.phase(contest, now, open_cases=await notice.open_cases(contest)),
        cases=await objections.cases_for_organiser(contest), outcomes=await notice.outcome_notices(contest),
        listing=notice.arrange(await notice.listed(contest, editing)),
    )


@dataclass(frozen=True)
class CaseFile:
    history: list[AuditEvent]
    awards: list[Award]  # the awards of the entry objected to


async def case_file(case: Objection) -> CaseFile:
    return CaseFile(await objections.case_history(case), await objections.entry_awards(case))
