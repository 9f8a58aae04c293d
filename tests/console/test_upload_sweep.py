from __future__ import annotations

import pytest

from contest.console.upload_sweep import sweep_store
from contest.media.storage import UploadStore, new_key
from tests.factories import make_contest, make_entry, make_track, make_user, slot_of_entry

pytestmark = pytest.mark.unit


async def test_sweep_keeps_referenced_files_and_removes_debris(db, tmp_path):
    from contest.entries.models import EntryImage

    store = UploadStore(tmp_path)
    store.ensure_dirs()
    contest = await make_contest()
    entry = await make_entry(contest, await make_track(contest), await make_user())
    kept, orphan = new_key(), new_key()
    for key in (kept, orphan):
        store.original_path(key).parent.mkdir(parents=True, exist_ok=True)
        store.original_path(key).write_bytes(b"x")
        store.derived_path(key, "thumb", "WEBP").parent.mkdir(parents=True, exist_ok=True)
        store.derived_path(key, "thumb", "WEBP").write_bytes(b"x")
    (store.tmp / "half-received.part").write_bytes(b"x")
    await EntryImage.create(entry=entry, slot=await slot_of_entry(entry),
                            key=kept, original_format="JPEG", width=1, height=1, size_bytes=1, sha256="0")
    assert await sweep_store(store) == 3
    remaining = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert remaining == [f"derived/{kept[:2]}/{kept}-thumb.webp", f"originals/{kept[:2]}/{kept}"]
