"""docs/reliability.md T1: every route × role × object against one policy table.

Each route (by name and method) has a row saying what each role gets: ALLOW (served, or refused
for the input, never for who asks), HIDE (the 404 of a missing page) or LOGIN (asked to log in).
A route missing from the table fails the first test, so a new page cannot arrive unchecked. Each
route is then requested by every role for its own object, and for a missing object, which must be
the same 404 for everyone the route would otherwise serve.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest

from contest import clock
from contest.accounts import resets, service
from contest.accounts.models import ContestRole, ContestRoleKind
from contest.console import invitations
from contest.contests.models import AwardTier, Contest
from contest.entries import duplicates
from contest.entries import service as entry_service
from contest.entries.models import Declaration, EntryFile, HeldStatus, HeldUpload
from contest.entries.states import LeakStatus
from contest.errors import IMAGE_REFUSALS
from contest.finalists.models import Sample
from contest.judging.models import (
    Assignment,
    Conflict,
    ConflictSource,
    Criterion,
    JudgeGroup,
    PanelMember,
    RoundEntry,
)
from contest.media import resumable
from contest.media.storage import derived_name, new_key, original_name
from contest.meeting.models import GradeVote, MeetingItem, MeetingSession
from contest.results.models import Award, AwardStatus, Objection, Payout, PayoutState
from tests import imagegen
from tests.factories import attach_picture, chunks, make_contest, make_field, make_track, make_user, slot_of_entry
from tests.judging.helpers import make_judge, make_round, panel_with, submitted_entry
from tests.web import helpers
from tests.web.helpers import form_token
from tests.web.routing import iter_routes

pytestmark = pytest.mark.web

ROLES = ("anonymous", "designer_a", "designer_b", "judge", "judge_conflicted", "judge_other_panel", "organiser",
         "disabled_judge")
ALLOW, HIDE, LOGIN = "allow", "hide", "login"


def policy(default: str, anonymous: str | None = None, **allowed: str) -> dict[str, str]:
    """A row: every role gets `default`, anonymous and disabled accounts `anonymous`, some roles their own."""
    row = dict.fromkeys(ROLES, default)
    row["anonymous"] = row["disabled_judge"] = anonymous or default
    row.update(allowed)
    return row


EVERYONE = policy(ALLOW)
SIGNED_IN = policy(ALLOW, anonymous=LOGIN)
OWNER = policy(HIDE, anonymous=LOGIN, designer_a=ALLOW)
OWNER_OR_ORGANISER = policy(HIDE, designer_a=ALLOW, organiser=ALLOW)
ORGANISER = policy(HIDE, anonymous=LOGIN, organiser=ALLOW)
ROUND_JUDGES = policy(HIDE, judge=ALLOW, judge_conflicted=ALLOW, judge_other_panel=ALLOW)
ENTRY_JUDGE = policy(HIDE, judge=ALLOW)  # the entry's panel, without a conflict, in the window
NOBODY = policy(HIDE)  # switched off in the world's contest (its popular vote)
RESULTS = policy(HIDE, organiser=ALLOW)  # the world's contest is not announced yet: organisers preview
WINNER = policy(HIDE, anonymous=LOGIN)  # the winner's own certificate, and the world's contest is not announced
MEETING_JUDGE = policy(HIDE, anonymous=LOGIN, judge=ALLOW)  # the final's panel is the one judge

POLICY: dict[tuple[str, str], dict[str, str]] = {
    **{(f"auth:{name}", method): EVERYONE for name in ("register", "login") for method in ("GET", "POST")},
    ("auth:logout", "POST"): EVERYONE,
    ("auth:keep_alive", "GET"): SIGNED_IN,
    ("auth:privacy_consent", "GET"): SIGNED_IN,  # the notice a session opened without consent is held at
    ("auth:privacy_consent", "POST"): SIGNED_IN,
    ("auth:consent", "GET"): SIGNED_IN,  # one's own consents, for every account
    ("auth:consent_withdraw_sensitive", "POST"): SIGNED_IN,  # refused unconfirmed (the table's POST has no tick)
    ("auth:consent_withdraw", "POST"): SIGNED_IN,
    ("public:privacy", "GET"): EVERYONE,
    ("public:contest_privacy", "GET"): EVERYONE,
    **{(f"organiser:{name}", method): policy(HIDE, anonymous=LOGIN) for name, method in (  # site organisers only
        ("privacy", "GET"), ("privacy_publish", "POST"))},
    ("auth:password", "GET"): SIGNED_IN,
    ("auth:password", "POST"): SIGNED_IN,
    ("auth:delete_account", "GET"): SIGNED_IN,  # judges and organisers read why they cannot
    ("auth:delete_account", "POST"): SIGNED_IN,  # the password confirms it (the table's POST has none)
    ("auth:invitation", "GET"): EVERYONE,  # the token is the credential
    ("auth:invitation", "POST"): EVERYONE,
    ("auth:reset_request", "GET"): EVERYONE,
    ("auth:reset_request", "POST"): EVERYONE,
    ("auth:reset", "GET"): EVERYONE,  # the token is the credential
    ("auth:reset", "POST"): EVERYONE,
    ("designer:dashboard", "GET"): SIGNED_IN,
    ("designer:new_entry", "GET"): SIGNED_IN,
    ("designer:new_entry", "POST"): SIGNED_IN,
    ("designer:phone", "GET"): SIGNED_IN,
    ("designer:phone_code", "POST"): SIGNED_IN,
    ("designer:phone_verify", "POST"): SIGNED_IN,
    ("designer:my_data", "GET"): SIGNED_IN,
    ("designer:data_download", "POST"): SIGNED_IN,
    ("designer:profile_save", "POST"): SIGNED_IN,
    **{(f"designer:{name}", method): OWNER for name, method in (
        ("entry", "GET"), ("entry_save", "POST"), ("entry_autosave", "POST"), ("entry_withdraw", "POST"),
        ("entry_reopen", "POST"),
        ("receipt", "GET"), ("file_upload", "POST"), ("file_upload_form", "POST"), ("file_delete", "POST"),
        ("file_lists", "GET"), ("refused_remove", "POST"), ("image_order", "POST"), ("image_action", "POST"),
        ("resumable", "POST"), ("resumable_patch", "PATCH"),
        ("resumable_delete", "DELETE"))},
    # what the resumable endpoint supports, asked before anything is sent (tus clients send no cookie with it)
    ("designer:resumable_options", "OPTIONS"): EVERYONE,
    ("designer:resumable_upload_options", "OPTIONS"): EVERYONE,
    ("judge:rounds", "GET"): SIGNED_IN,
    ("judge:queue", "GET"): ROUND_JUDGES,
    **{(f"judge:{name}", method): ENTRY_JUDGE for name, method in (
        ("score", "GET"), ("score_save", "POST"), ("complete", "POST"), ("conflict", "GET"), ("conflict", "POST"),
        ("image", "GET"), ("video", "GET"))},
    ("media:original", "GET"): OWNER_OR_ORGANISER,
    ("media:file_copy", "GET"): OWNER_OR_ORGANISER,
    ("media:file_original", "GET"): OWNER_OR_ORGANISER,
    ("media:image", "GET"): OWNER_OR_ORGANISER,
    ("organiser:home", "GET"): ORGANISER,
    **{(f"organiser:{name}", method): ORGANISER for name, method in (
        ("duplicates", "GET"), ("duplicate_dismiss", "POST"), ("reference_upload", "POST"), ("reference_image", "GET"),
        ("leaks", "GET"), ("leak_clear", "POST"), ("leak_redact", "POST"), ("ai_flags", "GET"),
        ("rounds", "GET"), ("round_create", "POST"), ("round", "GET"), ("round_update", "POST"),
        ("criterion_add", "POST"), ("criterion_update", "POST"), ("criterion_delete", "POST"), ("criteria_copy", "POST"),
        ("panel_create", "POST"), ("panel_delete", "POST"), ("member_add", "POST"), ("member_remove", "POST"),
        ("entries_open", "POST"), ("assign", "POST"), ("progress", "GET"), ("reminders", "POST"),
        ("conflict_set", "POST"), ("results", "GET"), ("advance_proposal", "POST"), ("advance_confirm", "POST"),
        ("lock", "POST"), ("bundle", "GET"),
        ("people", "GET"), ("people_invite", "POST"), ("people_resend", "POST"), ("people_revoke", "POST"),
        ("people_group_create", "POST"), ("people_group_edit", "GET"), ("people_group_update", "POST"),
        ("people_group_delete", "POST"))},
    **{(f"public:{name}", "GET"): EVERYONE for name in ("home", "contest", "rules", "set_language", "healthz", "readyz",
                                                         "poster", "share_poster")},
    **{(f"public:{name}", "GET"): RESULTS for name in ("results", "gallery", "gallery_entry", "gallery_image",
                                                        "gallery_video", "awards_pdf", "awards_xlsx")},
    **{(f"public:{name}", method): NOBODY for name, method in (
        ("vote", "GET"), ("vote_code", "POST"), ("vote_verify", "POST"), ("vote_cast", "POST"), ("vote_image", "GET"),
        ("vote_phone_code", "POST"), ("vote_phone_verify", "POST"))},
    ("organiser:vote", "GET"): ORGANISER,
    ("organiser:vote_void", "POST"): ORGANISER,
    ("designer:certificate", "GET"): WINNER,
    **{(f"designer:{name}", method): WINNER for name, method in (
        ("payout", "GET"), ("payout_save", "POST"), ("payout_decline", "POST"))},
    **{(f"organiser:{name}", method): ORGANISER for name, method in (
        ("payouts", "GET"), ("payout_paid", "POST"), ("export_payouts_xlsx", "GET"))},
    **{(f"organiser:{name}", method): ORGANISER for name, method in (
        ("awards", "GET"), ("awards_store", "POST"), ("award_add", "POST"), ("awards_confirm", "POST"),
        ("certificates_zip", "GET"), ("award_move", "POST"), ("award_remove", "POST"), ("award_certificate", "GET"))},
    **{(f"organiser:{name}", method): policy(HIDE, anonymous=LOGIN) for name, method in (  # site organisers only
        ("contest_new", "GET"), ("contest_create", "POST"), ("contest_copy", "POST"), ("contest_import", "POST"))},
    **{(f"organiser:{name}", method): ORGANISER for name, method in (
        ("dashboard", "GET"), ("contest_export", "GET"), ("contest_settings", "GET"), ("contest_settings_save", "POST"),
        ("track_add", "POST"), ("contest_track", "GET"), ("track_update", "POST"), ("track_move", "POST"),
        ("track_delete", "POST"), ("field_add", "POST"), ("field_update", "POST"), ("field_move", "POST"),
        ("slot_add", "POST"), ("slot_update", "POST"), ("slot_move", "POST"), ("slot_delete", "POST"),
        ("field_delete", "POST"), ("tier_add", "POST"), ("tier_update", "POST"), ("tier_delete", "POST"),
        ("terms_add", "POST"), ("contest_accounts", "GET"), ("account_remove", "POST"), ("banner_upload", "POST"),
        ("banner_image", "GET"))},
    ("organiser:account_switch", "POST"): policy(HIDE, anonymous=LOGIN),  # site organisers only: it reaches every contest
    **{(f"organiser:{name}", method): ORGANISER for name, method in (
        ("outbox", "GET"), ("outbox_retry", "POST"), ("messages", "GET"), ("messages_save", "POST"),
        ("messages_reset", "POST"), ("audit", "GET"), ("audit_csv", "GET"), ("jobs", "GET"), ("jobs_retry", "POST"))},
    ("organiser:exports", "GET"): ORGANISER,
    **{(f"designer:{name}", method): OWNER for name, method in (("finalist_tasks", "GET"), ("sample_dispatch", "POST"))},
    ("organiser:ceremony", "GET"): ORGANISER,
    ("organiser:ceremony_announce", "POST"): ORGANISER,  # the world's contest announces by its time: refused, 409
    **{(f"organiser:{name}", method): ORGANISER for name, method in (
        ("finalists", "GET"), ("finalist_forfeit", "POST"), ("samples", "GET"), ("sample_labels", "GET"),
        ("sample_arrival", "POST"), ("sample_keeping", "POST"), ("sample_photo", "GET"))},
    **{(f"organiser:{name}", method): ORGANISER for name, method in (
        ("entries", "GET"), ("entry", "GET"), ("entry_withdraw_page", "GET"), ("entry_withdraw", "POST"),
        ("entries_screen", "POST"), ("entry_screen", "POST"))},
    ("public:notice", "GET"): RESULTS,  # the world's contest has no notice period: organisers preview
    ("public:notice_cover", "GET"): RESULTS,  # the covers of the notice's entries, under the notice's rule
    ("public:objection_form", "GET"): NOBODY,  # objections only while its notice is open
    ("public:certificate_check", "GET"): EVERYONE,  # the form; a number is looked up only once results are public
    ("public:certificate_token", "GET"): NOBODY,  # the world's contest is not announced: no preview for anyone
    ("public:objection_submit", "POST"): NOBODY,
    ("designer:results", "GET"): SIGNED_IN,
    **{(f"organiser:{name}", method): ORGANISER for name, method in (
        ("objections", "GET"), ("notice_save", "POST"), ("notice_approve", "POST"), ("objection", "GET"),
        ("objection_review", "POST"), ("objection_decide", "POST"), ("objection_attachment", "GET"))},
    ("organiser:export_originals", "GET"): ORGANISER,
    **{(f"organiser:{name}", "GET"): ORGANISER for name in (
        "export_award_list_pdf", "export_award_list_xlsx", "export_press_kit")},
    **{(f"organiser:{name}", method): ORGANISER for name, method in (
        ("meeting", "GET"), ("meeting_open", "POST"), ("meeting_move", "POST"), ("meeting_timer", "POST"),
        ("meeting_reveal", "POST"), ("meeting_rescore", "POST"), ("meeting_vote", "POST"),
        ("meeting_vote_confirm", "POST"), ("meeting_lock", "POST"), ("meeting_sheet", "GET"), ("meeting_events", "GET"),
        ("meeting_paper", "GET"), ("meeting_paper_enter", "POST"), ("meeting_score_sheets", "GET"))},
    # the projector's secret link is the credential: the room's screen is not logged in
    **{(f"public:{name}", "GET"): EVERYONE for name in ("meeting_screen", "meeting_events", "meeting_image")},
    # the test client connects from 127.0.0.1, the one place a scrape without a token comes from; whoever is
    # signed in makes no difference (tests/web/test_metrics.py refuses the others)
    ("public:metrics", "GET"): EVERYONE,
    # the judges of the final's panel, after logging in (the projector's QR code leads to the log-in)
    **{(f"judge:{name}", method): MEETING_JUDGE for name, method in (
        ("live", "GET"), ("live_events", "GET"), ("live_ballot", "POST"))},
    **{(f"organiser:export_{table}_{fmt}", "GET"): ORGANISER for table in ("entries", "scores", "results")
       for fmt in ("xlsx", "csv")},
}


def app_routes(app) -> list[tuple[str, str, str]]:
    """(name, method, path template) for every route; HEAD goes with GET."""
    return sorted((name, method, path) for path, name, methods in iter_routes(app.routes)
                  for method in methods - {"HEAD"} if name != "static")


def test_every_route_has_a_row_in_the_policy_table(app):
    missing = [(name, method) for name, method, _ in app_routes(app) if (name, method) not in POLICY]
    assert missing == [], f"routes without an authorization policy: {missing}"
    stale = set(POLICY) - {(name, method) for name, method, _ in app_routes(app)}
    assert stale == set(), f"policy rows for routes that no longer exist: {stale}"


@dataclass
class World:
    params: dict[str, str]  # path parameters naming each route's own object
    missing: dict[str, str]  # the same, naming objects that do not exist
    per_route: dict[str, dict[str, str]]  # where a route's object differs from the common one
    users: dict[str, object]

    def path(self, template: str, route: str, *, missing: bool = False) -> str:
        params = self.missing if missing else {**self.params, **self.per_route.get(route, {})}
        return PARAM.sub(lambda m: params[m.group(1)], template)


IMAGE_PARAMS = {"key", "image_id", "n"}
IMAGE_ROUTES = {"public:notice_cover"}  # names its image by the entry's number


async def build_world(store, *, images: bool) -> World:
    """One contest with everything a route can point at; image processing (the slow part) only when needed."""
    now = clock.now()
    contest = await make_contest(submissions_open_at=now - timedelta(days=5), submissions_close_at=now + timedelta(days=5))
    await Contest.filter(id=contest.id).update(announce_at=now + timedelta(days=40))  # results not public yet
    track, other_track = await make_track(contest), await make_track(contest, slug="other", name="另一赛道")
    designer_a, designer_b = await make_user(display_name="甲"), await make_user(display_name="乙")
    organiser = await make_user(display_name="组委")
    await ContestRole.create(contest=contest, user=organiser, role=ContestRoleKind.ORGANISER)
    judges = {name: await make_judge(display_name=name) for name in
              ("judge", "judge_conflicted", "judge_other_panel", "disabled_judge")}
    for judge in judges.values():
        await ContestRole.create(contest=contest, user=judge, role=ContestRoleKind.JUDGE)
    entry = await submitted_entry(contest, track, designer_a, title="甲的作品")
    held = await submitted_entry(contest, track, designer_b, title="乙的作品（乙设计）", leak_status=LeakStatus.FLAGGED)
    other_entry = await submitted_entry(contest, other_track, designer_b, title="乙的作品")
    entry.number = "WORLD-01-0001"
    await entry.save(update_fields=["number"])
    tier = await AwardTier.create(contest=contest, track=track, name="一等奖", rank=1)
    await Award.create(contest=contest, tier=tier, entry=entry, status=AwardStatus.CONFIRMED)
    originality, ip_terms = await entry_service.current_terms(contest)
    await Declaration.create(entry=entry, user=designer_a, originality=originality, ip_terms=ip_terms, accepted_at=now)
    keys = {"image": "0" * 32, "poster": "0" * 32, "reference": "0" * 32}
    image_id = 0
    if images:
        image = await attach_picture(entry, chunks(imagegen.jpeg_with_metadata("X", size=(1600, 1000))), store=store,
                                   original_name="a.jpg", by=designer_a, now=now)
        poster = await attach_picture(other_entry, chunks(imagegen.jpeg_with_metadata("Y", size=(1600, 1000))),
                                    store=store, original_name="b.jpg", by=designer_b, now=now)
        await Contest.filter(id=contest.id).update(poster_key=poster.key)
        keys["image"], keys["poster"], image_id = image.key, poster.key, image.id
    round_ = await make_round(contest, opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=1))
    criterion = await Criterion.create(round=round_, name="创意", scale_min=0, scale_max=10)
    group = await JudgeGroup.create(contest=contest, name="专家")
    panel = await panel_with(round_, [judges["judge"], judges["judge_conflicted"], judges["disabled_judge"]], track=track)
    other_panel = await panel_with(round_, [judges["judge_other_panel"]], track=other_track, name="B")
    member = await PanelMember.get(panel=panel, judge=judges["judge"])
    await RoundEntry.create(round=round_, entry=entry, alias="QXM-4K7")
    await RoundEntry.create(round=round_, entry=other_entry, alias="RTB-9WD")
    for name in ("judge", "judge_conflicted", "disabled_judge"):
        await Assignment.create(round=round_, entry=entry, judge=judges[name], panel=panel)
    await Assignment.create(round=round_, entry=other_entry, judge=judges["judge_other_panel"], panel=other_panel)
    await Conflict.create(contest=contest, judge=judges["judge_conflicted"], entry=entry,
                          source=ConflictSource.DECLARED, reason="同事")
    if images:
        reference = await duplicates.add_reference_image(
            contest, chunks(imagegen.jpeg_with_metadata("Z", size=(1600, 1000))), store=store, label="参考",
            by=organiser, now=now)
        keys["reference"] = reference.key
    digest = image.derivatives["thumb.webp"]["sha256"][:16] if images else "0" * 16
    reset_token = {}
    await resets.request_reset(designer_b.email, ip="192.0.2.99", now=now, link_for=lambda t: reset_token.setdefault("t", t))
    invitation_token = {}
    invitation = await invitations.invite(contest, email="new.judge@jury.example.net", role=ContestRoleKind.JUDGE,
                                          by=organiser, now=now, link_for=lambda t: invitation_token.setdefault("t", t))
    source = await _source_file(entry, store)
    partial = await resumable.create(store, owner_id=designer_a.id, length=10, metadata={}, target={"entry": entry.id},
                                     max_bytes=100, now=now)
    params = {"slug": contest.slug, "entry_id": str(entry.id), "image_id": str(image_id), "action": "cover",
              "slot": "images", "file_id": str(source.id), "upload_id": partial.id, "slot_id": str(source.slot_id),
              "round_id": str(round_.id), "alias": "QXM-4K7", "n": "1", "variant": "thumb.webp",
              "key": keys["image"], "criterion_id": str(criterion.id), "panel_id": str(panel.id),
              "member_id": str(member.id), "invitation_id": str(invitation.id), "group_id": str(group.id),
              "token": invitation_token["t"], "locale": "en"}
    missing = {**params, "slug": "no-such-contest", "entry_id": "999999", "image_id": "999999",
               "round_id": "999999", "alias": "ZZZ-999", "key": "0" * 32, "criterion_id": "999999",
               "panel_id": "999999", "member_id": "999999", "invitation_id": "999999", "group_id": "999999",
               "token": "x" * 22, "n": "99", "slot": "no-such-slot", "file_id": "999999", "upload_id": "0" * 32,
               "slot_id": "999999"}
    params.update(number=entry.number, digest=digest)
    missing.update(number="WORLD-99-9999", digest=digest)
    award_ids = await Award.filter(entry_id=entry.id).values_list("id", flat=True)
    params["award_id"], missing["award_id"] = str(award_ids[0]), "999999"
    await Award.filter(id=award_ids[0]).update(certificate_token="world-award-key-0123456789")
    await Payout.create(award_id=award_ids[0], state=PayoutState.SUBMITTED, updated_at=now)
    objection = await Objection.create(contest=contest, entry=entry, objector_name="丙", objector_email="bing@example.org",
                                       body="与已发表作品雷同", attachment_key="a" * 32, attachment_type="pdf")
    await store.put(original_name(objection.attachment_key), b"%PDF-1.4\n%%EOF\n")
    params["objection_id"], missing["objection_id"] = str(objection.id), "999999"
    refused = await HeldUpload.create(entry=entry, slot_id=source.slot_id, by=designer_a, key="c" * 32, kind="image",
                                      size_bytes=1, sha256="0" * 64, status=HeldStatus.FAILED,
                                      failure={"message": IMAGE_REFUSALS["corrupt"], "params": {}})
    params["held_id"], missing["held_id"] = str(refused.id), "999999"
    sample = await Sample.create(round=round_, entry=entry, courier="顺丰", tracking_number="SF1", sent_at=now,
                                 arrived_at=now, photo_key="b" * 32, condition="完好")
    await store.put(derived_name(sample.photo_key, "judging", "JPEG"), b"\xff\xd8\xff\xd9")
    params["sample_id"], missing["sample_id"] = str(sample.id), "999999"
    track_field = await make_field(track, "material")
    params.update(track_id=str(track.id), field_id=str(track_field.id), tier_id=str(tier.id),
                  user_id=str(judges["judge"].id))
    missing.update(track_id="999999", field_id="999999", tier_id="999999", user_id="999999")
    per_route = {"organiser:leak_clear": {"entry_id": str(held.id)}, "organiser:leak_redact": {"entry_id": str(held.id)},
                 "public:poster": {"key": keys["poster"]},
                 "organiser:banner_image": {"key": keys["poster"], "variant": "display.jpeg"},
                 "organiser:reference_image": {"key": keys["reference"]},
                 "judge:image": {"variant": "webp"}, "auth:reset": {"token": reset_token["t"]},
                 "public:certificate_token": {"token": "world-award-key-0123456789"},
                 "media:file_copy": {"key": source.key, "variant": "thumb.webp"},
                 "media:file_original": {"key": source.key}, "judge:video": {"variant": "mp4"},
                 "public:gallery_video": {"digest": "2" * 16, "key": source.key}}
    per_route.update(await _meeting(contest, track, entry, tier, judges["judge"], organiser, params, missing, now))
    users = {"designer_a": designer_a, "designer_b": designer_b, "organiser": organiser, **judges}
    return World(params, missing, per_route, users)


MEETING_TOKEN = "S" * 32


async def _meeting(contest, track, entry, tier, judge, chair, params, missing, now) -> dict[str, dict[str, str]]:
    """A final round in the room with its entry on screen and a grade vote open; the routes that name it."""
    final = await make_round(contest, kind="final", name="终评", position=2, secret="world-final",
                             opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=1), paced_by_chair=True)
    await Criterion.create(round=final, name="综合", scale_min=0, scale_max=10)
    await panel_with(final, [judge], track=track, name="终评组")
    await RoundEntry.create(round=final, entry=entry, alias="QXM-4K7", reached_at=now)
    session = await MeetingSession.create(round=final, chair=chair, screen_token=MEETING_TOKEN, opened_at=now)
    await MeetingItem.create(session=session, entry=entry, position=0)
    vote = await GradeVote.create(session=session, entry=entry, choices=[tier.id, 0], opened_at=now)
    params["vote_id"], missing["vote_id"] = str(vote.id), "999999"
    params["judge_id"], missing["judge_id"] = str(judge.id), "999999"
    final_routes = [f"organiser:meeting{suffix}" for suffix in (
        "", "_open", "_move", "_timer", "_reveal", "_rescore", "_vote", "_vote_confirm", "_lock", "_sheet", "_events", "_paper",
        "_paper_enter", "_score_sheets")]
    return {**{name: {"round_id": str(final.id)} for name in [*final_routes, "judge:live", "judge:live_events",
                                                              "judge:live_ballot"]},
            "public:meeting_screen": {"token": MEETING_TOKEN}, "public:meeting_events": {"token": MEETING_TOKEN},
            "public:meeting_image": {"token": MEETING_TOKEN, "variant": "webp"}}


async def _source_file(entry, store) -> EntryFile:
    """A video row with its poster copy on disk (made by hand: transcoding is another test's business)."""
    slot = await slot_of_entry(entry)
    key = new_key()
    await store.put(derived_name(key, "thumb", "WEBP"), b"RIFF....WEBP")
    await store.put(derived_name(key, "video", "MP4"), b"\x00\x00\x00\x18ftypisom")
    await store.put(original_name(key), b"\x00\x00\x00\x18ftypmp42")
    details = {"poster": {"thumb.webp": {"sha256": "1" * 64, "width": 400, "height": 225}},
               "video": {"sha256": "2" * 64, "bytes": 16}, "duration_s": 12.5, "width": 1280, "height": 720}
    return await EntryFile.create(entry=entry, slot=slot, key=key, kind="video", format="mp4", size_bytes=16,
                                  sha256="0" * 64, details=details)


PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")


def outcome(response) -> str:
    assert response.status_code < 500, response.text[:500]
    if response.status_code == 404:
        return HIDE
    if response.status_code == 401 or (response.is_redirect and "/account/login" in response.headers["location"]):
        return LOGIN
    assert response.status_code != 403, f"403 where the policy knows only allow / hide / login: {response.text[:300]}"
    return ALLOW


async def sign_in(client, settings, world: World, role: str) -> str:
    """Sign the client in as `role`; returns a valid form token for that browser."""
    token = await helpers.sign_in(client, settings, world, role)
    if role == "anonymous":
        return await form_token(client, "/account/login")
    if role == "disabled_judge":  # disabled after signing in: the open session dies with the account
        await service.set_active(world.users[role], False)
        return await form_token(client, "/account/login")  # what that browser can still get
    return token


TUS_ROUTES = {"designer:resumable", "designer:resumable_patch", "designer:resumable_delete"}
ASKS_NOTHING = {"OPTIONS"}  # the same answer whether or not the object exists


async def request(client, method: str, path: str, token: str, name: str = ""):
    if method == "GET":
        return await client.get(path)
    if method == "POST" and name not in TUS_ROUTES:
        return await client.post(path, data={"csrf_token": token}, headers={"x-csrf-token": token})
    # the resumable protocol's own methods, with its headers (an empty piece at offset 0)
    return await client.request(method, path, content=b"", headers={
        "x-csrf-token": token, "tus-resumable": "1.0.0", "upload-offset": "0",
        "content-type": "application/offset+octet-stream", "accept": "application/json", "upload-length": "10"})


def roles_in_order(row: dict[str, str]) -> list[str]:
    """Refused roles first, so a state change made by an allowed role cannot hide a refusal."""
    return sorted(ROLES, key=lambda role: row[role] == ALLOW)


@pytest.mark.parametrize(("name", "method"), [pytest.param(*key, id="-".join(key)) for key in sorted(POLICY)])
async def test_each_role_gets_what_the_policy_says(client, settings, app, name, method):
    row = POLICY[(name, method)]
    template = next(p for n, m, p in app_routes(app) if (n, m) == (name, method))
    images = bool(IMAGE_PARAMS & set(PARAM.findall(template))) or name in IMAGE_ROUTES
    world = await build_world(app.state.store, images=images)
    for role in roles_in_order(row):
        token = await sign_in(client, settings, world, role)
        answer = await request(client, method, world.path(template, name), token, name)
        assert outcome(answer) == row[role], (role, answer.status_code, answer.text[:300])
    if PARAM.search(template) and name != "public:set_language" and method not in ASKS_NOTHING:
        for role in ROLES:
            token = await sign_in(client, settings, world, role)
            answer = await request(client, method, world.path(template, name, missing=True), token, name)
            expected = LOGIN if row[role] == LOGIN else HIDE
            assert outcome(answer) == expected, ("missing object", role, answer.status_code, answer.text[:300])
