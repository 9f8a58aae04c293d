"""Cookie names and attributes. `__Host-` prefixed names need Secure, so development uses plain names."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import HTTPConnection
from starlette.responses import Response


@dataclass(frozen=True)
class CookieJar:
    secure: bool

    @property
    def session(self) -> str:
        return "__Host-session" if self.secure else "contest_session"

    @property
    def csrf(self) -> str:
        return "__Host-csrf" if self.secure else "contest_csrf"

    lang = "contest_lang"
    flash = "contest_flash"

    def set(self, response: Response, name: str, value: str, *, max_age: int | None = None) -> None:
        response.set_cookie(
            name, value, max_age=max_age, path="/", httponly=True, secure=self.secure, samesite="lax"
        )

    def delete(self, response: Response, name: str) -> None:
        response.delete_cookie(name, path="/", httponly=True, secure=self.secure, samesite="lax")


def cookie_jar(conn: HTTPConnection) -> CookieJar:
    return conn.app.state.cookies
