"""A designer's own data, to take away: data.json holds their account, profile, consents, entries with answers,
declarations, files' facts and awards, their objections, votes, sessions and audit events; never another
person's data, a password hash, a session key, a code's hash or a certificate's token. The ZIP carries each
upload byte for byte."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest

from contest.accounts import sessions
from contest.accounts.models import EntrantProfile, PhoneCode, User
from contest.audit.log import record
from contest.audit.models import AuditEvent
from contest.contests.models import AwardTier
from contest.entries import service as entry_service
from contest.entries.models import Declaration, EntryImage, TeamMember
from contest.errors import TooManyAttempts
from contest.exports.personal import personal_data, personal_zip
from contest.media.storage import UploadStore
from contest.results.models import Award, AwardStatus, Objection, Vote, Voter
from tests.exports.scenario import add_original
from tests.factories import NOW, make_contest, make_entry, make_track, make_user

pytestmark = pytest.mark.unit

JPEG_A = b"\xff\xd8\xff\xe0 designer A's own picture" + b"a" * 500
JPEG_B = b"\xff\xd8\xff\xe0 designer B's picture" + b"b" * 500


@pytest.fixture
def store(tmp_path) -> UploadStore:
    return UploadStore(tmp_path / "uploads")


async def scene(store: UploadStore) -> tuple[User, User]:
    """Designer A with an awarded entry, a draft, an objection, a vote and a session; designer B alongside,
    with the same kinds of things, and an organiser who acted on A's entry."""
    contest = await make_contest()
    track = await make_track(contest)
    a = await make_user(email="a@example.org", display_name="甲设计师", phone="13800000001")
    b = await make_user(email="b@example.org", display_name="乙设计师", phone="13900000002")
    organiser = await make_user(email="boss@example.org", display_name="秘书处")
    await EntrantProfile.filter(user_id=a.id).update(school="甲的学校", supervisor_name="甲的老师")
    await EntrantProfile.filter(user_id=b.id).update(school="乙的学校")
    entry_a = await make_entry(contest, track, a, number="A-0001", title="甲的作品", answers={"material": "宣纸"})
    await make_entry(contest, track, a, title="甲的草稿")
    entry_b = await make_entry(contest, track, b, number="B-0001", title="乙的作品", answers={"material": "乙的材料"})
    await TeamMember.create(entry=entry_a, name="甲的队友")
    await TeamMember.create(entry=entry_b, name="乙的队友")
    await add_original(entry_a, store, JPEG_A, position=0, name="甲.jpg")
    await add_original(entry_b, store, JPEG_B, position=0, name="乙.jpg")
    originality, ip_terms = await entry_service.current_terms(contest)
    for entry, owner in ((entry_a, a), (entry_b, b)):
        await Declaration.create(entry=entry, user=owner, originality=originality, ip_terms=ip_terms, accepted_at=NOW)
    tier = await AwardTier.create(contest=contest, track=track, name="一等奖", rank=1)
    await Award.create(contest=contest, tier=tier, entry=entry_a, status=AwardStatus.CONFIRMED,
                       certificate_number="CERT-A", certificate_token="secret-check-token")
    await Objection.create(contest=contest, entry=entry_b, objector_name="甲", objector_email="A@example.org",
                           body="甲的异议")
    await Objection.create(contest=contest, entry=entry_a, objector_name="丙", objector_email="c@example.org",
                           objector_phone="13700000003", body="丙对甲的异议")
    voter = await Voter.create(contest=contest, email="a@example.org", code_hash="f" * 64)
    await Vote.create(voter=voter, entry=entry_b, day=NOW.date(), ip="10.0.0.1", created_at=NOW)
    other_voter = await Voter.create(contest=contest, email="b@example.org")
    await Vote.create(voter=other_voter, entry=entry_a, day=NOW.date(), ip="10.0.0.2", created_at=NOW)
    await PhoneCode.create(purpose=f"account:{a.id}", phone="13800000001", code_hash="e" * 64,
                           expires_at=NOW + timedelta(minutes=5))
    await sessions.start_session(a, now=NOW)
    await sessions.start_session(b, now=NOW)
    await record("entry.submitted", subject=f"entry:{entry_a.id}", now=NOW, actor=a, data={"number": "A-0001"})
    await record("entry.returned", subject=f"entry:{entry_a.id}", now=NOW, actor=organiser,
                 contest_id=contest.id, data={"reason": "秘书处的说明", "by_email": "boss@example.org"})
    await record("entry.submitted", subject=f"entry:{entry_b.id}", now=NOW, actor=b, data={"number": "B-0001"})
    return a, b


async def test_data_json_holds_the_designers_own_data(db, store):
    a, _ = await scene(store)
    data, members = await personal_data(a)
    assert data["account"]["email"] == "a@example.org"
    assert (data["account"]["phone"], data["account"]["profile"]["school"]) == ("13800000001", "甲的学校")
    assert [consent["notice__version"] for consent in data["privacy_consents"]] == [1]
    assert [entry["title"] for entry in data["entries"]] == ["甲的作品", "甲的草稿"]
    awarded = data["entries"][0]
    assert awarded["answers"] == {"material": "宣纸"}
    assert [member["name"] for member in awarded["team"]] == ["甲的队友"]
    assert len(awarded["declarations"]) == 1
    assert [(f["original_name"], f["path"]) for f in awarded["files"]] == [("甲.jpg", members[0].name)]
    assert [(w["tier__name"], w["certificate_number"]) for w in awarded["awards"]] == [("一等奖", "CERT-A")]
    assert [o["body"] for o in data["objections"]] == ["甲的异议"]
    assert [(v["entry__number"], v["ip"]) for v in data["votes"]] == [("B-0001", "10.0.0.1")]
    assert len(data["sessions"]) == 1
    assert [(e["action"], e["by_me"]) for e in data["audit_events"]] == [("entry.submitted", True),
                                                                        ("entry.returned", False)]
    assert [m.name for m in members] == ["files/A-0001/01-甲.jpg"]


