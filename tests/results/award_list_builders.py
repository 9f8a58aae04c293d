"""An announced contest for the award list and the press kit: two tracks made out of their order, a special award
bound to a track and one across tracks, an entry holding a grade and a special award, and a proposed and a
revoked award that must not be listed."""

from __future__ import annotations

from contest.contests.models import AwardTier, Contest
from contest.results.models import Award, AwardStatus
from tests.factories import make_track
from tests.results.gallery_builders import announced, tiers_for, winner

BODIES = {"guiding_bodies": "上海市总工会", "host_bodies": "上海市总工会宣传部、上海市工人文化宫",
          "organising_bodies": "上海市工人文化宫文创中心"}

# (section, grade, number, title, public name, organisation or school) in the list's order
EXPECTED = [
    ("工运IP赛道", "一等奖", "R-01-0001", "小工匠·阿铆", "林间设计工作室", "上海林间设计有限公司"),
    ("工运IP赛道", "二等奖", "R-01-0002", "铆钉", "陈晓", "上海大学美术学院"),
    ("工运IP赛道", "二等奖", "R-01-0003", "钢花", "王小明", "宝钢工会"),
    ("生活实用产品赛道", "一等奖", "R-02-0001", "海派剪纸茶杯", "张三", "上海市工人文化宫"),
    ("特别奖", "评委会特别奖", "R-02-0002", "劳模笔记本", "李四", "某某区总工会、某某职业学院"),
    ("特别奖", "网络人气奖", "R-01-0001", "小工匠·阿铆", "林间设计工作室", "上海林间设计有限公司"),
]
HIDDEN_TITLES = ("提名未定", "已撤销作品")


async def award_list_edition(store, *, images: int = 0, **fields) -> Contest:
    contest = await announced(slug="awards-2026", title="人民城市 百年工运 2026", **{**BODIES, **fields})
    product = await make_track(contest, slug="product", name="生活实用产品赛道", position=2)
    ip = await make_track(contest, slug="ip", name="工运IP赛道", position=1)
    ip_tiers, product_tiers = await tiers_for(contest, ip), await tiers_for(contest, product)
    popular = await AwardTier.create(contest=contest, name="网络人气奖", name_en="Popular vote award", rank=5,
                                     is_special=True)
    jury = await AwardTier.create(contest=contest, track=product, name="评委会特别奖", name_en="Jury award", rank=4,
                                  is_special=True)
    first = await winner(contest, ip, ip_tiers[0], store, title="小工匠·阿铆", number="R-01-0001", images=images,
                         public_name="林间设计工作室", organisation="上海林间设计有限公司",
                         concept="一颗铆钉成了精。\n陪伴一代代工人。")
    await winner(contest, ip, ip_tiers[1], store, title="钢花", number="R-01-0003", images=images,
                 public_name="王小明", organisation="宝钢工会")
    await winner(contest, ip, ip_tiers[1], store, title="铆钉", number="R-01-0002", images=images,
                 public_name="陈晓", school="上海大学美术学院")
    await winner(contest, ip, ip_tiers[2], store, title="已撤销作品", number="R-01-0009", images=images,
                 status=AwardStatus.REVOKED, public_name="赵六", organisation="撤销单位")
    await winner(contest, product, product_tiers[0], store, title="海派剪纸茶杯", number="R-02-0001", images=images,
                 public_name="张三", organisation="上海市工人文化宫")
    await winner(contest, product, product_tiers[1], store, title="提名未定", number="R-02-0003",
                 status=AwardStatus.PROPOSED, public_name="钱七", images=images)
    await winner(contest, product, jury, store, title="劳模笔记本", number="R-02-0002", images=images,
                 public_name="李四", organisation="某某区总工会", school="某某职业学院")
    await Award.create(contest=contest, tier=popular, entry=first, status=AwardStatus.CONFIRMED)
    return contest
