"""Objections to the 公示 as cases: filed under a real name while the notice is open, then
received → under review (the experts' 复议) → upheld or rejected, every step with a note, audited.

An upheld objection revokes the entry's awards through awarding.revoke_award: its seat goes
to the next ranked entries (依次递补) or stays vacant, as the organiser chooses; the case, the awards,
the outcome notice, the audit events and the message to the objector are one transaction. A
rejected one is published only when the organiser asks. The objector's identity (name,
organisation, e-mail, phone, attachment) is read by organisers only: it is never in a notice, a
message to anyone else, or the audit log.

An organisation's sealed letter (盖章函) is a PDF or an image. A PDF is recognised by its magic
bytes only and kept as uploaded, privately, for organisers to download; an image goes through the
upload pipeline (real type from the bytes, pixel limits, metadata stripped) like any entry image.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import anyio
from tortoise.transactions import in_transaction

from contest import cache_stamp
from contest.accounts import throttle
from contest.accounts.queries import locale_of
from contest.accounts.service import EMAIL_PATTERN, normalise_email
from contest.audit.log import record
from contest.audit.models import AuditEvent
from contest.contests.models import AwardTier, Contest
from contest.entries.models import Entry
from contest.entries.slots import ABSOLUTE_MAX_FILE
from contest.errors import IMAGE_REFUSALS, Conflict, InvalidInput, InvalidUpload
from contest.i18n import N_
from contest.media.pipeline import process_image_async
from contest.media.sniffing import InvalidImage, Reason
from contest.media.storage import Storage, TempUpload, UploadTooLarge, new_key
from contest.notifications.outbox import queue_wording
from contest.notifications.templates import Bilingual, Wording
from contest.results import awarding, embargo, notice
from contest.results.award_seats import RevocationPolicy
from contest.results.awarding import ACTIVE, Promotion
from contest.results.models import Award, Notice, NoticeKind, Objection, ObjectionStatus

ALLOWED_TRANSITIONS: dict[ObjectionStatus, frozenset[ObjectionStatus]] = {
    ObjectionStatus.RECEIVED: frozenset({ObjectionStatus.UNDER_REVIEW}),
    ObjectionStatus.UNDER_REVIEW: frozenset({ObjectionStatus.UPHELD, ObjectionStatus.REJECTED}),
    ObjectionStatus.UPHELD: frozenset(),
    ObjectionStatus.REJECTED: frozenset(),
}
OPEN_STATES = notice.OPEN_CASES
DECIDED_STATES = (ObjectionStatus.UPHELD, ObjectionStatus.REJECTED)
PDF, IMAGE = "pdf", "image"
PDF_MAGIC = b"%PDF-"
MAX_PDF_BYTES = 20 * 2**20
THROTTLE_WINDOW = timedelta(days=1)
PER_EMAIL = 3  # objections a day from one e-mail address to one contest
PER_ADDRESS = 10  # from one client address
MAX_LENGTH = {"name": 100, "organisation": 200, "email": 254, "phone": 40, "grounds": 5000}
NOTE_MAX = 2000
PUBLIC_MAX = 5000
PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]{5,38}$")


class ObjectionsClosed(Conflict):
    message = N_("Objections can be filed only while the public notice is open.")


class CaseChanged(Conflict):
    message = N_("This case has moved on in the meantime; nothing was changed. Look at it again.")


@dataclass(frozen=True)
class ObjectionInput:
    name: str
    organisation: str
    email: str
    phone: str
    entry: str  # the entry's number, as the notice lists it
    grounds: str


@dataclass(frozen=True)
class Decision:
    upheld: bool
    note: str  # the experts' reasoning, for the case file
    public_text: str  # the published outcome, also sent to the objector
    policy: RevocationPolicy | None = None  # upheld: what happens to the revoked award's seat
    publish: bool = True  # rejected: whether an outcome notice is published (an upheld one always is)


@dataclass(frozen=True)
class Applied:
    revoked: list[Award]
    promotions: list[Promotion]
    notice: Notice | None


# --- filing ----------------------------------------------------------------------------------------


def _text_problems(data: ObjectionInput) -> dict[str, str]:
    problems = {name: N_("This is too long.") for name, limit in MAX_LENGTH.items() if len(getattr(data, name)) > limit}
    if not data.name:
        problems["name"] = N_("Enter your real name: anonymous objections are not accepted.")
    if not EMAIL_PATTERN.match(data.email):
        problems["email"] = N_("Enter a valid e-mail address.")
    if data.phone and not PHONE.match(data.phone):
        problems["phone"] = N_("Enter a phone number of digits, with + or - if needed.")
    if len(data.grounds) < 10:
        problems["grounds"] = N_("Describe the grounds of the objection (at least 10 characters) and the evidence.")
    return problems


def checked_input(data: ObjectionInput, numbers: Sequence[str], *, has_attachment: bool) -> ObjectionInput:
    """The input trimmed and the e-mail normalised; InvalidInput naming every field with a problem.
    `numbers` are the entries the notice lists; an organisation must attach its sealed letter."""
    data = replace(data, **{name: getattr(data, name).strip() for name in ("name", "organisation", "phone",
                                                                           "entry", "grounds")},
                   email=normalise_email(data.email))
    problems = _text_problems(data)
    if data.entry not in numbers:
        problems["entry"] = N_("Choose the entry from the list of the notice.")
    if data.organisation and not has_attachment:
        problems["attachment"] = N_("An organisation attaches its letter with the official seal, as a PDF or an image.")
    if problems:
        raise InvalidInput(problems)
    return data


async def _throttle(contest: Contest, email: str, ip: str, now: datetime) -> None:
    """Refuse past the limits, else count this attempt, atomically (a refused attachment counts too: it cost work)."""
    limits = (throttle.Limit(f"objection:{contest.id}:{email}", PER_EMAIL, THROTTLE_WINDOW),
              throttle.Limit(f"objection-ip:{ip}", PER_ADDRESS, THROTTLE_WINDOW))
    await throttle.attempt(limits, now=now,
                           refusal=N_("Too many objections from you today. Please write to the committee instead."))


def _attachment_error(message: str) -> InvalidInput:
    return InvalidInput({"attachment": message})


async def _accept(temp: TempUpload, store: Storage, key: str) -> str:
    """The attachment's kind: a PDF by its magic bytes, else an image through the pipeline."""
    if temp.bytes == 0:
        raise _attachment_error(N_("The file is empty."))
    if temp.head.startswith(PDF_MAGIC):
        if temp.bytes > MAX_PDF_BYTES:
            raise _attachment_error(N_("A PDF may have at most 20 MB."))
        return PDF
    try:
        await process_image_async(temp.path, store.derived_dir(key), key)
    except InvalidImage as exc:
        if exc.reason is Reason.UNSUPPORTED_TYPE:
            raise _attachment_error(N_("Attach a PDF, JPEG, PNG or WebP file; this file is something else.")) from None
        raise _attachment_error(IMAGE_REFUSALS.get(exc.reason, InvalidUpload.message)) from None
    return IMAGE


