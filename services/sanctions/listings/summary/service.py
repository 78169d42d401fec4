"""Keeping the listing summary in step with a listing (`follow`) and with time (`compact`)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.timeutil import SHANGHAI
from services.sanctions.decisionlog.chain import take_chain_lock
from services.sanctions.listings.models import Listing
from services.sanctions.listings.status import ListingFacts, hold_intervals, status_at
from services.sanctions.listings.summary.repository import Change, SummaryRepository, TallyKey

# Scheduled changes folded into the tally per listing write: enough to keep up with expiries
# nationally (a few thousand a day) while costing a write only milliseconds.
COMPACT_BATCH = 1000


def region_of(subject_code: str, subject_kind: str) -> str:
    """The GB/T 2260 code a subject's code carries: RIC characters 1-6, USCC characters 3-8."""
    return subject_code[:6] if subject_kind == "NATURAL_PERSON" else subject_code[2:8]


def timeline(listing: ListingFacts, now: datetime) -> tuple[str, list[Change]]:
    """The status at `now` and every later change the facts make by time alone.

    `status_at` only changes at an instant the facts name (windows are half-open), so it is
    asked at each of them after `now`.
    """
    instants = {listing.publicity_until, listing.effective_until, listing.terminal_at}
    for h_from, h_until in hold_intervals(listing.holds):
        instants.update((h_from, h_until))
    current = status_at(listing, now).value
    status, changes = current, []
    for at in sorted(t for t in instants if t is not None and t > now):
        following = status_at(listing, at).value
        if following != status:
            changes.append(Change(at, status, following))
            status = following
    return current, changes


def _key(values: dict, status: str) -> TallyKey:
    return TallyKey(values["list_code"], values["authority"], values["province"],
                    values["subject_kind"], values["decided_month"], status)


async def follow(session: AsyncSession, listing: Listing, now: datetime) -> None:
    """Bring the listing's facet, tally contribution and schedule to its facts at `now`.

    In the listing's transaction, under the chain lock (taken here; every listing write takes
    it before commit anyway), so tally rows change one transaction at a time.
    """
    await take_chain_lock(session)
    repo = SummaryRepository(session)
    await repo.compact(now, COMPACT_BATCH)
    status, changes = timeline(listing, now)
    region = region_of(listing.subject_code, listing.subject_kind)
    decided = listing.decided_at.astimezone(SHANGHAI).date()
    values = {
        "listing_id": listing.id, "list_code": listing.list_code,
        "authority": listing.authority, "subject_kind": listing.subject_kind,
        "region_code": region, "province": region[:2], "decided_at": listing.decided_at,
        "decided_month": decided.replace(day=1), "publicity_until": listing.publicity_until,
        "effective_until": listing.effective_until,
        "ended": listing.terminal_status is not None, "counted_status": status}
    deltas: Counter[TallyKey] = Counter()
    old = await repo.facet(listing.id)
    if old is not None:
        # Its scheduled changes go with the old facts: the old counted status is what it
        # contributed without them.
        deltas[_key({c: getattr(old, c) for c in values}, old.counted_status)] -= 1
    deltas[_key(values, status)] += 1
    await repo.put_facet(values)
    await repo.replace_schedule(listing.id, changes)
    await repo.add_to_tally(dict(deltas))


async def follow_new(session: AsyncSession, listings: list[ListingFacts], now: datetime) -> None:
    """`follow` for listings written in this transaction that have no summary yet (a migrated
    chunk): their facets, schedules and tally contributions in a few statements.

    `listings` carry what `follow` reads of a Listing (id, list_code, authority, subject_code,
    subject_kind, decided_at, publicity_until, effective_until, terminal_status and the status
    facts)."""
    await take_chain_lock(session)
    repo = SummaryRepository(session)
    await repo.compact(now, COMPACT_BATCH)
    facets: list[dict] = []
    schedule: list[tuple] = []
    deltas: Counter[TallyKey] = Counter()
    for listing in listings:
        status, changes = timeline(listing, now)
        region = region_of(listing.subject_code, listing.subject_kind)
        values = {
            "listing_id": listing.id, "list_code": listing.list_code,
            "authority": listing.authority, "subject_kind": listing.subject_kind,
            "region_code": region, "province": region[:2], "decided_at": listing.decided_at,
            "decided_month": listing.decided_at.astimezone(SHANGHAI).date().replace(day=1),
            "publicity_until": listing.publicity_until,
            "effective_until": listing.effective_until,
            "ended": listing.terminal_status is not None, "counted_status": status}
        facets.append(values)
        schedule += [(listing.id, c.at, c.from_status, c.to_status) for c in changes]
        deltas[_key(values, status)] += 1
    await repo.add_facets(facets)
    await repo.add_schedule(schedule)
    await repo.add_to_tally(dict(deltas))


async def compact(session: AsyncSession, now: datetime, limit: int = COMPACT_BATCH) -> int:
    """Fold changes due by `now` into the tally (optional: counts add what is still due)."""
    await take_chain_lock(session)
    return await SummaryRepository(session).compact(now, limit)
