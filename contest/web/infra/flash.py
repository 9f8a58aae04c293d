"""One-shot messages shown after a redirect, carried in a signed cookie (translated when shown)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

from starlette.requests import Request
from starlette.responses import Response

MAX_MESSAGES = 12  # an upload form takes 10 files: a refusal each and the count (under 4 KiB of cookie)
QUEUED = "flash_queued"


def _sign(secret: str, payload: bytes) -> str:
    return hmac.new(secret.encode(), b"flash:" + payload, hashlib.sha256).hexdigest()[:32]


def flash(request: Request, response: Response, message: str, *, level: str = "success", **params: object) -> None:
    """Queue `message` (an untranslated msgid) for the next page this browser shows, after any queued before."""
    state = request.scope["state"]
    queued = state.setdefault(QUEUED, read_flashes(request))
    queued.append([level, message, params])
    payload = base64.urlsafe_b64encode(json.dumps(queued[-MAX_MESSAGES:], ensure_ascii=False).encode()).decode()
    jar = request.app.state.cookies
    response.raw_headers = [h for h in response.raw_headers
                            if not (h[0] == b"set-cookie" and h[1].startswith(f"{jar.flash}=".encode()))]
    jar.set(response, jar.flash, f"{payload}.{_sign(request.app.state.settings.secret_key, payload.encode())}")


def read_flashes(request: Request) -> list[list]:
    raw = request.cookies.get(request.app.state.cookies.flash, "")
    payload, _, signature = raw.rpartition(".")
    expected = _sign(request.app.state.settings.secret_key, payload.encode())
    if not payload or not hmac.compare_digest(signature, expected):
        return []
    try:
        return json.loads(base64.urlsafe_b64decode(payload))
    except ValueError:
        return []
