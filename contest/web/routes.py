"""Every URL of the app, grouped by audience; names are `<audience>:<page>`."""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount

from contest.settings import PROJECT_ROOT
from contest.web import auth, designer, judge, public
from contest.web.designer import entry_images
from contest.web.infra.compression import CompressedStaticFiles
from contest.web.organiser import audit as organiser_audit
from contest.web.organiser import awards as organiser_awards
from contest.web.organiser import ceremony as organiser_ceremony
from contest.web.organiser import contests as organiser_contests
from contest.web.organiser import dashboard as organiser_dashboard
from contest.web.organiser import entries as organiser_entries
from contest.web.organiser import exports as organiser_exports
from contest.web.organiser import finalists as organiser_finalists
from contest.web.organiser import integrity as organiser_integrity
from contest.web.organiser import jobs as organiser_jobs
from contest.web.organiser import meeting as organiser_meeting
from contest.web.organiser import objections as organiser_objections
from contest.web.organiser import outbox as organiser_outbox
from contest.web.organiser import payouts as organiser_payouts
from contest.web.organiser import people as organiser_people
from contest.web.organiser import privacy as organiser_privacy
from contest.web.organiser import progress as organiser_progress
from contest.web.organiser import results as organiser_results
from contest.web.organiser import rounds as organiser_rounds
from contest.web.organiser import vote as organiser_vote


def build_routes() -> list[BaseRoute]:
    return [
        Mount("/static", CompressedStaticFiles(directory=PROJECT_ROOT / "static"), name="static"),
        Mount("/account", routes=auth.routes, name="auth"),
        Mount("/me", routes=designer.routes, name="designer"),
        Mount("/judge", routes=judge.routes, name="judge"),
        Mount("/media", routes=entry_images.routes, name="media"),
        Mount("/admin", routes=[*organiser_dashboard.routes, *organiser_integrity.routes, *organiser_rounds.routes,
                                *organiser_progress.routes, *organiser_meeting.routes, *organiser_results.routes,
                                *organiser_finalists.routes, *organiser_people.routes, *organiser_ceremony.routes,
                                *organiser_awards.routes, *organiser_vote.routes, *organiser_objections.routes,
                                *organiser_outbox.routes, *organiser_jobs.routes, *organiser_audit.routes,
                                *organiser_contests.routes, *organiser_exports.routes, *organiser_entries.routes,
                                *organiser_privacy.routes, *organiser_payouts.routes],
              name="organiser"),
        Mount("", routes=public.routes, name="public"),
    ]
