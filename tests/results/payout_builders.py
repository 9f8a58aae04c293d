"""A contest announced a day before NOW whose one-tier prize is 8,000 yuan, its payouts open until 30 days after
NOW, and its winner; what the payout tests start from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from contest.accounts.models import EntrantKind, User
from contest.contests.models import AwardTier, Contest
from contest.entries.models import Entry, TeamMember
from contest.results.models import Award, AwardStatus
from tests.factories import NOW, make_contest, make_track, make_user
from tests.judging.helpers import submitted_entry

PRIZE_FEN = 800_000
RESIDENT_ID = "110101199003077475"
ACCOUNT = "6222021001122334455"
ORGANISATION_CODE = "91350100M000100Y43"


@dataclass
class Prize:
    contest: Contest
    tier: AwardTier
    entry: Entry
    award: Award
    winner: User


async def prize(*, team: bool = False, **contest_fields: object) -> Prize:
    values = {"submissions_open_at": NOW - timedelta(days=60), "submissions_close_at": NOW - timedelta(days=30),
              "announce_at": NOW - timedelta(days=1), "payouts_open": True,
              "payout_deadline": NOW + timedelta(days=30), **contest_fields}
    contest = await make_contest(**values)
    track = await make_track(contest, name="工运IP赛道")
    tier = await AwardTier.create(contest=contest, track=track, name="一等奖", rank=1, prize_fen=PRIZE_FEN)
    winner = await make_user(display_name="陈晓雯", phone="13800138000")
    entry = await submitted_entry(contest, track, winner, title="小工匠·阿铆", number=f"P-{contest.id:03d}-0001",
                                  entrant_kind=EntrantKind.TEAM if team else EntrantKind.INDIVIDUAL)
    if team:
        await TeamMember.create(entry=entry, name="李工", position=1)
    award = await Award.create(contest=contest, tier=tier, entry=entry, status=AwardStatus.CONFIRMED)
    return Prize(contest, tier, entry, award, winner)


def payee_form(**changes: str) -> dict[str, str]:
    return {"payee_kind": "individual", "payee_name": "陈晓雯", "id_type": "resident_id", "id_number": RESIDENT_ID,
            "bank_name": "中国工商银行上海市杨浦支行", "account": ACCOUNT, "account_holder": "陈晓雯",
            "phone": "13800138000", "consent": "1", **changes}
