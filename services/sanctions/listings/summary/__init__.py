"""The listing summary: what the dashboards count, kept in step with every listing change.

`listingCounts` must not scan the listings per call, and a listing's status changes with time
alone (its publicity window ends, it expires) without anything being written. The choice made
here, among a per-day delta table, a nightly recount and counting from a narrow copy:

- `listing_facets`: one row per listing with what it is grouped and filtered by (list,
  authority, region of the subject's code, subject kind, decided month) and the status it is
  *counted under* in the tally;
- `listing_tally`: the number of listings per (list, authority, province, subject kind,
  decided month, status) — at most a few hundred thousand rows nationally, whatever the
  number of listings;
- `listing_status_schedule`: the status changes each listing will make by time alone, derived
  from its facts when it was last written (publicity end: PENDING -> ACTIVE; expiry: ->
  EXPIRED; a hold or decision already in the facts).

The count at time T is the tally plus the scheduled changes due by T (`at <= T`): exact at any
instant, with no cron job having to run first (DESIGN.md: status is derived, never stored).
Due changes are folded into the tally (`compact`) by later listing writes, in bounded batches,
so the part read per call stays small.

All three tables change in the listing's own transaction (`follow`, called wherever the
restriction index is synced: decisions and every transition), under the chain lock every
listing write already ends with, so tally rows are never updated concurrently (no deadlock,
no lost update). The schedule is derived with `status_at` itself (listings/status.py) at each
instant the facts name; `status_sql` mirrors it for SQL, pinned to it by a test. `rebuild`
recomputes everything from the listings table (migration backfill, bulk loads, repair) and a
test holds the incremental tables equal to a rebuild after decisions, holds, lifts and
expiries. A new write path that changes listings must call `follow` too.
"""
