"""The contest's banner: a checked upload with derivatives, replacing the old one; a refused file leaves nothing."""

from __future__ import annotations

import pytest

from contest.audit.models import AuditEvent
from contest.contests import banner
from contest.contests.models import Contest
from contest.errors import InvalidInput
from contest.media.storage import UploadStore
from tests import imagegen
from tests.factories import NOW, chunks, make_contest, make_user

pytestmark = pytest.mark.unit


def files(store: UploadStore) -> set[str]:
    return {p.relative_to(store.root).as_posix() for p in store.root.rglob("*") if p.is_file()}


async def test_a_new_banner_replaces_the_old_one_and_its_files(db, tmp_path):
    store, contest, organiser = UploadStore(tmp_path), await make_contest(), await make_user()
    first = await banner.set_banner(contest, chunks(imagegen.png((1800, 750))), store=store, by=organiser, now=NOW)
    assert store.derived_path(first, "display", "JPEG").exists()
    second = await banner.set_banner(contest, chunks(imagegen.jpeg((1600, 900), seed=3)), store=store, by=organiser,
                                     now=NOW)
    assert (await Contest.get(id=contest.id)).poster_key == second != first
    assert [name for name in files(store) if first in name] == []
    assert await AuditEvent.filter(action="contest.banner_set").values_list("data", flat=True) == [
        {"key": first, "replaced": ""}, {"key": second, "replaced": first}]


@pytest.mark.parametrize(("data", "message"), [
    (b"not a picture", ("Only JPEG, PNG, WebP and HEIC images are accepted; this file is something else. Please export it as "
                        "JPEG or PNG.")),
    (imagegen.png((800, 600)), "A banner is wide: at least 1200 pixels across and wider than tall."),
    (imagegen.png((1300, 1400)), "A banner is wide: at least 1200 pixels across and wider than tall."),
], ids=["text", "narrow", "tall"])
async def test_a_refused_banner_leaves_no_file_and_no_change(db, tmp_path, data, message):
    store, contest = UploadStore(tmp_path), await make_contest()
    before = files(store)
    with pytest.raises(InvalidInput) as caught:
        await banner.set_banner(contest, chunks(data), store=store, by=await make_user(), now=NOW)
    assert caught.value.field_errors == {"file": message}
    assert files(store) == before
    assert (await Contest.get(id=contest.id)).poster_key == ""
