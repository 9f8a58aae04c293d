"""Entrants under 14: refused where the contest does not accept them; elsewhere submitted only with a guardian's
name, contact, relationship and consent, and named in public as the guardian chose."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from contest.audit.models import AuditEvent
from contest.contests.models import Contest
from contest.entries import minors, service
from contest.entries.minors import Guardian
from contest.entries.models import Declaration, Entry, TeamMember
from contest.entries.states import EntryState
from contest.errors import InvalidInput
from contest.results import awarding, certificates
from contest.results.models import Award, AwardStatus
from tests.entries.helpers import complete_input, fresh, setup_track, submit
from tests.factories import NOW, make_user
from tests.results.award_builders import final_round

pytestmark = pytest.mark.unit

LATER = NOW + timedelta(minutes=5)
GUARDIAN = Guardian(minor=True, name="张建国", contact="138 0013 8000", relation="父亲", naming="surname",
                    consent=True)


async def draft(*, accepts_minors: bool = True):
    contest, track = await setup_track()
    await Contest.filter(id=contest.id).update(accepts_minors=accepts_minors)
    user = await make_user(email="xiaoming@example.org")
    return await fresh(await service.create_draft(contest, track, by=user, now=NOW)), user


async def saved(entry: Entry, user, guardian: Guardian, now=NOW, **changes) -> Entry:
    values = complete_input(public_name="张小明", school="杨浦区实验小学", guardian=guardian, **changes)
    await service.update_entry(entry, values, by=user, now=now)
    return await fresh(entry)


async def refusal(call) -> dict[str, str]:
    with pytest.raises(InvalidInput) as caught:
        await call
    return caught.value.field_errors


async def test_a_contest_that_does_not_accept_minors_refuses_them_and_saves_nothing(db):
    entry, user = await draft(accepts_minors=False)
    errors = await refusal(saved(entry, user, GUARDIAN))
    assert errors == {"has_minor": minors.NOT_ACCEPTED}
    assert (await Entry.get(id=entry.id)).title == ""


async def test_a_minor_saved_while_accepted_cannot_be_submitted_once_the_contest_stops_accepting_them(db):
    entry, user = await draft()
    entry = await saved(entry, user, GUARDIAN)
    await Contest.filter(id=entry.contest_id).update(accepts_minors=False)
    errors = await refusal(submit(await fresh(entry), user))
    assert errors == {"_entry": minors.NOT_ACCEPTED}
    assert (await Entry.get(id=entry.id)).state == EntryState.DRAFT


async def test_a_draft_saves_without_the_guardian_but_cannot_be_submitted_without_them(db):
    entry, user = await draft()
    entry = await saved(entry, user, Guardian(minor=True))
    assert entry.has_minor and entry.guardian_consented_at is None
    assert service.submission_problems(entry, declared=True) == [minors.GUARDIAN_MISSING, minors.CONSENT_MISSING]
    assert await refusal(submit(entry, user)) == {"_entry": minors.GUARDIAN_MISSING}


async def test_without_the_guardians_consent_the_entry_is_not_submitted(db):
    entry, user = await draft()
    entry = await saved(entry, user, replace(GUARDIAN, consent=False))
    assert await refusal(submit(entry, user)) == {"_entry": minors.CONSENT_MISSING}
    assert (await Entry.get(id=entry.id)).number is None


async def test_with_the_guardian_and_consent_it_is_submitted_and_the_consent_declared_and_audited(db):
    entry, user = await draft()
    entry = await saved(entry, user, GUARDIAN)
    await saved(entry, user, GUARDIAN, now=LATER, title="新标题")  # the consent keeps its first time
    assert await submit(await fresh(entry), user, now=LATER) == service.Submission.FIRST
    entry = await fresh(entry)
    assert (entry.state, entry.guardian_contact, entry.guardian_consented_at) == (EntryState.SUBMITTED, "13800138000",
                                                                                   NOW)
    declaration = await Declaration.get(entry_id=entry.id)
    assert declaration.guardian == {"name": "张建国", "contact": "13800138000", "relation": "父亲", "naming": "surname",
                                    "public_name": "张同学", "consented_at": NOW.isoformat()}
    consents = await AuditEvent.filter(action="entry.guardian_consented").values_list("data", flat=True)
    assert consents == [{"relation": "父亲", "naming": "surname"}]


async def test_a_contact_that_is_neither_a_mobile_number_nor_an_e_mail_is_refused(db):
    entry, user = await draft()
    errors = await refusal(saved(entry, user, Guardian(minor=True, contact="12345")))
    assert errors == {"guardian_contact": minors.BAD_CONTACT}
    entry = await saved(entry, user, Guardian(minor=True, contact="zhang@example.org"))
    assert entry.guardian_contact == "zhang@example.org"


async def test_the_public_name_follows_the_guardians_choice_and_the_typed_name_is_kept(db):
    entry, user = await draft()
    entry = await saved(entry, user, GUARDIAN)
    assert (entry.public_name, entry.typed_name) == ("张同学", "张小明")
    entry = await saved(entry, user, replace(GUARDIAN, naming="school"))
    assert entry.public_name == "杨浦区实验小学"
    entry = await saved(entry, user, replace(GUARDIAN, naming="full"))
    assert entry.public_name == "张小明"


async def test_an_entrant_who_is_not_a_minor_keeps_no_guardian_and_their_name_as_typed(db):
    entry, user = await draft()
    entry = await saved(entry, user, GUARDIAN)
    entry = await saved(entry, user, replace(GUARDIAN, minor=False))
    assert (entry.has_minor, entry.guardian_name, entry.guardian_contact, entry.guardian_consented_at,
            entry.public_name) == (False, "", "", None, "张小明")


@pytest.mark.parametrize(("name", "expected"), [("张小明", "张"), ("欧阳娜娜", "欧阳"), ("Ming Li", "Li")])
def test_the_surname_of_a_name(name, expected):
    assert minors.surname(name) == expected


async def test_the_certificate_names_the_minor_as_the_guardian_chose_and_no_team_member_in_full(db):
    final = await final_round((95,), title="校园文创大赛")
    entry = final.entries[0]
    await Entry.filter(id=entry.id).update(has_minor=True, minor_naming="surname", public_name="张同学",
                                           typed_name="张小明")
    await entry.members.all().delete()
    await TeamMember.create(entry=entry, name="张小明", position=0)
    await TeamMember.create(entry=entry, name="李小红", position=1)
    await Award.create(contest=final.contest, tier=final.tiers["一等奖"], entry=entry, status=AwardStatus.CONFIRMED,
                       decided_at=NOW)
    (award,) = await awarding.confirmed_awards(final.contest)
    certificate = certificates.certificate_of(award)
    assert (certificate.winner, certificate.members) == ("张同学", ())
