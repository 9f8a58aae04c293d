from __future__ import annotations

import re
from datetime import timedelta

import pytest

from contest import clock
from contest.accounts.models import (
    ContestRole,
    ContestRoleKind,
    Invitation,
    Session,
    User,
)
from contest.console import invitations
from contest.judging.models import JudgeGroup, PanelMember
from contest.notifications.models import OutboxMessage
from contest.notifications.outbox import outgoing
from tests.factories import PASSWORD, login_as, make_contest, make_user
from tests.judging.helpers import make_round, panel_with
from tests.sql import counting_queries
from tests.web.helpers import form_token, signed_in_organiser

pytestmark = pytest.mark.web

LINK = re.compile(r"http://testserver(/account/invite/\S+)")
GONE = "This invitation link is not valid any more: it was used, it expired, or it is wrong. Ask the organisers for a new one."


@pytest.fixture
def english(client):
    client.headers["accept-language"] = "en"
    return client


async def invitation_path(email: str) -> str:
    message = await OutboxMessage.filter(kind="invitation", to_email=email).order_by("-id").first()
    return LINK.search(outgoing(message)[1]).group(1)


async def test_an_invited_judge_sets_a_password_is_logged_in_and_reaches_the_judges_area(english, settings):
    client = english
    contest = await make_contest()
    experts = await JudgeGroup.create(contest=contest, name="专家组", name_en="Experts", weight=70)
    token = await signed_in_organiser(client, settings, contest)
    sent = await client.post(f"/admin/c/{contest.slug}/people/invite", data={
        "csrf_token": token, "email": "Prof.Zhang@Jury.example.net", "role": "judge", "judge_group": str(experts.id)})
    assert (sent.status_code, sent.headers["location"]) == (303, f"http://testserver/admin/c/{contest.slug}/people")
    listed = await client.get(f"/admin/c/{contest.slug}/people")
    assert "Invitation sent to prof.zhang@jury.example.net." in listed.text
    assert re.search(r"<td>prof.zhang@jury.example.net</td>\s*<td>Judge</td>\s*<td>Experts</td>", listed.text)

    client.cookies.clear()
    path = await invitation_path("prof.zhang@jury.example.net")
    page = await client.get(path)
    assert page.status_code == 200
    assert (page.headers["cache-control"], page.headers["referrer-policy"]) == ("no-store", "no-referrer")
    assert "prof.zhang@jury.example.net" in page.text and 'name="password_repeat"' in page.text
    form = {"csrf_token": await form_token(client, path), "display_name": "张教授",
            "password": "a long password", "password_repeat": "a long password", "privacy": "1", "privacy_version": "1"}
    accepted = await client.post(path, data=form)
    assert (accepted.status_code, accepted.headers["location"]) == (303, "http://testserver/judge/")
    judge = await User.get(email="prof.zhang@jury.example.net")
    assert await Session.filter(user_id=judge.id).count() == 1
    landing = await client.get("/judge/")
    assert landing.status_code == 200
    assert '<span class="muted user-name">张教授</span>' in landing.text
    assert f"Welcome! You are now a judge of {contest.title}." in landing.text
    again = await client.get(path)
    assert (again.status_code, GONE in again.text) == (404, True)


async def test_forged_used_and_expired_links_get_the_same_404_page(english, settings):
    client = english
    contest = await make_contest()
    by = await make_user()
    sent_at = clock.now() - timedelta(hours=72)
    await invitations.invite(contest, email="late@jury.example.net", role="judge", by=by, now=sent_at,
                             link_for=lambda t: f"http://testserver/account/invite/{t}")
    await invitations.invite(contest, email="used@jury.example.net", role="judge", by=by, now=clock.now(),
                             link_for=lambda t: f"http://testserver/account/invite/{t}")
    used = await invitation_path("used@jury.example.net")
    await invitations.accept(used.rsplit("/", 1)[1], display_name="用过", password=PASSWORD, now=clock.now())
    paths = [await invitation_path("late@jury.example.net"), used, "/account/invite/" + "A" * 22, "/account/invite/x"]
    pages = [await client.get(path) for path in paths]
    assert [p.status_code for p in pages] == [404, 404, 404, 404]
    assert GONE in pages[0].text
    assert len({p.text.replace(path, "PATH") for p, path in zip(pages, paths, strict=True)}) == 1
    assert await User.filter(email="late@jury.example.net").count() == 0


