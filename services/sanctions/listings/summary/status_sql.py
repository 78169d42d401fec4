"""`status_at` (listings/status.py) as a SQL expression, for filters and set-based rebuilds.

The same order of rules: a decision that ended the listing by `at`, then expiry, then a hold
open at `at`, then the publicity window, else ACTIVE. Windows are half-open, as there.
tests/sanctions/test_listing_status_sql.py holds the two equal on listings of every shape.
"""

from __future__ import annotations


def status_sql(listing: str, at: str) -> str:
    """The status of the listing row aliased `listing` at the timestamptz expression `at`."""
    t = listing
    return (
        "(CASE"
        f" WHEN {t}.terminal_status IS NOT NULL AND {t}.terminal_at IS NOT NULL"
        f" AND {t}.terminal_at <= {at} THEN {t}.terminal_status"
        f" WHEN {t}.effective_until IS NOT NULL AND {at} >= {t}.effective_until THEN 'EXPIRED'"
        f" WHEN EXISTS (SELECT 1 FROM jsonb_array_elements({t}.holds) AS hold(h)"
        f" WHERE (hold.h->>'from')::timestamptz <= {at}"
        f" AND (NULLIF(hold.h->>'until', '') IS NULL"
        f" OR {at} < (hold.h->>'until')::timestamptz)) THEN 'SUSPENDED'"
        f" WHEN {at} < {t}.publicity_until THEN 'PENDING'"
        " ELSE 'ACTIVE' END)")


def region_sql(listing: str) -> str:
    """The GB/T 2260 code inside the subject's code (USCC characters 3-8, RIC 1-6)."""
    return (f"(CASE WHEN {listing}.subject_kind = 'NATURAL_PERSON' "
            f"THEN substr({listing}.subject_code, 1, 6) "
            f"ELSE substr({listing}.subject_code, 3, 6) END)")


def decided_month_sql(listing: str) -> str:
    """The first day of the month of the decision, in Asia/Shanghai."""
    return f"(date_trunc('month', {listing}.decided_at AT TIME ZONE 'Asia/Shanghai'))::date"
