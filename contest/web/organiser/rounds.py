"""Setting up judging: rounds with their switches, criteria, panels and their judges, entries, assignment.

Each form posts to its own URL; on a problem the round's page is shown again with that form's input
kept and the messages next to its fields (status 400), or a confirmation asked for (409) when the
round already has scores.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contest import clock
from contest.console import rounds as console_rounds
from contest.contests.models import Contest
from contest.errors import InvalidInput, found
from contest.form_input import parse_integer
from contest.i18n import N_
from contest.judging import progress, round_assignments, round_entries, setup
from contest.judging import queries as judging_queries
from contest.judging.aggregation import Method
from contest.judging.models import (
    AssignmentMode,
    Criterion,
    EntrySource,
    OthersScores,
    Panel,
    Round,
    RoundKind,
)
from contest.web.infra.flash import flash
from contest.web.infra.forms import read_form
from contest.web.infra.session import require_user
from contest.web.infra.templating import datetime_local, render
from contest.web.organiser.common import (
    form_values,
    organised_contest,
    organised_round,
    redirect_to,
)

CHOICES: dict[str, dict[str, str]] = {
    "kind": {RoundKind.PRELIMINARY: N_("Preliminary round (初评)"), RoundKind.SECOND: N_("Second round (复评)"),
             RoundKind.FINAL: N_("Final round (终评)")},
    "entry_source": {EntrySource.ALL_ELIGIBLE: N_("Every submitted entry"),
                     EntrySource.ADVANCED: N_("Entries advanced from the previous round")},
    "assignment_mode": {AssignmentMode.WHOLE_PANEL: N_("The whole panel scores every entry of its track"),
                        AssignmentMode.K_PER_ENTRY: N_("A set number of judges per entry, balanced by load")},
    "method": {Method.MEAN: N_("Mean"), Method.TRIMMED_MEAN: N_("Trimmed mean (drops the highest and lowest)"),
               Method.ZSCORE: N_("Z-score per judge")},
    "judges_see_others_scores": {OthersScores.NEVER: N_("Never"),
                                 OthersScores.AFTER_OWN: N_("After submitting their own"),
                                 OthersScores.ALWAYS: N_("Always")},
}
SWITCH_LABELS = {
    "judges_may_score": N_("Judges may score"),
    "designers_may_edit": N_("Designers may edit their entries"),
    "judges_see_identity": N_("Judges see who made each entry"),
    "judges_see_only_assigned": N_("Judges see only the entries assigned to them (off: every entry their panels "
                                   "take, and they may score any of them)"),
    "judges_see_ai_labels": N_("Judges see whether an entry was declared or marked as made with AI"),
}
NEW_ROUND_DEFAULTS = {"judges_may_score": "1", "judges_see_only_assigned": "1", "judges_per_entry": "3"}
CRITERION_DEFAULTS = {"weight": "1", "scale_min": "0", "scale_max": "10"}


def _settings_values(round_: Round, zone: str) -> dict[str, Any]:
    values: dict[str, Any] = {k: getattr(round_, k) for k in ("kind", "name", "name_en", "entry_source",
                                                               "assignment_mode", "method", "judges_see_others_scores")}
    values["judges_per_entry"] = str(round_.judges_per_entry)
    values.update({s: "1" if getattr(round_, s) else "" for s in setup.SWITCHES})
    values.update({k: datetime_local(getattr(round_, k), zone) for k in ("opens_at", "closes_at")})
    return values


async def _round_context(contest: Contest, round_: Round) -> dict[str, Any]:
    view = await console_rounds.round_setup(contest, round_)
    return {
        "contest": contest, "round": round_, "choices": CHOICES, "switch_labels": SWITCH_LABELS,
        "criteria": view.criteria, "panels": view.panels, "tracks": view.tracks, "judges": view.judges,
        "groups": view.groups, "overview": view.overview, "copy_sources": view.copy_sources,
    }


async def _round_page(request: Request, contest: Contest, round_: Round, *, form: str = "",
                      values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                      confirm: str = "", status: int = 200) -> Response:
    """The round's page; `form` names the form whose `values`/`errors` are shown (the others show stored data)."""
    context = await _round_context(contest, round_)
    context.update({"form": form, "values": values or {}, "errors": errors or {}, "confirm": confirm,
                    "settings": values if form == "settings" else _settings_values(round_, contest.time_zone)})
    return render(request, "organiser/round.html", context, status_code=status)


async def _refused(request: Request, contest: Contest, round_: Round, form: str, values: dict[str, str],
                   exc: Exception) -> Response:
    if isinstance(exc, setup.NeedsConfirmation):
        return await _round_page(request, contest, round_, form=form, values=values, confirm=exc.message, status=409)
    if isinstance(exc, InvalidInput):
        return await _round_page(request, contest, round_, form=form, values=values, errors=exc.field_errors,
                                 status=400)
    raise exc


