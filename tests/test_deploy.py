"""deploy/nginx/contest.conf keeps in step with the app: its timeouts, body sizes and streaming locations.
(`nginx -t` on it needs nginx installed, so it is not run here; docs/deploy.md shows how.)"""

from __future__ import annotations

import re

import pytest
from starlette.routing import Router

from contest.entries.slots import KIND_MAX_MB, MIB
from contest.settings import PROJECT_ROOT, Settings
from contest.web.infra.uploads import UPLOAD_BODY_LIMIT
from contest.web.routes import build_routes
from tests.web.routing import iter_routes

pytestmark = [pytest.mark.unit, pytest.mark.any_database]

CONF = (PROJECT_ROOT / "deploy" / "nginx" / "contest.conf").read_text()
DEFAULTS = Settings()
UNITS = {"k": 2**10, "m": 2**20, "g": 2**30}


def values(name: str, text: str = CONF) -> list[str]:
    return re.findall(rf"^\s*(?:location[^{{]*\{{\s*)?{name}\s+([^;]+);", text, re.MULTILINE)


def seconds(value: str) -> float:
    return float(value.removesuffix("s"))


def size(value: str) -> int:
    return int(value[:-1]) * UNITS[value[-1]]


def location(head: str) -> str:
    return re.search(rf"location {re.escape(head)} \{{(.*?)\n    \}}", CONF, re.DOTALL).group(1)


def test_nginx_holds_slow_clients_to_the_apps_own_limits():
    upstream_idle, client_idle = map(seconds, values("keepalive_timeout"))
    assert (seconds(values("client_header_timeout")[0]), seconds(values("client_body_timeout")[0]), client_idle) == \
        (DEFAULTS.header_timeout, DEFAULTS.body_timeout, DEFAULTS.keep_alive_timeout)
    assert upstream_idle < DEFAULTS.keep_alive_timeout


def test_nginx_lets_through_the_largest_bodies_the_app_accepts_and_no_more():
    form, resumable = map(size, values("client_max_body_size"))
    assert UPLOAD_BODY_LIMIT <= form <= UPLOAD_BODY_LIMIT + 2 * MIB
    assert max(KIND_MAX_MB.values()) * MIB <= resumable <= (max(KIND_MAX_MB.values()) + 2) * MIB


def routes() -> list[tuple[str, str]]:
    return [(path, name) for path, name, _ in iter_routes(Router(build_routes()).routes)]


def test_every_event_stream_is_unbuffered_and_outlasts_its_stream():
    streams = sorted(name for path, name in routes() if name.endswith("events"))
    assert streams == ["judge:live_events", "organiser:meeting_events", "public:meeting_events"]
    assert all(path.endswith("/events") for path, name in routes() if name in streams)
    block = location("~ /events$")
    assert "proxy_buffering off;" in block
    assert seconds(values("proxy_read_timeout", block)[0]) > DEFAULTS.event_stream_seconds


def test_resumable_uploads_get_their_own_body_size():
    pattern = re.search(r"location ~ (\S+) \{\n\s+proxy_pass http://contest_app;\n\s+client_max_body_size", CONF)
    paths = [re.sub(r"\{(\w+)(:int)?[^}]*\}", lambda m: "7" if m.group(2) else "poster", path)
             for path, name in routes() if name.startswith("designer:resumable")]
    assert paths and all(re.match(pattern.group(1), path) for path in paths)


def test_every_proxied_request_carries_the_request_id():
    assert "proxy_set_header X-Request-Id $request_id;" in CONF
    # a location with a proxy_set_header of its own would drop the server's, the request id among them
    assert [line for line in CONF.splitlines() if line.startswith("        proxy_set_header")] == []
