"""The organiser's jobs page: the contest's jobs by state, and the retry of a failed one (its own contest's only)."""

from __future__ import annotations

import re

import pytest

from contest.entries.videos import TRANSCODE_TASK
from contest.jobs import queue
from tests.factories import make_contest
from tests.jobs import failed_job, jobs_of, run_jobs
from tests.web.helpers import form_token
from tests.web.organiser.test_outbox import organiser_of

pytestmark = pytest.mark.web


def section(page, key: str) -> list[str]:
    body = page.text.split(f'id="jobs-{key}"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'<tr id="job-(\d+)">', body)


async def test_the_page_shows_this_contests_jobs_by_state(client, settings):
    contest, other = await make_contest(), await make_contest()
    failed = await failed_job(settings, contest.id)
    # a transcode of a file that is gone by now: it succeeds with nothing to do
    done = await queue.defer(TRANSCODE_TASK, contest_id=contest.id, file_id=424242)
    await run_jobs(settings)
    waiting = await queue.defer(TRANSCODE_TASK, contest_id=contest.id, file_id=1)
    foreign = await queue.defer(TRANSCODE_TASK, contest_id=other.id, file_id=2)
    await organiser_of(contest, client, settings)
    page = await client.get(f"/admin/c/{contest.slug}/jobs")
    assert page.status_code == 200
    assert (section(page, "failed"), section(page, "queued"), section(page, "done")) == (
        [str(failed)], [str(waiting)], [str(done)])
    assert f'job-{foreign}"' not in page.text
    assert page.text.count('name="job_id"') == 1  # only the failed job has a retry button


async def test_retry_queues_a_failed_job_of_this_contest_only(client, settings):
    contest, other = await make_contest(), await make_contest()
    mine, foreign = await failed_job(settings, contest.id), await failed_job(settings, other.id)
    await organiser_of(contest, client, settings)
    token = await form_token(client, f"/admin/c/{contest.slug}/jobs")
    refused = await client.post(f"/admin/c/{contest.slug}/jobs/retry", data={"csrf_token": token,
                                                                            "job_id": str(foreign)})
    assert refused.status_code == 303
    done = await client.post(f"/admin/c/{contest.slug}/jobs/retry", data={"csrf_token": token, "job_id": str(mine)})
    assert done.status_code == 303
    again = await client.post(f"/admin/c/{contest.slug}/jobs/retry", data={"csrf_token": token, "job_id": str(mine)})
    assert again.status_code == 303  # a second press finds it queued already: nothing more happens
    states = {job.id: (job.status, job.attempts) for job in await jobs_of("outbox.send")}
    assert states == {mine: ("todo", 7), foreign: ("failed", 6)}
    without_token = await client.post(f"/admin/c/{contest.slug}/jobs/retry", data={"job_id": str(mine)})
    assert without_token.status_code == 403
