"""The audit log of a contest: filtered, paged, exported as CSV, with the verification of the whole chain."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator, Mapping
from datetime import date, datetime, time, timedelta
from functools import partial

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from contest import clock
from contest.audit import queries, sentences
from contest.audit.models import AuditEvent
from contest.console import audit_log
from contest.contests.models import Contest
from contest.form_input import parse_integer
from contest.i18n import N_, translate
from contest.web.infra.templating import format_moment, render, request_locale
from contest.web.organiser.common import organised_contest

FILTER_FIELDS = ("action", "actor", "subject", "since", "until")
CSV_HEADERS = (N_("No."), N_("Time"), N_("Actor"), N_("What happened"), N_("Action"), N_("Subject"), N_("Details"),
               N_("Hash"))
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _values(params: Mapping[str, str]) -> dict[str, str]:
    return {name: params.get(name, "").strip()[:100] for name in FILTER_FIELDS}


def _selection(values: dict[str, str], contest: Contest) -> tuple[queries.AuditFilter, dict[str, str]]:
    """The filter from the query string's values and a problem per field; a bad date filters nothing."""
    since, until = _day(values["since"]), _day(values["until"])
    errors = {name: N_("Enter a date as YYYY-MM-DD.") for name, day in (("since", since), ("until", until))
              if values[name] and day is None}
    if since and until and until < since:
        errors["until"] = N_("The end comes before the start.")
        until = None
    start = clock.local_to_utc(datetime.combine(since, time()), contest.time_zone) if since else None
    end = clock.local_to_utc(datetime.combine(until + timedelta(days=1), time()), contest.time_zone) if until else None
    return queries.AuditFilter(values["action"], values["actor"], values["subject"], start, end), errors


async def audit(request: Request) -> Response:
    contest = await organised_contest(request)
    values = _values(request.query_params)
    selection, errors = _selection(values, contest)
    log = await audit_log.audit_log_page(contest.id, selection, page=parse_integer(request.query_params.get("page", "")) or 1,
                                         verify=request.query_params.get("verify") == "1")
    locale = request_locale(request)
    sentence = _sentence(contest, locale, log.names)
    return render(request, "organiser/audit.html", {
        "contest": contest, "page": log.page, "values": values, "errors": errors,
        "sentences": {event.seq: sentence(event.action, event.subject, event.data) for event in log.page.events},
        "action_names": {action: sentences.action_name(action, locale) for action in log.page.actions},
        "head": log.head, "chain": log.chain}, status_code=400 if errors else 200)


def _cell(value: str) -> str:
    # Spreadsheets run a cell that starts like a formula; an apostrophe keeps it text.
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def _actor(event: AuditEvent) -> str:
    return f"{event.actor.display_name} <{event.actor.email}>" if event.actor else event.actor_label


def _sentence(contest: Contest, locale: str, names: dict[tuple[str, int], str]) -> sentences.Sentence:
    return sentences.Sentence(locale, partial(format_moment, zone=contest.time_zone, locale=locale), names)


def _details(event: AuditEvent) -> str:
    return json.dumps(event.data, ensure_ascii=False, sort_keys=True)


def _row(event: AuditEvent, zone: str, sentence: sentences.Sentence) -> list[str]:
    when = clock.to_zone(event.at, zone).isoformat(timespec="seconds")
    said = sentence(event.action, event.subject, event.data)
    return [str(event.seq), when, *map(_cell, (_actor(event), said, event.action, event.subject, _details(event))),
            event.hash]


def _line(cells: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(cells)
    return buffer.getvalue()


async def _csv_lines(contest: Contest, selection: queries.AuditFilter, locale: str) -> AsyncIterator[str]:
    yield "\ufeff" + _line([translate(locale, header) for header in CSV_HEADERS])  # the BOM: Excel reads UTF-8
    sentence = _sentence(contest, locale, {})  # ids stay ids in the export: names change, the log does not
    async for event in queries.stream_events(contest.id, selection):
        yield _line(_row(event, contest.time_zone, sentence))


async def audit_csv(request: Request) -> Response:
    contest = await organised_contest(request)
    selection, _ = _selection(_values(request.query_params), contest)
    filename = f"audit-{contest.slug}.csv"
    return StreamingResponse(
        _csv_lines(contest, selection, request_locale(request)), media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{filename}"', "cache-control": "no-store"})


routes = [
    Route("/c/{slug}/audit", audit, name="audit"),
    Route("/c/{slug}/audit.csv", audit_csv, name="audit_csv"),
]
