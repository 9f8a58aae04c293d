"""The judges' area: my rounds, my queue, the scoring page, autosave, conflicts, images by alias.

Everything a judge receives is built from `AnonymousEntry` (judging/blind.py) and served under the
entry's per-round alias: never a storage key, entry id, name, file name or time. A judge who may not
see a round or an entry gets the same 404 as for one that does not exist, anonymous visitors too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from contest import clock, i18n, permissions
from contest.accounts.models import User
from contest.errors import InvalidInput, found
from contest.form_input import parse_integer
from contest.i18n import N_
from contest.judging import conflicts, scoring
from contest.judging import queries as judging_queries
from contest.judging.models import Assignment, Criterion, Round
from contest.judging.queries import (
    JudgeQueue,
    assignment_for_judge,
    judge_queue,
    round_visible_to_judges,
)
from contest.media.storage import derived_name
from contest.web.infra.errors import wants_json
from contest.web.infra.flash import flash
from contest.web.infra.forms import read_form, text
from contest.web.infra.media import file_response, video_response
from contest.web.infra.session import current_user, require_user
from contest.web.infra.templating import render, request_locale
from contest.web.judge.meeting import live_context, tell_the_room

IMAGE_VARIANTS = {"webp": ("judging", "WEBP"), "jpeg": ("judging", "JPEG"),
                  "thumb.webp": ("thumb", "WEBP"), "thumb.jpeg": ("thumb", "JPEG")}
NO_STORE = "private, no-store"


# --- loading what the judge may see (each refusal is the same NotFound) -------------------------


@dataclass(frozen=True)
class JudgeRound:
    judge: User
    round_: Round
    now: datetime


@dataclass(frozen=True)
class JudgeEntry:
    judge: User
    round_: Round
    assignment: Assignment
    now: datetime


async def _judge_round(request: Request) -> JudgeRound:
    """The round of the path, when the visitor is one of its judges and it is open to judges."""
    judge, now = found(current_user(request)), clock.now()  # an anonymous visitor gets the same 404
    round_ = found(await judging_queries.round_for_judge(request.path_params["round_id"], judge))
    permissions.require(round_visible_to_judges(round_, now))
    return JudgeRound(judge, round_, now)


async def _judge_entry(request: Request) -> JudgeEntry:
    judging = await _judge_round(request)
    alias = request.path_params["alias"]
    assignment = found(await assignment_for_judge(judging.judge, judging.round_, alias, now=judging.now))
    if request.method == "POST":  # an entry of the panel the judge was not assigned becomes theirs; a GET stores nothing
        assignment = await scoring.take_assignment(assignment, now=judging.now, by=judging.judge)
    return JudgeEntry(judging.judge, judging.round_, assignment, judging.now)


async def _stored_values(assignment: Assignment) -> dict[str, str]:
    rows = await judging_queries.stored_scores(assignment)
    return {scoring.field_name(c): plain_number(v) for c, v in rows}


def plain_number(value: Decimal) -> str:
    return f"{Decimal(value).normalize():f}"


async def _others_scores(judged: JudgeEntry) -> list[dict[int, str]] | None:
    rows = await judging_queries.others_scores(judged.judge, judged.round_, judged.assignment)
    return None if rows is None else [{c: plain_number(v) for c, v in row.items()} for row in rows]


# --- pages --------------------------------------------------------------------------------------


async def rounds(request: Request) -> Response:
    judge, now = require_user(request), clock.now()
    listed = [(round_, await judge_queue(judge, round_, now=now))
              for round_ in await judging_queries.rounds_for_judge(judge) if round_visible_to_judges(round_, now)]
    upcoming = await judging_queries.upcoming_rounds(judge, now=now)
    return render(request, "judge/rounds.html", {"rounds": listed, "upcoming": upcoming})


async def queue(request: Request) -> Response:
    judging = await _judge_round(request)
    items = await judge_queue(judging.judge, judging.round_, now=judging.now)
    zone = await judging_queries.contest_time_zone(judging.round_)
    return render(request, "judge/queue.html", {"round": judging.round_, "queue": items, "zone": zone})


def _neighbours(items: JudgeQueue, alias: str) -> tuple[int, str | None, str | None]:
    aliases = [i.entry.alias for i in items.items]
    permissions.require(alias in aliases)  # gone between two queries (a conflict declared in another tab)
    index = aliases.index(alias)
    previous = aliases[index - 1] if index > 0 else None
    following = aliases[index + 1] if index + 1 < len(aliases) else None
    return index, previous, following


async def _score_page(request: Request, judged: JudgeEntry, *, values: dict[str, str] | None = None,
                      errors: dict[str, str] | None = None, status: int = 200) -> Response:
    items = await judge_queue(judged.judge, judged.round_, now=judged.now)
    alias = request.path_params["alias"]
    index, previous, following = _neighbours(items, alias)
    entry = found(await judging_queries.judged_entry(judged.judge, judged.round_, alias, now=judged.now))
    shown = request.query_params.get("image", "1")
    shown_n = parse_integer(shown, low=1, high=len(entry.images)) or 1
    criteria = await judging_queries.criteria_rows(judged.round_)
    comment = values.get("comment", "") if values is not None else judged.assignment.comment
    shared = values.get("comment_shared") == "1" if values is not None else judged.assignment.comment_shared
    values = values if values is not None else await _stored_values(judged.assignment)
    running, counted = scoring.running_total(criteria, values)
    context = {
        "round": judged.round_, "queue": items, "item": items.items[index], "entry": entry, "position": index + 1,
        "previous": previous, "following": following, "criteria": criteria, "values": values,
        "running_total": "—" if running is None else f"{float(running):.1f}", "running_count": counted,
        "comment": comment,
        "comment_shared": shared,
        "completed": judged.assignment.completed_at is not None, "errors": errors or {}, "shown": shown_n,
        "entered_by": await judging_queries.paper_entry(judged.assignment),
        "read_only": items.read_only, "others": await _others_scores(judged),
        "videos": await judging_queries.judging_videos(judged.assignment.entry_id),
        "ai_label": await judging_queries.ai_label_for_judges(judged.assignment.entry_id)
        if judged.round_.judges_see_ai_labels else None,
        **await live_context(judged.judge, judged.round_, entry_id=judged.assignment.entry_id, alias=entry.alias),
    }
    if judged.round_.paced_by_chair and judged.round_.live_entry_id != judged.assignment.entry_id:
        context["read_only"] = True  # the chair has not opened it for scoring, or has revealed it
    return render(request, "judge/score.html", context, status_code=status)


async def score(request: Request) -> Response:
    return await _score_page(request, await _judge_entry(request))


# --- autosave and the no-script form ------------------------------------------------------------


def _translated(request: Request, errors: dict[str, str]) -> dict[str, str]:
    locale = request_locale(request)
    return {name: i18n.translate(locale, message) for name, message in errors.items()}


def _invalid_json(request: Request, exc: InvalidInput) -> JSONResponse:
    locale = request_locale(request)
    return JSONResponse({"error": i18n.translate(locale, exc.message), "fields": _translated(request, exc.field_errors)},
                        status_code=exc.status_code, headers={"Cache-Control": "no-store"})


def _wanted(form: FormData, criteria: list[Criterion]) -> list[tuple[Criterion, str]]:
    """The criteria present in the form with a value; blank fields (not yet scored) are left alone."""
    present = ((c, text(form, scoring.field_name(c.id), max_length=50)) for c in criteria)
    return [(criterion, raw) for criterion, raw in present if raw]


def _check_values(wanted: list[tuple[Criterion, str]]) -> None:
    """Every value checked before any is saved, so one bad field saves nothing."""
    errors: dict[str, str] = {}
    for criterion, raw in wanted:
        try:
            scoring.parse_value(raw, criterion)
        except InvalidInput as exc:
            errors.update(exc.field_errors)
    if errors:
        raise InvalidInput(errors)


async def _save(judged: JudgeEntry, form: FormData) -> dict[str, str]:
    wanted = _wanted(form, await judging_queries.criteria_of(judged.round_))
    _check_values(wanted)
    saved = {}
    for criterion, raw in wanted:
        value = await scoring.save_score(judged.assignment, criterion=criterion, value=raw, now=judged.now, by=judged.judge)
        saved[scoring.field_name(criterion.id)] = plain_number(value)
    if "comment" in form:
        await scoring.save_comment(judged.assignment, comment=text(form, "comment", max_length=20_000), now=judged.now,
                                   by=judged.judge)
        saved["comment"] = judged.assignment.comment
    if "comment_shared" in form:  # the checkbox comes with a hidden "0" before it, so it is always sent
        shared = form.getlist("comment_shared")[-1] == "1"
        if shared != judged.assignment.comment_shared:
            await scoring.set_comment_shared(judged.assignment, shared=shared, now=judged.now, by=judged.judge)
        saved["comment_shared"] = "1" if shared else "0"
    return saved


async def score_save(request: Request) -> Response:
    """Autosave (JSON, `x-csrf-token` header) or the whole form without script (redirect with a flash)."""
    judged = await _judge_entry(request)
    form = await read_form(request)
    try:
        saved = await _save(judged, form)
    except InvalidInput as exc:
        if wants_json(request):
            return _invalid_json(request, exc)
        values = {k: text(form, k, max_length=20_000) for k in form if k != "csrf_token"}
        return await _score_page(request, judged, values=values, errors=exc.field_errors, status=400)
    if wants_json(request):
        scored, total = await judging_queries.queue_progress(judged.judge, judged.round_, now=judged.now)
        return JSONResponse({"saved": saved, "scored": scored, "total": total},
                            headers={"Cache-Control": "no-store"})
    response = RedirectResponse(request.url_for("judge:score", round_id=judged.round_.id, alias=request.path_params["alias"]),
                                status_code=303)
    flash(request, response, N_("Saved."))
    return response


async def complete(request: Request) -> Response:
    """"Submit my scores": refused (400, each unscored criterion marked) until every criterion has a score."""
    judged = await _judge_entry(request)
    await read_form(request)
    try:
        await scoring.complete_assignment(judged.assignment, now=judged.now, by=judged.judge)
    except InvalidInput as exc:
        return await _score_page(request, judged, errors={**exc.field_errors, "_complete": exc.message}, status=400)
    await tell_the_room(judged.round_)
    items = await judge_queue(judged.judge, judged.round_, now=judged.now)
    _, _, following = _neighbours(items, request.path_params["alias"])
    if judged.round_.paced_by_chair:  # the chair moves everyone on
        target = request.url_for("judge:score", round_id=judged.round_.id, alias=request.path_params["alias"])
    elif following:
        target = request.url_for("judge:score", round_id=judged.round_.id, alias=following)
    else:
        target = request.url_for("judge:queue", round_id=judged.round_.id)
    response = RedirectResponse(target, status_code=303)
    flash(request, response, N_("Your scores for {alias} were submitted."), alias=request.path_params["alias"])
    return response


async def conflict(request: Request) -> Response:
    """GET: the declaration form; POST: declare it (reason required); the entry leaves the queue at once."""
    judged = await _judge_entry(request)
    alias = request.path_params["alias"]
    if request.method == "GET":
        return render(request, "judge/conflict.html", {"round": judged.round_, "alias": alias, "errors": {}})
    form = await read_form(request)
    reason = text(form, "reason", max_length=conflicts.REASON_MAX + 1)
    try:
        await conflicts.declare_conflict(judged.judge, await judged.assignment.entry, reason=reason, now=judged.now)
    except InvalidInput as exc:
        context = {"round": judged.round_, "alias": alias, "errors": exc.field_errors, "reason": reason}
        return render(request, "judge/conflict.html", context, status_code=400)
    response = RedirectResponse(request.url_for("judge:queue", round_id=judged.round_.id), status_code=303)
    flash(request, response, N_("Conflict declared: {alias} was removed from your list."), alias=alias, level="info")
    return response


# --- images, by alias and position --------------------------------------------------------------


async def image(request: Request) -> Response:
    judged = await _judge_entry(request)
    size, fmt = found(IMAGE_VARIANTS.get(request.path_params["variant"]))
    rows = await judging_queries.judging_images(judged.assignment.entry_id)
    n = request.path_params["n"]
    permissions.require(1 <= n <= len(rows))
    key, facts = rows[n - 1]["key"], found((rows[n - 1]["derivatives"] or {}).get(f"{size}.{fmt.lower()}"))
    stored = derived_name(key, size, fmt)
    return await file_response(request, stored, f"image/{fmt.lower()}", facts["sha256"], cache=NO_STORE)


async def video(request: Request) -> Response:
    """The n-th video of the entry, transcoded (no metadata), or its poster; named by alias and number only."""
    judged = await _judge_entry(request)
    rows = await judging_queries.judging_videos(judged.assignment.entry_id)
    n = request.path_params["n"]
    permissions.require(1 <= n <= len(rows))
    key, details = rows[n - 1]["key"], rows[n - 1]["details"]
    if request.path_params["variant"] == "mp4":
        return await video_response(request, derived_name(key, "video", "MP4"), details["video"]["sha256"],
                                    cache=NO_STORE)
    poster = found(details.get("poster", {}).get("display.jpeg"))
    return await file_response(request, derived_name(key, "display", "JPEG"), "image/jpeg", poster["sha256"],
                               cache=NO_STORE)


routes = [
    Route("/", rounds, name="rounds"),
    Route("/r/{round_id:int}", queue, name="queue"),
    Route("/r/{round_id:int}/{alias}", score, name="score"),
    Route("/r/{round_id:int}/{alias}/scores", score_save, methods=["POST"], name="score_save"),
    Route("/r/{round_id:int}/{alias}/complete", complete, methods=["POST"], name="complete"),
    Route("/r/{round_id:int}/{alias}/conflict", conflict, methods=["GET", "POST"], name="conflict"),
    Route("/r/{round_id:int}/{alias}/video-{n:int}.{variant:str}", video, name="video"),
    Route("/r/{round_id:int}/{alias}/{n:int}.{variant}", image, name="image"),
]
