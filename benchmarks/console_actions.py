"""Slow console actions: accepting an invitation and saving console forms, through the whole app.

    python benchmarks/console_actions.py [--quick] [--profile]

Builds a throw-away SQLite database (migrated) with a contest, a round with criteria and an award
tier, and an organiser, then drives the ASGI app in process with httpx (no network, no server):

- invitation_accept: POST /account/invite/<token> for a new account (name + new password), each
  with a fresh invitation (made beforehand, not timed);
- console_save: the organiser saves the contest settings, a round's settings, a criterion and an
  award tier, each form posted back as the page shows it (nothing changed, so every save does the
  same work each time);
- references, in the same run, so the figures above can be read against this machine's speed now:
  GET /healthz with the organiser's session (the floor any request pays: middleware, session lookup),
  and one argon2 hash with argon2-cffi's default profile (64 MiB, 3 passes, 4 lanes), the one
  passwords were hashed with before (accepting an invitation hashes the new password once).

Prints each action's p50 / p90 in ms, and last one JSON line with the p50s. `--profile` prints the
cProfile functions that took the most cumulative time for one invitation accept and one settings
save. Figures only: nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import pstats
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SECRET = "bench-secret-" + "Q4p7Z" * 8
NEW_PASSWORD = "a long enough password"
FORM = {"content-type": "application/x-www-form-urlencoded"}


class _Forms(HTMLParser):
    """The fields of every <form method=post> on a page, by the form's action, as the browser would send them."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[str, list[tuple[str, str]]] = {}
        self._fields: list[tuple[str, str]] | None = None
        self._textarea: tuple[str, list[str]] | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self._fields = self.forms.setdefault(a.get("action", ""), [])
        elif self._fields is None or "name" not in a:
            return
        elif tag == "input" and a.get("type") not in ("submit", "file", "checkbox", "radio"):
            self._fields.append((a["name"], a.get("value", "")))
        elif tag == "input" and a.get("type") in ("checkbox", "radio") and "checked" in a:
            self._fields.append((a["name"], a.get("value", "on")))
        elif tag == "textarea":
            self._textarea = (a["name"], [])
        elif tag == "select":
            self._select = a["name"]
        if tag == "option" and self._select and "selected" in a:
            self._fields.append((self._select, a.get("value", "")))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea is not None and self._fields is not None:
            self._fields.append((self._textarea[0], "".join(self._textarea[1])))
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._fields = None


def forms_of(html: str) -> dict[str, list[tuple[str, str]]]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


async def _setup(work: Path):
    from tortoise import Tortoise
    from tortoise.migrations.api import migrate

    from contest.app import create_app
    from contest.db import tortoise_config
    from contest.settings import load_settings

    url = f"sqlite://{work / 'bench.sqlite3'}"
    settings = load_settings({}, database_url=url, secret_key=SECRET, public_url="http://testserver",
                             data_dir=work, upload_dir=work / "uploads")
    config = tortoise_config(url)
    await migrate(config=config)
    await Tortoise.close_connections()
    await Tortoise.init(config=config, _enable_global_fallback=True)
    return create_app(settings, manage_database=False)


async def _scene() -> tuple[object, object, int, int, int]:
    from contest.contests.models import AwardTier
    from contest.entries.service import current_terms
    from contest.judging.models import Criterion, JudgeGroup
    from tests.factories import make_contest, make_track, make_user
    from tests.judging.helpers import make_round

    organiser = await make_user(email="organiser@bench.example.org", display_name="组委会", is_staff=True)
    contest = await make_contest(slug="bench-2026")
    track = await make_track(contest)
    await current_terms(contest)  # a published contest has both texts saved (the settings save checks)
    close = contest.submissions_close_at
    round_ = await make_round(contest, opens_at=close + timedelta(days=1), closes_at=close + timedelta(days=5))
    criterion = await Criterion.create(round=round_, name="创意", scale_min=0, scale_max=10)
    tier = await AwardTier.create(contest=contest, track=track, name="一等奖", rank=1, quota=1)
    await JudgeGroup.create(contest=contest, name="专家评委", weight=0.7)
    return organiser, contest, round_.id, criterion.id, tier.id


async def _timed(action: Callable[[], Awaitable[None]], times: int) -> list[float]:
    figures = []
    for _ in range(times):
        start = time.perf_counter()
        await action()
        figures.append((time.perf_counter() - start) * 1000)
    return figures


def _profiled(label: str, profile: cProfile.Profile) -> None:
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(18)
    print(f"--- profile: {label}\n" + "\n".join(out.getvalue().splitlines()[:45]))


