"""Award grades: the proposal from the final round, stored and then adjusted (move, add, remove,
leave vacant, special awards) only with a recorded reason, confirmed; certificates to check and
download as one ZIP.

Each form posts to its own URL; on a problem the page is shown again with that form's input kept
and the messages next to its fields (status 400).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from contest import clock, permissions
from contest.contests.models import AwardTier, Contest
from contest.errors import InvalidInput, found
from contest.form_input import parse_integer
from contest.i18n import N_
from contest.results import awarding, certificate_numbers, certificates
from contest.results.award_seats import RevocationPolicy, VacancyReason
from contest.results.awarding import Overview, ProposalChanged, as_tier
from contest.results.embargo import results_public
from contest.results.models import Award, AwardStatus
from contest.web.infra.flash import flash
from contest.web.infra.forms import read_form
from contest.web.infra.media import check_link, pdf_response
from contest.web.infra.session import require_user
from contest.web.infra.templating import render
from contest.web.organiser.common import form_values, organised_contest, redirect_to

STATUS_LABELS = {AwardStatus.PROPOSED: N_("Proposed"), AwardStatus.CONFIRMED: N_("Confirmed"),
                 AwardStatus.REVOKED: N_("Revoked")}
POLICY_LABELS = {RevocationPolicy.LEAVE_VACANT: N_("Leave the seat vacant"),
                 RevocationPolicy.PROMOTE_NEXT: N_("Promote the next entries (依次递补)")}
VACANCY_LABELS = {VacancyReason.TOO_FEW_ENTRIES: N_("not enough ranked entries"),
                  VacancyReason.REVOKED: N_("revoked")}
EVENT_LABELS = {
    "awards.proposal_stored": N_("Proposal stored"), "award.added": N_("Award added"),
    "award.moved": N_("Moved to another grade"), "award.removed": N_("Award removed"),
    "award.revoked": N_("Award revoked"), "award.promoted": N_("Promoted"), "awards.confirmed": N_("Awards confirmed"),
}


async def awards_page(request: Request, *, errors: dict[str, str] | None = None, form: str = "",
                      values: dict[str, str] | None = None, changed: bool = False, status: int = 200) -> Response:
    contest = await organised_contest(request)
    view = await awarding.overview(contest)
    now = clock.now()
    context: dict[str, Any] = {
        "contest": contest, "view": view, "errors": errors or {}, "form": form, "values": values or {},
        "changed": changed, "status_labels": STATUS_LABELS, "policy_labels": POLICY_LABELS,
        "vacancy_labels": VACANCY_LABELS, "event_labels": EVENT_LABELS, "missing": _missing_glyphs(view.awards),
        "announced": results_public(contest, now), "sections": _sections(view),
        "numbers": await certificate_numbers.numbers_of(contest, now=now),
    }
    return render(request, "organiser/awards.html", context, status_code=status)


def _sections(view: Overview) -> list[dict[str, Any]]:
    """One section per track (tiers, ranking, the proposal's vacancies and ties), then special awards."""
    proposal = view.proposal
    sections: dict[int | None, dict[str, Any]] = {}
    for tier in view.tiers:
        track_id = as_tier(tier).track_id
        section = sections.setdefault(track_id, {
            "track": tier.track if track_id is not None else None, "tiers": [],
            "ranking": proposal.ranking.get(track_id, ()) if proposal and track_id is not None else (),
            "ties": [t for t in proposal.boundary_ties if t.track_id == track_id] if proposal else []})
        vacancies = [v for v in proposal.vacancies if v.tier_id == tier.id] if proposal else []
        section["tiers"].append({"tier": tier, "awards": view.active(tier.id), "vacancies": vacancies,
                                 "proposed": [a.entry_id for a in proposal.awards if a.tier_id == tier.id]
                                 if proposal else []})
    return sorted(sections.values(), key=lambda s: s["track"] is None)


def _missing_glyphs(awards: list[Award]) -> dict[int, str]:
    """Per active award, the characters its certificate cannot print, so organisers can see to them."""
    found = {a.id: certificates.missing_characters(certificates.certificate_of(a)) for a in awards
             if a.status != AwardStatus.REVOKED}
    return {award_id: chars for award_id, chars in found.items() if chars}


def _choice(values: dict[str, str], name: str) -> int:
    chosen = parse_integer(values.get(name, ""))
    if chosen is None:
        raise InvalidInput({name: N_("Choose one of the options.")})
    return chosen


async def _tier(contest: Contest, values: dict[str, str]) -> AwardTier:
    tier = await awarding.tier_of_contest(contest, _choice(values, "tier"))
    if tier is None:
        raise InvalidInput({"tier": N_("Choose one of the options.")})
    return tier


async def _award(request: Request, contest: Contest) -> Award:
    return found(await awarding.award_of_contest(contest, request.path_params["award_id"]))


def _done(request: Request, contest: Contest, message: str, **params: object) -> Response:
    response = redirect_to(request, "organiser:awards", slug=contest.slug)
    flash(request, response, message, level="success", **params)
    return response


async def store(request: Request) -> Response:
    """Store the proposal the organiser was shown; if the figures moved since, show the new one."""
    contest = await organised_contest(request)
    values = form_values(await read_form(request))
    try:
        stored = await awarding.store_proposal(contest, token=values.get("proposal", ""),
                                               by=require_user(request), now=clock.now())
    except ProposalChanged:
        return await awards_page(request, changed=True, status=409)
    return _done(request, contest, N_("The proposal is stored: {count} awards, all proposed until you confirm them."),
                 count=len(stored))


async def add(request: Request) -> Response:
    contest = await organised_contest(request)
    values = form_values(await read_form(request))
    try:
        entry = await awarding.entry_of_contest(contest, _choice(values, "entry"))
        if entry is None:
            raise InvalidInput({"entry": N_("Choose one of the options.")})
        await awarding.add_award(contest, entry=entry, tier=await _tier(contest, values),
                                 reason=values.get("reason", ""), override_quota=values.get("override") == "1",
                                 by=require_user(request), now=clock.now())
    except InvalidInput as exc:
        return await awards_page(request, errors=exc.field_errors, form="add", values=values, status=400)
    return _done(request, contest, N_("The award is added and awaits confirmation."))


async def move(request: Request) -> Response:
    contest = await organised_contest(request)
    award = await _award(request, contest)
    values = form_values(await read_form(request))
    try:
        await awarding.move_award(award, tier=await _tier(contest, values), reason=values.get("reason", ""),
                                  override_quota=values.get("override") == "1", by=require_user(request),
                                  now=clock.now())
    except InvalidInput as exc:
        return await awards_page(request, errors=exc.field_errors, form=f"move-{award.id}", values=values, status=400)
    return _done(request, contest, N_("The entry has its new grade, which awaits confirmation."))


async def remove(request: Request) -> Response:
    contest = await organised_contest(request)
    award = await _award(request, contest)
    values = form_values(await read_form(request))
    try:
        policy = values.get("policy", "")
        if policy not in POLICY_LABELS:
            raise InvalidInput({"policy": N_("Choose one of the options.")})
        promoted = await awarding.remove_award(award, policy=policy, reason=values.get("reason", ""),
                                               by=require_user(request), now=clock.now())
    except InvalidInput as exc:
        return await awards_page(request, errors=exc.field_errors, form=f"remove-{award.id}", values=values,
                                 status=400)
    return _done(request, contest, N_("The award is removed; {count} entries moved up."), count=len(promoted))


async def confirm(request: Request) -> Response:
    contest = await organised_contest(request)
    values = form_values(await read_form(request))
    if values.get("confirm") != "1":
        return await awards_page(request, errors={"confirm": N_("Tick the box to confirm.")}, form="confirm",
                                 status=400)
    count = await awarding.confirm_awards(contest, by=require_user(request), now=clock.now())
    return _done(request, contest, N_("{count} awards are confirmed."), count=count)


async def certificate(request: Request) -> Response:
    """An organiser's copy of one award's certificate, to check it before (or after) the announcement."""
    contest = await organised_contest(request)
    award = await _award(request, contest)
    permissions.require(award.status != AwardStatus.REVOKED)
    (document,) = await certificates.certificates_for(contest, [award], now=clock.now(), link=check_link(request))
    return pdf_response(await certificates.certificate_pdf(document), document, award_id=award.id)


async def certificates_zip(request: Request) -> Response:
    """Every confirmed award's certificate in one ZIP, streamed as it is made."""
    contest = await organised_contest(request)
    documents = await certificates.certificates_for(contest, await awarding.confirmed_awards(contest), now=clock.now(),
                                                    link=check_link(request))
    filename = f"{contest.slug}-certificates.zip"
    return StreamingResponse(certificates.certificates_zip(documents), media_type="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "private, no-store"})


_awards = "/c/{slug}/awards"
routes = [
    Route(_awards, awards_page, name="awards"),
    Route(_awards + "/store", store, methods=["POST"], name="awards_store"),
    Route(_awards + "/add", add, methods=["POST"], name="award_add"),
    Route(_awards + "/confirm", confirm, methods=["POST"], name="awards_confirm"),
    Route(_awards + "/certificates.zip", certificates_zip, name="certificates_zip"),
    Route(_awards + "/{award_id:int}/move", move, methods=["POST"], name="award_move"),
    Route(_awards + "/{award_id:int}/remove", remove, methods=["POST"], name="award_remove"),
    Route(_awards + "/{award_id:int}/certificate", certificate, name="award_certificate"),
]
