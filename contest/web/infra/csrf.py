"""CSRF tokens: each bound to the session (or, before login, to a random cookie), made for forms and matched
by the check (csrf_check.py).

`starlette-csrf` reads its token from a header only and does not bind it to the session
(docs/stack.md), so we keep our own.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from starlette.requests import HTTPConnection
from starlette.types import Scope

FIELD = "csrf_token"


def make_token(secret: str, binding: str) -> str:
    return hmac.new(secret.encode(), f"csrf:{binding}".encode(), hashlib.sha256).hexdigest()


def token_matches(secret: str, binding: str | None, token: str | None) -> bool:
    if not (binding and token):
        return False
    return hmac.compare_digest(make_token(secret, binding), token)


def binding_for(scope: Scope) -> str | None:
    state = scope.get("state", {})
    return state.get("session_key") or state.get("csrf_anon")


def csrf_token(conn: HTTPConnection) -> str:
    """The token for forms on this page; creates the anonymous binding cookie when needed."""
    state = conn.scope["state"]
    if not binding_for(conn.scope):
        state["csrf_anon"] = secrets.token_urlsafe(24)
        state["csrf_anon_new"] = True
    binding = binding_for(conn.scope)
    assert binding is not None  # set just above when there was none
    return make_token(conn.app.state.settings.secret_key, binding)