async def test_an_existing_account_accepts_with_its_password_and_lands_in_the_console(english, settings):
    client = english
    contest = await make_contest()
    await make_user(email="helper@union.example.org", display_name="工会干部")
    await invitations.invite(contest, email="helper@union.example.org", role="organiser", by=await make_user(),
                             now=clock.now(), link_for=lambda t: f"http://testserver/account/invite/{t}")
    path = await invitation_path("helper@union.example.org")
    page = await client.get(path)
    assert "You already have an account with this e-mail. Accept with its current password." in page.text
    assert "helper@union.example.org" in page.text and 'name="password_repeat"' not in page.text
    token = await form_token(client, path)
    wrong = await client.post(path, data={"csrf_token": token, "password": "wrong password"})
    assert (wrong.status_code, "The password is not correct." in wrong.text) == (400, True)
    right = await client.post(path, data={"csrf_token": token, "password": PASSWORD})
    assert (right.status_code, right.headers["location"]) == (303, "http://testserver/admin/")
    assert (await client.get("/admin/")).status_code == 200


async def test_mismatched_passwords_keep_the_name_and_use_nothing(english, settings):
    client = english
    contest = await make_contest()
    await invitations.invite(contest, email="j@jury.example.net", role="judge", by=await make_user(),
                             now=clock.now(), link_for=lambda t: f"http://testserver/account/invite/{t}")
    path = await invitation_path("j@jury.example.net")
    response = await client.post(path, data={"csrf_token": await form_token(client, path), "display_name": "刘设计师",
                                             "password": "a long password", "password_repeat": "another password"})
    assert response.status_code == 400
    assert "The two passwords are not the same." in response.text and 'value="刘设计师"' in response.text
    assert await Invitation.filter(used_at__isnull=True).count() == 1


@pytest.mark.parametrize("role", ["judge", "designer", "other organiser"])
async def test_only_the_contests_organisers_see_the_people_page(client, settings, role):
    contest = await make_contest()
    user = await make_user()
    if role == "judge":
        await ContestRole.create(contest=contest, user=user, role=ContestRoleKind.JUDGE)
    if role == "other organiser":
        await ContestRole.create(contest=await make_contest(), user=user, role=ContestRoleKind.ORGANISER)
    token = await login_as(client, user, secret=settings.secret_key)
    page = await client.get(f"/admin/c/{contest.slug}/people")
    post = await client.post(f"/admin/c/{contest.slug}/people/invite",
                             data={"csrf_token": token, "email": "x@jury.example.net", "role": "organiser"})
    assert (page.status_code, post.status_code) == (404, 404)
    assert "x@jury.example.net" not in page.text
    assert await Invitation.all().count() == 0


async def test_inviting_needs_the_csrf_token(client, settings):
    contest = await make_contest()
    await signed_in_organiser(client, settings, contest)
    response = await client.post(f"/admin/c/{contest.slug}/people/invite",
                                 data={"email": "x@jury.example.net", "role": "judge"})
    assert response.status_code == 403
    assert (await Invitation.all().count(), await OutboxMessage.all().count()) == (0, 0)


async def test_a_bad_invitation_is_explained_next_to_its_field(english, settings):
    client = english
    contest = await make_contest()
    token = await signed_in_organiser(client, settings, contest)
    response = await client.post(f"/admin/c/{contest.slug}/people/invite",
                                 data={"csrf_token": token, "email": "not an e-mail", "role": "judge", "judge_group": ""})
    assert response.status_code == 400
    assert '<p class="field-error" id="e-email">Enter a valid e-mail address.</p>' in response.text
    assert 'value="not an e-mail"' in response.text
    assert await Invitation.all().count() == 0


