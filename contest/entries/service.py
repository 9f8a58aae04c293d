"""The designer's entry: create, edit, submit, withdraw, and its images. Every state change goes
through `set_entry_state`, every rule about time takes `now`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from contest.accounts.models import EntrantCategory, EntrantKind, User
from contest.audit.log import record
from contest.contests import fields as track_fields
from contest.contests import timeline
from contest.contests.models import AiPolicy, Contest, IpMode, TermsKind, TermsText, Track
from contest.entries import declarations, minors, profile
from contest.entries.disclosure import TEXT_LIMITS, AiExtent, Disclosure, disclosure_problems
from contest.entries.models import Declaration, Entry, FileStatus, HeldStatus, TeamMember
from contest.entries.states import ALLOWED_TRANSITIONS, EDITABLE_STATES, EntryState
from contest.errors import Conflict, ContestError, DeadlinePassed, InvalidInput, NotFound
from contest.i18n import N_

MAX_TEAM_MEMBERS = 8
TITLE_MAX, CONCEPT_MAX = 200, 5000


class QuotaExceeded(ContestError):
    status_code = 409
    message = N_("You have reached the limit for this contest; nothing was added.")


@dataclass(frozen=True)
class Member:
    name: str
    role: str = ""
    organisation: str = ""


@dataclass(frozen=True)
class EntryInput:
    """What the designer typed, already split into fields by the web layer."""

    title: str = ""
    concept: str = ""
    answers: dict[str, list[str]] = field(default_factory=dict)
    entrant_kind: str = EntrantKind.INDIVIDUAL
    entrant_category: str = EntrantCategory.WORKER
    public_name: str = ""
    organisation: str = ""
    school: str = ""
    supervisor_name: str = ""
    supervisor_email: str = ""
    phone: str = ""
    members: tuple[Member, ...] = ()
    ai: Disclosure = field(default_factory=Disclosure)
    guardian: minors.Guardian = field(default_factory=minors.Guardian)

    def profile_facts(self) -> dict[str, str]:
        return {"category": self.entrant_category, "organisation": self.organisation, "school": self.school,
                "supervisor_name": self.supervisor_name, "supervisor_email": self.supervisor_email,
                "phone": self.phone}


class NotYetOpen(ContestError):
    status_code = 409
    message = N_("Submissions have not opened yet.")


def require_open(contest: Contest, now: datetime) -> None:
    """The server's clock decides, to the second, in UTC (the contest's zone only changes how it is shown)."""
    if contest.submissions_open_at is None or now < contest.submissions_open_at:
        raise NotYetOpen()
    if not timeline.submissions_open(contest, now):
        raise DeadlinePassed()


class FixDeadlinePassed(DeadlinePassed):
    message = N_("The deadline for fixing this returned entry has passed, so it can no longer be changed or submitted "
                 "again; nothing was changed. Please contact the organisers.")


class EntryDisqualified(Conflict):
    message = N_("This entry was disqualified, so it can no longer be changed.")


def fix_open(entry: Entry, now: datetime) -> bool:
    """Pure: a returned entry before its fix deadline."""
    return entry.state == EntryState.RETURNED and entry.fix_due_at is not None and now < entry.fix_due_at


def open_to_designer(entry: Entry, now: datetime) -> bool:
    """Pure: whether the designer may change the entry now, by time and state (rounds may still freeze it)."""
    if entry.state == EntryState.RETURNED:
        return fix_open(entry, now)
    return entry.state != EntryState.DISQUALIFIED and timeline.submissions_open(entry.contest, now)


def require_changeable(entry: Entry, now: datetime) -> None:
    """A returned entry may be fixed until its own fix deadline, even after submissions closed; a disqualified
    one never; any other while submissions are open."""
    if entry.state == EntryState.RETURNED:
        if not fix_open(entry, now):
            raise FixDeadlinePassed()
        return
    if entry.state == EntryState.DISQUALIFIED:
        raise EntryDisqualified()
    require_open(entry.contest, now)


async def create_draft(contest: Contest, track: Track, *, by: User, now: datetime) -> Entry:
    """A new empty draft in `track`. Refused after the deadline and past the per-designer entry quota."""
    require_open(contest, now)
    if track.contest_id != contest.id:
        raise NotFound()
    known = await profile.profile_of(by.id)
    async with in_transaction():
        await User.filter(id=by.id).select_for_update().first()
        count = await Entry.filter(owner_id=by.id, contest_id=contest.id).exclude(
            state=EntryState.WITHDRAWN).count()
        if count >= contest.max_entries_per_designer:
            raise QuotaExceeded()
        entry = await Entry.create(
            contest=contest, track=track, owner=by, entrant_kind=known.kind, entrant_category=known.category,
            organisation=known.organisation, school=known.school, supervisor_name=known.supervisor_name,
            supervisor_email=known.supervisor_email, public_name=by.display_name,
        )
        await record("entry.created", subject=f"entry:{entry.id}", now=now, actor=by, contest_id=contest.id)
    return entry


def _check_input(values: EntryInput, fields: list[Any]) -> tuple[dict[str, Any], dict[str, str]]:
    answers, errors = track_fields.parse_answers(fields, values.answers)
    if len(values.title) > TITLE_MAX:
        errors["title"] = N_("Too long for this field.")
    if len(values.concept) > CONCEPT_MAX:
        errors["concept"] = N_("Too long for this field.")
    if values.entrant_kind not in EntrantKind.__members__.values():
        errors["entrant_kind"] = N_("Choose one of the options.")
    if values.entrant_category not in EntrantCategory.__members__.values():
        errors["entrant_category"] = N_("Choose one of the options.")
    if len(values.members) > MAX_TEAM_MEMBERS:
        errors["members"] = N_("At most 8 team members.")
    elif values.members and values.entrant_kind != EntrantKind.TEAM:
        errors["members"] = N_("Only team entries have team members: choose 'Team', or clear the members.")
    if values.ai.extent and values.ai.extent not in set(AiExtent):
        errors["ai_extent"] = N_("Choose one of the options.")
    for name, limit in TEXT_LIMITS.items():
        if len(getattr(values.ai, name)) > limit:
            errors[f"ai_{name}"] = N_("Too long for this field.")
    return answers, errors


async def update_entry(entry: Entry, values: EntryInput, *, by: User, now: datetime) -> bool:
    """Save the designer's edits; returns whether anything changed. A submitted entry must stay complete
    (a draft may be partial) and is declared again when it changed."""
    require_changeable(entry, now)
    if entry.state not in EDITABLE_STATES:
        raise Conflict()
    fields = list(entry.track.fields_)
    answers, errors = _check_input(values, fields)
    errors.update(minors.input_problems(values.guardian, accepts_minors=entry.contest.accepts_minors))
    if errors:
        raise InvalidInput(errors)
    before = _facts(entry, [Member(m.name, m.role, m.organisation) for m in entry.members])
    consented = _apply(entry, values, answers, now)
    if entry.state == EntryState.SUBMITTED:
        problems = submission_problems(entry, declared=True, members=values.members)
        if problems:
            raise InvalidInput({"_entry": problems[0]})
    await profile.remember(entry.owner_id, values.profile_facts())
    if _facts(entry, values.members) == before:
        return False
    async with in_transaction():
        await entry.save()
        await TeamMember.filter(entry_id=entry.id).delete()
        await TeamMember.bulk_create(
            [TeamMember(entry_id=entry.id, name=m.name, role=m.role, organisation=m.organisation, position=i)
             for i, m in enumerate(values.members)])
        await record("entry.updated", subject=f"entry:{entry.id}", now=now, actor=by, contest_id=entry.contest_id)
        if consented:
            await record("entry.guardian_consented", subject=f"entry:{entry.id}", now=now, actor=by,
                         contest_id=entry.contest_id,
                         data={"relation": entry.guardian_relation, "naming": entry.minor_naming})
        await declarations.declare_again(entry, by=by, now=now)
    await entry.fetch_related("members")  # what the rest of the request (a submit) checks
    return True


def _facts(entry: Entry, members: Sequence[Member]) -> tuple[object, ...]:
    """What the designer can change through the form, to tell a real change from a repeated save."""
    return (entry.title, entry.concept, entry.answers, entry.entrant_kind, entry.entrant_category, entry.public_name,
            entry.organisation, entry.school, entry.supervisor_name, entry.supervisor_email, tuple(members),
            entry.ai_disclosure, minors.declared_facts(entry), entry.typed_name)


def _apply(entry: Entry, values: EntryInput, answers: dict[str, Any], now: datetime) -> bool:
    """Returns whether a guardian consented now."""
    entry.title, entry.concept, entry.answers = values.title, values.concept, answers
    entry.entrant_kind = EntrantKind(values.entrant_kind)
    entry.entrant_category = EntrantCategory(values.entrant_category)
    entry.organisation, entry.school = values.organisation, values.school
    entry.supervisor_name, entry.supervisor_email = values.supervisor_name, values.supervisor_email
    entry.ai_disclosure = values.ai.as_json() if entry.track.ai_policy != AiPolicy.BANNED else {}
    return minors.apply(entry, values.guardian, typed_name=values.public_name, now=now)


def files_per_slot(entry: Entry) -> Counter[int]:
    """How many files the designer put in each slot (by slot id); a PDF's rendered pages count as its one file.
    Reads the entry's prefetched images and files."""
    counted = [image.slot_id for image in entry.images if image.source_file_id is None]
    return Counter(slot_id for slot_id in counted + [file.slot_id for file in entry.files] if slot_id is not None)