async def run(quick: bool, profile: bool) -> dict[str, float]:
    import anyio
    import httpx
    from argon2 import PasswordHasher

    from contest import clock
    from contest.console import invitations
    from tests.factories import login_as

    times = 5 if quick else 25
    with tempfile.TemporaryDirectory() as tmp:
        app = await _setup(Path(tmp))
        organiser, contest, round_id, criterion_id, tier_id = await _scene()
        transport = httpx.ASGITransport(app=app)
        async with (httpx.AsyncClient(transport=transport, base_url="http://testserver") as console,
                    httpx.AsyncClient(transport=transport, base_url="http://testserver") as guest):
            await login_as(console, organiser, secret=SECRET)
            tokens: list[str] = []

            def link(token: str) -> str:
                tokens.append(token)
                return f"http://testserver/account/invite/{token}"

            async def accept() -> None:
                n = len(tokens)
                await invitations.invite(contest, email=f"judge{n}@jury{n}.example.net", role="judge", by=organiser,
                                         now=clock.now(), link_for=link)
                path = f"/account/invite/{tokens[-1]}"
                page = await guest.get(path)
                # the invitation page always carries the CSRF field
                token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
                data = {"csrf_token": token, "display_name": f"评委{n}", "password": NEW_PASSWORD,
                        "password_repeat": NEW_PASSWORD, "privacy": "1", "privacy_version": "1"}
                start = time.perf_counter()
                response = await guest.post(path, data=data)
                accept_ms.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 303, response.text[:500]
                guest.cookies.clear()

            pages = {
                "settings": f"/admin/c/{contest.slug}/settings",
                "round": f"/admin/c/{contest.slug}/rounds/{round_id}",
            }
            wanted = {
                "settings": f"/admin/c/{contest.slug}/settings",
                "round": f"/admin/c/{contest.slug}/rounds/{round_id}/settings",
                "criterion": f"/admin/c/{contest.slug}/rounds/{round_id}/criteria/{criterion_id}",
                "tier": f"/admin/c/{contest.slug}/tiers/{tier_id}",
            }
            forms: dict[str, list[tuple[str, str]]] = {}
            for page in pages.values():
                forms |= forms_of((await console.get(page)).text)
            saves = {name: forms[action] for name, action in wanted.items() if action in forms}

            async def save(name: str) -> None:
                response = await console.post(wanted[name], content=urlencode(saves[name]), headers=FORM)
                errors = re.findall(r'class="field-error"[^>]*>([^<]+)<', response.text)
                assert response.status_code == 303, (name, response.status_code, errors or response.text[:300])

            async def reference() -> None:
                assert (await console.get("/healthz")).status_code == 200

            accept_ms: list[float] = []
            await accept()  # warm up: templates, first queries
            accept_ms.clear()
            for _ in range(times):
                await accept()
            save_ms = {name: await _timed(lambda name=name: save(name), times) for name in saves}
            reference_ms = await _timed(reference, times * 4)
            default_hasher = PasswordHasher()
            old_hash_ms = await _timed(lambda: anyio.to_thread.run_sync(default_hasher.hash, NEW_PASSWORD), times)
            if profile:
                for label, action in (("invitation accept", accept), ("settings save", lambda: save("settings"))):
                    profiler = cProfile.Profile()
                    profiler.enable()
                    await action()
                    profiler.disable()
                    _profiled(label, profiler)
        from tortoise import Tortoise

        await Tortoise.close_connections()

    def line(label: str, figures: list[float]) -> float:
        p50 = statistics.median(figures)
        p90 = sorted(figures)[int(len(figures) * 0.9) - 1 if len(figures) >= 10 else -1]
        print(f"{label:<28} p50 {p50:8.1f} ms   p90 {p90:8.1f} ms   (n={len(figures)})")
        return p50

    print(f"saved forms: {', '.join(saves)}")
    result = {"invitation_accept_p50_ms": round(line("invitation accept", accept_ms), 1)}
    all_saves = [ms for figures in save_ms.values() for ms in figures]
    for name, figures in save_ms.items():
        result[f"save_{name}_p50_ms"] = round(line(f"console save: {name}", figures), 1)
    result["console_save_p50_ms"] = round(line("console saves, all", all_saves), 1)
    result["reference_healthz_p50_ms"] = round(line("reference: /healthz", reference_ms), 1)
    result["reference_default_argon2_hash_p50_ms"] = round(line("reference: old argon2 hash", old_hash_ms), 1)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 of each instead of 25")
    parser.add_argument("--profile", action="store_true", help="print where one accept and one save spend time")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.quick, args.profile))))


if __name__ == "__main__":
    main()
