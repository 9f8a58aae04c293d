"""What the browser tests' own small states share: filling the database a server will serve, its accounts,
entries submitted with a picture and a round open now with its panel.

A state module (`python -m tests.browser.<name>_state`) builds rows through the domain services; `fill`
migrates the database CONTEST_DATABASE_URL names and runs the build in it.
"""

from __future__ import annotations

import asyncio
import io
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta

from tortoise import Tortoise

from contest import demo_art
from contest.accounts import privacy
from contest.accounts.models import EntrantProfile, User
from contest.contests.models import Contest, Track
from contest.db import apply_migrations, settings_config
from contest.entries import service as entry_service
from contest.entries.models import Entry
from contest.entries.queries import ENTRY_PAGE_RELATIONS
from contest.judging import round_assignments, round_entries
from contest.judging.models import Criterion, Panel, PanelMember, Round
from contest.media.storage import Storage
from contest.media.stores import open_store
from contest.settings import load_settings
from tests.factories import attach_picture

DAY = timedelta(days=1)


def fill(build: Callable[[], Awaitable[None]]) -> None:
    async def run() -> None:
        settings = load_settings()
        await apply_migrations(settings)
        await Tortoise.init(config=settings_config(settings), _enable_global_fallback=True)
        try:
            await build()
        finally:
            await Tortoise.close_connections()

    asyncio.run(run())


async def account(email: str, name: str, password_hash: str, *, staff: bool = False) -> User:
    """A user who can log in with the password behind `password_hash`, with the profile every account has and its
    consent to the privacy notice, as registering gives."""
    user = await User.create(email=email, display_name=name, password_hash=password_hash, is_staff=staff)
    await EntrantProfile.create(user=user)
    await privacy.record_consent(user, await privacy.current_notice(), sensitive=False, ip="", now=datetime.now(UTC))
    return user


def state_store() -> Storage:
    """The store the server will read, its folders made."""
    store = open_store(load_settings())
    store.ensure_dirs()
    return store


async def _picture(seed: int, art: str) -> AsyncIterator[bytes]:
    buffer = io.BytesIO()
    demo_art.render_artwork(seed, track=art, size=(1200, 900)).save(buffer, "JPEG", quality=88)
    yield buffer.getvalue()


async def submitted_entries(contest: Contest, track: Track, designer: User, titles: list[str], *, store: Storage,
                            at: datetime, art: str = "ip", seed: int = 3) -> list[Entry]:
    """`designer`'s entries, one per title, each with a demo picture (of `art`, "ip", "product" or "brand"),
    submitted a day apart from `at` on."""
    originality, ip_terms = await entry_service.current_terms(contest)
    entries = []
    for n, title in enumerate(titles):
        when = at + n * DAY
        entry = await Entry.create(contest=contest, track=track, owner=designer, title=title, concept="示例",
                                   public_name=f"设计师{n + 1}")
        await attach_picture(entry, _picture(seed + n, art), store=store, original_name=f"{n}.jpg", by=designer,
                             now=when, read_text=False)
        entry = await Entry.get(id=entry.id).prefetch_related(*ENTRY_PAGE_RELATIONS)
        await entry_service.submit_entry(entry, by=designer, originality_id=originality.id, ip_terms_id=ip_terms.id,
                                         now=when)
        entries.append(entry)
    return entries


async def open_round(contest: Contest, judges: list[User], *, by: User, now: datetime, kind: str = "final",
                     name: str = "终评") -> Round:
    """A round open since yesterday for five more days, scored on 创意 and 工艺 by one panel of `judges`, with the
    contest's submitted entries taken in and assigned."""
    round_ = await Round.create(contest=contest, kind=kind, name=name, position=1, opens_at=now - DAY,
                                closes_at=now + 5 * DAY, secret=secrets.token_hex(16))
    for n, criterion in enumerate(("创意", "工艺")):
        await Criterion.create(round=round_, name=criterion, position=n)
    panel = await Panel.create(round=round_, name=f"{name}评委")
    for judge in judges:
        await PanelMember.create(panel=panel, judge=judge)
    await round_entries.open_round_entries(round_, now=now)
    await round_assignments.assign_round(round_, by=by, now=now)
    return round_
