"""Audit events as sentences in the reader's language: a table of event kinds, each with a short name (for the
filter) and a sentence template whose fields come from the event's subject and data.

The stored events stay as they are (the chain hashes them); this is only how they read. Ids in the data are
shown by name when `names` knows them, times on the contest's clock through `moment`, and an event kind not in
the table still reads as a sentence naming it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from contest.i18n import N_, translate

ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
VALUE_MAX = 80  # characters of one changed value (rules and terms run to pages)
# data key → the kind of object its id names
ID_KINDS = {"judge": "user", "user": "user", "entry": "entry", "tier": "award_tier", "from_tier": "award_tier",
            "to_tier": "award_tier", "panel": "panel", "criterion": "criterion", "field": "track_field",
            "judge_group": "judge_group", "group": "judge_group", "track_id": "track", "grade": "award_tier"}


@dataclass(frozen=True)
class Kind:
    name: str  # msgid: the short name in the filter
    sentence: str  # msgid with {fields}


KINDS: dict[str, Kind] = {
    "contest.created": Kind(N_("Contest created"), N_("Created the contest “{title}”.")),
    "contest.updated": Kind(N_("Contest settings changed"), N_("Changed the contest's settings: {changes}.")),
    "contest.imported": Kind(N_("Contest imported"),
                             N_("Created the contest from a configuration file ({tracks} tracks, {rounds} rounds).")),
    "contest.copied": Kind(N_("Contest copied"),
                           N_("Created the contest as a copy of {source} ({tracks} tracks, {rounds} rounds).")),
    "contest.banner_set": Kind(N_("Banner uploaded"), N_("Uploaded a new banner for the contest.")),
    "track.added": Kind(N_("Track added"), N_("Added the track “{name}”.")),
    "track.updated": Kind(N_("Track changed"), N_("Changed the track {subject}: {changes}.")),
    "track.deleted": Kind(N_("Track deleted"), N_("Deleted the track “{name}”.")),
    "track.moved": Kind(N_("Track moved"), N_("Moved the track {subject} in the order of tracks.")),
    "track_field.added": Kind(N_("Question added"), N_("Added the question “{label}” to the track {subject}.")),
    "track_field.updated": Kind(N_("Question changed"), N_("Changed the question {field} of the track {subject}: {changes}.")),
    "track_field.deleted": Kind(N_("Question removed"), N_("Removed the question {key} from the track {subject}.")),
    "track_field.moved": Kind(N_("Question moved"), N_("Moved the question {field} in the form of the track {subject}.")),
    "file_slot.added": Kind(N_("File slot added"), N_("Added the file slot “{label}” to the track {subject}.")),
    "file_slot.updated": Kind(N_("File slot changed"), N_("Changed the file slot {slot} of the track {subject}: {changes}.")),
    "file_slot.deleted": Kind(N_("File slot removed"), N_("Removed the file slot {key} from the track {subject}.")),
    "file_slot.moved": Kind(N_("File slot moved"), N_("Moved the file slot {slot} in the track {subject}.")),
    "award_tier.saved": Kind(N_("Award tier saved"), N_("Saved the award tier “{name}” (rank {rank}, quota {quota}).")),
    "award_tier.deleted": Kind(N_("Award tier deleted"), N_("Deleted the award tier “{name}”.")),
    "terms.versioned": Kind(N_("Terms version saved"), N_("Saved version {version} of the {kind}.")),
    "privacy_notice.published": Kind(N_("Privacy notice published"),
                                     N_("Published version {version} of the privacy notice, “{title}”.")),
    "round.created": Kind(N_("Round created"), N_("Created the round “{name}”, open to judges from {opens_at} to {closes_at}.")),
    "round.updated": Kind(N_("Round changed"), N_("Changed the round {subject}: {changes}.")),
    "round.entries_opened": Kind(N_("Entries taken in"), N_("Took {added} entries into the round {subject} ({total} in all).")),
    "round.assigned": Kind(N_("Entries assigned"), N_("Assigned the round {subject}: {created} new assignments, {total} in all.")),
    "round.advanced": Kind(N_("Entries advanced"), N_("Advanced {entries_count} entries from the round {subject}.")),
    "round.locked": Kind(N_("Round locked"), N_("Locked the round {subject}.")),
    "round.reminders_sent": Kind(N_("Reminders sent"), N_("Reminded {judges_count} judges of the round {subject}.")),
    "round.bundle_exported": Kind(N_("Signed scores exported"), N_("Exported the signed scores of the round {subject}.")),
    "criterion.added": Kind(N_("Criterion added"), N_("Added the criterion “{name}” (weight {weight}, scale {scale_min}–{scale_max}) to the round {subject}.")),
    "criterion.updated": Kind(N_("Criterion changed"), N_("Changed the criterion {criterion} of the round {subject}: {changes}.")),
    "criterion.deleted": Kind(N_("Criterion removed"), N_("Removed the criterion “{name}” from the round {subject} ({scores_removed} scores with it).")),
    "criteria.copied": Kind(N_("Criteria copied"), N_("Copied {names_count} criteria from the round “{source_name}” to the round {subject}: {names}.")),
    "panel.created": Kind(N_("Panel created"), N_("Created the panel “{name}” in the round {subject}.")),
    "panel.deleted": Kind(N_("Panel removed"), N_("Removed the panel “{name}” from the round {subject} ({scores_removed} scores with it).")),
    "panel.member_added": Kind(N_("Judge added to a panel"), N_("Added {judge} to the panel {panel} of the round {subject}.")),
    "panel.member_removed": Kind(N_("Judge removed from a panel"), N_("Removed {judge} from the panel {panel} of the round {subject} ({scores_removed} scores with them).")),
    "conflict.declared": Kind(N_("Conflict declared"), N_("{judge} declared a conflict of interest with the entry {subject}.")),
    "conflict.organiser": Kind(N_("Conflict set"), N_("Set a conflict of interest between {judge} and the entry {subject}.")),
    "conflict.detected": Kind(N_("Conflict found"), N_("Found a conflict of interest between {judge} and the entry {subject}.")),
    "assignment.taken": Kind(N_("Entry taken to score"), N_("Took the entry {entry} to score.")),
    "assignment.comment": Kind(N_("Comment saved"), N_("Saved a comment of {length} characters on {subject}.")),
    "assignment.comment_shared": Kind(N_("Comment sharing set"),
                                      N_("Set whether the comment on {subject} is shared with its designer: {shared}.")),
    "assignment.completed": Kind(N_("Scores submitted"), N_("Submitted the scores of {subject}.")),
    "assignment.paper_entered": Kind(N_("Paper score sheet entered"),
                                     N_("Entered the paper score sheet of {judge} for {subject}: {reason}")),
    "score.saved": Kind(N_("Score saved"), N_("Gave {value} on the criterion {criterion} for {subject}.")),
    "entry.created": Kind(N_("Entry started"), N_("Started the entry {subject}.")),
    "entry.updated": Kind(N_("Entry edited"), N_("Edited the entry {subject}.")),
    "entry.guardian_consented": Kind(N_("Guardian's consent recorded"),
                                     N_("Recorded the consent of the guardian ({relation}) of the minor in the entry {subject}.")),
    "entry.state": Kind(N_("Entry state changed"), N_("The entry {subject} went from {from} to {to}.")),
    "entry.leak_check": Kind(N_("Identity check"), N_("Checked the entry {subject} for its designer's identity: {status}.")),
    "entry.leak_cleared": Kind(N_("Identity check cleared"), N_("Let the entry {subject} go to judging after the identity check.")),
    "entry.redacted": Kind(N_("Entry redacted"), N_("Redacted the entry {subject}: {fields}.")),
    "image.added": Kind(N_("Image added"), N_("Added an image to the entry {subject}.")),
    "image.deleted": Kind(N_("Image removed"), N_("Removed an image from the entry {subject}.")),
    "file.added": Kind(N_("File added"), N_("Added a file ({kind}) to the entry {subject}.")),
    "file.deleted": Kind(N_("File removed"), N_("Removed a file ({kind}) from the entry {subject}.")),
    "reference.added": Kind(N_("Reference image added"), N_("Added a reference image for the duplicate check.")),
    "export.downloaded": Kind(N_("Export downloaded"), N_("Downloaded the {export} export ({format}).")),
    "account.enabled": Kind(N_("Account enabled"), N_("Enabled the account of {email}.")),
    "account.disabled": Kind(N_("Account disabled"), N_("Disabled the account of {email}.")),
    "contest_role.removed": Kind(N_("Person removed"), N_("Removed {email} from the contest ({roles}).")),
    "invitation.create": Kind(N_("Invitation sent"), N_("Invited {email} as {role}.")),
    "invitation.revoke": Kind(N_("Invitation withdrawn"), N_("Withdrew the invitation of {email}.")),
    "invitation.accept": Kind(N_("Invitation accepted"), N_("Accepted the invitation as {role}.")),
    "judge_group.create": Kind(N_("Judge group created"), N_("Created the judge group “{name}” (weight {weight}).")),
    "judge_group.update": Kind(N_("Judge group changed"), N_("Changed the judge group “{from_name}” to “{to_name}” (weight {to_weight}).")),
    "judge_group.delete": Kind(N_("Judge group deleted"), N_("Deleted the judge group “{name}”.")),
    "message_template.save": Kind(N_("Message wording saved"), N_("Saved the wording of a message ({kind}).")),
    "message_template.reset": Kind(N_("Message wording reset"), N_("Reset a message ({kind}) to the default wording.")),
    "outbox.retry": Kind(N_("Message sent again"), N_("Sent the message {subject} again (attempt {attempts}).")),
    "notice.saved": Kind(N_("Notice saved"), N_("Saved the public notice “{title}”.")),
    "notice.approved": Kind(N_("Notice approved"), N_("Approved the public notice “{title}” for publication.")),
    "duplicate.dismissed": Kind(N_("Duplicate pair dismissed"),
                                N_("Dismissed a pair of similar images as different works: {note}.")),
    "account.data_exported": Kind(N_("Personal data downloaded"),
                                  N_("Downloaded everything held about them ({entries} entries, {files} files).")),
    "account.profile_corrected": Kind(N_("Profile corrected"), N_("Corrected their own profile: {fields}.")),
    "privacy_consent.sensitive_withdrawn": Kind(
        N_("Sensitive consent withdrawn"),
        N_("Withdrew their separate consent to sensitive personal information (privacy notice version {version}).")),
    "privacy_consent.withdrawn": Kind(
        N_("Consent withdrawn"),
        N_("Withdrew their consent to the privacy notice (version {version}); their sessions ended.")),
    "account.deleted": Kind(N_("Account deleted"),
                            N_("A designer deleted their account; what a contest keeps stays anonymised.")),
    "account.purged": Kind(N_("Account anonymised"),
                           N_("Anonymised a designer account whose contests are all past their retention period.")),
    "contest.purged": Kind(N_("Personal data purged"),
                           N_("Removed personal data past the retention period ({entries} entries, "
                              "{objections} objections, {voters} voters).")),
    "account.password_reset": Kind(N_("Password reset"), N_("Chose a new password through an e-mailed reset link.")),
    "entry.withdrawn_by_organiser": Kind(N_("Entry withdrawn by the organisers"),
                                         N_("Withdrew the entry {subject} on the organisers' behalf: {reason}.")),
    "entry.returned": Kind(N_("Entry returned for a fix"),
                           N_("Returned the entry {subject} to its designer for a fix by {fix_due_at}: {reason}.")),
    "entry.disqualified": Kind(N_("Entry disqualified"), N_("Disqualified the entry {subject}: {reason}.")),
    "objection.received": Kind(N_("Objection received"), N_("Received the objection {subject} about the entry {entry}.")),
    "objection.under_review": Kind(N_("Objection under review"), N_("Took the objection {subject} under review.")),
    "objection.upheld": Kind(N_("Objection upheld"), N_("Upheld the objection {subject} ({revoked_count} awards revoked).")),
    "objection.rejected": Kind(N_("Objection rejected"), N_("Rejected the objection {subject}.")),
    "awards.proposal_stored": Kind(N_("Award proposal stored"), N_("Stored a proposal of {awards_count} awards.")),
    "awards.confirmed": Kind(N_("Awards confirmed"), N_("Confirmed {awards_count} awards.")),
    "meeting.opened": Kind(N_("Final meeting opened"),
                           N_("Opened the final meeting of {subject} with {order_count} entries in order.")),
    "meeting.moved": Kind(N_("Entry put on screen"), N_("Put the entry {entry} on screen in {subject}.")),
    "meeting.timer_started": Kind(N_("Pitch timer started"), N_("Started the pitch timer in {subject}.")),
    "meeting.timer_stopped": Kind(N_("Pitch timer stopped"), N_("Stopped the pitch timer in {subject}.")),
    "meeting.revealed": Kind(N_("Figures revealed"),
                             N_("Revealed the figures of the entry {entry} to the room in {subject}: {figures_figure}.")),
    "meeting.rescore": Kind(N_("Entry reopened for rescoring"),
                            N_("Reopened the entry {entry} for rescoring in {subject}, because: {reason}")),
    "meeting.vote_opened": Kind(N_("Grade vote opened"),
                                N_("Put the grade of the entry {entry} to the panel's vote in {subject}.")),
    "meeting.ballot": Kind(N_("Grade vote cast"), N_("Cast a ballot in a grade vote of {subject}.")),
    "meeting.vote_confirmed": Kind(N_("Grade confirmed by vote"),
                                   N_("Confirmed {grade} for the entry {entry} after the panel's vote in {subject}.")),
    "meeting.locked": Kind(N_("Final meeting locked"), N_("Locked the final meeting of {subject}.")),
    "award.added": Kind(N_("Award given"), N_("Gave {tier} to the entry {entry}.")),
    "award.moved": Kind(N_("Award moved"), N_("Moved the entry {entry} from {from_tier} to {to_tier}.")),
    "award.revoked": Kind(N_("Award revoked"), N_("Revoked {tier} of the entry {entry}.")),
    "award.removed": Kind(N_("Award removed"), N_("Removed {tier} proposed for the entry {entry}.")),
    "award.promoted": Kind(N_("Award moved up"), N_("Moved the entry {entry} up from {from_tier} to {to_tier}.")),
    "results.announced_at_press": Kind(N_("Results announced at the ceremony"),
                                       N_("Pressed 公布 at the ceremony: the results are public from {announce_at}.")),
    "vote.voided": Kind(N_("Votes voided"), N_("Voided {votes_count} popular votes.")),
    "finalist.forfeited": Kind(N_("Finalist's place forfeited"),
                               N_("Confirmed that the entry {entry} ({alias}) forfeits its place in the round {subject} "
                                  "for a missing task: {reason}.")),
    "sample.sent": Kind(N_("Sample sent"), N_("Recorded the dispatch of the sample of the entry {entry}: "
                                              "{courier}, {tracking_number}.")),
    "sample.arrived": Kind(N_("Sample arrived"), N_("Recorded the arrival of the sample of the entry {entry}: "
                                                    "{condition}; kept at {location}.")),
    "payout.submitted": Kind(N_("Payee details given"),
                             N_("Gave the payee details of the prize of {subject}.")),
    "payout.declined": Kind(N_("Prize declined"), N_("Declined the prize of {subject}.")),
    "payout.consent_withdrawn": Kind(N_("Payee details deleted"),
                                     N_("Withdrew the consent to sensitive personal information: the payee details "
                                        "of the prize of {subject} were deleted.")),
    "payout.paid": Kind(N_("Prize marked paid"), N_("Marked the prize of {subject} paid on {paid_on} ({after_tax} yuan after tax).")),
    "payout.exported": Kind(N_("Payout export downloaded"),
                            N_("Downloaded the finance office's payout workbook with full ID and account numbers ({rows} rows).")),
    "sample.kept": Kind(N_("Sample's keeping changed"), N_("Recorded where the sample of the entry {entry} is kept "
                                                           "({location}) and its disposition: {disposition}.")),
}
UNKNOWN = Kind("{action}", N_("Recorded “{action}”: {details}."))
# Data keys some events carry: each adds its sentence when the event's value is true or not zero.
EXTRAS = {
    "submissions_reopened": N_("{submissions_reopened} submitted score sheets were reopened, to be submitted again "
                               "with it."),
    "entries_made_late": N_("{entries_made_late} entries had come in after the new deadline; this was confirmed."),
    "group_from_invitation": N_("The judge's group is the one they were invited into."),
}

# Labels of the changed settings in "changes", and of stored values, in the reader's language.
FIELD_LABELS = {
    "title": N_("Contest title"), "title_en": N_("Title in English"), "tagline": N_("Tagline"),
    "tagline_en": N_("Tagline in English"), "guiding_bodies": N_("Guiding bodies (指导单位)"),
    "host_bodies": N_("Hosting bodies (主办单位)"), "organising_bodies": N_("Organising bodies (承办单位)"),
    "organisers_text": N_("Further partners"), "rules_md": N_("Rules (Markdown)"),
    "rules_md_en": N_("Rules in English (Markdown)"), "time_zone": N_("Time zone"),
    "submissions_open_at": N_("Submissions open"), "submissions_close_at": N_("Submissions close"),
    "notice_starts_at": N_("Public notice starts"), "notice_days": N_("Days of public notice (0 = none)"),
    "announce_at": N_("Results announced"), "is_published": N_("Published: the contest page is public"),
    "announce_by_press": N_("Announce with the 公布 press at the ceremony"),
    "feedback_to_entrants": N_("Show each designer their scores and shared comments after the announcement"),
    "accepts_minors": N_("Accept entrants under 14, with their guardian's consent"),
    "certificate_number_pattern": N_("Certificate number pattern"), "certificate_issuers": N_("Issuing bodies"),
    "certificate_english": N_("Print the English heading on certificates"),
    "retention_days": N_("Days personal data is kept after the announcement"),
    "payouts_open": N_("Winners may claim their prizes"),
    "payout_tax_bp": N_("Tax withheld from an individual's prize (basis points)"),
    "payout_deadline": N_("Claim deadline"),
    "name": N_("Name"), "name_en": N_("Name in English"), "description": N_("Description"),
    "label": N_("Question"), "label_en": N_("Question in English"), "opens_at": N_("Opens to judges"),
    "closes_at": N_("Closes"), "weight": N_("Weight"), "required": N_("Required"),
    "missing_task_forfeits": N_("A missing finalist's task forfeits the place"),
    "sample_required": N_("Finalists send a physical sample"), "sample_instructions": N_("What to send, and where"),
    "sample_instructions_en": N_("What to send, and where, in English"),
    "sample_due_at": N_("Deadline for sending the sample"),
}
VALUE_LABELS = {
    "draft": N_("Draft"), "submitted": N_("Submitted"), "withdrawn": N_("Withdrawn"), "judge": N_("Judge"),
    "returned": N_("Returned for a fix"), "disqualified": N_("Disqualified"),
    "organiser": N_("Organiser"), "originality": N_("Originality declaration"), "ip_terms": N_("IP terms"),
    True: N_("yes"), False: N_("no"),
    # the fields an account.profile_corrected event names
    "display_name": N_("Name"), "category": N_("Category"), "organisation": N_("Organisation or employer"),
    "school": N_("School or university"), "supervisor_name": N_("Supervisor (if any)"),
    "supervisor_email": N_("Supervisor e-mail"),
}


def action_name(action: str, locale: str) -> str:
    kind = KINDS.get(action)
    return translate(locale, kind.name) if kind else action


def _moment_or_text(text: str, moment: Callable[[datetime], str]) -> str:
    if ISO_MOMENT.match(text):
        try:
            return moment(datetime.fromisoformat(text))
        except ValueError:
            return text
    return text


class Sentence:
    """Renders events for one reader: language, clock and the names of the objects the page's events name."""

    def __init__(self, locale: str, moment: Callable[[datetime], str], names: Mapping[tuple[str, int], str]) -> None:
        self.locale, self.moment, self.names = locale, moment, names
        chinese = locale == "zh_CN"
        self.joiner, self.separator, self.colon = ("、", "；", "：") if chinese else (", ", "; ", ": ")

    def value(self, value: Any) -> str:
        if value is None or value == "":
            return "—"
        if isinstance(value, bool) or (isinstance(value, str) and value in VALUE_LABELS):
            return translate(self.locale, VALUE_LABELS[value])
        if isinstance(value, float):
            return f"{value:g}"
        if isinstance(value, list):
            return self.joiner.join(self.value(item) for item in value)
        if isinstance(value, dict):
            return self.joiner.join(f"{k}{self.colon}{self.value(v)}" for k, v in value.items())
        text = _moment_or_text(str(value), self.moment)
        return text if len(text) <= VALUE_MAX else text[:VALUE_MAX - 1] + "…"

    def named(self, kind: str, ident: Any) -> str:
        return self.names.get((kind, ident), f"#{ident}") if isinstance(ident, int) else self.value(ident)

    def changes(self, changes: Mapping[str, Any]) -> str:
        return self.separator.join(
            f"{translate(self.locale, FIELD_LABELS[k]) if k in FIELD_LABELS else k}{self.colon}{self.value(v)}"
            for k, v in changes.items())

    def fields(self, subject: str, data: Mapping[str, Any]) -> dict[str, str]:
        kind, _, ident = subject.partition(":")
        fields = {"subject": self.named(kind, int(ident) if ident.isdigit() else ident),
                  "details": self.separator.join(f"{k}{self.colon}{self.value(v)}" for k, v in data.items()) or "—"}
        for key, value in data.items():
            if isinstance(value, dict) and key != "changes":
                fields.update({f"{key}_{k}": self.value(v) for k, v in value.items()})
            if isinstance(value, list):
                fields[f"{key}_count"] = str(len(value))
            fields[key] = self.named(ID_KINDS[key], value) if key in ID_KINDS else self.value(value)
        if isinstance(data.get("changes"), Mapping):
            fields["changes"] = self.changes(data["changes"])
        if "kind" in data and data["kind"] in VALUE_LABELS:
            fields["kind"] = translate(self.locale, VALUE_LABELS[data["kind"]])
        return fields

    def __call__(self, action: str, subject: str, data: Mapping[str, Any]) -> str:
        kind = KINDS.get(action, UNKNOWN)
        fields = _Blank({**self.fields(subject, data), "action": action})
        said = [translate(self.locale, kind.sentence)]
        said += [translate(self.locale, extra) for key, extra in EXTRAS.items() if data.get(key)]
        return ("" if self.locale == "zh_CN" else " ").join(said).format_map(fields)


class _Blank(dict):
    """A field the event does not carry (an older event's data) reads as a dash, never as an error."""

    def __missing__(self, key: str) -> str:
        return "—"
