"""The app's routes as data, so tests can cover every one of them."""

from __future__ import annotations

import re

from starlette.routing import Mount, Route

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def iter_routes(routes, prefix: str = "", name_prefix: str = ""):
    for route in routes:
        if isinstance(route, Mount):
            child_prefix = f"{name_prefix}{route.name}:" if route.name else name_prefix
            if route.routes:
                yield from iter_routes(route.routes, prefix + route.path, child_prefix)
        elif isinstance(route, Route):
            yield prefix + route.path, f"{name_prefix}{route.name}", route.methods or set()


def state_changing_paths(app) -> list[tuple[str, str]]:
    """(route name, a concrete path) for every route that accepts an unsafe method."""
    found = []
    for path, name, methods in iter_routes(app.routes):
        if methods & UNSAFE:
            found.append((name, re.sub(r"\{[^}]+\}", "1", path)))
    return sorted(found)
