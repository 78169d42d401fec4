"""The listing-transition kernel: what every change to a listing goes through.

Deciding, lifting, extending and reinstating (listings/service.py), objections, credit repair
and the records-event consumer all change listings the same way: take the listing's row lock
(`locked`), check who may act for its list (`may_act_for_list`), change its facts (`open_hold`,
`close_holds`, `end_listing`), then `apply_change`: the index and the journal follow the new
facts in the caller's transaction. Nothing here commits; the request or job scope does.

The restriction index holds one row per (subject, purpose, measure, listing) with the window in
which the measure applies. After any transition `sync_index` recomputes the listing's desired
rows from its facts, diffs them against the stored ones and writes every difference to the
index (checks/index_repository.py) and, as an UPSERT or DELETE, to the change feed.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.auth import AccessRole, Principal
from libs.common.errors import Forbidden, NotFound
from libs.common.ids import uuid_id
from services.sanctions.catalogue.models import CreditList
from services.sanctions.checks.index_repository import IndexKey, IndexRepository
from services.sanctions.decisionlog.chain import Journal
from services.sanctions.listings.models import Listing, ListingStatus
from services.sanctions.listings.repository import ListingRepository
from services.sanctions.listings.status import index_window
from services.sanctions.listings.summary.service import follow
from services.sanctions.windows import Interval

# When a person holds several extended roles, `via` names the most senior one.
ROLE_ORDER = ("LEGAL_REPRESENTATIVE", "PRINCIPAL_RESPONSIBLE_PERSON",
              "DIRECTLY_RESPONSIBLE_PERSON", "DIRECTOR", "SHAREHOLDER")


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
    key = uuid_id(str(listing_id))  # hyphenated ASCII only: uuid.UUID also takes full-width hex
    if key is None:
        raise NotFound(f"no listing {listing_id}")
    found = await ListingRepository(session).lock(key)
    if found is None:
        raise NotFound(f"no listing {listing_id}")
    return found


def _role_rank(role: str) -> int:
    return ROLE_ORDER.index(role) if role in ROLE_ORDER else len(ROLE_ORDER)


def index_rows(subject_code: str, window: Interval | None, measures: Iterable[Any],
               derivations: Iterable[Any]) -> dict[IndexKey, dict[str, Any]]:
    """The index rows a listing calls for (pure): one per measure for the subject, and one per
    measure for each person reached through a role it extends to (`via` the most senior role),
    all in the listing's `window` (None: no rows). `measures` have measure_code, purpose,
    effect, extends_to_roles; `derivations` person_code, role, organization_code."""
    desired: dict[IndexKey, dict[str, Any]] = {}
    if window is None:
        return desired
    ordered = sorted(derivations, key=lambda d: (_role_rank(d.role), d.person_code, d.role))
    for m in measures:
        desired[(subject_code, m.purpose, m.measure_code)] = {
            "effect": m.effect, "via_organization": None, "via_role": None}
        for d in ordered:
            key = (d.person_code, m.purpose, m.measure_code)
            if d.role in m.extends_to_roles and key not in desired:
                desired[key] = {"effect": m.effect, "via_organization": d.organization_code,
                                "via_role": d.role}
    return desired


def journal_upsert(journal: Journal, listing_id: uuid.UUID, key: IndexKey,
                   window: Interval) -> None:
    """The change-feed row of an index row written with `window`."""
    code, purpose, measure = key
    journal.change(purpose=purpose, subject_code=code, measure_code=measure,
                   listing_id=listing_id, op="UPSERT", effective_from=window[0],
                   effective_until=window[1])


async def sync_index(session: AsyncSession, listing: Listing, journal: Journal,
                     now: datetime) -> int:
    """Bring the listing's index rows to what its facts say; returns how many rows changed."""
    window = index_window(listing, now)
    measures: list[Any] = []
    derivations: list[Any] = []
    if window is not None:
        listings = ListingRepository(session)
        measures = await listings.measures([listing.id])
        derivations = await listings.derivations([listing.id])
    desired = index_rows(listing.subject_code, window, measures, derivations)
    index = IndexRepository(session)
    existing = await index.of_listing(listing.id)
    changed = 0
    for key, row in desired.items():
        values = {**row, "effective_from": window[0], "effective_until": window[1]}
        old = existing.get(key)
        if old is not None and all(getattr(old, k) == v for k, v in values.items()):
            continue
        await index.put(listing.id, key, **values)
        journal_upsert(journal, listing.id, key, window)
        changed += 1
    for key in existing.keys() - desired.keys():
        await index.remove(listing.id, key)
        code, purpose, measure = key
        journal.change(purpose=purpose, subject_code=code, measure_code=measure,
                       listing_id=listing.id, op="DELETE", effective_from=None,
                       effective_until=None)
        changed += 1
    return changed


async def apply_change(session: AsyncSession, listing: Listing, journal: Journal,
                       now: datetime) -> None:
    """Apply the listing's changed facts in the caller's transaction (it does not commit).

    The version moves on, the changes are flushed, the restriction index and the dashboards'
    summary follow the new facts and the journal (decision-log entries and change-feed rows) is
    written under the chain lock.
    """
    listing.version += 1
    await session.flush()
    await sync_index(session, listing, journal, now)
    await follow(session, listing, now)
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
