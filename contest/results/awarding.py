"""Award grades as stored rows: the proposal from the final round, the organisers' adjustments (each
with a recorded reason), confirmation, and revocation with the next entry promoted or the seat left
vacant.

Every change writes its rows and its audit events in one transaction. Any adjustment leaves the
awards it touches PROPOSED, so a confirmed grade never changes without a new confirmation; the one
exception is `revoke_award`, which applies an objection's outcome to confirmed awards as they are.
Once results are public, organisers' adjustments are refused: only a revocation changes anything.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from tortoise.transactions import in_transaction

from contest.accounts.models import User
from contest.audit.log import record
from contest.audit.models import AuditEvent
from contest.contests.models import AwardTier, Contest
from contest.entries.models import Entry
from contest.entries.states import JUDGEABLE_STATES
from contest.errors import Conflict, InvalidInput
from contest.i18n import N_
from contest.judging.models import Round, RoundKind
from contest.results import award_seats
from contest.results.award_seats import Proposal, RankedEntry, RevocationPolicy, Tier
from contest.results.embargo import results_public
from contest.results.models import Award, AwardStatus, Objection, ObjectionStatus
from contest.results.standings import round_results

ACTIVE = (AwardStatus.PROPOSED, AwardStatus.CONFIRMED)
MAX_REASON = 2000


class ResultsAnnounced(Conflict):
    message = N_("The results are announced: awards now change only through an objection case.")


class AwardsConfirmed(Conflict):
    message = N_("Awards are already confirmed, so the proposal can no longer replace them. Adjust them one by one.")


class ProposalChanged(Conflict):
    message = N_("The figures changed since the proposal was shown. Check the new proposal.")


class NoFinalRound(Conflict):
    message = N_("This contest has no final round yet, so there is nothing to propose.")


class NothingToConfirm(Conflict):
    message = N_("No award is waiting for confirmation.")


@dataclass(frozen=True)
class Promotion:
    entry_id: int
    from_tier_id: int | None  # None: the entry had no award and joins the lowest tier
    to_tier_id: int


# --- tiers and the proposal -----------------------------------------------------------------------


def as_tier(row: AwardTier) -> Tier:
    """A tier row as the pure module sees it: special awards (or tiers without a track) have no track."""
    special = row.is_special or row.track_id is None
    return Tier(row.id, row.name, row.rank, row.quota, None if special else row.track_id)


async def contest_tiers(contest: Contest) -> list[AwardTier]:
    return await AwardTier.filter(contest_id=contest.id).prefetch_related("track").order_by("rank", "id")


async def final_round(contest: Contest) -> Round | None:
    """The contest's last round, by position, whose kind is final."""
    return await Round.filter(contest_id=contest.id, kind=RoundKind.FINAL).order_by("-position", "-id").first()


async def current_proposal(contest: Contest) -> Proposal | None:
    """The proposal from the final round's ranking and every track's quotas; None without a final round."""
    round_ = await final_round(contest)
    if round_ is None:
        return None
    ranking = award_seats.ranking_from_results(await round_results(round_))
    return award_seats.propose_awards(ranking, [as_tier(t) for t in await contest_tiers(contest)])


def proposal_token(proposal: Proposal) -> str:
    """What the organiser saw, so storing it can tell whether the figures moved in between."""
    return ",".join(f"{a.tier_id}:{a.entry_id}" for a in proposal.awards)


async def store_proposal(contest: Contest, *, token: str, by: User, now: datetime) -> list[Award]:
    """Store the current proposal as PROPOSED awards, replacing earlier proposed track awards (special
    awards stay). Refused once any award is confirmed, after the announcement, or when the proposal
    differs from `token` (the one the organiser was shown). Audited with what it replaced."""
    _require_before_announcement(contest, now)
    proposal = await current_proposal(contest)
    if proposal is None:
        raise NoFinalRound()
    if proposal_token(proposal) != token:
        raise ProposalChanged()
    special = [t.id for t in proposal.tiers if t.track_id is None]
    async with in_transaction():
        if await Award.exists(contest_id=contest.id, status=AwardStatus.CONFIRMED):
            raise AwardsConfirmed()
        old = Award.filter(contest_id=contest.id, status=AwardStatus.PROPOSED, tier_id__not_in=special or [0])
        replaced = [list(pair) for pair in await old.values_list("tier_id", "entry_id")]
        await old.delete()
        stored = [await Award.create(contest_id=contest.id, tier_id=a.tier_id, entry_id=a.entry_id)
                  for a in proposal.awards]
        await record("awards.proposal_stored", subject=f"contest:{contest.id}", now=now, actor=by,
                     contest_id=contest.id, data={"awards": [[a.tier_id, a.entry_id] for a in proposal.awards],
                                                  "replaced": replaced})
    return stored


