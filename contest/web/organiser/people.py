"""People: who has access to the contest, invitations for organisers and judges, and judge groups."""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from contest import clock
from contest.accounts.models import Invitation
from contest.console import invitations
from contest.contests.models import Contest
from contest.errors import InvalidInput, found
from contest.form_input import parse_integer
from contest.i18n import N_
from contest.judging import judge_groups
from contest.judging.models import JudgeGroup
from contest.web.infra.flash import flash
from contest.web.infra.forms import read_form, text
from contest.web.infra.labels import ROLE_LABELS
from contest.web.infra.session import require_user
from contest.web.infra.templating import absolute_url, render
from contest.web.organiser.common import organised_contest

GROUP_FIELDS = ("name", "name_en", "weight")


async def _page(
    request: Request, contest: Contest, *, editing: JudgeGroup | None = None, invite: tuple[dict, dict] = ({}, {}),
    group: tuple[dict, dict] | None = None, status: int = 200,
) -> Response:
    """The people page; `invite` and `group` are (values, errors) of the form being corrected."""
    if group is None:
        group = (_group_values(editing), {})
    page = await invitations.people_page(contest)
    context = {
        "contest": contest, "people": page.people, "pending": page.pending, "groups": page.groups,
        "roles": ROLE_LABELS, "now": clock.now(), "editing": editing,
        "invite_values": invite[0], "invite_errors": invite[1], "group_values": group[0], "group_errors": group[1],
    }
    return render(request, "organiser/people.html", context, status_code=status)


def _group_values(group: JudgeGroup | None) -> dict[str, str]:
    if group is None:
        return {"weight": "1"}
    return {"name": group.name, "name_en": group.name_en, "weight": f"{group.weight:g}"}


def _back(request: Request, contest: Contest, message: str, *, level: str = "success", **params: object) -> Response:
    response = RedirectResponse(request.url_for("organiser:people", slug=contest.slug), status_code=303)
    flash(request, response, message, level=level, **params)
    return response


def _link_for(request: Request) -> Callable[[str], str]:
    return lambda token: absolute_url(request, "auth:invitation", token=token)


async def people(request: Request) -> Response:
    return await _page(request, await organised_contest(request))


async def _group_in(contest: Contest, raw: str) -> JudgeGroup | None:
    if not raw:
        return None
    group_id = parse_integer(raw)
    group = await judge_groups.judge_group_of(contest, group_id) if group_id is not None else None
    if group is None:
        raise InvalidInput({"judge_group": N_("Choose one of the options.")})
    return group


async def invite(request: Request) -> Response:
    contest = await organised_contest(request)
    form = await read_form(request)
    values = {key: text(form, key, max_length=300) for key in ("email", "role", "judge_group")}
    try:
        invitation = await invitations.invite(
            contest, email=values["email"], role=values["role"], judge_group=await _group_in(contest, values["judge_group"]),
            by=require_user(request), now=clock.now(), link_for=_link_for(request))
    except InvalidInput as exc:
        return await _page(request, contest, invite=(values, exc.field_errors), status=400)
    return _back(request, contest, N_("Invitation sent to {email}."), email=invitation.email)


async def _pending(request: Request, contest: Contest) -> Invitation:
    return found(await invitations.pending_invitation(contest, request.path_params["invitation_id"]))


async def resend(request: Request) -> Response:
    contest = await organised_contest(request)
    await read_form(request)
    old = await _pending(request, contest)
    try:
        new = await invitations.resend(old, by=require_user(request), now=clock.now(), link_for=_link_for(request))
    except InvalidInput as exc:
        return _back(request, contest, next(iter(exc.field_errors.values())), level="error")
    return _back(request, contest, N_("A new invitation was sent to {email}; the old link no longer works."),
                 email=new.email)


async def revoke(request: Request) -> Response:
    contest = await organised_contest(request)
    await read_form(request)
    invitation = await _pending(request, contest)
    await invitations.revoke(invitation, by=require_user(request), now=clock.now())
    return _back(request, contest, N_("The invitation for {email} was withdrawn; its link no longer works."),
                 email=invitation.email)


async def _group(request: Request, contest: Contest) -> JudgeGroup:
    return found(await judge_groups.judge_group_of(contest, request.path_params["group_id"]))


async def group_edit(request: Request) -> Response:
    contest = await organised_contest(request)
    return await _page(request, contest, editing=await _group(request, contest))


async def group_create(request: Request) -> Response:
    contest = await organised_contest(request)
    form = await read_form(request)
    values = {key: text(form, key, max_length=300) for key in GROUP_FIELDS}
    try:
        await judge_groups.create_judge_group(contest, values, by=require_user(request), now=clock.now())
    except InvalidInput as exc:
        return await _page(request, contest, group=(values, exc.field_errors), status=400)
    return _back(request, contest, N_("Judge group saved."))


async def group_update(request: Request) -> Response:
    contest = await organised_contest(request)
    form = await read_form(request)
    group = await _group(request, contest)
    values = {key: text(form, key, max_length=300) for key in GROUP_FIELDS}
    try:
        await judge_groups.update_judge_group(group, values, by=require_user(request), now=clock.now())
    except InvalidInput as exc:
        return await _page(request, contest, editing=group, group=(values, exc.field_errors), status=400)
    return _back(request, contest, N_("Judge group saved."))


async def group_delete(request: Request) -> Response:
    contest = await organised_contest(request)
    await read_form(request)
    group = await _group(request, contest)
    try:
        await judge_groups.delete_judge_group(group, by=require_user(request), now=clock.now())
    except judge_groups.JudgeGroupInUse as exc:
        return _back(request, contest, exc.message, level="error")
    return _back(request, contest, N_("Judge group deleted."))


routes = [
    Route("/c/{slug}/people", people, name="people"),
    Route("/c/{slug}/people/invite", invite, methods=["POST"], name="people_invite"),
    Route("/c/{slug}/people/invitations/{invitation_id:int}/resend", resend, methods=["POST"], name="people_resend"),
    Route("/c/{slug}/people/invitations/{invitation_id:int}/revoke", revoke, methods=["POST"], name="people_revoke"),
    Route("/c/{slug}/people/groups", group_create, methods=["POST"], name="people_group_create"),
    Route("/c/{slug}/people/groups/{group_id:int}", group_edit, name="people_group_edit"),
    Route("/c/{slug}/people/groups/{group_id:int}/save", group_update, methods=["POST"], name="people_group_update"),
    Route("/c/{slug}/people/groups/{group_id:int}/delete", group_delete, methods=["POST"], name="people_group_delete"),
]
