"""The listing-transition kernel: what every change to a listing goes through.

Deciding, lifting, extending and reinstating (listings/service.py), objections, credit repair
and the records-event consumer all change listings the same way: take the listing's row lock
(`locked`), check who may act for its list (`may_act_for_list`), change its facts (`open_hold`,
`close_holds`, `end_listing`), then `apply_change`: the index and the journal follow the new
facts in the caller's transaction. Nothing here commits; the request or job scope does.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.auth import AccessRole, Principal
from libs.common.errors import Forbidden, NotFound
from services.sanctions.catalogue.models import CreditList
from services.sanctions.checks.index import sync_index
from services.sanctions.decisionlog.chain import Journal
from services.sanctions.listings.models import Listing, ListingStatus
from services.sanctions.listings.repository import ListingRepository


def may_act_for_list(principal: Principal, credit_list: CreditList, *, admin: bool = True) -> None:
    """Only officials of the list's authority (and, where allowed, admins) change its listings."""
    if admin and principal.has(AccessRole.ADMIN):
        return
    if principal.has(AccessRole.AUTHORITY) and principal.agency == credit_list.authority:
        return
    raise Forbidden(f"only officials of {credit_list.authority} may do this on "
                    f"{credit_list.code}" + (" (or an admin)" if admin else ""))


async def locked(session: AsyncSession, listing_id: str) -> tuple[Listing, CreditList]:
    """The listing and its list, locked for the transaction; NOT_FOUND when absent."""
    try:
        key = uuid.UUID(str(listing_id))
    except ValueError:
        raise NotFound(f"no listing {listing_id}") from None
    found = await ListingRepository(session).lock(key)
    if found is None:
        raise NotFound(f"no listing {listing_id}")
    return found


async def apply_change(session: AsyncSession, listing: Listing, journal: Journal,
                       now: datetime) -> None:
    """Apply the listing's changed facts in the caller's transaction (it does not commit).

    The version moves on, the changes are flushed, the restriction index follows the new facts
    and the journal (decision-log entries and change-feed rows) is written under the chain lock.
    """
    listing.version += 1
    await session.flush()
    await sync_index(session, listing, journal, now)
    await journal.write(session)


def close_holds(listing: Listing, now: datetime, kind: str | None = None,
                ref: str | None = None) -> bool:
    """End open holds (all, or of one kind / reference) at `now`; True when any was open."""
    changed = False
    holds: list[dict[str, Any]] = []
    for h in listing.holds:
        h = dict(h)
        if h.get("until") is None and (kind is None or h["kind"] == kind) and (
                ref is None or h["ref"] == ref):
            h["until"] = now.isoformat()
            changed = True
        holds.append(h)
    listing.holds = holds
    return changed


def open_hold(listing: Listing, kind: str, ref: str, now: datetime) -> None:
    """Suspend the listing from `now` until the hold is closed (an objection, a review)."""
    listing.holds = [*listing.holds, {"kind": kind, "ref": ref, "from": now.isoformat(),
                                      "until": None}]


def end_listing(listing: Listing, status: ListingStatus, reason: str, now: datetime) -> None:
    """End the listing by a decision (LIFTED, REVOKED, REPAIRED): its holds close with it."""
    close_holds(listing, now)
    listing.terminal_status = status.value
    listing.terminal_at = now
    listing.terminal_reason = reason