def _back(request: Request, contest: Contest, round_: Round, message: str, **params: object) -> Response:
    response = redirect_to(request, "organiser:round", slug=contest.slug, round_id=round_.id)
    flash(request, response, message, level="success", **params)
    return response


# --- rounds --------------------------------------------------------------------------------------


async def rounds_list(request: Request, *, values: dict[str, str] | None = None,
                      errors: dict[str, str] | None = None, status: int = 200) -> Response:
    contest = await organised_contest(request)
    context = {"contest": contest, "rounds": await progress.rounds_overview(contest), "choices": CHOICES,
               "switch_labels": SWITCH_LABELS, "settings": values or NEW_ROUND_DEFAULTS, "errors": errors or {}}
    return render(request, "organiser/rounds.html", context, status_code=status)


async def round_create(request: Request) -> Response:
    contest = await organised_contest(request)
    values = form_values(await read_form(request))
    try:
        round_ = await setup.create_round(contest, setup.parse_round_settings(values, zone=contest.time_zone),
                                          by=require_user(request), now=clock.now())
    except InvalidInput as exc:
        return await rounds_list(request, values=values, errors=exc.field_errors, status=400)
    return _back(request, contest, round_, N_("Round created. Now add its criteria and panels."))


async def round_page(request: Request) -> Response:
    contest, round_ = await organised_round(request)
    return await _round_page(request, contest, round_)


async def round_update(request: Request) -> Response:
    contest, round_ = await organised_round(request)
    values = form_values(await read_form(request))
    try:
        settings = setup.parse_round_settings(values, zone=contest.time_zone)
        await setup.update_round(round_, settings, by=require_user(request), now=clock.now(),
                                 confirmed=values.get("confirm") == "1")
    except (InvalidInput, setup.NeedsConfirmation) as exc:
        return await _refused(request, contest, round_, "settings", values, exc)
    return _back(request, contest, round_, N_("Saved."))


# --- criteria ------------------------------------------------------------------------------------


async def _criterion(request: Request, round_: Round) -> Criterion:
    return found(await judging_queries.criterion_of(round_, request.path_params["criterion_id"]))


async def criterion_add(request: Request) -> Response:
    contest, round_ = await organised_round(request)
    values = form_values(await read_form(request))
    try:
        await setup.add_criterion(round_, setup.parse_criterion(values), by=require_user(request), now=clock.now(),
                                  confirmed=values.get("confirm") == "1")
    except (InvalidInput, setup.NeedsConfirmation) as exc:
        return await _refused(request, contest, round_, "criterion-new", values, exc)
    return _back(request, contest, round_, N_("Criterion added."))


async def criterion_update(request: Request) -> Response:
    contest, round_ = await organised_round(request)
    criterion = await _criterion(request, round_)
    values = form_values(await read_form(request))
    try:
        await setup.update_criterion(criterion, setup.parse_criterion(values), by=require_user(request),
                                     now=clock.now(), confirmed=values.get("confirm") == "1")
    except (InvalidInput, setup.NeedsConfirmation) as exc:
        return await _refused(request, contest, round_, f"criterion-{criterion.id}", values, exc)
    return _back(request, contest, round_, N_("Saved."))


async def criterion_delete(request: Request) -> Response:
    contest, round_ = await organised_round(request)
    criterion = await _criterion(request, round_)
    values = form_values(await read_form(request))
    try:
        await setup.delete_criterion(criterion, by=require_user(request), now=clock.now(),
                                     confirmed=values.get("confirm") == "1")
    except setup.NeedsConfirmation as exc:
        return await _refused(request, contest, round_, f"criterion-{criterion.id}-delete", values, exc)
    return _back(request, contest, round_, N_("Criterion removed."))


async def criteria_copy(request: Request) -> Response:
    contest, round_ = await organised_round(request)
    values = form_values(await read_form(request))
    try:
        copied = await setup.copy_criteria(round_, source_id=parse_integer(values.get("source", "")),
                                           by=require_user(request), now=clock.now())
    except InvalidInput as exc:
        return await _refused(request, contest, round_, "criteria-copy", values, exc)
    return _back(request, contest, round_, N_("{count} criteria copied."), count=copied)


# --- panels --------------------------------------------------------------------------------------


async def _panel(request: Request, round_: Round) -> Panel:
    return found(await judging_queries.panel_of(round_, request.path_params["panel_id"]))


def _optional_id(raw: str) -> int | None:
    return parse_integer(raw)


