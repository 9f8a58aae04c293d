"""A finalist's task list (/me/entries/{id}/tasks): each task of the final with its deadline and status, the
upload into the later file slots (the entry page's own uploader, linked), and the sample's courier and
tracking number."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from contest import clock
from contest.errors import InvalidInput
from contest.finalists import samples, tasks
from contest.finalists.tasks import TaskStatus
from contest.i18n import N_
from contest.web.designer.entry_files import own_entry
from contest.web.infra.flash import flash
from contest.web.infra.forms import read_form, text
from contest.web.infra.session import require_user
from contest.web.infra.templating import render

STATUS_LABELS = {TaskStatus.OPEN: N_("To do"), TaskStatus.DONE: N_("Done"), TaskStatus.MISSING: N_("Missed"),
                 TaskStatus.CLOSED: N_("Not sent (optional)")}


async def tasks_page(request: Request, *, values: dict[str, str] | None = None,
                     errors: dict[str, str] | None = None, status: int = 200) -> Response:
    user = require_user(request)
    entry = await own_entry(request, user)
    now = clock.now()
    round_, listed = await tasks.finalist_tasks(entry, now=now)
    context = {"entry": entry, "contest": entry.contest, "track": entry.track, "round": round_, "tasks": listed,
               "status_labels": STATUS_LABELS, "values": values or {}, "errors": errors or {}, "now": now}
    return render(request, "designer/tasks.html", context, status_code=status)


async def sample_dispatch(request: Request) -> Response:
    """The courier and tracking number of the finalist's sample."""
    user = require_user(request)
    entry = await own_entry(request, user)
    form = await read_form(request)
    values = {name: text(form, name, max_length=200) for name in ("courier", "tracking_number")}
    try:
        dispatch = samples.checked_dispatch(values["courier"], values["tracking_number"])
        await samples.record_dispatch(entry, dispatch, by=user, now=clock.now())
    except InvalidInput as exc:
        return await tasks_page(request, values=values, errors=exc.field_errors, status=400)
    response = RedirectResponse(request.url_for("designer:finalist_tasks", entry_id=entry.id), status_code=303)
    flash(request, response, N_("Thank you: the sample's dispatch is recorded."))
    return response


routes = [
    Route("/entries/{entry_id:int}/tasks", tasks_page, name="finalist_tasks"),
    Route("/entries/{entry_id:int}/tasks/sample", sample_dispatch, methods=["POST"], name="sample_dispatch"),
]
