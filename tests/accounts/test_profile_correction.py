"""A person correcting their own name and entrant profile: validated, saved, and audited by the fields' names only
(the audit chain keeps no value it could not forget); entries already made keep what they were made with."""

from __future__ import annotations

import pytest

from contest.accounts.models import EntrantCategory, EntrantProfile, User
from contest.accounts.profile import ProfileInput, correct_profile
from contest.audit.models import AuditEvent
from contest.entries.models import Entry
from contest.errors import InvalidInput
from tests.factories import NOW, make_contest, make_entry, make_track, make_user

pytestmark = pytest.mark.unit

CORRECTED = ProfileInput(display_name=" 王小明 ", category="student", organisation="", school="同济大学",
                         supervisor_name="李老师", supervisor_email="li@tongji.edu.cn")


async def test_the_corrected_profile_is_saved_and_audited_by_field_names(db):
    user = await make_user(display_name="王小名")
    contest = await make_contest()
    entry = await make_entry(contest, await make_track(contest), user, school="旧学校")
    changed = await correct_profile(user, CORRECTED, now=NOW)
    assert changed == ["display_name", "category", "school", "supervisor_name", "supervisor_email"]
    assert (await User.get(id=user.id)).display_name == "王小明"
    profile = await EntrantProfile.get(user_id=user.id)
    assert (profile.category, profile.school, profile.supervisor_email) == (
        EntrantCategory.STUDENT, "同济大学", "li@tongji.edu.cn")
    assert (await Entry.get(id=entry.id)).school == "旧学校"
    event = await AuditEvent.get(action="account.profile_corrected")
    assert (event.actor_id, event.subject, event.data) == (user.id, f"user:{user.id}", {"fields": changed})
    assert "同济" not in str(event.data)


async def test_saving_the_same_profile_changes_and_records_nothing(db):
    user = await make_user()
    await correct_profile(user, CORRECTED, now=NOW)
    assert await correct_profile(user, CORRECTED, now=NOW) == []
    assert await AuditEvent.filter(action="account.profile_corrected").count() == 1


@pytest.mark.parametrize(("field", "value"), [("display_name", "  "), ("display_name", "名" * 101),
                                              ("category", "astronaut"), ("supervisor_email", "not-an-address")])
async def test_a_wrong_value_is_refused_by_its_field_and_nothing_is_saved(db, field, value):
    user = await make_user(display_name="原名")
    wrong = ProfileInput(**{**CORRECTED.__dict__, field: value})
    with pytest.raises(InvalidInput) as refused:
        await correct_profile(user, wrong, now=NOW)
    assert list(refused.value.field_errors) == [field]
    assert (await User.get(id=user.id)).display_name == "原名"
    assert await AuditEvent.filter(action="account.profile_corrected").count() == 0
