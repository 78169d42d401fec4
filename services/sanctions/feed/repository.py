"""Reading the restriction change feed, gap-free.

Change rows get their ids while the writer holds the decision-log lock (decisionlog/chain.py),
which it keeps until commit, so ids are handed out in commit order. As a second guard a row is
served only once its writing transaction's id is below the xmin of the reader's snapshot, that
is once every transaction that could still commit a smaller id has ended. A consumer that
remembers the last id it saw therefore never skips a row that commits later. The price: a
long-running transaction anywhere in the database delays (never loses) feed rows.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

_PAGE = text("""
SELECT id, subject_code, purpose, measure_code, listing_id, op, effective_from, effective_until
FROM sanctions.restriction_changes
WHERE purpose = :purpose AND id > :after
  AND xid < pg_snapshot_xmin(pg_current_snapshot())
ORDER BY id
LIMIT :limit
""")

# The same page rendered by PostgreSQL as NDJSON: one JSON object per change, keys as in the
# GraphQL RestrictionChange type. One extra row tells whether more follow.
_NDJSON_PAGE = text("""
WITH page AS (
  SELECT id, subject_code, purpose, measure_code, listing_id, op, effective_from, effective_until,
         row_number() OVER (ORDER BY id) AS n
  FROM sanctions.restriction_changes
  WHERE purpose = :purpose AND id > :after
    AND xid < pg_snapshot_xmin(pg_current_snapshot())
  ORDER BY id
  LIMIT :limit + 1
)
SELECT count(*) FILTER (WHERE n <= :limit) AS count,
       max(id) FILTER (WHERE n <= :limit) AS last_id,
       count(*) > :limit AS has_more,
       coalesce(string_agg(json_build_object(
           'code', subject_code, 'purpose', purpose, 'measure', measure_code,
           'listingId', listing_id, 'op', op, 'effectiveFrom', effective_from,
           'effectiveUntil', effective_until)::text, E'\\n' ORDER BY id)
         FILTER (WHERE n <= :limit), '') AS ndjson
FROM page
""")


class ChangeFeed:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def page(self, purpose: str, after: int, limit: int) -> list:
        rows = await self.session.execute(_PAGE, {"purpose": purpose, "after": after,
                                                  "limit": limit})
        return list(rows)

    async def ndjson_page(self, purpose: str, after: int,
                          limit: int) -> tuple[str, int, int | None, bool]:
        """(NDJSON text, number of changes, id of the last one, whether more follow)."""
        row = (await self.session.execute(_NDJSON_PAGE, {"purpose": purpose, "after": after,
                                                         "limit": limit})).one()
        return row.ndjson, row.count, row.last_id, row.has_more
