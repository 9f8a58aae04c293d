"""The organiser's start page (the contests they run) and each contest's dashboard with charts drawn as SVG."""

from __future__ import annotations

import math
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contest import clock, i18n, permissions
from contest.accounts import queries as account_queries
from contest.console import dashboard as console_dashboard
from contest.contests import queries as contest_queries
from contest.contests.models import Contest
from contest.results import embargo, payouts
from contest.results.payouts import PayoutStatus
from contest.web.infra.labels import CATEGORY_LABELS, PAYOUT_STATUS_LABELS
from contest.web.infra.session import require_user
from contest.web.infra.templating import localized, render, request_locale
from contest.web.organiser.common import organised_contest

CHART_WIDTH = 640
LABEL_WIDTH = 200
ROW_HEIGHT = 28
COLUMN_HEIGHT = 160
MAX_DAY_LABELS = 8
MAX_COLUMN = 48  # one day's column at most, so a short series does not fill the chart


@dataclass(frozen=True)
class Bar:
    label: str  # in the reader's language
    value: int
    offset: float  # y of a row, x of a column
    length: float  # the bar's width (rows) or height (columns), in chart units
    labelled: bool = True  # columns: whether its label is drawn under it (the table always has all)


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    width: int
    height: int
    thickness: float

    @property
    def total(self) -> int:
        return sum(bar.value for bar in self.bars)


def row_chart(rows: list[tuple[str, int]]) -> Chart:
    """Horizontal bars, one a row, scaled to the largest value (a chart of zeros draws no bars)."""
    top = max((value for _, value in rows), default=0) or 1
    plot = CHART_WIDTH - LABEL_WIDTH - 60
    bars = [Bar(label, value, i * ROW_HEIGHT, value / top * plot) for i, (label, value) in enumerate(rows)]
    return Chart(bars, CHART_WIDTH, max(len(rows), 1) * ROW_HEIGHT, ROW_HEIGHT - 8)


def column_chart(columns: list[tuple[str, int]]) -> Chart:
    """Vertical bars for a series such as days; only every n-th label is drawn so they never overlap."""
    top = max((value for _, value in columns), default=0) or 1
    step = min(CHART_WIDTH / max(len(columns), 1), MAX_COLUMN)
    every = math.ceil(len(columns) / MAX_DAY_LABELS) or 1
    bars = [Bar(label, value, i * step, value / top * COLUMN_HEIGHT, i % every == 0)
            for i, (label, value) in enumerate(columns)]
    return Chart(bars, CHART_WIDTH, COLUMN_HEIGHT, max(step - 2, 1))


async def home(request: Request) -> Response:
    user = require_user(request)
    contests = await contest_queries.organised_contests(user)
    permissions.require(bool(contests) or account_queries.is_site_organiser(user))
    return render(request, "organiser/home.html", {"contests": contests})


async def contest_dashboard(request: Request) -> Response:
    contest = await organised_contest(request)
    dashboard = await console_dashboard.dashboard_of(contest)
    figures = dashboard.figures
    locale = request_locale(request)
    context = {
        "contest": contest, "figures": figures, "cases": dashboard.cases, "rounds": dashboard.rounds,
        "by_track": row_chart([(localized(track, "name", locale), n) for track, n in figures.by_track]),
        "by_category": row_chart([(i18n.translate(locale, CATEGORY_LABELS[category]), n)
                                  for category, n in figures.by_category]),
        "by_day": column_chart([(day.strftime("%m-%d"), n) for day, n in figures.by_day]),
        "results_public": embargo.results_public(contest, clock.now()),
        "payout_counts": await _payout_counts(contest), "payout_labels": PAYOUT_STATUS_LABELS,
    }
    return render(request, "organiser/dashboard.html", context)


async def _payout_counts(contest: Contest) -> dict[PayoutStatus, int]:
    """Each payout status's winners, once any award of the contest carries a prize ({} before)."""
    rows = await payouts.payout_rows(contest, now=clock.now())
    return payouts.status_counts(rows) if rows else {}


routes = [Route("/", home, name="home"), Route("/c/{slug}/", contest_dashboard, name="dashboard")]
