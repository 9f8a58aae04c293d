"""The state of the browser test from confirmation to announcement (test_results_to_announcement.py), built
without the demo:

- results-a: a contest with its three bodies, the demo's first two tracks with one 一等奖 and one 二等奖 each and
  网络人气奖, the special award across tracks. Three entries a track were submitted (two designers, one a
  worker with an employer, one a student with a school) and scored by three judges in the final round, which is
  locked: the figures have thirds, so what is shown is rounded. No award is stored, no notice saved, no
  announcement time set: the organiser does all of that in the browser.

`python -m tests.browser.results_state` migrates the database named by CONTEST_DATABASE_URL and fills it.
"""

from __future__ import annotations

from datetime import datetime

from contest import clock, demo
from contest.accounts.models import ContestRole, ContestRoleKind, EntrantCategory, EntrantProfile, User
from contest.accounts.passwords import hash_password
from contest.contests.models import AwardTier, Contest
from contest.entries.models import Entry
from contest.judging import locking, scoring
from contest.judging.models import Assignment, Criterion
from tests.browser.states import DAY, account, fill, open_round, state_store, submitted_entries
from tests.factories import make_track

PASSWORD = "results-test-2026"
ORGANISER = "organiser@results.test"
SLUG = "results-a"
TITLE = "人民城市 百年工运 2026"
GUIDING, HOST, ORGANISING = "上海市总工会", "杨浦区总工会", "杨浦区职工文化活动中心"
WORKER_ORG, SCHOOL = "上海电气集团", "上海视觉艺术学院"
JUDGES = ("judge1@jury.results.test", "judge2@jury.results.test", "judge3@jury.results.test")
# The three judges' 创意, then 工艺 (0-10, equal weights), by entry position in its track. Their totals out of 100:
# entry 0 90, 85, 85 (mean 86.666…, shown 86.67), entry 1 80, 80, 75 (78.33), entry 2 70, 70, 65 (68.33). The
# first two of each track win 一等奖 and 二等奖.
SCORES = (((9, 9, 8), (9, 8, 9)), ((8, 8, 7), (8, 8, 8)), ((7, 7, 7), (7, 7, 6)))


async def _designers(hashed: str) -> tuple[User, User]:
    worker = await account("worker@results.test", "李工", hashed)
    await EntrantProfile.filter(user=worker).update(organisation=WORKER_ORG)
    student = await account("student@results.test", "王同学", hashed)
    await EntrantProfile.filter(user=student).update(category=EntrantCategory.STUDENT, school=SCHOOL)
    return worker, student


async def _entries(contest: Contest, designers: tuple[User, User], now: datetime) -> None:
    store = state_store()
    for position, spec in enumerate(demo.TRACKS[:2], start=1):
        track = await make_track(contest, slug=spec["slug"], name=spec["name"], name_en=spec["name_en"],
                                 position=position, min_width=100, min_height=100)
        for rank, grade in enumerate(("一等奖", "二等奖"), start=1):
            await AwardTier.create(contest=contest, track=track, name=grade, name_en=f"Prize {rank}", rank=rank, quota=1)
        for n, title in enumerate(spec["titles"][:3]):
            [entry] = await submitted_entries(contest, track, designers[n % 2], [title], store=store,
                                              at=now - 50 * DAY + n * DAY, art=spec["art"],
                                              seed=2026_100 + 10 * position + n)
            await Entry.filter(id=entry.id).update(
                public_name=demo.DESIGNERS[(n + 3 * position) % len(demo.DESIGNERS)][1],
                **({"organisation": WORKER_ORG} if n % 2 == 0 else {"school": SCHOOL}))


async def _judged(contest: Contest, organiser: User, hashed: str, now: datetime) -> None:
    judges = [await account(email, f"评委{n}", hashed) for n, email in enumerate(JUDGES, start=1)]
    round_ = await open_round(contest, judges, by=organiser, now=now)
    criteria = await Criterion.filter(round=round_).order_by("position")
    for assignment in await Assignment.filter(round=round_).prefetch_related("entry"):
        position = await Entry.filter(contest=contest, track_id=assignment.entry.track_id,
                                      id__lt=assignment.entry_id).count()
        judge = judges.index(next(j for j in judges if j.id == assignment.judge_id))
        for criterion, values in zip(criteria, SCORES[position], strict=True):
            await scoring.save_score(assignment, criterion=criterion, value=values[judge], now=now, by=judges[judge])
        await scoring.complete_assignment(assignment, now=now, by=judges[judge])
    await locking.lock_round(round_, by=organiser, now=now)


async def build(now: datetime) -> None:
    hashed = await hash_password(PASSWORD)
    organiser = await account(ORGANISER, "组委会秘书处", hashed, staff=True)
    contest = await Contest.create(slug=SLUG, title=TITLE, is_published=True, guiding_bodies=GUIDING,
                                   host_bodies=HOST, organising_bodies=ORGANISING,
                                   submissions_open_at=now - 60 * DAY, submissions_close_at=now - 30 * DAY)
    await ContestRole.create(contest=contest, user=organiser, role=ContestRoleKind.ORGANISER)
    await AwardTier.create(contest=contest, name="网络人气奖", name_en="Popular vote award", rank=5, is_special=True)
    await _entries(contest, await _designers(hashed), now)
    await _judged(contest, organiser, hashed, now)


if __name__ == "__main__":
    fill(lambda: build(clock.now()))