async def store_attachment(chunks: AsyncIterator[bytes], store: Storage) -> tuple[str, str]:
    """(key, kind) of the stored attachment; a refused file leaves nothing behind."""
    key = new_key()
    try:
        temp = await store.receive(chunks, max_bytes=ABSOLUTE_MAX_FILE)
    except UploadTooLarge:
        raise _attachment_error(N_("The file is too large: at most 20 MB for a PDF, 25 MB for an image.")) from None
    try:
        kind = await _accept(temp, store, key)
        await store.commit_original(temp, key)
    except BaseException:
        with anyio.CancelScope(shield=True):
            await store.discard(temp)
            await store.delete(key)
        raise
    return key, kind


async def file_objection(contest: Contest, data: ObjectionInput, *, attachment: AsyncIterator[bytes] | None,
                         store: Storage, ip: str, now: datetime) -> Objection:
    """File an objection to an entry the notice lists, while objections are open on an approved notice.
    Side effects: two throttle records, the attachment stored privately, the Objection row (RECEIVED) and an audit event
    without the objector's identity. Raises ObjectionsClosed, InvalidInput, TooManyAttempts."""
    if not (embargo.objections_open(contest, now) and await notice.is_public(contest, now)):
        raise ObjectionsClosed()
    shown = await notice.current(contest)
    entries = {line.number: line.entry_id for line in await notice.listed(contest, shown.kind)}
    data = checked_input(data, list(entries), has_attachment=attachment is not None)
    await _throttle(contest, data.email, ip, now)
    key, kind = await store_attachment(attachment, store) if attachment is not None else ("", "")
    try:
        async with in_transaction():
            objection = await Objection.create(
                contest_id=contest.id, entry_id=entries[data.entry], objector_name=data.name,
                objector_organisation=data.organisation, objector_email=data.email, objector_phone=data.phone,
                body=data.grounds, attachment_key=key, attachment_type=kind, created_at=now)
            await record("objection.received", subject=f"objection:{objection.id}", now=now, contest_id=contest.id,
                         data={"entry": entries[data.entry], "attachment": kind})
    except BaseException:
        if key:
            with anyio.CancelScope(shield=True):
                await store.delete(key)
        raise
    return objection


