"""Every URL of the app, grouped by audience; names are `<audience>:<page>`."""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from contest.settings import PROJECT_ROOT
from contest.web import auth, designer, public


def build_routes() -> list[BaseRoute]:
    return [
        Mount("/static", StaticFiles(directory=PROJECT_ROOT / "static"), name="static"),
        Mount("/account", routes=auth.routes, name="auth"),
        Mount("/me", routes=designer.routes, name="designer"),
        Mount("", routes=public.routes, name="public"),
    ]
