"""A small state for the console's round and notice tests, which the demo cannot give without other
tests depending on it: three contests, each used by one concern, built in a second or two.

`python -m tests.browser.rounds_state` migrates the database named by CONTEST_DATABASE_URL and fills it.

- rounds-a: a preliminary round open now with scores (one judge submitted one entry and fully scored
  another without submitting), a final not open yet with its entries assigned, a judge invited into a
  group but on no panel yet, and one invited without a group.
- rounds-b: a preliminary round open now and a final two weeks later; entries submitted 10, 5 and 3 days ago.
- rounds-c: a shortlist (two entries advanced in a locked round) and a public notice that started an hour
  ago, never approved.
"""

from __future__ import annotations

import io
import secrets
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

from PIL import Image

from contest import clock
from contest.accounts.models import ContestRole, ContestRoleKind, Invitation, User
from contest.accounts.passwords import hash_password
from contest.contests.models import Contest
from contest.entries import service as entry_service
from contest.entries.models import Entry
from contest.entries.queries import ENTRY_PAGE_RELATIONS
from contest.judging import round_assignments, round_entries, scoring
from contest.judging.models import Criterion, EntrySource, JudgeGroup, Panel, PanelMember, Round, RoundEntry
from contest.media.storage import Storage
from contest.media.stores import open_store
from contest.settings import load_settings
from tests.browser.states import account, fill
from tests.factories import attach_picture, make_track

PASSWORD = "rounds-test-2026"
ORGANISER = "organiser@rounds.test"
JUDGES = {"j1": "评委 甲", "j2": "评委 乙", "j3": "评委 丙", "j4": "评委 丁"}
TITLES = ["铆钉小匠", "纺织姐妹", "弄堂饭盒"]
DAY = timedelta(days=1)


def judge_email(key: str) -> str:
    return f"{key}@jury.example.net"


async def _chunks(colour: tuple[int, int, int]) -> AsyncIterator[bytes]:
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), colour).save(buffer, "JPEG", quality=85)
    yield buffer.getvalue()


async def _contest(slug: str, now: datetime, judges: dict[str, User], **times: datetime | int) -> Contest:
    contest = await Contest.create(slug=slug, title=f"轮次测试大赛 {slug[-1].upper()}", is_published=True,
                                   submissions_open_at=now - 20 * DAY, submissions_close_at=now - 2 * DAY,
                                   announce_at=now + 30 * DAY, **times)
    for judge in judges.values():
        await ContestRole.create(contest=contest, user=judge, role=ContestRoleKind.JUDGE)
    return contest


async def _entries(contest: Contest, designer: User, store: Storage, ages: list[int]) -> list[Entry]:
    track = await make_track(contest, slug="ip", name="工运IP赛道", position=1, min_width=100, min_height=100)
    originality, ip_terms = await entry_service.current_terms(contest)
    entries = []
    for n, age in enumerate(ages):
        when = contest.submissions_close_at - age * DAY
        entry = await Entry.create(contest=contest, track=track, owner=designer, title=TITLES[n], concept="示例",
                                   public_name="设计者")
        await attach_picture(entry, _chunks((60 * n, 90, 160)), store=store, original_name=f"{n}.jpg",
                             by=designer, now=when, read_text=False)
        entry = await Entry.get(id=entry.id).prefetch_related(*ENTRY_PAGE_RELATIONS)
        await entry_service.submit_entry(entry, by=designer, originality_id=originality.id,
                                         ip_terms_id=ip_terms.id, now=when)
        entries.append(entry)
    return entries


async def _round(contest: Contest, position: int, name: str, opens: datetime, closes: datetime,
                 **fields: object) -> Round:
    round_ = await Round.create(contest=contest, kind="final" if position == 2 else "preliminary", name=name,
                                position=position, opens_at=opens, closes_at=closes, secret=secrets.token_hex(16),
                                **fields)
    for n, criterion in enumerate(("创意", "工艺")):
        await Criterion.create(round=round_, name=criterion, position=n)
    return round_


async def _panel(round_: Round, seats: list[tuple[User, JudgeGroup | None]], organiser: User, now: datetime) -> None:
    panel = await Panel.create(round=round_, name="全体评委")
    for judge, group in seats:
        await PanelMember.create(panel=panel, judge=judge, group=group)
    await round_entries.open_round_entries(round_, now=now)
    await round_assignments.assign_round(round_, by=organiser, now=now)


async def _score(round_: Round, judge: User, entry: Entry, now: datetime, *, submit: bool) -> None:
    assignment = await round_.assignments.filter(judge_id=judge.id, entry_id=entry.id).first()
    for criterion in await Criterion.filter(round=round_):
        await scoring.save_score(assignment, criterion=criterion, value=7 + entry.id % 3, now=now, by=judge)
    if submit:
        await scoring.complete_assignment(assignment, now=now, by=judge)


async def build(now: datetime) -> None:
    settings = load_settings()
    store = open_store(settings)
    store.ensure_dirs()
    hashed = await hash_password(PASSWORD)
    organiser = await account(ORGANISER, "组委会秘书处", hashed, staff=True)
    judges = {key: await account(judge_email(key), name, hashed) for key, name in JUDGES.items()}
    designer = await account("designer@rounds.test", "设计者", hashed)

    a = await _contest("rounds-a", now, judges)
    experts = await JudgeGroup.create(contest=a, name="专家评委", weight=0.7)
    union = await JudgeGroup.create(contest=a, name="工会代表", weight=0.3)
    for key, group in (("j3", experts), ("j4", None)):
        await Invitation.create(contest=a, email=judge_email(key), role=ContestRoleKind.JUDGE, judge_group=group,
                                token_hash=secrets.token_hex(32), invited_by=organiser, expires_at=now + DAY, used_at=now)
    entries = await _entries(a, designer, store, [10, 5, 3])
    preliminary = await _round(a, 1, "初评", now - DAY, now + 5 * DAY)
    await _panel(preliminary, [(judges["j1"], experts), (judges["j2"], union)], organiser, now)
    await _score(preliminary, judges["j1"], entries[0], now, submit=True)
    await _score(preliminary, judges["j1"], entries[1], now, submit=False)
    for entry in entries:
        await _score(preliminary, judges["j2"], entry, now, submit=True)
    final = await _round(a, 2, "终评", now + 10 * DAY, now + 15 * DAY)
    await _panel(final, [(judges["j1"], experts)], organiser, now)

    b = await _contest("rounds-b", now, judges)
    await _entries(b, designer, store, [10, 5, 3])
    await _round(b, 1, "初评", now - DAY, now + 5 * DAY)
    await _round(b, 2, "终评", now + 12 * DAY, now + 18 * DAY, entry_source=EntrySource.ADVANCED)

    c = await _contest("rounds-c", now, judges, notice_starts_at=now - timedelta(hours=1), notice_days=1)
    shortlisted = await _entries(c, designer, store, [10, 5, 3])
    chosen = await _round(c, 1, "初评", now - 2 * DAY + timedelta(hours=1), now - timedelta(hours=2))
    await round_entries.open_round_entries(chosen, now=now)
    await RoundEntry.filter(round=chosen, entry_id__in=[e.id for e in shortlisted[:2]]).update(advanced=True)
    await Round.filter(id=chosen.id).update(locked_at=now - timedelta(hours=2))


if __name__ == "__main__":
    fill(lambda: build(clock.now()))
