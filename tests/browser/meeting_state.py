"""The state of the meeting browser test: a final round open now with three entries taken in and assigned
to a panel of three judges, grades with one seat each, and the announcement left to the ceremony's press
(no announcement time).

`python -m tests.browser.meeting_state` migrates the database named by CONTEST_DATABASE_URL and fills it.
"""

from __future__ import annotations

import io
import secrets
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

from contest import clock, demo_art
from contest.accounts.models import ContestRole, ContestRoleKind, User
from contest.accounts.passwords import hash_password
from contest.contests.models import AwardTier, Contest
from contest.entries import service as entry_service
from contest.entries.models import Entry
from contest.judging import round_assignments, round_entries
from contest.judging.models import Criterion, Panel, PanelMember, Round
from contest.media.storage import Storage
from contest.media.stores import open_store
from contest.settings import load_settings
from tests.browser.states import account, fill
from tests.factories import attach_picture, make_track

PASSWORD = "meeting-test-2026"
CHAIR = "chair@meeting.test"
JUDGES = {"j1": "王教授", "j2": "李设计师", "j3": "赵主席"}
TITLES = ["铆钉小匠", "纺织姐妹", "弄堂饭盒"]
SLUG = "meeting-a"
DAY = timedelta(days=1)


def judge_email(key: str) -> str:
    return f"{key}@jury.meeting.test"


async def _picture(seed: int) -> AsyncIterator[bytes]:
    buffer = io.BytesIO()
    demo_art.render_artwork(seed, track="ip", size=(1200, 900)).save(buffer, "JPEG", quality=88)
    yield buffer.getvalue()


async def _entries(contest: Contest, designer: User, store: Storage, now: datetime) -> list[Entry]:
    track = await make_track(contest, slug="ip", name="工运IP赛道", position=1, min_width=100, min_height=100)
    for name, rank in (("一等奖", 1), ("二等奖", 2), ("三等奖", 3)):
        await AwardTier.create(contest=contest, track=track, name=name, rank=rank, quota=1)
    originality, ip_terms = await entry_service.current_terms(contest)
    entries = []
    for n, title in enumerate(TITLES):
        when = now - (7 - n) * DAY
        entry = await Entry.create(contest=contest, track=track, owner=designer, title=title, concept="示例",
                                   public_name=f"设计师{n + 1}")
        await attach_picture(entry, _picture(n + 3), store=store, original_name=f"{n}.jpg", by=designer, now=when,
                             read_text=False)
        entry = await Entry.get(id=entry.id).prefetch_related("contest", "track__fields_", "track__slots", "images",
                                                              "files", "members")
        await entry_service.submit_entry(entry, by=designer, originality_id=originality.id, ip_terms_id=ip_terms.id,
                                         now=when)
        entries.append(entry)
    return entries


async def build(now: datetime) -> None:
    settings = load_settings()
    store = open_store(settings)
    store.ensure_dirs()
    hashed = await hash_password(PASSWORD)
    chair = await account(CHAIR, "组委会秘书长", hashed, staff=True)
    judges = {key: await account(judge_email(key), name, hashed) for key, name in JUDGES.items()}
    designer = await account("designer@meeting.test", "设计者", hashed)
    contest = await Contest.create(slug=SLUG, title="工会文创设计大赛", is_published=True,
                                   submissions_open_at=now - 20 * DAY, submissions_close_at=now - 2 * DAY,
                                   announce_by_press=True, host_bodies="市总工会")  # the ceremony's press announces
    await ContestRole.create(contest=contest, user=chair, role=ContestRoleKind.ORGANISER)
    for judge in judges.values():
        await ContestRole.create(contest=contest, user=judge, role=ContestRoleKind.JUDGE)
    await _entries(contest, designer, store, now)
    final = await Round.create(contest=contest, kind="final", name="终评", position=1, opens_at=now - DAY,
                               closes_at=now + 5 * DAY, secret=secrets.token_hex(16))
    for n, criterion in enumerate(("创意", "工艺")):
        await Criterion.create(round=final, name=criterion, position=n)
    panel = await Panel.create(round=final, name="终评评委")
    for judge in judges.values():
        await PanelMember.create(panel=panel, judge=judge)
    await round_entries.open_round_entries(final, now=now)
    await round_assignments.assign_round(final, by=chair, now=now)


if __name__ == "__main__":
    fill(lambda: build(clock.now()))
