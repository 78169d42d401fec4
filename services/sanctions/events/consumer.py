"""Consuming the records service's outbox: withdrawn or corrected records.

At-least-once delivery from records; idempotent here: each event id is applied once
(`processed_events`), and applying is itself idempotent (a record already noted as withdrawn is
not noted again, a review hold is not opened twice). A listing whose basis records are all
withdrawn or corrected is suspended for review (SUSPENDED, its checks clear) until its authority
reinstates or lifts it. Events that arrive late (after expiry or lifting) are still recorded in
the decision log; nothing is silently dropped.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

import structlog

from libs.common.db import transaction
from libs.common.timeutil import now as clock
from libs.contracts.records import OutboxEvent, RecordsClient
from services.sanctions.decisionlog.chain import Journal, take_chain_lock
from services.sanctions.inbox.repository import InboxRepository, classify
from services.sanctions.listings.models import ListingStatus
from services.sanctions.listings.repository import ListingRepository
from services.sanctions.listings.status import status_at
from services.sanctions.listings.transitions import apply_change, open_hold

log = structlog.get_logger("sanctions.events")

CONSUMER = "records-outbox"
ACTOR = "records-events"


async def apply_event(session, event: OutboxEvent, now: datetime) -> str:
    """Apply one event in the caller's transaction; returns what it did."""
    event_id = event.id
    kind = classify(event.type)
    if kind is not None:
        # Serialise with decisions: a listing being decided on this record either commits
        # first (and is found below) or sees this event when it takes the lock (and refuses).
        await take_chain_lock(session)
    record_id = event.record_id or None
    inbox = InboxRepository(session)
    if not await inbox.claim(event_id, event.type, record_id):
        return "duplicate"
    effect = "ignored"
    if kind is not None and record_id:
        suspended, noted = [], []
        for listing in await ListingRepository(session).resting_on(record_id):
            if record_id not in (listing.withdrawn_record_ids or []):
                listing.withdrawn_record_ids = [*(listing.withdrawn_record_ids or []), record_id]
            journal = Journal()
            journal.record(listing.id, f"BASIS_{kind}", ACTOR, now, record=record_id,
                           eventId=event_id)
            rests_on_withdrawn = set(listing.basis_record_ids) <= set(listing.withdrawn_record_ids)
            in_force = status_at(listing, now) in (ListingStatus.PENDING, ListingStatus.ACTIVE,
                                                   ListingStatus.SUSPENDED)
            has_review = any(h["kind"] == "RECORD_REVIEW" and h.get("until") is None
                             for h in listing.holds)
            if rests_on_withdrawn and in_force and not has_review:
                open_hold(listing, "RECORD_REVIEW", event_id, now)
                suspended.append(str(listing.id))
            else:
                noted.append(str(listing.id))
            await apply_change(session, listing, journal, now)
        effect = f"{kind.lower()}: suspended {len(suspended)}, noted {len(noted)}"
    await inbox.set_effect(event_id, effect)
    return effect


async def consume_once(sessionmaker, records: RecordsClient, *, limit: int = 500) -> dict:
    """Read one page of records' events from the stored cursor, apply each, move the cursor."""
    async with transaction(sessionmaker) as session:
        cursor = await InboxRepository(session).cursor(CONSUMER)
    page = await records.events(cursor, limit)
    applied = duplicates = 0
    for event in page.events:
        async with transaction(sessionmaker) as session:
            effect = await apply_event(session, event, clock())
        if effect == "duplicate":
            duplicates += 1
        else:
            applied += 1
    new_cursor = page.cursor or cursor
    async with transaction(sessionmaker) as session:
        await InboxRepository(session).save_cursor(CONSUMER, new_cursor, clock())
    return {"applied": applied, "duplicates": duplicates, "cursor": new_cursor,
            "hasMore": page.has_more}


async def run_forever(sessionmaker, records: RecordsClient, interval: float, limit: int) -> None:
    """Poll records' outbox; a records outage only delays (and logs), it never skips."""
    while True:
        try:
            while (await consume_once(sessionmaker, records, limit=limit))["hasMore"]:
                pass
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("records events: poll failed, will retry", error=type(exc).__name__,
                        detail=str(exc)[:200])
        await asyncio.sleep(interval)
