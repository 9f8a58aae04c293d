"""The contest's entries as organisers see them, one entry with every file and what the files say about
themselves, withdrawing one for its designer (reason, confirmation), and screening: returning entries for a fix
or disqualifying them, several at once from the list or one from its page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contest import clock, i18n
from contest.console.entry_files import XMP_SHOWN, entry_files
from contest.contests.models import Contest
from contest.entries import queries, screening
from contest.entries.models import Entry
from contest.errors import VIDEO_REFUSALS, InvalidInput, NotFound, found
from contest.form_input import FieldReader, parse_integer
from contest.i18n import N_
from contest.judging import withdrawals
from contest.web.infra.flash import flash
from contest.web.infra.forms import read_form, text
from contest.web.infra.labels import NAMING_LABELS, STATE_LABELS
from contest.web.infra.session import require_user
from contest.web.infra.templating import render, request_locale
from contest.web.organiser.ai_labels import ai_labels
from contest.web.organiser.common import organised_contest, redirect_to

FIX_DAYS = 7  # the fix deadline the form suggests


@dataclass(frozen=True)
class Screening:
    """The screening form as typed, shown again when refused."""

    action: str = "return"
    entry_ids: tuple[int, ...] = ()
    template: str = ""
    reason: str = ""
    fix_due_at: str = ""  # as the datetime-local field holds it, on the contest's wall clock
    confirmed: bool = False


@dataclass(frozen=True)
class Refusal:
    """Why the screening form was refused: messages by field, and the values of their placeholders."""

    errors: dict[str, str]
    params: dict[str, object]
    status: int

    @classmethod
    def of(cls, exc: InvalidInput | screening.NotScreenable) -> Refusal:
        if isinstance(exc, InvalidInput):
            return cls(exc.field_errors, {}, exc.status_code)
        return cls({"entries": exc.message}, exc.params, exc.status_code)  # the entries changed meanwhile


def _screening_context(contest: Contest, screening_input: Screening | None, refusal: Refusal | None) -> dict[str, Any]:
    suggested = clock.to_zone(clock.now() + timedelta(days=FIX_DAYS), contest.time_zone)
    values = screening_input or Screening(fix_due_at=suggested.strftime("%Y-%m-%dT%H:%M"))
    return {"screening": values, "screening_errors": refusal.errors if refusal else {},
            "screening_params": refusal.params if refusal else {}, "reason_templates": screening.REASON_TEMPLATES,
            "screening_reason_max": screening.REASON_MAX, "now": clock.now()}


async def entries_page(request: Request, *, screening_input: Screening | None = None,
                       refusal: Refusal | None = None) -> Response:
    contest = await organised_contest(request)
    context = {"contest": contest, "entries": await queries.entries_for_organiser(contest.id), "states": STATE_LABELS,
               **_screening_context(contest, screening_input, refusal)}
    return render(request, "organiser/entries.html", context, status_code=refusal.status if refusal else 200)


async def _entry(request: Request, contest: Contest) -> Entry:
    return found(await queries.entry_of_contest(contest.id, int(request.path_params["entry_id"])))


async def entry_page(request: Request, *, screening_input: Screening | None = None,
                     refusal: Refusal | None = None) -> Response:
    """One entry slot by slot, with its files' own metadata (organisers only) and AI signals."""
    contest = await organised_contest(request)
    entry = await _entry(request, contest)
    context = {"contest": contest, "entry": entry, "files": await entry_files(entry), "states": STATE_LABELS,
               "namings": NAMING_LABELS, "video_failures": VIDEO_REFUSALS, "xmp_shown": XMP_SHOWN, **ai_labels(),
               **_screening_context(contest, screening_input, refusal)}
    return render(request, "organiser/entry.html", context, status_code=refusal.status if refusal else 200)


def _screening_input(form: FormData, entry_ids: list[str]) -> Screening:
    ids = [parse_integer(value) for value in entry_ids]
    if any(i is None for i in ids):
        raise NotFound()  # a forged form
    return Screening(
        action=text(form, "action") or "return", entry_ids=tuple(i for i in ids if i is not None),
        template=text(form, "template"),
        reason=text(form, "reason", max_length=screening.REASON_MAX + 1),
        fix_due_at=text(form, "fix_due_at", max_length=40), confirmed=form.get("confirm") == "1")