# --- the case --------------------------------------------------------------------------------------


NOTE_REQUIRED = N_("Write what was decided and why; it is kept in the case file.")
PUBLIC_REQUIRED = N_("Write the outcome as it will be published.")


def _problem(text: str, missing: str | None, *, limit: int) -> str | None:
    """What is wrong with a trimmed text: empty when it is required (`missing` says so), or too long."""
    if not text and missing:
        return missing
    return N_("This is too long.") if len(text) > limit else None


async def _move(objection: Objection, to: ObjectionStatus, *, outcome: str = "", now: datetime) -> ObjectionStatus:
    """Change the case's status if the move is allowed from the status it has now (read in the
    transaction, and the update is conditional on it, so two organisers cannot both decide)."""
    current = (await Objection.get(id=objection.id)).status
    if to not in ALLOWED_TRANSITIONS[current]:
        raise CaseChanged()
    changes: dict[str, Any] = {"status": to}
    if to in DECIDED_STATES:
        changes.update(outcome=outcome, resolved_at=now)
    if not await Objection.filter(id=objection.id, status=current).update(**changes):
        raise CaseChanged()
    return current


async def start_review(objection: Objection, *, note: str, by: Any, now: datetime) -> None:
    """received → under review (the experts' 复议), with the organiser's note; audited."""
    note = note.strip()
    problem = _problem(note, NOTE_REQUIRED, limit=NOTE_MAX)
    if problem:
        raise InvalidInput({"note": problem})
    async with in_transaction():
        await _move(objection, ObjectionStatus.UNDER_REVIEW, now=now)
        await record("objection.under_review", subject=f"objection:{objection.id}", now=now, actor=by,
                     contest_id=objection.contest_id, data={"note": note})


def _checked_decision(decision: Decision) -> Decision:
    """The decision with its texts trimmed; InvalidInput naming every field with a problem."""
    note, public_text = decision.note.strip(), decision.public_text.strip()
    published = decision.upheld or decision.publish
    problems = {"note": _problem(note, NOTE_REQUIRED, limit=NOTE_MAX),
                "public_text": _problem(public_text, PUBLIC_REQUIRED if published else None, limit=PUBLIC_MAX),
                "policy": N_("Choose one of the options.") if decision.upheld and decision.policy is None else None}
    found = {name: problem for name, problem in problems.items() if problem}
    if found:
        raise InvalidInput(found)
    return replace(decision, note=note, public_text=public_text)


