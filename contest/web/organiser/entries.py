"""The contest's entries as organisers see them, one entry with every file and what the files say about
themselves, and withdrawing one for its designer (reason, confirmation)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contest import clock
from contest.console.entry_files import XMP_SHOWN, entry_files
from contest.contests.models import Contest
from contest.entries import queries
from contest.entries.models import Entry
from contest.errors import VIDEO_REFUSALS, InvalidInput, found
from contest.i18n import N_
from contest.judging import withdrawals
from contest.web.infra.flash import flash
from contest.web.infra.forms import read_form, text
from contest.web.infra.labels import STATE_LABELS
from contest.web.infra.session import require_user
from contest.web.infra.templating import render
from contest.web.organiser.ai_labels import ai_labels
from contest.web.organiser.common import organised_contest, redirect_to


async def entries_page(request: Request) -> Response:
    contest = await organised_contest(request)
    return render(request, "organiser/entries.html", {
        "contest": contest, "entries": await queries.entries_for_organiser(contest.id), "states": STATE_LABELS})


async def _entry(request: Request, contest: Contest) -> Entry:
    return found(await queries.entry_of_contest(contest.id, int(request.path_params["entry_id"])))


async def entry_page(request: Request) -> Response:
    """One entry slot by slot, with its files' own metadata (organisers only) and AI signals."""
    contest = await organised_contest(request)
    entry = await _entry(request, contest)
    context = {"contest": contest, "entry": entry, "files": await entry_files(entry), "states": STATE_LABELS,
               "video_failures": VIDEO_REFUSALS, "xmp_shown": XMP_SHOWN, **ai_labels()}
    return render(request, "organiser/entry.html", context)


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
    Route(_entry_path, entry_page, name="entry"),
    Route(_entry_path + "/withdraw", withdraw_page, name="entry_withdraw_page"),
    Route(_entry_path + "/withdraw", withdraw, methods=["POST"], name="entry_withdraw"),
]
