"""The start-up sweep of the stored files (the upload folder or the bucket): one no row points to is debris
from a crash.

It lives in the console because the rows that point at files belong to several domains: entry images
and reference images (entries), the contest's banner (contests), objection attachments (results),
the samples' arrival photos (finalists).
"""

from __future__ import annotations

from typing import cast

from contest.contests.models import Contest
from contest.entries.models import EntryFile, EntryImage, HeldUpload, ReferenceImage
from contest.finalists.models import Sample
from contest.media.storage import Storage
from contest.results.models import Objection


async def referenced_upload_keys() -> set[str]:
    """Every storage key a row points to; anything else in the upload folder is debris from a crash."""
    columns = [EntryImage.all().values_list("key", flat=True), EntryFile.all().values_list("key", flat=True),
               HeldUpload.all().values_list("key", flat=True), ReferenceImage.all().values_list("key", flat=True),
               Contest.exclude(poster_key="").values_list("poster_key", flat=True),
               Objection.exclude(attachment_key="").values_list("attachment_key", flat=True),
               Sample.exclude(photo_key="").values_list("photo_key", flat=True)]
    return {key for column in columns for key in cast(list[str], await column)}


async def sweep_store(store: Storage) -> int:
    """Remove what a crash left behind: temp files and files no row refers to. Returns how many.

    Run it once per start, before any worker serves: a worker sweeping while another is between
    writing a file and committing its row would delete that upload.
    """
    debris = await store.sweep_temp()
    return len(debris) + len(await store.sweep_stored(await referenced_upload_keys()))

