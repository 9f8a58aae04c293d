"""A contest that announces with the 公布 press at its ceremony: two tracks, three grades each and a special
award, confirmed winners with real public image files, and an organiser, for the ceremony tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from contest import clock
from contest.accounts.models import ContestRole, ContestRoleKind, User
from contest.contests.models import AwardTier, Contest
from contest.results.models import Award, AwardStatus
from tests.factories import make_contest, make_track, make_user
from tests.results.gallery_builders import tiers_for, winner


@dataclass
class Show:
    contest: Contest
    organiser: User
    tiers: dict[str, AwardTier]  # "ip-1", "product-3", "special"
    titles: dict[str, str] = field(default_factory=dict)  # entry title by tier key


async def press_edition(store, *, slug: str = "press-2026", images: int = 2) -> Show:
    """Published, submissions closed, no announcement time, announced by the press; every award confirmed."""
    now = clock.now()
    contest = await make_contest(slug=slug, title="人民城市 文创大赛 2026", submissions_open_at=now - timedelta(days=60),
                                 submissions_close_at=now - timedelta(days=30), announce_at=None,
                                 announce_by_press=True)
    organiser = await make_user(display_name="大会主持")
    await ContestRole.create(contest=contest, user=organiser, role=ContestRoleKind.ORGANISER)
    ip = await make_track(contest, slug="ip", name="工运IP赛道", position=1)
    product = await make_track(contest, slug="product", name="生活实用产品赛道", position=2)
    tiers: dict[str, AwardTier] = {}
    for track in (ip, product):
        for tier in await tiers_for(contest, track, names=("一等奖", "二等奖", "优秀奖")):
            tiers[f"{track.slug}-{tier.rank}"] = tier
    tiers["special"] = await AwardTier.create(contest=contest, name="网络人气奖", rank=5, is_special=True)
    show = Show(contest, organiser, tiers)
    titles = {"ip-1": "小工匠·阿铆", "ip-2": "钢花", "ip-3": "铆钉书签", "product-1": "海派剪纸茶杯",
              "product-3": "劳模笔记本"}
    for n, (key, title) in enumerate(titles.items(), start=1):
        track = ip if key.startswith("ip") else product
        entry = await winner(contest, track, tiers[key], store, title=title, number=f"P-{n:04d}", images=images,
                             public_name=f"设计师{n}")
        show.titles[key] = title
        if key == "ip-1":
            await Award.create(contest=contest, tier=tiers["special"], entry=entry, status=AwardStatus.CONFIRMED)
    return show