async def test_data_json_holds_nothing_of_others_and_no_secret(db, store):
    a, _ = await scene(store)
    data, members = await personal_data(a)
    text = json.dumps(data, ensure_ascii=False, default=str)
    for foreign in ("乙", "b@example.org", "13900000002", "丙", "c@example.org", "13700000003", "10.0.0.2",
                    "秘书处", "boss@example.org"):
        assert foreign not in text, foreign
    user = await User.get(id=a.id)
    key_hashes = await sessions.Session.filter(user_id=a.id).values_list("key_hash", flat=True)
    secrets = [user.password_hash, "secret-check-token", "f" * 64, "e" * 64, *key_hashes,
               *await EntryImage.filter(entry__owner_id=a.id).values_list("key", flat=True)]
    for secret in secrets:
        assert secret not in text
    assert "password" not in text
    assert len(members) == 1


async def test_the_zip_carries_data_json_and_each_upload_byte_for_byte_and_is_audited(db, store):
    a, _ = await scene(store)
    body = b"".join([chunk async for chunk in await personal_zip(a, store, now=NOW)])
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        data = json.loads(archive.read("data.json"))
        paths = [f["path"] for entry in data["entries"] for f in entry["files"]]
        assert sorted(archive.namelist()) == sorted(["data.json", *paths])
        assert [archive.read(path) for path in paths] == [JPEG_A]
    event = await AuditEvent.filter(action="account.data_exported").get()
    assert (event.actor_id, event.subject, event.data) == (a.id, f"user:{a.id}", {"entries": 2, "files": 1})


async def test_a_file_gone_from_the_store_is_listed_as_missing(db, store):
    a, _ = await scene(store)
    _, members = await personal_data(a)
    await store.remove([members[0].stored])
    body = b"".join([chunk async for chunk in await personal_zip(a, store, now=NOW)])
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert archive.read("MISSING.txt").decode() == f"{members[0].name}\n"
        assert members[0].name not in archive.namelist()


async def test_downloads_are_limited_per_account(db, store):
    a, b = await scene(store)
    for _ in range(5):
        await personal_zip(a, store, now=NOW)
    with pytest.raises(TooManyAttempts):
        await personal_zip(a, store, now=NOW)
    await personal_zip(b, store, now=NOW)  # another account's own limit
    assert await AuditEvent.filter(action="account.data_exported").count() == 6


async def test_an_entry_for_a_minor_carries_the_guardians_facts_and_consent(db, store):
    contest = await make_contest(accepts_minors=True)
    designer = await make_user()
    entry = await make_entry(contest, await make_track(contest), designer, number="M-0001", has_minor=True,
                             guardian_name="张建国", guardian_contact="13800138000", guardian_relation="父亲",
                             guardian_consented_at=NOW, minor_naming="surname", typed_name="张小明")
    originality, ip_terms = await entry_service.current_terms(contest)
    await Declaration.create(entry=entry, user=designer, originality=originality, ip_terms=ip_terms, accepted_at=NOW,
                             guardian={"name": "张建国", "consented_at": NOW.isoformat()})
    data, _ = await personal_data(designer)
    [exported] = data["entries"]
    facts = {key: exported[key] for key in ("has_minor", "guardian_name", "guardian_contact", "guardian_relation",
                                            "guardian_consented_at", "minor_naming", "typed_name")}
    assert facts == {"has_minor": True, "guardian_name": "张建国", "guardian_contact": "13800138000",
                     "guardian_relation": "父亲", "guardian_consented_at": NOW, "minor_naming": "surname",
                     "typed_name": "张小明"}
    assert [d["guardian"] for d in exported["declarations"]] == [{"name": "张建国", "consented_at": NOW.isoformat()}]


async def test_data_json_holds_the_owners_payees_with_their_numbers_in_full(db):
    from contest.results import payees, payouts
    from contest.results.sealing import Sealer, new_key
    from tests.results.payout_builders import ACCOUNT, RESIDENT_ID, payee_form, prize

    found, sealer = await prize(), Sealer([new_key()])
    claim = await payouts.claim_for_winner(found.winner, found.award.id, now=NOW)
    payee = payees.parse_payee(payee_form(), team_members=None, keeps_numbers=False)
    await payouts.save_payee(claim, payee, sealer=sealer, by=found.winner, now=NOW)
    data, _ = await personal_data(found.winner, sealer=sealer)
    [row] = data["payouts"]
    assert (row["payee_name"], row["id_number"], row["account"], row["id_number_masked"]) == (
        "陈晓雯", RESIDENT_ID, ACCOUNT, "1101**********7475")
    assert "id_number_sealed" not in row
    other, _ = await personal_data(await make_user(), sealer=sealer)
    assert other["payouts"] == []