def submission_problems(entry: Entry, *, declared: bool, members: Sequence[object] | None = None) -> list[str]:
    """What is missing before the entry can be submitted, as msgids (empty when ready). Reads the entry's
    prefetched track (fields and slots), images, files and members. `members`: the team about to be saved, when
    it differs from the entry's stored one. Slots for a later round are not asked for yet."""
    problems = []
    if not entry.title.strip():
        problems.append(N_("Give the entry a title."))
    if not entry.concept.strip():
        problems.append(N_("Write the concept statement."))
    if track_fields.missing_required(list(entry.track.fields_), entry.answers):
        problems.append(N_("Answer every required question of the track."))
    problems += _slot_problems(entry)
    problems += disclosure_problems(entry.track.ai_policy, Disclosure.of(entry.ai_disclosure))
    if entry.entrant_kind == EntrantKind.TEAM and not list(entry.members if members is None else members):
        problems.append(N_("Name the members of the team."))
    problems += minors.submission_problems(entry)
    if not declared:
        problems.append(N_("Accept the originality declaration and the IP terms."))
    return problems


def _slot_problems(entry: Entry) -> list[str]:
    counts = files_per_slot(entry)
    slots = [slot for slot in entry.track.slots if slot.from_round == 0]
    problems = []
    if any(counts[slot.id] < slot.min_count for slot in slots):
        problems.append(N_("Upload at least the fewest files each part of the entry asks for."))
    if any(counts[slot.id] > slot.max_count for slot in slots):
        problems.append(N_("Remove the files beyond the most a part of the entry allows."))
    if any(file.status == FileStatus.PROCESSING for file in entry.files) or any(
            held.status == HeldStatus.PROCESSING for held in entry.held_uploads):
        problems.append(N_("Wait until every upload has been processed."))
    if any(file.status == FileStatus.FAILED for file in entry.files) or any(
            held.status == HeldStatus.FAILED for held in entry.held_uploads):
        problems.append(N_("Remove the files that could not be processed."))
    return problems


