"""Announced contests with awarded entries whose derivative image files are real, for the gallery, embargo,
vote and page-cache tests."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from contest import clock
from contest.contests.models import AwardTier, Contest
from contest.entries.models import EntryImage
from contest.entries.states import EntryState
from contest.media.storage import derived_name, new_key
from contest.results.models import Award, AwardStatus
from tests import imagegen
from tests.factories import make_contest, make_entry, make_track, make_user, slot_of_entry

SIZES = {"thumb": (200, 150), "display": (400, 300)}  # small, to keep the tests quick


async def add_derivatives(store, key: str, seed: int) -> dict:
    """Real derivative files under `key` (as the pipeline names them) and the facts the row keeps."""
    facts = {}
    for size, dims in SIZES.items():
        for fmt, ext in (("WEBP", "webp"), ("JPEG", "jpeg")):
            data = imagegen.encode(imagegen.poster(dims, seed=seed), fmt)
            await store.put(derived_name(key, size, fmt), data)
            facts[f"{size}.{ext}"] = {"width": dims[0], "height": dims[1], "bytes": len(data),
                                      "sha256": hashlib.sha256(data).hexdigest()}
    return facts


async def add_image(entry, store, *, position: int = 0, cover: bool = False) -> EntryImage:
    key = new_key()
    return await EntryImage.create(entry=entry, slot=await slot_of_entry(entry),
                                   key=key, position=position, is_cover=cover, original_format="JPEG",
                                   width=1600, height=1200, size_bytes=1, sha256="0" * 64,
                                   derivatives=await add_derivatives(store, key, seed=entry.id * 10 + position))


async def announced(**fields) -> Contest:
    now = clock.now()
    values = {"submissions_open_at": now - timedelta(days=60), "submissions_close_at": now - timedelta(days=30),
              "announce_at": now - timedelta(days=1)}
    return await make_contest(**{**values, **fields})


async def tiers_for(contest, track, names=("一等奖", "二等奖", "三等奖")) -> list[AwardTier]:
    return [await AwardTier.create(contest=contest, track=track, name=name, name_en=f"Prize {rank}", rank=rank,
                                   quota=rank) for rank, name in enumerate(names, start=1)]


async def winner(contest, track, tier, store, *, title: str, number: str, images: int = 1,
                 status: AwardStatus = AwardStatus.CONFIRMED, owner=None, **fields):
    owner = owner or await make_user()
    entry = await make_entry(contest, track, owner, title=title, number=number, state=EntryState.SUBMITTED, **fields)
    for position in range(images):
        await add_image(entry, store, position=position)
    await Award.create(contest=contest, tier=tier, entry=entry, status=status)
    return entry



async def announced_edition(store) -> Contest:
    """An announced contest: two tracks, three grades each, a special award, confirmed, proposed and revoked awards."""
    contest = await announced(slug="renmin-2025", title="人民城市 百年工运 2025")
    ip, product = await make_track(contest, slug="ip", name="工运IP赛道", position=1), \
        await make_track(contest, slug="product", name="生活实用产品赛道", position=2)
    ip_tiers, product_tiers = await tiers_for(contest, ip), await tiers_for(contest, product)
    popular = await AwardTier.create(contest=contest, name="网络人气奖", name_en="Popular vote award", rank=5,
                                     is_special=True)
    first = await winner(contest, ip, ip_tiers[0], store, title="小工匠·阿铆", number="R-01-0001", images=3,
                         public_name="林间设计工作室", concept="一颗铆钉成了精。\n陪伴一代代工人。")
    await Award.create(contest=contest, tier=popular, entry=first, status=AwardStatus.CONFIRMED)
    await winner(contest, ip, ip_tiers[1], store, title="钢花", number="R-01-0002")
    await winner(contest, product, product_tiers[0], store, title="海派剪纸茶杯", number="R-02-0001")
    await winner(contest, product, product_tiers[1], store, title="劳模笔记本", number="R-02-0002")
    await winner(contest, product, product_tiers[1], store, title="提名未定", number="R-02-0003",
                 status=AwardStatus.PROPOSED)
    await winner(contest, ip, ip_tiers[2], store, title="已撤销作品", number="R-01-0003", status=AwardStatus.REVOKED)
    return contest