# --- adjustments ----------------------------------------------------------------------------------


def _require_before_announcement(contest: Contest, now: datetime) -> None:
    if results_public(contest, now):
        raise ResultsAnnounced()


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise InvalidInput({"reason": N_("Give the reason for this change; it is recorded with your name.")})
    if len(reason) > MAX_REASON:
        raise InvalidInput({"reason": N_("Keep the reason under 2,000 characters.")})
    return reason


async def _check_seat(entry: Entry, tier: AwardTier, *, override_quota: bool, moving: Award | None = None) -> None:
    """The tier is the contest's and fits the entry's track; the entry holds no other grade of its track
    nor this tier already; the tier has a free seat unless the organiser overrides its quota."""
    if tier.contest_id != entry.contest_id:
        raise InvalidInput({"tier": N_("Choose one of the options.")})
    track_tier = as_tier(tier).track_id is not None
    if track_tier and tier.track_id != entry.track_id:
        raise InvalidInput({"tier": N_("This grade belongs to another track.")})
    held = Award.filter(entry_id=entry.id, status__in=ACTIVE).exclude(id=moving.id if moving else 0)
    held_tiers = await AwardTier.filter(id__in=await held.values_list("tier_id", flat=True))
    if tier.id in {t.id for t in held_tiers}:
        raise InvalidInput({"tier": N_("The entry already holds this grade.")})
    if track_tier and any(as_tier(t).track_id is not None for t in held_tiers):
        raise InvalidInput({"tier": N_("The entry already holds a grade of its track: move that award instead.")})
    taken = await Award.filter(tier_id=tier.id, status__in=ACTIVE).exclude(id=moving.id if moving else 0).count()
    if taken >= tier.quota and not override_quota:
        raise InvalidInput({"tier": N_("This grade's quota is full. To exceed it, tick the override; the reason is recorded.")})


async def add_award(contest: Contest, *, entry: Entry, tier: AwardTier, reason: str, by: User, now: datetime,
                    override_quota: bool = False) -> Award:
    """Give `entry` a grade (a track tier of its track, or a special award) as a PROPOSED award with the
    reason; audited. The entry must be a submitted entry of this contest."""
    _require_before_announcement(contest, now)
    reason = _reason(reason)
    if entry.contest_id != contest.id or entry.state not in JUDGEABLE_STATES:
        raise InvalidInput({"entry": N_("Choose one of the options.")})
    async with in_transaction():
        await _check_seat(entry, tier, override_quota=override_quota)
        award = await Award.create(contest_id=contest.id, tier_id=tier.id, entry_id=entry.id, reason=reason,
                                   decided_by=by, decided_at=now)
        await record("award.added", subject=f"award:{award.id}", now=now, actor=by, contest_id=contest.id,
                     data={"entry": entry.id, "tier": tier.id, "reason": reason, "override_quota": override_quota})
    return award


async def move_award(award: Award, *, tier: AwardTier, reason: str, by: User, now: datetime,
                     override_quota: bool = False) -> Award:
    """Move the award's entry to another tier, with the reason; the award becomes PROPOSED again; audited."""
    contest = await Contest.get(id=award.contest_id)
    _require_before_announcement(contest, now)
    reason = _reason(reason)
    entry = await Entry.get(id=award.entry_id)
    async with in_transaction():
        await _check_seat(entry, tier, override_quota=override_quota, moving=award)
        from_tier = award.tier_id
        await Award.filter(id=award.id).update(tier_id=tier.id, status=AwardStatus.PROPOSED, reason=reason,
                                               decided_by_id=by.id, decided_at=now)
        await record("award.moved", subject=f"award:{award.id}", now=now, actor=by, contest_id=contest.id,
                     data={"entry": entry.id, "from_tier": from_tier, "to_tier": tier.id, "reason": reason,
                           "override_quota": override_quota})
    await award.refresh_from_db()
    return award


