"""The designer's area: my entries, the entry form, submit / withdraw, receipt (files: entry_files)."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from contest import clock, i18n, permissions
from contest.accounts.models import User
from contest.contests import queries as contest_queries
from contest.contests import timeline
from contest.contests.models import Track
from contest.entries import declarations, minors, queries, service
from contest.entries import profile as entrant_profile
from contest.entries.disclosure import TEXT_LIMITS, Disclosure
from contest.entries.models import Entry
from contest.entries.service import EntryInput, Member
from contest.entries.slots import FileTooLarge
from contest.entries.states import EntryState
from contest.errors import Conflict, DeadlinePassed, InvalidInput
from contest.finalists import tasks as finalist_tasks
from contest.form_input import parse_integer
from contest.i18n import N_
from contest.judging import edits
from contest.web.designer import entry_files
from contest.web.infra.flash import flash
from contest.web.infra.forms import read_form, text
from contest.web.infra.labels import CATEGORY_LABELS, KIND_LABELS, NAMING_LABELS, STATE_LABELS
from contest.web.infra.lookups import published_contest
from contest.web.infra.session import require_user
from contest.web.infra.templating import render, request_locale


async def dashboard(request: Request) -> Response:
    user = require_user(request)
    now = clock.now()
    entries = await queries.entries_for_designer(user)
    contests = [c for c in await contest_queries.published_contests() if timeline.submissions_open(c, now)]
    problems = {e.id: service.submission_problems(e, declared=True) for e in entries}
    context = {"entries": entries, "contests": contests, "problems": problems, "states": STATE_LABELS, "now": now,
               "finalists": await finalist_tasks.finalist_entry_ids([e.id for e in entries])}
    return render(request, "designer/dashboard.html", context)


async def _own_entry(request: Request, user: User) -> Entry:
    return await entry_files.own_entry(request, user)


async def new_entry(request: Request) -> Response:
    user = require_user(request)
    contest = await published_contest(request)
    tracks = await contest_queries.tracks_with_rules(contest)
    closed = service.closed_reason(contest, clock.now())
    if request.method == "GET" or closed:
        context = {"contest": contest, "tracks": tracks, "closed": closed}
        return render(request, "designer/new_entry.html", context, status_code=409 if request.method == "POST" else 200)
    form = await read_form(request)
    track = next((t for t in tracks if str(t.id) == text(form, "track")), None)
    if track is None:
        context = {"contest": contest, "tracks": tracks, "error": N_("Choose one of the options.")}
        return render(request, "designer/new_entry.html", context, status_code=400)
    entry = await service.create_draft(contest, track, by=user, now=clock.now())
    return RedirectResponse(request.url_for("designer:entry", entry_id=entry.id), status_code=303)


def entry_input(form: FormData, track: Track) -> EntryInput:
    members = []
    for i in range(service.MAX_TEAM_MEMBERS):
        name = text(form, f"member_name_{i}", max_length=100)
        if name:
            members.append(Member(name, text(form, f"member_role_{i}", max_length=100),
                                  text(form, f"member_org_{i}", max_length=200)))
    answers = {f.key: [v for v in form.getlist(f.key) if isinstance(v, str)] for f in track.fields_}
    return EntryInput(
        title=text(form, "title", max_length=1000), concept=text(form, "concept", max_length=20_000),
        answers=answers, entrant_kind=text(form, "entrant_kind"), entrant_category=text(form, "entrant_category"),
        public_name=text(form, "public_name", max_length=200), organisation=text(form, "organisation", max_length=200),
        school=text(form, "school", max_length=200), supervisor_name=text(form, "supervisor_name", max_length=100),
        supervisor_email=text(form, "supervisor_email", max_length=254), phone=text(form, "phone", max_length=40),
        members=tuple(members), ai=Disclosure(
            extent=text(form, "ai_extent", max_length=20),
            **{name: text(form, f"ai_{name}", max_length=limit + 1) for name, limit in TEXT_LIMITS.items()}),
        guardian=guardian_input(form),
    )


def guardian_input(form: FormData) -> minors.Guardian:
    return minors.Guardian(
        minor=text(form, "has_minor") == "yes", name=text(form, "guardian_name", max_length=101),
        contact=text(form, "guardian_contact", max_length=255), relation=text(form, "guardian_relation", max_length=51),
        naming=text(form, "minor_naming", max_length=20), consent=text(form, "guardian_consent") == "yes")


def input_from_entry(entry: Entry, *, phone: str) -> EntryInput:
    answers = {key: [str(v) for v in value] if isinstance(value, list) else [_plain(value)]
               for key, value in entry.answers.items()}
    return EntryInput(
        title=entry.title, concept=entry.concept, answers=answers, entrant_kind=entry.entrant_kind,
        entrant_category=entry.entrant_category, public_name=entry.typed_name or entry.public_name,
        organisation=entry.organisation,
        school=entry.school, supervisor_name=entry.supervisor_name, supervisor_email=entry.supervisor_email,
        phone=phone, members=tuple(Member(m.name, m.role, m.organisation) for m in entry.members),
        ai=Disclosure.of(entry.ai_disclosure), guardian=minors.Guardian(
            minor=entry.has_minor, name=entry.guardian_name, contact=entry.guardian_contact,
            relation=entry.guardian_relation, naming=entry.minor_naming, consent=entry.guardian_consented_at is not None),
    )


def _plain(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


async def _entry_page(
    request: Request, entry: Entry, *, values: EntryInput | None = None, errors: dict | None = None, status: int = 200,
    unsaved: bool = False,
) -> Response:
    originality, ip_terms = await service.current_terms(entry.contest)
    now = clock.now()
    phone = await entrant_profile.phone_of(entry.owner_id)
    context = {
        "entry": entry, "track": entry.track, "contest": entry.contest, "errors": errors or {},
        "values": values or input_from_entry(entry, phone=phone),
        **await entry_files.files_context(entry, now), "members": list(entry.members), "originality": originality,
        "ip_terms": ip_terms, "privacy_additions": await contest_queries.privacy_additions(entry.contest),
        "kinds": KIND_LABELS, "categories": CATEGORY_LABELS, "namings": NAMING_LABELS, "states": STATE_LABELS,
        "problems": service.submission_problems(entry, declared=True),
        "open": service.open_to_designer(entry, now), "max_members": service.MAX_TEAM_MEMBERS,
        "too_large": FileTooLarge.message,
        "frozen": edits.EditsClosed.message if await edits.frozen(entry, now=now) else "",
        "withdrawal": await edits.withdrawal(entry, now=now), "withdrawal_notes": service.WITHDRAWAL_NOTES,
        "unsaved": unsaved,  # the values shown are what was typed, and the server does not hold them
        "now": now,
        "finalist": await finalist_tasks.finalist_round(entry) is not None,
    }
    return render(request, "designer/entry_form.html", context, status_code=status)


async def entry(request: Request) -> Response:
    user = require_user(request)
    return await _entry_page(request, await _own_entry(request, user))


async def entry_save(request: Request) -> Response:
    """Save the form; with action=submit, submit after saving. Input is kept on every refusal."""
    user = require_user(request)
    entry = await _own_entry(request, user)
    form = await read_form(request)
    values = entry_input(form, entry.track)
    now = clock.now()
    saved = False
    try:
        await edits.save_entry(entry, values, by=user, now=now)
        saved = True
        if text(form, "action") == "submit":
            outcome = await service.submit_entry(entry, by=user, now=now, originality_id=_int(form, "originality"),
                                                 ip_terms_id=_int(form, "ip_terms"))
            response = RedirectResponse(request.url_for("designer:receipt", entry_id=entry.id), status_code=303)
            flash(request, response, SUBMITTED[outcome], number=entry.number)
            return response
    except InvalidInput as exc:
        return await _entry_page(request, entry, values=values, errors=exc.field_errors, status=400, unsaved=not saved)
    except (DeadlinePassed, edits.EditsClosed) as exc:  # keep what was typed on screen: the saved entry is untouched
        return await _entry_page(request, entry, values=values, errors={"_entry": exc.message}, status=exc.status_code,
                                 unsaved=True)
    response = RedirectResponse(request.url_for("designer:entry", entry_id=entry.id), status_code=303)
    flash(request, response, N_("Saved."))
    return response


SUBMITTED = {
    service.Submission.FIRST: N_("Entry submitted. Your entry number is {number}."),
    service.Submission.FIXED: N_("Your fixed entry {number} was submitted again; it goes back to judging."),
    service.Submission.AGAIN: N_(
        "Your changes were saved and submitted again; a new receipt was sent to your e-mail."),
    service.Submission.UNCHANGED: N_(
        "Nothing had changed, so the entry stays submitted as it was; the terms you accepted now are recorded on a "
        "new receipt."),
}


async def entry_autosave(request: Request) -> Response:
    """The draft's autosave from the page's script: the same save as the form, answered in JSON. Only
    drafts: each change to a submitted entry is declared again with a receipt, so it waits for the button."""
    user = require_user(request)
    entry = await _own_entry(request, user)
    form = await read_form(request)
    if entry.state != EntryState.DRAFT:
        raise Conflict()
    try:
        await edits.save_entry(entry, entry_input(form, entry.track), by=user, now=clock.now())
    except InvalidInput as exc:
        fields = {name: i18n.translate(request_locale(request), msgid) for name, msgid in exc.field_errors.items()}
        return JSONResponse({"error": fields.get("_entry") or next(iter(fields.values()), ""), "fields": fields},
                            status_code=400)
    return JSONResponse({"saved": True})


def _int(form: FormData, name: str) -> int:
    return parse_integer(text(form, name)) or 0


async def entry_withdraw(request: Request) -> Response:
    user = require_user(request)
    entry = await _own_entry(request, user)
    form = await read_form(request)
    if text(form, "confirm") != "yes":  # the page's checkbox (ticked by the script once confirm() says yes)
        return await _entry_page(request, entry, errors={"_entry": N_("Tick the box to confirm the withdrawal.")},
                                 status=400)
    outcome = await edits.withdraw(entry, by=user, now=clock.now())
    response = RedirectResponse(request.url_for("designer:dashboard"), status_code=303)
    flash(request, response, WITHDRAWN[outcome], level="info")
    return response


WITHDRAWN = {
    service.Withdrawal.UNDOABLE: N_("The entry was withdrawn. You can reopen it before the deadline."),
    service.Withdrawal.FINAL: N_("The entry was withdrawn. The deadline has passed, so it cannot be restored."),
}


async def entry_reopen(request: Request) -> Response:
    user = require_user(request)
    entry = await _own_entry(request, user)
    await read_form(request)
    await service.reopen_entry(entry, by=user, now=clock.now())
    return RedirectResponse(request.url_for("designer:entry", entry_id=entry.id), status_code=303)


async def receipt(request: Request) -> Response:
    user = require_user(request)
    entry = await _own_entry(request, user)
    declared = await declarations.declarations_of(entry)
    permissions.require(bool(declared))
    return render(request, "designer/receipt.html", {"entry": entry, "declaration": declared[0], "earlier": declared[1:]})


routes = [
    Route("/", dashboard, name="dashboard"),
    Route("/c/{slug}/new", new_entry, methods=["GET", "POST"], name="new_entry"),
    Route("/entries/{entry_id:int}", entry, name="entry"),
    Route("/entries/{entry_id:int}", entry_save, methods=["POST"], name="entry_save"),
    Route("/entries/{entry_id:int}/autosave", entry_autosave, methods=["POST"], name="entry_autosave"),
    Route("/entries/{entry_id:int}/withdraw", entry_withdraw, methods=["POST"], name="entry_withdraw"),
    Route("/entries/{entry_id:int}/reopen", entry_reopen, methods=["POST"], name="entry_reopen"),
    Route("/entries/{entry_id:int}/receipt", receipt, name="receipt"),
    *entry_files.routes,
]