async def _screen(request: Request, contest: Contest, values: Screening) -> int:
    """Return or disqualify as the form says; how many entries. The chosen template stands for an empty reason,
    in the organiser's language."""
    reason = values.reason or i18n.translate(request_locale(request), screening.TEMPLATE_TEXTS.get(values.template, ""))
    by, now = require_user(request), clock.now()
    if values.action == "disqualify":
        return len(await screening.disqualify_entries(contest.id, values.entry_ids, reason=reason, by=by,
                                                      confirmed=values.confirmed, now=now))
    if values.action != "return":
        raise NotFound()  # a forged form
    read = FieldReader({"fix_due_at": values.fix_due_at})
    fix_due_at = read.moment("fix_due_at", contest.time_zone)  # an unreadable one: its own message, with the rest
    try:
        return len(await screening.return_entries(contest.id, values.entry_ids, reason=reason, fix_due_at=fix_due_at,
                                                  by=by, now=now))
    except InvalidInput as exc:
        raise InvalidInput({**exc.field_errors, **read.errors}) from exc


SCREENED = {"return": N_("{count} entries were returned for a fix; their designers are told by e-mail."),
            "disqualify": N_("{count} entries were disqualified; their designers are told by e-mail.")}


async def entries_screen(request: Request) -> Response:
    """The bulk action of the entries list: the ticked entries, returned or disqualified."""
    contest = await organised_contest(request)
    form = await read_form(request)
    values = _screening_input(form, [v for v in form.getlist("entry") if isinstance(v, str)])
    try:
        count = await _screen(request, contest, values)
    except (InvalidInput, screening.NotScreenable) as exc:
        return await entries_page(request, screening_input=values, refusal=Refusal.of(exc))
    response = redirect_to(request, "organiser:entries", slug=contest.slug)
    flash(request, response, SCREENED[values.action], count=count)
    return response


async def entry_screen(request: Request) -> Response:
    """The same for one entry, from its page."""
    contest = await organised_contest(request)
    entry = await _entry(request, contest)
    form = await read_form(request)
    values = _screening_input(form, [str(entry.id)])
    try:
        await _screen(request, contest, values)
    except (InvalidInput, screening.NotScreenable) as exc:
        return await entry_page(request, screening_input=values, refusal=Refusal.of(exc))
    response = redirect_to(request, "organiser:entry", slug=contest.slug, entry_id=entry.id)
    flash(request, response, SCREENED[values.action], count=1)
    return response


async def withdraw_page(request: Request, *, reason: str = "", errors: dict[str, str] | None = None,
                        confirm: str = "", confirm_params: dict[str, object] | None = None,
                        status: int = 200) -> Response:
    contest = await organised_contest(request)
    context = {"contest": contest, "entry": await _entry(request, contest), "reason": reason, "errors": errors or {},
               "confirm": confirm, "confirm_params": confirm_params, "reason_max": withdrawals.REASON_MAX}
    return render(request, "organiser/entry_withdraw.html", context, status_code=status)


async def withdraw(request: Request) -> Response:
    contest = await organised_contest(request)
    entry = await _entry(request, contest)
    form = await read_form(request)
    reason = text(form, "reason", max_length=withdrawals.REASON_MAX + 1)
    try:
        await withdrawals.withdraw_for_designer(entry, reason, by=require_user(request),
                                                confirmed=form.get("confirm") == "1", now=clock.now())
    except InvalidInput as exc:
        return await withdraw_page(request, reason=reason, errors=exc.field_errors, status=400)
    except withdrawals.ConfirmWithdrawal as exc:
        return await withdraw_page(request, reason=reason, confirm=exc.message, confirm_params=exc.params, status=409)
    response = redirect_to(request, "organiser:entries", slug=contest.slug)
    flash(request, response, N_("The entry {number} is withdrawn; its designer is told by e-mail."),
          number=entry.number)
    return response


_entry_path = "/c/{slug}/entries/{entry_id:int}"
routes = [
    Route("/c/{slug}/entries", entries_page, name="entries"),
    Route("/c/{slug}/entries/screen", entries_screen, methods=["POST"], name="entries_screen"),
    Route(_entry_path, entry_page, name="entry"),
    Route(_entry_path + "/withdraw", withdraw_page, name="entry_withdraw_page"),
    Route(_entry_path + "/withdraw", withdraw, methods=["POST"], name="entry_withdraw"),
    Route(_entry_path + "/screen", entry_screen, methods=["POST"], name="entry_screen"),
]