async def test_resend_replaces_the_link_and_withdraw_removes_it(english, settings):
    client = english
    contest = await make_contest()
    token = await signed_in_organiser(client, settings, contest)
    await client.post(f"/admin/c/{contest.slug}/people/invite",
                      data={"csrf_token": token, "email": "j@jury.example.net", "role": "judge", "judge_group": ""})
    first_link = await invitation_path("j@jury.example.net")
    old = await Invitation.get(email="j@jury.example.net")
    resent = await client.post(f"/admin/c/{contest.slug}/people/invitations/{old.id}/resend", data={"csrf_token": token})
    assert resent.status_code == 303
    second_link = await invitation_path("j@jury.example.net")
    assert second_link != first_link
    assert [(await client.get(p)).status_code for p in (first_link, second_link)] == [404, 200]
    new = await Invitation.get(email="j@jury.example.net")
    withdrawn = await client.post(f"/admin/c/{contest.slug}/people/invitations/{new.id}/revoke", data={"csrf_token": token})
    assert withdrawn.status_code == 303
    page = await client.get(f"/admin/c/{contest.slug}/people")
    assert "The invitation for j@jury.example.net was withdrawn; its link no longer works." in page.text
    assert "No open invitations." in page.text
    assert (await client.get(second_link)).status_code == 404


async def test_an_expired_invitation_is_marked_and_can_be_sent_again(english, settings):
    client = english
    contest = await make_contest()
    token = await signed_in_organiser(client, settings, contest)
    expired = await invitations.invite(contest, email="late@jury.example.net", role="judge", by=await make_user(),
                                       now=clock.now() - timedelta(hours=73), link_for=str)
    page = await client.get(f"/admin/c/{contest.slug}/people")
    assert re.search(r"<td>late@jury.example.net</td>.*?Expired", page.text, re.DOTALL)
    resent = await client.post(f"/admin/c/{contest.slug}/people/invitations/{expired.id}/resend", data={"csrf_token": token})
    assert resent.status_code == 303
    assert (await client.get(await invitation_path("late@jury.example.net"))).status_code == 200


async def test_another_contests_invitation_cannot_be_withdrawn_from_here(client, settings):
    contest, other = await make_contest(), await make_contest()
    foreign = await invitations.invite(other, email="j@jury.example.net", role="judge", by=await make_user(),
                                       now=clock.now(), link_for=str)
    token = await signed_in_organiser(client, settings, contest)
    response = await client.post(f"/admin/c/{contest.slug}/people/invitations/{foreign.id}/revoke",
                                 data={"csrf_token": token})
    assert response.status_code == 404
    assert await Invitation.filter(id=foreign.id).exists()


async def test_judge_groups_are_created_edited_and_explained(english, settings):
    client = english
    contest = await make_contest()
    token = await signed_in_organiser(client, settings, contest)
    base = f"/admin/c/{contest.slug}/people"
    bad = await client.post(f"{base}/groups", data={"csrf_token": token, "name": "", "name_en": "Experts", "weight": "abc"})
    assert bad.status_code == 400
    assert '<p class="field-error" id="e-name">Enter a name (at most 100 characters).</p>' in bad.text
    assert '<p class="field-error" id="e-weight">Enter a weight above 0 and at most 1000, for example 70 or 70 %.</p>' in bad.text
    assert 'value="Experts"' in bad.text and 'value="abc"' in bad.text
    assert await JudgeGroup.all().count() == 0
    for name, weight in (("专家组", "70 %"), ("代表组", "30")):
        created = await client.post(f"{base}/groups", data={"csrf_token": token, "name": name, "name_en": "", "weight": weight})
        assert created.status_code == 303
    experts = await JudgeGroup.get(name="专家组")
    assert experts.weight == 70.0
    edit = await client.get(f"{base}/groups/{experts.id}")
    assert 'value="70"' in edit.text and "Edit the judge group" in edit.text
    clash = await client.post(f"{base}/groups/{experts.id}/save", data={"csrf_token": token, "name": "代表组", "weight": "60"})
    assert (clash.status_code, "Another judge group of this contest has this name." in clash.text) == (400, True)
    saved = await client.post(f"{base}/groups/{experts.id}/save",
                              data={"csrf_token": token, "name": "专家组", "name_en": "Experts", "weight": "60"})
    assert saved.status_code == 303
    page = await client.get(base)
    assert re.search(r"<td>专家组 <span class=\"muted\">Experts</span></td>\s*<td>60</td>\s*<td>67 %</td>", page.text)
    assert "Weights are relative" in page.text