async def remove_award(award: Award, *, policy: RevocationPolicy | str, reason: str, by: User,
                       now: datetime) -> list[Promotion]:
    """Take the award away before the announcement, with the reason: a proposed award is deleted, a
    confirmed one is kept as REVOKED. Its seat is left vacant or the next entry is promoted (`policy`,
    as in award_seats.apply_revocation). Returns the promotions; all audited."""
    contest = await Contest.get(id=award.contest_id)
    _require_before_announcement(contest, now)
    return await _vacate(award, policy=policy, reason=reason, by=by, now=now,
                         keep_row=award.status == AwardStatus.CONFIRMED)


async def revoke_award(award: Award, *, policy: RevocationPolicy | str, reason: str, by: User | None,
                       now: datetime) -> list[Promotion]:
    """Revoke the award (an objection upheld, at any time): it stays as REVOKED with the reason, and
    its seat goes to the next entry ("promote_next": each lower tier's top entry moves up one tier and
    the best entry without an award joins the lowest) or stays empty ("leave_vacant"). Entries once
    revoked, or removed by the organisers, are never promoted. Promoted awards keep their status; an entry that joins takes the
    revoked award's status. A special award is never refilled. Returns the promotions; all audited."""
    return await _vacate(award, policy=policy, reason=reason, by=by, now=now, keep_row=True)


async def _vacate(award: Award, *, policy: RevocationPolicy | str, reason: str, by: User | None, now: datetime,
                  keep_row: bool) -> list[Promotion]:
    reason = _reason(reason)
    policy = RevocationPolicy(policy)
    async with in_transaction():
        award = await Award.get(id=award.id)
        if award.status not in ACTIVE:
            raise Conflict()
        promotions = await _promotions(award) if policy is RevocationPolicy.PROMOTE_NEXT else []
        if keep_row:
            await Award.filter(id=award.id).update(status=AwardStatus.REVOKED, reason=reason,
                                                   decided_by_id=by.id if by else None, decided_at=now)
        else:
            await Award.filter(id=award.id).delete()
        await record("award.revoked" if keep_row else "award.removed", subject=f"award:{award.id}", now=now,
                     actor=by, contest_id=award.contest_id,
                     data={"entry": award.entry_id, "tier": award.tier_id, "policy": policy.value, "reason": reason})
        for promotion in promotions:
            await _promote(award, promotion, reason=reason, by=by, now=now)
    return promotions


async def _promote(vacated: Award, promotion: Promotion, *, reason: str, by: User | None, now: datetime) -> None:
    changes: dict[str, Any] = {"tier_id": promotion.to_tier_id, "reason": reason, "decided_by_id": by.id if by else None,
               "decided_at": now}
    if promotion.from_tier_id is None:
        promoted = await Award.create(contest_id=vacated.contest_id, entry_id=promotion.entry_id,
                                      status=vacated.status, **changes)
    else:
        promoted = await Award.get(entry_id=promotion.entry_id, tier_id=promotion.from_tier_id, status__in=ACTIVE)
        await Award.filter(id=promoted.id).update(**changes)
    await record("award.promoted", subject=f"award:{promoted.id}", now=now, actor=by, contest_id=vacated.contest_id,
                 data={"entry": promotion.entry_id, "from_tier": promotion.from_tier_id,
                       "to_tier": promotion.to_tier_id, "after": vacated.id, "reason": reason})


