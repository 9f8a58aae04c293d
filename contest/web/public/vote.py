"""The popular vote's public page: verify an e-mail (or a phone, when the contest counts per number) by
code, vote within the daily quota, and after the vote a summary of what was voided and why.

A verified voter is remembered by a signed cookie scoped to the contest's vote pages, naming the
voter and the moment they were verified; each request checks it against the Voter row. Server-side
sessions belong to accounts (a voter has none, and needs none), and the cookie carries no right
beyond voting in this one contest. Forms are protected by the usual CSRF token, bound before login
to the browser's random cookie. The page is never cached: it holds the visitor's own order and form
tokens.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import datetime

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from contest import clock
from contest.contests.models import Contest
from contest.errors import Conflict, ContestError, InvalidInput, NotFound, found
from contest.i18n import N_
from contest.judging.models import Round
from contest.media.storage import derived_name
from contest.results import gallery as pictures
from contest.results.models import Voter
from contest.results.vote import ballots, candidates, codes, counts, phones, stuffing, window
from contest.sms import CODE_MINUTES, masked
from contest.web.infra import csrf, media
from contest.web.infra.flash import flash
from contest.web.infra.forms import client_address, read_form, text
from contest.web.infra.lookups import published_contest, sms_sender
from contest.web.infra.templating import render, request_locale

NO_STORE = {"Cache-Control": "no-store"}
IMAGE_CACHE = "public, max-age=600"  # short: the image stops being served when the vote closes
SIZES = ("thumb", "display")



async def _vote_of(request: Request) -> tuple[Contest, Round, window.Phase]:
    """The contest and its final round; a 404 where the contest has no popular vote."""
    contest = await published_contest(request)
    final = found(await window.final_round(contest))
    return contest, final, found(window.phase(contest, final, clock.now()))


# --- the voter's cookie --------------------------------------------------------------------------


def _cookie_name(request: Request) -> str:
    return "__Secure-vote" if request.app.state.cookies.secure else "contest_vote"


def _signature(request: Request, contest: Contest, voter_id: int, stamp: int) -> str:
    message = f"popular-vote:{contest.id}:{voter_id}:{stamp}".encode()
    return hmac.new(request.app.state.settings.secret_key.encode(), message, hashlib.sha256).hexdigest()


def _remember(request: Request, response: Response, contest: Contest, voter: Voter, until: datetime) -> None:
    assert voter.verified_at is not None  # only a verified voter is remembered
    stamp = int(voter.verified_at.timestamp())
    value = f"{voter.id}.{stamp}.{_signature(request, contest, voter.id, stamp)}"
    max_age = max(int((until - clock.now()).total_seconds()), 0)
    response.set_cookie(_cookie_name(request), value, max_age=max_age, path=f"/c/{contest.slug}/vote",
                        httponly=True, secure=request.app.state.cookies.secure, samesite="lax")


async def _voter(request: Request, contest: Contest) -> Voter | None:
    voter_id, _, rest = request.cookies.get(_cookie_name(request), "").partition(".")
    stamp, _, signature = rest.partition(".")
    if not (voter_id.isdigit() and stamp.isdigit()):
        return None
    if not hmac.compare_digest(signature, _signature(request, contest, int(voter_id), int(stamp))):
        return None
    voter = await codes.verified_voter(contest, int(voter_id))
    if voter is None or voter.verified_at is None or not phones.may_vote(contest, voter):
        return None
    return voter if int(voter.verified_at.timestamp()) == int(stamp) else None


# --- pages ---------------------------------------------------------------------------------------


def _image_helpers(request: Request, contest: Contest) -> dict[str, Callable[..., str]]:
    def image_url(picture: pictures.Picture, name: str) -> str:
        return request.app.url_path_for("public:vote_image", slug=contest.slug, digest=picture.variants[name].digest,
                                        key=picture.key, variant=name)

    def srcset(picture: pictures.Picture, fmt: str) -> str:
        names = [f"{size}.{fmt}" for size in SIZES if f"{size}.{fmt}" in picture.variants]
        return ", ".join(f"{image_url(picture, name)} {picture.variants[name].width}w" for name in names)

    return {"image_url": image_url, "srcset": srcset}


def _visitor(request: Request, voter: Voter | None) -> str:
    """Whose order to show: the voter's, else this browser's (its random CSRF binding, made here if new)."""
    if voter is not None:
        return f"voter:{voter.id}"
    csrf.csrf_token(request)
    return f"browser:{csrf.binding_for(request.scope)}"


async def _ballot(request: Request, contest: Contest, final: Round, voter: Voter | None) -> dict:
    """The candidates in this visitor's own order, and what the voter has left today."""
    shuffled = candidates.shuffled(await candidates.candidates(final), seed=f"{final.secret}:{_visitor(request, voter)}")
    voted = await ballots.votes_today(voter, window.voting_day(contest, clock.now())) if voter else set()
    left = max(contest.popular_vote_daily_quota - len(voted), 0)
    return {"candidates": shuffled, "voted": voted, "left": left, "show_names": final.judges_see_identity,
            **_image_helpers(request, contest)}


