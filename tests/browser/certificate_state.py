"""The state of the certificate check's browser test, built without the demo:

- a contest announced a day ago, numbered 〔{year}〕工运文创第{seq:03}号, with 一等奖 and 二等奖 confirmed and their
  numbers issued; the 二等奖 was revoked after an objection an hour ago.

`python -m tests.browser.certificate_state` migrates the database named by CONTEST_DATABASE_URL, fills it and
writes the two certificates' numbers and keys to certificates.json in CONTEST_DATA_DIR, for the test to look up.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from pathlib import Path

from contest import clock
from contest.contests.models import Contest
from contest.entries.models import Entry
from contest.results import awarding, certificate_numbers
from contest.results.models import Award, AwardStatus
from tests.browser.states import DAY, fill
from tests.results.award_builders import final_round

TITLE = "「人民城市 百年工运」文创设计大赛"


async def build(now: datetime) -> None:
    final = await final_round((95, 90), title=TITLE, slug="check-a", announce_at=now - DAY,
                              certificate_number_pattern="〔{year}〕工运文创第{seq:03}号",
                              submissions_close_at=now - 30 * DAY)
    await Contest.filter(id=final.contest.id).update(is_published=True)
    await Entry.filter(id=final.entries[0].id).update(title="海派剪纸·百年工运拼图盒", public_name="星火设计工作室")
    gold, silver = [await Award.create(contest=final.contest, tier=final.tiers[tier], entry=entry,
                                       status=AwardStatus.CONFIRMED, decided_at=now - 2 * DAY)
                    for tier, entry in (("一等奖", final.entries[0]), ("二等奖", final.entries[1]))]
    numbers = await certificate_numbers.numbers_of(await Contest.get(id=final.contest.id), now=now)
    await awarding.revoke_award(silver, policy="leave_vacant", reason="异议成立", by=None, now=now - timedelta(hours=1))
    found = {name: {"number": numbers[a.id].number, "token": numbers[a.id].token}
             for name, a in (("valid", gold), ("revoked", silver))}
    (Path(os.environ["CONTEST_DATA_DIR"]) / "certificates.json").write_text(json.dumps(found, ensure_ascii=False))


if __name__ == "__main__":
    fill(lambda: build(clock.now()))
