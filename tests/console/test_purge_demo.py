"""`contest purge` on the demo, with the clock past every contest's retention: nothing that names a designer is
left in any text column of any table, while the audit chain verifies and the gallery shows what is public."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from tortoise import Tortoise, fields

from contest import demo
from contest.audit.queries import verify_whole_log
from contest.console import purge
from contest.contests.models import Contest
from contest.entries.models import Entry, EntryImage
from contest.media.stores import open_store
from contest.results.models import Award, AwardStatus

pytestmark = [pytest.mark.unit, pytest.mark.slow]

SEEDED = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
TEAM_MEMBER = "张文"  # contest.demo puts this name on every third entry
PERSONAL = sorted({value for email, name, _category, org, school in demo.DESIGNERS
                   for value in (email, name, org, school) if value} | {TEAM_MEMBER})
TEXT_FIELDS = (fields.CharField, fields.TextField, fields.JSONField)


async def text_hits(needles: list[str]) -> set[tuple[str, str, object, str]]:
    """(table, column, primary key, needle) wherever a text column of any table holds one of `needles`."""
    hits = set()
    for model in Tortoise.apps["models"].values():
        meta = model._meta
        columns = [name for name, field in meta.fields_map.items()
                   if isinstance(field, TEXT_FIELDS) and name != meta.pk_attr]
        if not columns:
            continue
        for row in await model.all().values(meta.pk_attr, *columns):
            for column in columns:
                text = str(row[column])
                hits |= {(meta.db_table, column, row[meta.pk_attr], n) for n in needles if n in text}
    return hits


async def public_record() -> list[tuple[str, str, str, str]]:
    """(contest, title, public name, cover image key) of every awarded entry."""
    rows = []
    for award in await Award.filter(status=AwardStatus.CONFIRMED).prefetch_related("entry__contest"):
        entry = award.entry
        keys = await EntryImage.filter(entry_id=entry.id).order_by("position").values_list("key", flat=True)
        rows.append((entry.contest.slug, entry.title, entry.public_name, str(keys)))
    return sorted(rows)


async def test_purging_the_demo_leaves_nobody_named_but_the_public_record(db, settings, client, at):
    await demo.seed(settings, only_if_empty=False, now=SEEDED)
    store = open_store(settings)
    before = await public_record()
    assert before and await text_hits(PERSONAL)
    last = max(purge.due_at(c) or SEEDED for c in await Contest.all())
    moment = last + timedelta(days=1)

    planned = await purge.plan(moment)
    done = await purge.purge(store, moment)
    assert done == planned and done.contests == 3 and done.accounts == len(demo.DESIGNERS)

    awarded = {entry_id for (entry_id,) in await Award.filter(status=AwardStatus.CONFIRMED).values_list("entry_id")}
    allowed = {("entry", "public_name", entry_id) for entry_id in awarded}
    assert {hit[:3] for hit in await text_hits(PERSONAL)} <= allowed
    assert (await verify_whole_log()).ok
    assert await public_record() == before

    at(moment)
    for slug, title, public_name, _keys in before:
        page = await client.get(f"/c/{slug}/gallery")
        assert page.status_code == 200 and title in page.text and public_name in page.text
    images = re.findall(r'src="(/pub/[^"]+)"', (await client.get(f"/c/{before[0][0]}/gallery")).text)
    assert images and [(await client.get(src)).status_code for src in images] == [200] * len(images)
    assert await purge.purge(store, moment + timedelta(days=1)) == purge.Summary()
    assert not await Entry.filter(school__not="").exists()