async def current_terms(contest: Contest) -> tuple[TermsText, TermsText]:
    """The latest version of the originality declaration and of the IP terms (defaults made on first use)."""
    latest: dict[TermsKind, TermsText] = {}
    for kind in (TermsKind.ORIGINALITY, TermsKind.IP_TERMS):
        found = await TermsText.filter(contest_id=contest.id, kind=kind).order_by("-version").first()
        latest[kind] = found if found is not None else await _default_terms(contest, kind)
    return latest[TermsKind.ORIGINALITY], latest[TermsKind.IP_TERMS]


async def _default_terms(contest: Contest, kind: TermsKind) -> TermsText:
    ip_mode = IpMode.EXHIBITION_ONLY if kind == TermsKind.IP_TERMS else None
    try:
        return await TermsText.create(contest=contest, kind=kind, version=1, body=DEFAULT_TERMS[kind], ip_mode=ip_mode)
    except IntegrityError:  # another request made them first
        return await TermsText.get(contest_id=contest.id, kind=kind, version=1)


DEFAULT_TERMS = {
    TermsKind.ORIGINALITY: "本人（本团队/本单位）承诺：所提交作品为原创，未侵犯任何第三方的著作权、商标权、肖像权等合法权益，"
    "未在其他比赛中获奖。如有侵权，由参赛者承担全部法律责任，组委会有权取消其参赛及获奖资格。",
    TermsKind.IP_TERMS: "参赛作品的著作权归作者所有。组委会有权在大赛相关的展览、出版和宣传中免费使用参赛作品，并署作者名。",
    TermsKind.PRIVACY: "",  # none unless the contest adds to the installation's notice
}


class Submission(StrEnum):
    FIRST = "first"
    AGAIN = "again"  # a submitted entry changed by this request's save
    UNCHANGED = "unchanged"  # submitted again as it was: only the terms accepted now are recorded
    FIXED = "fixed"  # a returned entry submitted again after its fix: back to judging


async def submit_entry(
    entry: Entry, *, by: User, originality_id: int, ip_terms_id: int, now: datetime
) -> Submission:
    """Submit: checks completeness and the deadline (for a returned entry, its own fix deadline), records the
    accepted terms versions with each file's SHA-256, gives an entry number at the first submission, and queues a
    receipt. Submitting a submitted entry again records the terms accepted now, with a receipt (its first
    submission time is kept), and tells whether the save in the same request changed it."""
    require_changeable(entry, now)
    originality, ip_terms = await current_terms(entry.contest)
    declared = (originality_id, ip_terms_id) == (originality.id, ip_terms.id)
    problems = submission_problems(entry, declared=declared)
    if problems:
        raise InvalidInput({"_entry": problems[0]})
    if entry.state == EntryState.SUBMITTED:
        return await _submit_again(entry, by=by, terms=(originality.id, ip_terms.id), now=now)
    fixed = entry.state == EntryState.RETURNED
    await _submit_first(entry, by=by, terms=(originality.id, ip_terms.id), now=now)
    return Submission.FIXED if fixed else Submission.FIRST