async def _promotions(award: Award) -> list[Promotion]:
    tier = as_tier(await AwardTier.get(id=award.tier_id))
    if tier.track_id is None:
        return []
    tiers = [as_tier(t) for t in await AwardTier.filter(contest_id=award.contest_id, track_id=tier.track_id)]
    tiers = [t for t in tiers if t.track_id is not None]
    held = dict(await Award.filter(tier_id__in=[t.id for t in tiers], status__in=ACTIVE).values_list(
        "entry_id", "tier_id"))
    barred = set(cast(list[int], await Award.filter(contest_id=award.contest_id, status=AwardStatus.REVOKED)
                      .values_list("entry_id", flat=True)))
    removed = cast(list[dict[str, Any]], await AuditEvent.filter(contest_id=award.contest_id, action="award.removed")
                   .values_list("data", flat=True))
    barred |= {data["entry"] for data in removed}
    barred |= set(cast(list[int], await Objection.filter(contest_id=award.contest_id, status=ObjectionStatus.UPHELD)
                       .values_list("entry_id", flat=True)))  # an upheld objection bars the entry even if it held no award then
    contest = await Contest.get(id=award.contest_id)
    proposal = await current_proposal(contest)
    ranking = proposal.ranking.get(tier.track_id, ()) if proposal else ()
    before = stored_as_proposal(tier.track_id, tiers, held, ranking, barred)
    after = award_seats.apply_revocation(before, award.entry_id, RevocationPolicy.PROMOTE_NEXT)
    return promotions_between(held, after, revoked_entry_id=award.entry_id)


def stored_as_proposal(track_id: int, tiers: Sequence[Tier], held: Mapping[int, int],
                       ranking: Sequence[RankedEntry], barred: set[int]) -> Proposal:
    """Pure: the stored awards of one track as a proposal that award_seats.apply_revocation can act on.

    The awarded entries come first, by tier and then by their place in the ranking, untied (the
    organisers have settled their order); then the ranked entries without an award and never revoked,
    with their ties. Each tier's quota is the number of its seats now held, so seats the organisers
    left vacant stay vacant.
    """
    place = {e.entry_id: i for i, e in enumerate(ranking)}
    figure = {e.entry_id: e.figure for e in ranking}
    order = {t.id: (t.rank_order, t.id) for t in tiers}
    awarded = sorted(held, key=lambda e: (order[held[e]], place.get(e, len(place)), e))
    head = [RankedEntry(e, figure.get(e, 0.0), False) for e in awarded]
    tail = [e for e in ranking if e.entry_id not in held and e.entry_id not in barred]
    seats = Counter(held.values())
    effective = [Tier(t.id, t.name, t.rank_order, seats[t.id], t.track_id) for t in tiers]
    return award_seats.propose_awards({track_id: [*head, *tail]}, effective)


def promotions_between(held: Mapping[int, int], after: Proposal, *, revoked_entry_id: int) -> list[Promotion]:
    """Pure: the moves from the held seats to the proposal after a revocation, best tier first."""
    moved = [Promotion(a.entry_id, held.get(a.entry_id), a.tier_id) for a in after.awards
             if a.entry_id != revoked_entry_id and held.get(a.entry_id) != a.tier_id]
    order = {t.id: (t.rank_order, t.id) for t in after.tiers}
    return sorted(moved, key=lambda p: order[p.to_tier_id])


async def confirm_awards(contest: Contest, *, by: User, now: datetime) -> int:
    """Confirm every proposed award of the contest; those nobody adjusted get `by` and `now` as their
    decision. Returns how many; audited. Refused after the announcement or with nothing to confirm."""
    _require_before_announcement(contest, now)
    async with in_transaction():
        pending = Award.filter(contest_id=contest.id, status=AwardStatus.PROPOSED)
        ids = list(await pending.values_list("id", flat=True))
        if not ids:
            raise NothingToConfirm()
        await Award.filter(id__in=ids, decided_at__isnull=True).update(decided_by_id=by.id, decided_at=now)
        await Award.filter(id__in=ids).update(status=AwardStatus.CONFIRMED)
        await record("awards.confirmed", subject=f"contest:{contest.id}", now=now, actor=by, contest_id=contest.id,
                     data={"awards": sorted(ids)})
    return len(ids)


# --- queries --------------------------------------------------------------------------------------


async def awards_for_organiser(contest: Contest) -> list[Award]:
    """Every award of the contest, revoked ones included, with what the page and certificates show."""
    return await Award.filter(contest_id=contest.id).prefetch_related(
        "contest", "tier__track", "entry__members", "entry__owner", "decided_by").order_by("tier__rank", "tier_id", "id")


async def award_of_contest(contest: Contest, award_id: int) -> Award | None:
    return await Award.filter(id=award_id, contest_id=contest.id).prefetch_related(
        "contest", "tier__track", "entry__members", "entry__owner").first()