async def test_a_judge_group_is_deleted_only_when_no_panel_member_uses_it(english, settings):
    client = english
    contest = await make_contest()
    token = await signed_in_organiser(client, settings, contest)
    used = await JudgeGroup.create(contest=contest, name="在用")
    unused = await JudgeGroup.create(contest=contest, name="空闲")
    panel = await panel_with(await make_round(contest), [await make_user()])
    await PanelMember.filter(panel_id=panel.id).update(group_id=used.id)
    refused = await client.post(f"/admin/c/{contest.slug}/people/groups/{used.id}/delete", data={"csrf_token": token})
    deleted = await client.post(f"/admin/c/{contest.slug}/people/groups/{unused.id}/delete", data={"csrf_token": token})
    assert (refused.status_code, deleted.status_code) == (303, 303)
    assert await JudgeGroup.filter(contest_id=contest.id).values_list("name", flat=True) == ["在用"]
    page = await client.get(f"/admin/c/{contest.slug}/people")
    assert "This judge group is still used by a panel member or a pending invitation; nothing was deleted." in page.text
    assert "Judge group deleted." in page.text


async def test_another_contests_judge_group_is_not_found(client, settings):
    contest, other = await make_contest(), await make_contest()
    foreign = await JudgeGroup.create(contest=other, name="外组")
    token = await signed_in_organiser(client, settings, contest)
    edit = await client.get(f"/admin/c/{contest.slug}/people/groups/{foreign.id}")
    save = await client.post(f"/admin/c/{contest.slug}/people/groups/{foreign.id}/save",
                             data={"csrf_token": token, "name": "改名", "weight": "1"})
    invite = await client.post(f"/admin/c/{contest.slug}/people/invite",
                               data={"csrf_token": token, "email": "j@jury.example.net", "role": "judge",
                                     "judge_group": str(foreign.id)})
    assert (edit.status_code, save.status_code, invite.status_code) == (404, 404, 400)
    assert (await JudgeGroup.get(id=foreign.id)).name == "外组"
    assert await Invitation.all().count() == 0


async def test_user_text_is_escaped_on_the_people_page(client, settings):
    contest = await make_contest()
    payload = '<script>alert(1)</script>'
    judge = await make_user(display_name=payload)
    await ContestRole.create(contest=contest, user=judge, role=ContestRoleKind.JUDGE)
    await JudgeGroup.create(contest=contest, name=payload, name_en=payload)
    await signed_in_organiser(client, settings, contest)
    page = await client.get(f"/admin/c/{contest.slug}/people")
    assert payload not in page.text
    assert page.text.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 6  # judge; group: name, English name, option, edit, delete


@pytest.mark.parametrize("people", [1, 3])
async def test_people_page_queries_do_not_grow_with_the_number_of_people(client, settings, people):
    contest = await make_contest()
    await signed_in_organiser(client, settings, contest)
    round_ = await make_round(contest)
    for n in range(people):
        group = await JudgeGroup.create(contest=contest, name=f"组{n}")
        judge = await make_user()
        await ContestRole.create(contest=contest, user=judge, role=ContestRoleKind.JUDGE)
        await PanelMember.filter(panel_id=(await panel_with(round_, [judge], name=f"P{n}")).id).update(group_id=group.id)
        await invitations.invite(contest, email=f"p{n}@jury.example.net", role="judge", judge_group=group,
                                 by=judge, now=clock.now(), link_for=str)
    with counting_queries() as queries:
        page = await client.get(f"/admin/c/{contest.slug}/people")
    assert page.status_code == 200
    assert len(queries) == 8
