"""Credit repair: the subject applies after the list's minimum period; approval ends the listing
as REPAIRED."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.auth import Principal
from libs.common.errors import InvalidInput, NotFound
from libs.common.ids import uuid_id
from libs.common.timeutil import now as clock
from services.sanctions.catalogue.models import CreditList
from services.sanctions.decisionlog.chain import Journal
from services.sanctions.errors import TransitionConflict
from services.sanctions.listings.models import Listing, ListingStatus
from services.sanctions.listings.status import status_at
from services.sanctions.listings.transitions import (
    apply_change,
    end_listing,
    locked,
    may_act_for_list,
)
from services.sanctions.objections.service import may_object
from services.sanctions.repair.models import RepairApplication
from services.sanctions.repair.repository import RepairRepository


def repair_possible_from(listing: Listing, min_days: int) -> datetime:
    """Repair can be asked for once the listing has applied for the list's minimum period."""
    return listing.publicity_until + timedelta(days=min_days)


async def apply(session: AsyncSession, principal: Principal, listing_id: str, statement: str,
                *, now: datetime | None = None
                ) -> tuple[RepairApplication, Listing, CreditList]:
    """Apply for credit repair; under the listing's lock, once the list's minimum period is over."""
    now = now or clock()
    if not statement or not statement.strip():
        raise InvalidInput("a statement of what was corrected is required", field="statement")
    listing, credit_list = await locked(session, listing_id)
    may_object(principal, listing)
    if credit_list.repair_min_days is None:
        raise TransitionConflict(f"{credit_list.code} offers no credit repair")
    status = status_at(listing, now)
    if status not in (ListingStatus.ACTIVE, ListingStatus.SUSPENDED):
        raise TransitionConflict(f"the listing is {status.value}", status=status.value)
    earliest = repair_possible_from(listing, credit_list.repair_min_days)
    if now < earliest:
        raise TransitionConflict(f"credit repair on {credit_list.code} is possible from "
                                 f"{earliest.isoformat()}", possibleFrom=earliest.isoformat())
    application = RepairApplication(id=uuid.uuid4(), listing_id=listing.id,
                                    statement=statement.strip(), applied_by=principal.sub,
                                    applied_at=now, status="PENDING")
    try:
        await RepairRepository(session).add(application)
    except IntegrityError:
        raise TransitionConflict("a repair application for this listing is already "
                                 "pending") from None
    journal = Journal()
    journal.record(listing.id, "REPAIR_APPLIED", principal.sub, now,
                   application=str(application.id))
    await apply_change(session, listing, journal, now)
    return application, listing, credit_list


async def decide(session: AsyncSession, principal: Principal, application_id: str, approve: bool,
                 reason: str | None, *, now: datetime | None = None
                 ) -> tuple[RepairApplication, Listing, CreditList]:
    """Approve (the listing ends as REPAIRED) or reject a pending application."""
    now = now or clock()
    key = uuid_id(str(application_id))
    if key is None:
        raise NotFound(f"no repair application {application_id}")
    repo = RepairRepository(session)
    listing_id = await repo.listing_of(key)
    if listing_id is None:
        raise NotFound(f"no repair application {application_id}")
    listing, credit_list = await locked(session, str(listing_id))
    application = await repo.lock(key)
    may_act_for_list(principal, credit_list)
    if application.status != "PENDING":
        raise TransitionConflict(f"the application is already {application.status}")
    application.status = "APPROVED" if approve else "REJECTED"
    application.decided_by = principal.sub
    application.decided_at = now
    application.reason = reason
    journal = Journal()
    journal.record(listing.id, "REPAIR_APPROVED" if approve else "REPAIR_REJECTED", principal.sub,
                   now, application=str(application.id), reason=reason)
    if approve:
        status = status_at(listing, now)
        if status not in (ListingStatus.ACTIVE, ListingStatus.SUSPENDED, ListingStatus.PENDING):
            raise TransitionConflict(f"the listing is {status.value}", status=status.value)
        end_listing(listing, ListingStatus.REPAIRED, f"credit repair: {reason or ''}", now)
    await apply_change(session, listing, journal, now)
    return application, listing, credit_list
