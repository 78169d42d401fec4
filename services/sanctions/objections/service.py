"""Objections: filing (suspensive where the list says, and always inside the publicity window)
and resolution (UPHELD revokes the listing, DISMISSED puts it back in force)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.auth import AccessRole, Principal
from libs.common.errors import Forbidden, InvalidInput, NotFound
from libs.common.ids import uuid_id
from libs.common.timeutil import now as clock
from services.sanctions.catalogue.models import CreditList
from services.sanctions.decisionlog.chain import Journal
from services.sanctions.errors import TransitionConflict
from services.sanctions.listings.models import Listing, ListingStatus
from services.sanctions.listings.status import status_at
from services.sanctions.listings.transitions import (
    apply_change,
    close_holds,
    end_listing,
    locked,
    may_act_for_list,
    open_hold,
)
from services.sanctions.objections.models import Objection
from services.sanctions.objections.repository import ObjectionRepository

OUTCOMES = ("UPHELD", "DISMISSED")


def may_object(principal: Principal, listing: Listing) -> None:
    """The listed subject itself (a subject token for its code), authorities and admins may
    object."""
    if principal.has(AccessRole.AUTHORITY, AccessRole.ADMIN):
        return
    if principal.is_self(listing.subject_code):
        return
    raise Forbidden("only the listed subject, an authority or an admin may object")


async def file(session: AsyncSession, principal: Principal, listing_id: str, grounds: str,
               *, now: datetime | None = None) -> tuple[Objection, Listing, CreditList]:
    """File an objection; under the listing's lock, so it races cleanly with expiry and lifts."""
    now = now or clock()
    if not grounds or not grounds.strip():
        raise InvalidInput("grounds are required", field="grounds")
    listing, credit_list = await locked(session, listing_id)
    may_object(principal, listing)
    status = status_at(listing, now)
    if status not in (ListingStatus.PENDING, ListingStatus.ACTIVE, ListingStatus.SUSPENDED):
        raise TransitionConflict(f"the listing is {status.value}; there is nothing to object to",
                                 status=status.value)
    # Inside the publicity window an objection always holds the listing: that is what the
    # window is for. Afterwards only lists whose rules say so suspend on objection.
    suspends = listing.objection_suspends or now < listing.publicity_until
    objection = Objection(id=uuid.uuid4(), listing_id=listing.id, grounds=grounds.strip(),
                          filed_by=principal.sub, filed_at=now, suspends=suspends, status="OPEN")
    try:
        await ObjectionRepository(session).add(objection)
    except IntegrityError:
        raise TransitionConflict("an objection against this listing is already open") from None
    journal = Journal()
    journal.record(listing.id, "OBJECTION_FILED", principal.sub, now, objection=str(objection.id),
                   suspends=suspends)
    if suspends:
        open_hold(listing, "OBJECTION", str(objection.id), now)
    await apply_change(session, listing, journal, now)
    return objection, listing, credit_list


async def resolve(session: AsyncSession, principal: Principal, objection_id: str, outcome: str,
                  reason: str | None, *, now: datetime | None = None
                  ) -> tuple[Objection, Listing, CreditList]:
    """UPHELD revokes the listing; DISMISSED ends the hold and the listing is back in force."""
    now = now or clock()
    if outcome not in OUTCOMES:
        raise InvalidInput("outcome must be UPHELD or DISMISSED", field="outcome")
    key = uuid_id(str(objection_id))
    if key is None:
        raise NotFound(f"no objection {objection_id}")
    repo = ObjectionRepository(session)
    listing_id = await repo.listing_of(key)
    if listing_id is None:
        raise NotFound(f"no objection {objection_id}")
    listing, credit_list = await locked(session, str(listing_id))
    objection = await repo.lock(key)
    may_act_for_list(principal, credit_list)
    if objection.status != "OPEN":
        raise TransitionConflict(f"the objection is already {objection.status}",
                                 status=objection.status)
    objection.status = outcome
    objection.resolved_by = principal.sub
    objection.resolved_at = now
    objection.reason = reason
    journal = Journal()
    journal.record(listing.id, f"OBJECTION_{outcome}", principal.sub, now,
                   objection=str(objection.id), reason=reason)
    if outcome == "UPHELD":
        if listing.terminal_status is None:
            end_listing(listing, ListingStatus.REVOKED, f"objection upheld: {reason or ''}", now)
    else:
        close_holds(listing, now, kind="OBJECTION", ref=str(objection.id))
    await apply_change(session, listing, journal, now)
    return objection, listing, credit_list
