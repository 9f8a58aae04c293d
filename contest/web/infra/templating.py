"""Jinja2 environments (one per locale, so gettext is bound once), filters, and the render helper."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

import jinja2
import nh3
import segno
from markdown_it import MarkdownIt
from markupsafe import Markup
from starlette.datastructures import URL
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from contest import clock, i18n, timefmt
from contest.accounts import sessions
from contest.judging.figures import Digits, percent, shown
from contest.web.infra.constant_gettext import ConstantGettext
from contest.web.infra.csrf import csrf_token
from contest.web.infra.flash import read_flashes

_markdown = MarkdownIt("commonmark", {"html": False}).enable("table")


def render_markdown(text: str) -> Markup:
    """Organisers' Markdown, HTML disabled and the result sanitised: the one place we mark HTML safe."""
    return Markup(nh3.clean(_markdown.render(text or "")))


def qr_code(text: str, scale: int = 6) -> Markup:
    """`text` (a URL) as an inline SVG QR code. segno draws paths from the bits alone, never echoing `text`,
    so the markup is safe whatever the URL holds."""
    return Markup(segno.make(text, error="m").svg_inline(scale=scale, dark="#1f1a17", light="#ffffff"))


def localized(obj: Any, field: str, locale: str) -> str:
    """A model's text in the reader's language: `<field>_en` for English when filled in."""
    if locale == "en":
        english = getattr(obj, f"{field}_en", "") or (obj.get(f"{field}_en") if isinstance(obj, dict) else "")
        if english:
            return english
    return obj[field] if isinstance(obj, dict) else getattr(obj, field)


def format_moment(moment: datetime | None, zone: str, style: str = "full", *, locale: str) -> str:
    """The `moment` filter: contest.timefmt's one format; "short" leaves the zone's name out (tables)."""
    return timefmt.format_moment(moment, zone, locale, with_zone=style != "short")


def datetime_local(moment: datetime | None, zone: str) -> str:
    """The value of an `<input type="datetime-local">` showing `moment` on the contest's wall clock."""
    return clock.to_zone(moment, zone).strftime("%Y-%m-%dT%H:%M") if moment else ""


URL_CACHE_SIZE = 8192


@jinja2.pass_context
def url_for(context: Mapping[str, Any], name: str, /, **params: Any) -> URL:
    """The path of a named route: pages link with paths, so a page is the same whatever scheme and host it
    was asked for (the page cache keeps one copy). Starlette's url_for walks every route on each call (a
    page makes a dozen to hundreds of calls, mostly the same ones: stylesheets, navigation), so the path
    for the same name and values is cached per app (URLs are immutable)."""
    request: Request = context["request"]
    cache: dict[tuple, URL] = request.app.state.urls
    key = (name, *sorted(params.items())) if params else (name,)
    url = cache.get(key)
    if url is None:
        if len(cache) >= URL_CACHE_SIZE:
            cache.clear()
        url = cache[key] = URL(request.app.router.url_path_for(name, **params))
    return url


@jinja2.pass_context
def absolute(context: Mapping[str, Any], path: str | URL) -> str:
    """`path` on the site's configured address (CONTEST_PUBLIC_URL), for link previews; never the Host header."""
    return context["request"].app.state.settings.public_url + str(path)


def absolute_url(request: Request, name: str, /, **params: Any) -> str:
    """A named route on the site's configured address, for e-mails and documents read off the site."""
    return request.app.state.settings.public_url + request.app.url_path_for(name, **params)


def _environment(directory: Path, locale: str, *, auto_reload: bool) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(directory),
        autoescape=True,
        extensions=["jinja2.ext.i18n", ConstantGettext],
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=auto_reload,  # else every render stats each template file it uses
    )
    translations = i18n.translations(locale)
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]  # added by the i18n extension
    env.extend(constant_translations=translations)
    env.globals["url_for"] = url_for
    env.globals["absolute"] = absolute
    env.globals["qr_code"] = qr_code
    env.filters["markdown"] = render_markdown
    env.filters["moment"] = partial(format_moment, locale=locale)
    env.filters["zone_name"] = partial(timefmt.zone_name, locale=locale)
    env.filters["datetime_local"] = datetime_local
    env.filters["iso"] = lambda moment: moment.isoformat() if moment else ""
    env.filters["score"] = shown
    env.filters["zscore"] = partial(shown, digits=Digits.ZSCORE)
    env.filters["percent"] = lambda share: shown(percent(share), Digits.PERCENT)
    env.globals["localized"] = partial(localized, locale=locale)
    env.globals["locale"] = locale
    env.globals["html_lang"] = i18n.HTML_LANG[locale]
    env.globals["locale_labels"] = i18n.LOCALE_LABELS
    env.globals["keep_alive_seconds"] = int(sessions.KEEP_ALIVE_EVERY.total_seconds())
    return env


class Renderer:
    def __init__(self, directory: Path, *, auto_reload: bool = False) -> None:
        """`auto_reload`: notice edited templates (development)."""
        self.by_locale = {loc: Jinja2Templates(env=_environment(directory, loc, auto_reload=auto_reload))
                          for loc in i18n.LOCALES}

    def compile_all(self) -> None:
        """Compile every template now, not on the first request that needs it (~85 ms for the gallery)."""
        for templates in self.by_locale.values():
            for name in templates.env.list_templates(extensions=["html"]):
                templates.env.get_template(name)

    def __call__(
        self, request: Request, name: str, context: dict[str, Any] | None = None, *, status_code: int = 200
    ) -> Response:
        locale = request_locale(request)
        flashes = read_flashes(request)
        ctx = {
            **self._base_context(request, locale),
            "flashes": [(level, i18n.translate(locale, msg, **params)) for level, msg, params in flashes],
            **(context or {}),
        }
        response = self.by_locale[locale].TemplateResponse(request, name, ctx, status_code=status_code)
        if flashes:
            request.app.state.cookies.delete(response, request.app.state.cookies.flash)
        return response

    def fragment(self, request: Request, name: str, context: dict[str, Any]) -> str:
        """A partial (`_name.html`) as text, for a script that replaces part of a page; flashes stay for the next page."""
        locale = request_locale(request)
        template = self.by_locale[locale].env.get_template(name)
        return template.render({**self._base_context(request, locale), "request": request, **context})

    @staticmethod
    def _base_context(request: Request, locale: str) -> dict[str, Any]:
        return {
            "user": request.scope.setdefault("state", {}).get("user"),
            "csrf_token": partial(csrf_token, request),
            "t": partial(i18n.translate, locale),
        }


def request_locale(request: Request) -> str:
    cached = request.scope["state"].get("locale")
    if cached is None:
        cached = i18n.negotiate(
            request.cookies.get(request.app.state.cookies.lang), request.headers.get("accept-language")
        )
        request.scope["state"]["locale"] = cached
    return cached


def render(request: Request, name: str, context: dict[str, Any] | None = None, *, status_code: int = 200) -> Response:
    return request.app.state.render(request, name, context, status_code=status_code)


def render_fragment(request: Request, name: str, context: dict[str, Any]) -> str:
    return request.app.state.render.fragment(request, name, context)