async def confirmed_awards(contest: Contest) -> list[Award]:
    return await Award.filter(contest_id=contest.id, status=AwardStatus.CONFIRMED).prefetch_related(
        "contest", "tier__track", "entry__members", "entry__owner").order_by("tier__track__position", "tier__rank",
                                                                            "tier_id", "entry_id")


async def grades_by_entry(contest: Contest) -> dict[int, list[str]]:
    """Each awarded entry's confirmed grades, its track's first and then special awards (a revoked award
    is no grade)."""
    grades: dict[int, list[str]] = {}
    for entry_id, name in await Award.filter(contest_id=contest.id, status=AwardStatus.CONFIRMED).order_by(
            "tier__is_special", "tier__rank", "tier_id").values_list("entry_id", "tier__name"):
        grades.setdefault(entry_id, []).append(name)
    return grades


async def award_for_winner(user: User, award_id: int, *, now: datetime) -> Award | None:
    """A confirmed award of one of `user`'s entries, once its contest's results are public; else None."""
    award = await Award.filter(id=award_id, entry__owner_id=user.id, status=AwardStatus.CONFIRMED).prefetch_related(
        "contest", "tier__track", "entry__members", "entry__owner").first()
    return award if award is not None and results_public(award.contest, now) else None


async def awards_for_designer(user: User, *, now: datetime) -> list[Award]:
    """`user`'s confirmed awards in contests whose results are public (for their results page)."""
    rows = await Award.filter(entry__owner_id=user.id, status=AwardStatus.CONFIRMED).prefetch_related(
        "contest", "tier__track", "entry").order_by("-contest__announce_at", "tier__rank", "id")
    return [a for a in rows if results_public(a.contest, now)]


async def entries_for_awards(contest: Contest) -> list[Entry]:
    """The contest's submitted entries, which an organiser may give a grade by hand."""
    return await Entry.filter(contest_id=contest.id, state__in=list(JUDGEABLE_STATES)).prefetch_related(
        "track").order_by("track__position", "track_id", "number", "id")


async def award_history(contest: Contest, *, limit: int = 100) -> list[AuditEvent]:
    """The latest award events of the contest's audit log, newest first."""
    return await AuditEvent.filter(contest_id=contest.id, action__startswith="award").prefetch_related(
        "actor").order_by("-seq").limit(limit)


async def tier_of_contest(contest: Contest, tier_id: int) -> AwardTier | None:
    return await AwardTier.get_or_none(id=tier_id, contest_id=contest.id)


async def entry_of_contest(contest: Contest, entry_id: int) -> Entry | None:
    return await Entry.get_or_none(id=entry_id, contest_id=contest.id)


@dataclass(frozen=True)
class Overview:
    """Everything the organiser's awards page shows, as plain data."""

    round: Round | None
    proposal: Proposal | None
    token: str
    tiers: list[AwardTier]
    awards: list[Award]  # revoked ones included
    entries: dict[int, Entry]  # submitted entries of the contest, by id
    history: list[AuditEvent]

    def active(self, tier_id: int) -> list[Award]:
        return [a for a in self.awards if a.tier_id == tier_id and a.status in ACTIVE]

    def held_tier(self, entry_id: int) -> int | None:
        """The entry's stored grade of its track, if any."""
        special = {t.id for t in self.tiers if as_tier(t).track_id is None}
        return next((a.tier_id for a in self.awards
                     if a.entry_id == entry_id and a.status in ACTIVE and a.tier_id not in special), None)

    @property
    def pending(self) -> int:
        return sum(a.status == AwardStatus.PROPOSED for a in self.awards)

    @property
    def confirmed(self) -> int:
        return sum(a.status == AwardStatus.CONFIRMED for a in self.awards)


async def overview(contest: Contest) -> Overview:
    proposal = await current_proposal(contest)
    return Overview(
        round=await final_round(contest), proposal=proposal, token=proposal_token(proposal) if proposal else "",
        tiers=await contest_tiers(contest), awards=await awards_for_organiser(contest),
        entries={e.id: e for e in await entries_for_awards(contest)}, history=await award_history(contest),
    )
