"""Who is asking: resumes the server-side session from its cookie and offers login/logout helpers."""

from __future__ import annotations

from starlette.requests import HTTPConnection, Request, cookie_parser
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from contest import clock
from contest.accounts import privacy, sessions
from contest.accounts.models import User
from contest.errors import ConsentRequired, LoginRequired
from contest.judging import presence
from contest.web.infra.probes import is_probe


def read_cookie(scope: Scope, name: str) -> str | None:
    """The cookie header is parsed once per request (as `Request.cookies` parses it) for every middleware."""
    state = scope.setdefault("state", {})
    cookies = state.get("cookies")
    if cookies is None:
        header = "; ".join(value.decode("latin-1") for key, value in scope.get("headers", ()) if key == b"cookie")
        cookies = state["cookies"] = cookie_parser(header)
    return cookies.get(name)


class SessionMiddleware:
    """Puts `user`, `session_key`, `session_expires_at` (None when anonymous) and `consent_due` into
    request.state. Every request of a signed-in user counts as activity, with the idle limit judging.presence
    grants."""

    def __init__(self, app: ASGIApp, *, cookie_name: str) -> None:
        self.app = app
        self.cookie_name = cookie_name

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        state["user"], state["session_key"], state["session_expires_at"] = None, None, None
        state["consent_due"] = False
        key = None if is_probe(scope) else read_cookie(scope, self.cookie_name)
        if key:
            info = await sessions.resume_session(key, now=clock.now(), idle_for=presence.idle_limit)
            if info is not None:
                state["user"], state["session_key"], state["session_expires_at"] = info.user, info.key, info.expires_at
                state["consent_due"] = info.consent_due
        await self.app(scope, receive, send)


def current_user(conn: HTTPConnection) -> User | None:
    return conn.state.user


def require_user(conn: HTTPConnection) -> User:
    """The signed-in user, whose session is not held at the privacy notice (that page asks `current_user`)."""
    user = current_user(conn)
    if user is None:
        raise LoginRequired()
    if conn.state.consent_due:
        raise ConsentRequired()
    return user


async def log_in(request: Request, response: Response, user: User) -> None:
    """Rotate: the old session (if any) dies and a new key is issued. A user who has not accepted the current
    privacy notice reaches only that notice in the new session until they do."""
    if request.state.session_key:
        await sessions.end_session(request.state.session_key)
    client, now = request.client.host if request.client else "", clock.now()  # forms.client_address comes later
    due = await privacy.consent_due(user)
    key = await sessions.start_session(
        user, now=now, idle=await presence.idle_limit(user, now), ip=client,
        user_agent=request.headers.get("user-agent", ""), consent_due=due,
    )
    jar = request.app.state.cookies
    jar.set(response, jar.session, key)
    request.state.user, request.state.session_key, request.state.consent_due = user, key, due


async def log_out(request: Request, response: Response) -> None:
    if request.state.session_key:
        await sessions.end_session(request.state.session_key)
    jar = request.app.state.cookies
    jar.delete(response, jar.session)