async def vote_page(request: Request, *, values: dict | None = None, errors: dict | None = None,
                    code_sent: bool = False, status: int = 200) -> Response:
    contest, final, current = await _vote_of(request)
    voter = await _voter(request, contest)
    context = {"contest": contest, "phase": current, "window": window.window(contest, final), "voter": voter,
               "values": values or {}, "errors": errors or {}, "code_sent": code_sent,
               "quota": contest.popular_vote_daily_quota, "rule_labels": stuffing.RULE_LABELS,
               "code_minutes": int(codes.CODE_LIFETIME.total_seconds() // 60), "masked": masked,
               "phone_minutes": CODE_MINUTES, "voter_phone": masked(phones.number_of(voter)) if voter else ""}
    if current == window.Phase.OPEN:
        context.update(await _ballot(request, contest, final, voter))
    elif current == window.Phase.CLOSED:
        context["summary"] = await counts.summary(contest)
    response = render(request, "public/vote.html", context, status_code=status)
    response.headers.update(NO_STORE)
    return response


async def code_request(request: Request) -> Response:
    contest, _, _ = await _vote_of(request)
    values = {"email": text(await read_form(request), "email", max_length=300)}
    try:
        await codes.request_code(contest, values["email"], ip=client_address(request), now=clock.now(),
                                 locale=request_locale(request))
    except ContestError as exc:  # a vote per number shows no e-mail field: the refusal goes by the phone's
        errors = _field_errors(exc, "phone" if contest.popular_vote_phone else "email")
        return await vote_page(request, values=values, errors=errors, status=exc.status_code)
    return await vote_page(request, values=values, code_sent=True)


def _field_errors(exc: ContestError, field: str) -> dict[str, str]:
    return exc.field_errors if isinstance(exc, InvalidInput) else {field: exc.message}


async def code_verify(request: Request) -> Response:
    contest, final, _ = await _vote_of(request)
    form = await read_form(request)
    values = {"email": text(form, "email", max_length=300)}
    try:
        voter = await codes.verify_code(contest, values["email"], text(form, "code", max_length=40),
                                        ip=client_address(request), now=clock.now())
    except ContestError as exc:
        return await vote_page(request, values=values, errors=_field_errors(exc, "code"), code_sent=True,
                               status=exc.status_code)
    return _verified(request, contest, final, voter, N_("Your e-mail is verified. You have {quota} votes a day."))


def _verified(request: Request, contest: Contest, final: Round, voter: Voter, message: str) -> Response:
    """Back to the vote, remembering the voter until it closes."""
    response = RedirectResponse(request.url_for("public:vote", slug=contest.slug), status_code=303)
    assert final.closes_at is not None  # the vote is open, so its window has both ends
    _remember(request, response, contest, voter, final.closes_at)
    flash(request, response, message, quota=contest.popular_vote_daily_quota)
    return response


# --- a vote per phone number (contest.popular_vote_phone) ------------------------------------------


async def phone_code_request(request: Request) -> Response:
    contest, _, _ = await _vote_of(request)
    values = {"phone": text(await read_form(request), "phone", max_length=40)}
    try:
        values["phone"] = await phones.request_code(
            contest, values["phone"], sender=sms_sender(request), secret=request.app.state.settings.secret_key,
            ip=client_address(request), now=clock.now(), locale=request_locale(request))
    except ContestError as exc:
        return await vote_page(request, values=values, errors=_field_errors(exc, "phone"), status=exc.status_code)
    return await vote_page(request, values=values, code_sent=True)


async def phone_code_verify(request: Request) -> Response:
    contest, final, _ = await _vote_of(request)
    form = await read_form(request)
    values = {"phone": text(form, "phone", max_length=40)}
    try:
        voter = await phones.verify_code(contest, values["phone"], text(form, "code", max_length=40),
                                         secret=request.app.state.settings.secret_key, ip=client_address(request),
                                         now=clock.now())
    except ContestError as exc:
        return await vote_page(request, values=values, errors=_field_errors(exc, "code"), code_sent=True,
                               status=exc.status_code)
    return _verified(request, contest, final, voter, N_("Your phone number is verified. You have {quota} votes a day."))


async def cast(request: Request) -> Response:
    contest, _, _ = await _vote_of(request)
    candidate = text(await read_form(request), "candidate", max_length=40)
    voter = await _voter(request, contest)
    target = request.url_for("public:vote", slug=contest.slug)
    response = RedirectResponse(f"{target}#c-{candidate}", status_code=303)
    if voter is None:
        first = N_("Verify your phone number first, then vote.") if contest.popular_vote_phone \
            else N_("Verify your e-mail first, then vote.")
        flash(request, response, first, level="error")
        return response
    try:
        left = await ballots.cast_vote(contest, voter, candidate=candidate, ip=client_address(request), now=clock.now())
    except Conflict as exc:
        flash(request, response, exc.message, level="error")
        return response
    flash(request, response, N_("Your vote is counted. Votes left today: {left}."), left=left)
    return response


async def image(request: Request) -> Response:
    """An image of a candidate, only while the vote is open."""
    _, final, current = await _vote_of(request)
    name = request.path_params["variant"]
    key = request.path_params["key"]
    picture = found(await candidates.candidate_picture(final, key) if current == window.Phase.OPEN else None)
    variant = picture.variants.get(name)
    if variant is None or variant.digest != request.path_params["digest"]:
        raise NotFound()
    size, ext = name.split(".")
    stored = derived_name(picture.key, size, ext.upper())
    return await media.file_response(request, stored, f"image/{ext}", variant.digest, cache=IMAGE_CACHE)


routes = [
    Route("/c/{slug}/vote", vote_page, name="vote"),
    Route("/c/{slug}/vote/code", code_request, methods=["POST"], name="vote_code"),
    Route("/c/{slug}/vote/verify", code_verify, methods=["POST"], name="vote_verify"),
    Route("/c/{slug}/vote/phone/code", phone_code_request, methods=["POST"], name="vote_phone_code"),
    Route("/c/{slug}/vote/phone/verify", phone_code_verify, methods=["POST"], name="vote_phone_verify"),
    Route("/c/{slug}/vote/cast", cast, methods=["POST"], name="vote_cast"),
    Route("/c/{slug}/vote/img/{digest}/{key}-{variant}", image, name="vote_image"),
]
