"""The committee's side of the 公示: the notice's text, the objection cases and their attachments.

A case moves received → under review → upheld or rejected, each step with a note (kept in the
audit log). The objector's identity is shown on these pages only. An attachment is served only
here: a PDF as a download (never displayed in the browser), an image as its re-encoded copy; both
with nosniff and a sandbox CSP, never cached.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contest import clock, permissions
from contest.console import notices
from contest.contests.models import Contest
from contest.errors import InvalidInput, found
from contest.i18n import N_
from contest.media.storage import derived_name, original_name
from contest.results import notice, objections
from contest.results.award_seats import RevocationPolicy
from contest.results.models import AwardStatus, NoticeKind, Objection, ObjectionStatus
from contest.results.objections import Decision
from contest.web.infra import media
from contest.web.infra.flash import flash
from contest.web.infra.forms import read_form
from contest.web.infra.session import require_user
from contest.web.infra.templating import render
from contest.web.organiser.common import form_values, organised_contest, redirect_to

KIND_LABELS = {NoticeKind.PROPOSED_WINNERS: N_("Proposed winners"), NoticeKind.SHORTLIST: N_("Shortlist (finalists)")}
STATUS_LABELS = {ObjectionStatus.RECEIVED: N_("Case received"), ObjectionStatus.UNDER_REVIEW: N_("Under expert review"),
                 ObjectionStatus.UPHELD: N_("Objection upheld"), ObjectionStatus.REJECTED: N_("Objection rejected")}
POLICY_LABELS = {RevocationPolicy.PROMOTE_NEXT: N_("Promote the next entries (依次递补)"),
                 RevocationPolicy.LEAVE_VACANT: N_("Leave the seat vacant")}
AWARD_LABELS = {AwardStatus.PROPOSED: N_("Proposed"), AwardStatus.CONFIRMED: N_("Confirmed"),
                AwardStatus.REVOKED: N_("Revoked")}
EVENT_LABELS = {"objection.received": N_("Case received"), "objection.under_review": N_("Expert review started"),
                "objection.upheld": N_("Objection upheld"), "objection.rejected": N_("Objection rejected")}
NO_STORE = "private, no-store"
PDF_HEADERS = {"Content-Disposition": 'attachment; filename="objection-letter.pdf"'}


async def objections_page(request: Request, *, errors: dict[str, str] | None = None,
                          values: dict[str, str] | None = None, status: int = 200) -> Response:
    contest = await organised_contest(request)
    shown = await notices.shown_notice(contest)
    kind = request.query_params.get("draft")
    if values is None and kind in KIND_LABELS:
        title, body = await notices.notice_draft(contest, NoticeKind(kind))
        values = {"kind": kind, "title": title, "body_md": body}
    values = values or {"kind": shown.kind.value, "title": shown.title, "body_md": shown.body_md}
    desk = await notices.notice_desk(contest, shown, editing=NoticeKind(values.get("kind") or shown.kind.value),
                                     now=clock.now())
    context: dict[str, Any] = {
        "contest": contest, "shown": shown, "values": values, "errors": errors or {}, "kind_labels": KIND_LABELS,
        "status_labels": STATUS_LABELS, "window": desk.window, "phase": desk.phase, "cases": desk.cases,
        "outcomes": desk.outcomes, "listing": desk.listing,
    }
    return render(request, "organiser/objections.html", context, status_code=status)


async def _save_notice(request: Request, *, approve: bool) -> Response:
    contest = await organised_contest(request)
    values = form_values(await read_form(request), max_length=notice.BODY_MAX + 1)
    try:
        await notice.save_notice(contest, kind=values.get("kind", ""), title=values.get("title", ""),
                                 body_md=values.get("body_md", ""), by=require_user(request), now=clock.now(),
                                 approve=approve)
    except InvalidInput as exc:
        return await objections_page(request, errors=exc.field_errors, values=values, status=400)
    response = redirect_to(request, "organiser:objections", slug=contest.slug)
    flash(request, response, N_("The notice is approved. It is public from the start of the notice period.")
          if approve else N_("The notice is saved."))
    return response


async def notice_save(request: Request) -> Response:
    return await _save_notice(request, approve=False)


async def notice_approve(request: Request) -> Response:
    """Save the text shown and approve it: only an approved notice is ever public."""
    return await _save_notice(request, approve=True)


async def _case(request: Request) -> tuple[Contest, Objection]:
    contest = await organised_contest(request)
    return contest, found(await objections.case_of(contest, request.path_params["objection_id"]))


async def case_page(request: Request, *, errors: dict[str, str] | None = None, values: dict[str, str] | None = None,
                    form: str = "", status: int = 200) -> Response:
    contest, case = await _case(request)
    file = await notices.case_file(case)
    context = {"contest": contest, "case": case, "errors": errors or {}, "values": values or {}, "form": form,
               "status_labels": STATUS_LABELS, "policy_labels": POLICY_LABELS, "event_labels": EVENT_LABELS,
               "award_labels": AWARD_LABELS,
               "history": file.history, "awards": file.awards}
    response = render(request, "organiser/objections_case.html", context, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _case_done(request: Request, contest: Contest, case: Objection, message: str, **params: object) -> Response:
    response = redirect_to(request, "organiser:objection", slug=contest.slug, objection_id=case.id)
    flash(request, response, message, level="success", **params)
    return response


async def review(request: Request) -> Response:
    contest, case = await _case(request)
    values = form_values(await read_form(request), max_length=objections.NOTE_MAX + 1)
    try:
        await objections.start_review(case, note=values.get("note", ""), by=require_user(request), now=clock.now())
    except InvalidInput as exc:
        return await case_page(request, errors=exc.field_errors, values=values, form="review", status=400)
    return _case_done(request, contest, case, N_("The case is under expert review."))


def _decision(values: dict[str, str]) -> Decision:
    verdict = values.get("verdict", "")
    if verdict not in ("upheld", "rejected"):
        raise InvalidInput({"verdict": N_("Choose one of the options.")})
    policy = values.get("policy", "")
    return Decision(upheld=verdict == "upheld", note=values.get("note", ""), public_text=values.get("public_text", ""),
                    policy=RevocationPolicy(policy) if policy in POLICY_LABELS else None,
                    publish=values.get("publish") == "1")


async def decide(request: Request) -> Response:
    contest, case = await _case(request)
    values = form_values(await read_form(request), max_length=objections.PUBLIC_MAX + 1)
    try:
        decision = _decision(values)
        applied = await objections.decide(case, decision, by=require_user(request), now=clock.now())
    except InvalidInput as exc:
        return await case_page(request, errors=exc.field_errors, values=values, form="decide", status=400)
    if decision.upheld:
        return _case_done(request, contest, case, N_("The objection is upheld: {revoked} awards revoked, {promoted} "
                                                     "entries moved up, the outcome published."),
                          revoked=len(applied.revoked), promoted=len(applied.promotions))
    return _case_done(request, contest, case, N_("The objection is rejected; the objector is informed."))


async def attachment(request: Request) -> Response:
    """The letter as stored: the key is random and the file never changes, so the key is its ETag."""
    _, case = await _case(request)
    if case.attachment_type == objections.PDF:
        response = await media.file_response(request, original_name(case.attachment_key), "application/pdf",
                                             case.attachment_key, cache=NO_STORE)
        response.headers.update(PDF_HEADERS)
        return response
    permissions.require(case.attachment_type == objections.IMAGE)
    stored = derived_name(case.attachment_key, "judging", "JPEG")
    return await media.file_response(request, stored, "image/jpeg", case.attachment_key, cache=NO_STORE)


_cases = "/c/{slug}/objections"
routes = [
    Route(_cases, objections_page, name="objections"),
    Route("/c/{slug}/notice", notice_save, methods=["POST"], name="notice_save"),
    Route("/c/{slug}/notice/approve", notice_approve, methods=["POST"], name="notice_approve"),
    Route(_cases + "/{objection_id:int}", case_page, name="objection"),
    Route(_cases + "/{objection_id:int}/review", review, methods=["POST"], name="objection_review"),
    Route(_cases + "/{objection_id:int}/decide", decide, methods=["POST"], name="objection_decide"),
    Route(_cases + "/{objection_id:int}/attachment", attachment, name="objection_attachment"),
]