async def decide(objection: Objection, decision: Decision, *, by: Any, now: datetime) -> Applied:
    """under review → upheld or rejected. Upheld: every active award of the entry is revoked (track
    grade first) with its seat refilled or left vacant (`decision.policy`), and an outcome notice is
    published; rejected: a notice only if `decision.publish`. The objector gets an outbox message.
    All in one transaction, audited with the note; then the contest's cached results pages are
    dropped. Raises InvalidInput, CaseChanged."""
    decision = _checked_decision(decision)
    contest = await Contest.get(id=objection.contest_id)
    to = ObjectionStatus.UPHELD if decision.upheld else ObjectionStatus.REJECTED
    async with in_transaction():
        await _move(objection, to, outcome=decision.public_text, now=now)
        revoked, promotions = await _revoke(objection, decision, by=by, now=now) if decision.upheld else ([], [])
        published = None
        if decision.upheld or decision.publish:
            published = await _outcome_notice(contest, objection, decision, revoked, promotions, now=now)
        await record(f"objection.{to.value}", subject=f"objection:{objection.id}", now=now, actor=by,
                     contest_id=contest.id, data={
                         "note": decision.note, "public_text": decision.public_text,
                         "policy": decision.policy.value if decision.upheld and decision.policy else None,
                         "revoked": [a.id for a in revoked], "notice": published.id if published else None,
                         "promoted": [[p.entry_id, p.from_tier_id, p.to_tier_id] for p in promotions]})
        await _inform_objector(contest, objection, decision, now=now)
    await cache_stamp.invalidate_results(contest.id)
    return Applied(revoked, promotions, published)


async def _revoke(objection: Objection, decision: Decision, *, by: Any,
                  now: datetime) -> tuple[list[Award], list[Promotion]]:
    awards = await Award.filter(entry_id=objection.entry_id, status__in=list(ACTIVE)).order_by(
        "tier__is_special", "tier__rank", "id")
    reason = f"异议 {objection.id} 成立：{decision.public_text}"[: awarding.MAX_REASON]
    promotions: list[Promotion] = []
    for award in awards:
        promotions += await awarding.revoke_award(award, policy=decision.policy or RevocationPolicy.LEAVE_VACANT,
                                                  reason=reason, by=by, now=now)
    return awards, promotions


def _label(entry: Entry) -> str:
    return f"{entry.number or ''}《{notice.md_escape(entry.title)}》"


def _vacated(revoked: Sequence[Award], promotions: Sequence[Promotion], special: set[int],
             policy: RevocationPolicy | None) -> list[int]:
    """The tiers left with an empty seat: each revoked one when nothing moves (or a special award, never
    refilled); under 依次递补 without an entry to join, the lowest tier of the chain."""
    if policy is not RevocationPolicy.PROMOTE_NEXT:
        return [a.tier_id for a in revoked]
    vacated = [a.tier_id for a in revoked if a.tier_id in special]
    graded = [a for a in revoked if a.tier_id not in special]
    if graded and not any(p.from_tier_id is None for p in promotions):
        lowest = promotions[-1].from_tier_id if promotions else graded[0].tier_id
        assert lowest is not None  # the guard above: no promotion came from "no award"
        vacated.append(lowest)
    return vacated


async def _changes(objection: Objection, revoked: Sequence[Award], promotions: Sequence[Promotion],
                   policy: RevocationPolicy | None) -> list[str]:
    """The published list of what the outcome changed, in the notice's language."""
    if not revoked:
        return ["- 该作品没有需要撤销的奖项。"]
    entry_ids = {objection.entry_id, *(p.entry_id for p in promotions)}
    entries = {e.id: e for e in await Entry.filter(id__in=list(entry_ids))}
    moved = {p.to_tier_id for p in promotions} | {p.from_tier_id for p in promotions if p.from_tier_id is not None}
    rows = await AwardTier.filter(id__in=list({a.tier_id for a in revoked} | moved))
    name = {t.id: notice.md_escape(t.name) for t in rows}
    lines = [f"- 撤销作品 {_label(entries[objection.entry_id])} 的{name[a.tier_id]}。" for a in revoked]
    for p in promotions:
        was = f"由{name[p.from_tier_id]}" if p.from_tier_id is not None else ""
        lines.append(f"- 作品 {_label(entries[p.entry_id])} {was}依次递补为{name[p.to_tier_id]}。")
    special = {t.id for t in rows if awarding.as_tier(t).track_id is None}
    lines += [f"- {name[tier_id]}空缺一名。" for tier_id in _vacated(revoked, promotions, special, policy)]
    return lines