async def _submit_again(entry: Entry, *, by: User, terms: tuple[int, int], now: datetime) -> Submission:
    latest = await Declaration.filter(entry_id=entry.id).order_by("-accepted_at", "-id").first()
    changed = latest is not None and latest.accepted_at == now  # the save just before, in this request, declared it
    async with in_transaction():
        await declarations.declare(entry, by=by, originality_id=terms[0], ip_terms_id=terms[1], now=now)
    return Submission.AGAIN if changed else Submission.UNCHANGED


async def _submit_first(entry: Entry, *, by: User, terms: tuple[int, int], now: datetime) -> None:
    state = entry.state
    for attempt in range(5):
        try:
            async with in_transaction():
                if entry.number is None:
                    entry.number = await _next_number(entry, attempt)
                await set_entry_state(entry, EntryState.SUBMITTED, by=by, now=now)
                await declarations.declare(entry, by=by, originality_id=terms[0], ip_terms_id=terms[1], now=now)
            break
        except IntegrityError:  # another entry took the number: the next try starts from the state before
            entry.number, entry.state = None, state
            if attempt == 4:
                raise


async def _next_number(entry: Entry, attempt: int) -> str:
    taken = await Entry.filter(contest_id=entry.contest_id, number__isnull=False).count()
    return f"{entry.contest.slug.upper()}-{entry.track.position:02d}-{taken + 1 + attempt:04d}"


class Withdrawal(StrEnum):
    UNDOABLE = "undoable"  # before the deadline: it can be restored as a draft
    FINAL = "final"  # after the deadline: it cannot be restored
    REFUSED = "refused"  # final, and judging has started: only an organiser may withdraw it


class WithdrawalRefused(Conflict):
    message = N_("The deadline has passed and judging has started, so the entry can no longer be withdrawn; "
                 "please contact the organisers.")


WITHDRAWAL_NOTES = {
    Withdrawal.UNDOABLE: N_("If you withdraw it, you can restore it as a draft until the deadline."),
    Withdrawal.FINAL: N_("The deadline has passed: a withdrawal cannot be undone."),
    Withdrawal.REFUSED: WithdrawalRefused.message,
}


def withdrawal(entry: Entry, *, judging_started: bool, now: datetime) -> Withdrawal:
    """Pure: what withdrawing the entry now would mean for its designer."""
    if timeline.submissions_open(entry.contest, now):
        return Withdrawal.UNDOABLE
    return Withdrawal.REFUSED if judging_started else Withdrawal.FINAL


async def withdraw_entry(entry: Entry, *, by: User, judging_started: bool, by_organiser: bool = False,
                         now: datetime) -> Withdrawal:
    """Withdraw; refused to the designer once it cannot be undone and judging has started."""
    outcome = withdrawal(entry, judging_started=judging_started, now=now)
    if outcome == Withdrawal.REFUSED and not by_organiser:
        raise WithdrawalRefused()
    await set_entry_state(entry, EntryState.WITHDRAWN, by=by, now=now)
    return outcome


def closed_reason(contest: Contest, now: datetime) -> str:
    """Why no entry can be started now, as a msgid; empty while submissions are open."""
    if contest.submissions_open_at is None or now < contest.submissions_open_at:
        return NotYetOpen.message
    return "" if timeline.submissions_open(contest, now) else N_("Submissions to this contest are closed.")


async def reopen_entry(entry: Entry, *, by: User, now: datetime) -> Entry:
    """A withdrawn entry becomes a draft again, before the deadline only."""
    require_open(entry.contest, now)
    await set_entry_state(entry, EntryState.DRAFT, by=by, now=now)
    return entry


async def set_entry_state(entry: Entry, new_state: EntryState, *, by: User, now: datetime) -> None:
    """The one place an entry changes state: checks ALLOWED_TRANSITIONS, stamps times, audits."""
    if new_state not in ALLOWED_TRANSITIONS[entry.state]:
        raise Conflict()
    old_state = entry.state
    entry.state = new_state
    if new_state == EntryState.SUBMITTED and old_state != EntryState.RETURNED:  # a fixed entry keeps its first time
        entry.submitted_at = now
    if new_state == EntryState.WITHDRAWN:
        entry.withdrawn_at = now
    async with in_transaction():
        await entry.save(update_fields=["state", "submitted_at", "withdrawn_at", "number"])
        await record("entry.state", subject=f"entry:{entry.id}", now=now, actor=by, contest_id=entry.contest_id,
                     data={"from": str(old_state), "to": str(new_state), "number": entry.number})