async def panel_create(request: Request) -> Response:
    contest, round_ = await organised_round(request)
    values = form_values(await read_form(request))
    try:
        await setup.create_panel(round_, name=values.get("name", ""), track_id=_optional_id(values.get("track", "")),
                                 by=require_user(request), now=clock.now())
    except InvalidInput as exc:
        return await _refused(request, contest, round_, "panel-new", values, exc)
    return _back(request, contest, round_, N_("Panel created. Add its judges."))


async def panel_delete(request: Request) -> Response:
    contest, round_ = await organised_round(request)
    panel = await _panel(request, round_)
    values = form_values(await read_form(request))
    try:
        removed = await setup.delete_panel(panel, round_, by=require_user(request), now=clock.now(),
                                           confirmed=values.get("confirm") == "1")
    except setup.NeedsConfirmation as exc:
        return await _refused(request, contest, round_, f"member-{panel.id}", values, exc)
    return _back(request, contest, round_, N_("Panel removed, with the {assignments} assignments and {scores} scores "
                                              "made through it (the audit log keeps them)."),
                 assignments=removed.assignments, scores=removed.scores)


async def member_add(request: Request) -> Response:
    """Seat a judge; with the group left at "their own", the group they were invited into."""
    contest, round_ = await organised_round(request)
    panel = await _panel(request, round_)
    values = form_values(await read_form(request))
    judge_id = _optional_id(values.get("judge", ""))
    try:
        if judge_id is None:
            raise InvalidInput({"judge": N_("Choose one of the options.")})
        await setup.add_panel_member(panel, round_, judge_id=judge_id, group_id=_optional_id(values.get("group", "")),
                                     by=require_user(request), now=clock.now())
    except InvalidInput as exc:
        return await _refused(request, contest, round_, f"member-{panel.id}", values, exc)
    return _back(request, contest, round_, N_("Judge added to the panel."))


async def member_remove(request: Request) -> Response:
    contest, round_ = await organised_round(request)
    member = found(await judging_queries.panel_member_of(round_, request.path_params["member_id"]))
    values = form_values(await read_form(request))
    try:
        removed = await setup.remove_panel_member(member, round_, by=require_user(request), now=clock.now(),
                                                  confirmed=values.get("confirm") == "1")
    except setup.NeedsConfirmation as exc:
        return await _refused(request, contest, round_, f"member-remove-{member.id}", values, exc)
    return _back(request, contest, round_, N_("Judge removed from the panel, with their {assignments} assignments and "
                                              "{scores} scores through it (the audit log keeps them)."),
                 assignments=removed.assignments, scores=removed.scores)


# --- entries and assignment ----------------------------------------------------------------------


async def entries_open(request: Request) -> Response:
    contest, round_ = await organised_round(request)
    await read_form(request)
    added = await round_entries.open_round_entries(round_, now=clock.now())
    return _back(request, contest, round_, N_("{count} entries added to the round."), count=added)


async def assign(request: Request) -> Response:
    contest, round_ = await organised_round(request)
    await read_form(request)
    summary = await round_assignments.assign_round(round_, by=require_user(request), now=clock.now())
    response = _back(request, contest, round_, N_("{created} assignments made, {total} in all; {conflicts} conflicts detected."),
                     created=summary.created, total=summary.total, conflicts=summary.detected_conflicts)
    if summary.shortfalls:
        flash(request, response, N_("{count} entries have fewer judges than wanted: add judges to their panels."),
              count=len(summary.shortfalls), level="warning")
    return response


_round = "/c/{slug}/rounds/{round_id:int}"
routes = [
    Route("/c/{slug}/rounds", rounds_list, name="rounds"),
    Route("/c/{slug}/rounds/new", round_create, methods=["POST"], name="round_create"),
    Route(_round, round_page, name="round"),
    Route(_round + "/settings", round_update, methods=["POST"], name="round_update"),
    Route(_round + "/criteria", criterion_add, methods=["POST"], name="criterion_add"),
    Route(_round + "/criteria/copy", criteria_copy, methods=["POST"], name="criteria_copy"),
    Route(_round + "/criteria/{criterion_id:int}", criterion_update, methods=["POST"], name="criterion_update"),
    Route(_round + "/criteria/{criterion_id:int}/delete", criterion_delete, methods=["POST"], name="criterion_delete"),
    Route(_round + "/panels", panel_create, methods=["POST"], name="panel_create"),
    Route(_round + "/panels/{panel_id:int}/delete", panel_delete, methods=["POST"], name="panel_delete"),
    Route(_round + "/panels/{panel_id:int}/members", member_add, methods=["POST"], name="member_add"),
    Route(_round + "/members/{member_id:int}/delete", member_remove, methods=["POST"], name="member_remove"),
    Route(_round + "/entries", entries_open, methods=["POST"], name="entries_open"),
    Route(_round + "/assign", assign, methods=["POST"], name="assign"),
]