async def _outcome_notice(contest: Contest, objection: Objection, decision: Decision, revoked: Sequence[Award],
                          promotions: Sequence[Promotion], *, now: datetime) -> Notice:
    entry = await Entry.get(id=objection.entry_id)
    if decision.upheld:
        verdict = ["经专家复议，异议成立。", decision.public_text,
                   "\n".join(await _changes(objection, revoked, promotions, decision.policy))]
    else:
        verdict = ["经专家复议，异议不成立，维持原评审结果。", decision.public_text]
    return await Notice.create(contest_id=contest.id, kind=NoticeKind.OBJECTION_OUTCOME,
                               title=f"关于作品 {entry.number or ''} 异议的处理结果"[: notice.TITLE_MAX],
                               body_md="\n\n".join(part for part in verdict if part), publish_at=now)


OBJECTION_OUTCOME = Wording(
    subject_zh="【{contest}】异议处理结果（编号 {case}）",
    body_zh="{name}，您好：\n\n您就作品 {entry_number}《{entry_title}》提出的异议（编号 {case}）已处理完毕：{verdict}。\n\n"
    "{public_text}\n\n感谢您对{contest}的监督。",
    subject_en="Objection outcome (case {case}): {contest}",
    body_en="Dear {name},\n\nYour objection (case {case}) to entry {entry_number} has been decided: {verdict}.\n\n"
    "{public_text}\n\nThank you for keeping {contest} fair.",
)


async def _inform_objector(contest: Contest, objection: Objection, decision: Decision, *, now: datetime) -> None:
    """In the objector's language when their e-mail has an account, else Chinese."""
    entry = await Entry.get(id=objection.entry_id)
    verdict = Bilingual("异议成立", "upheld") if decision.upheld else Bilingual("异议不成立", "rejected")
    await queue_wording("objection_outcome", OBJECTION_OUTCOME, to_email=objection.objector_email, contest_id=contest.id,
                        locale=await locale_of(objection.objector_email),
                        values={"contest": Bilingual(contest.title, contest.title_en or contest.title),
                                "name": objection.objector_name, "case": objection.id, "entry_number": entry.number or "",
                                "entry_title": entry.title, "verdict": verdict, "public_text": decision.public_text})


# --- queries ---------------------------------------------------------------------------------------


async def cases_for_organiser(contest: Contest) -> list[Objection]:
    """Every case of the contest, open ones first, oldest first within each."""
    cases = await Objection.filter(contest_id=contest.id).prefetch_related("entry__track").order_by("created_at", "id")
    return sorted(cases, key=lambda c: c.status not in OPEN_STATES)


async def case_of(contest: Contest, objection_id: int) -> Objection | None:
    return await Objection.filter(id=objection_id, contest_id=contest.id).prefetch_related(
        "entry__track", "entry__owner").first()


async def case_history(objection: Objection) -> list[AuditEvent]:
    return await AuditEvent.filter(subject=f"objection:{objection.id}").prefetch_related("actor").order_by("seq")


async def entry_awards(objection: Objection) -> list[Award]:
    """The entry's awards, revoked ones included, for the case page."""
    return await Award.filter(entry_id=objection.entry_id).prefetch_related("tier__track").order_by(
        "tier__is_special", "tier__rank", "id")
