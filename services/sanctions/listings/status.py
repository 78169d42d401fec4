"""A listing's status at a time, and the window in which its measures apply: pure functions."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from services.sanctions.listings.models import ListingStatus
from services.sanctions.windows import Interval, pick, subtract


class ListingFacts(Protocol):
    effective_from: datetime
    publicity_until: datetime
    effective_until: datetime | None
    holds: list[dict[str, Any]]
    terminal_status: str | None
    terminal_at: datetime | None


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def hold_intervals(holds: list[dict[str, Any]]) -> list[Interval]:
    return [(_dt(h["from"]), _dt(h.get("until"))) for h in holds]


def status_at(listing: ListingFacts, at: datetime) -> ListingStatus:
    """The status at `at` (PENDING ... REPAIRED), from the facts alone."""
    if listing.terminal_status and listing.terminal_at is not None and listing.terminal_at <= at:
        return ListingStatus(listing.terminal_status)
    if listing.effective_until is not None and at >= listing.effective_until:
        return ListingStatus.EXPIRED
    for h_from, h_until in hold_intervals(listing.holds):
        if h_from <= at and (h_until is None or at < h_until):
            return ListingStatus.SUSPENDED
    if at < listing.publicity_until:
        return ListingStatus.PENDING
    return ListingStatus.ACTIVE


def in_force(listing: ListingFacts) -> list[Interval]:
    """Every interval in which the listing's measures apply, as far as is known now."""
    cuts = hold_intervals(listing.holds)
    if listing.terminal_at is not None:
        cuts.append((listing.terminal_at, None))
    return subtract((listing.publicity_until, listing.effective_until), cuts)


def index_window(listing: ListingFacts, now: datetime) -> Interval | None:
    """The single window the restriction index keeps for this listing (None: no row at all)."""
    return pick(in_force(listing), now)


def is_open(listing: ListingFacts, at: datetime) -> bool:
    """Still able to change: neither ended by a decision nor expired."""
    return status_at(listing, at) not in (ListingStatus.EXPIRED, ListingStatus.LIFTED,
                                          ListingStatus.REVOKED, ListingStatus.REPAIRED)
