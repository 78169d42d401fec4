"""Scenario (h) of bench/run.py: the dashboard queries, one request at a time, p50/p95/p99.

On the loaded database it first adds what the generator does not make: open objections on
0.2% of the listings, pending repair applications on 0.1%, and check-audit entries spread over
the last 30 days (2 per subject: 20 million at the national scale), then rebuilds the check
volume from them (the listing summary is built by the generator's load). Each query is then
sent through the gateway by one client, one after another, for a few seconds.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta, timezone

import asyncpg
import httpx

from devtools.testing import asyncpg_kwargs
from libs.common.auth import mint_token
from libs.common.timeutil import SHANGHAI
from services.sanctions.checks.volume import REBUILD as VOLUME_REBUILD

PURPOSES = ("AIR_TRAVEL", "RAIL_TRAVEL", "LUXURY_CONSUMPTION", "LENDING", "PUBLIC_PROCUREMENT",
            "SECURITIES_ISSUANCE", "GOVERNMENT_FUNDING", "ADMINISTRATIVE_LICENSING",
            "CUSTOMS_CLEARANCE")
CONSUMERS = 40  # consumer-0 .. consumer-39, each checking one purpose
TARGET_P95_MS = 300

LISTINGS = """query($f: ListingFilter, $after: String) { listings(filter: $f, first: 50,
  after: $after) { nodes { id status subjectCode list { code } effectiveUntil } totalCount
  endCursor hasMore } }"""
QUEUE = """query($k: [WorkItemKind!]) { workQueue(kinds: $k, first: 50) { nodes { kind id dueAt
  overdue summary listing { id status } } totalCount endCursor hasMore } }"""
COUNTS = """query($g: ListingGroup!, $f: ListingFilter) { listingCounts(groupBy: $g, filter: $f)
  { key label count } }"""
VOLUME = """query($from: Date!, $until: Date!, $p: Purpose, $c: String) { checkVolume(from: $from,
  until: $until, purpose: $p, consumer: $c) { day purpose checks restricted invalid } }"""


def say(msg: str) -> None:
    print(f"[bench] {msg}", flush=True)


async def prepare(dsn: str, subjects: int) -> dict:
    """Objections, repair applications and a month of check audit; the volume rebuilt."""
    conn = await asyncpg.connect(**asyncpg_kwargs(dsn))
    now = datetime.now(timezone.utc)
    out: dict = {}
    try:
        await conn.execute("SET synchronous_commit = off")
        t = time.perf_counter()
        out["objections"] = int((await conn.execute("""
            INSERT INTO sanctions.objections (id, listing_id, grounds, filed_by, filed_at,
                                              suspends, status)
            SELECT gen_random_uuid(), l.id, 'bench', l.subject_code,
                   $1::timestamptz - random() * interval '20 days', false, 'OPEN'
            FROM sanctions.listings l TABLESAMPLE BERNOULLI (0.2)
            WHERE NOT l.objection_suspends AND l.terminal_status IS NULL""", now)).split()[-1])
        out["repair_applications"] = int((await conn.execute("""
            INSERT INTO sanctions.repair_applications (id, listing_id, statement, applied_by,
                                                       applied_at, status)
            SELECT gen_random_uuid(), l.id, 'bench', l.subject_code,
                   $1::timestamptz - random() * interval '14 days', 'PENDING'
            FROM sanctions.listings l TABLESAMPLE BERNOULLI (0.1)
            JOIN sanctions.lists c ON c.code = l.list_code
            WHERE c.repair_min_days IS NOT NULL AND l.terminal_status IS NULL""", now))
            .split()[-1])
        entries = 2 * subjects
        purposes = "ARRAY[" + ", ".join(f"'{p}'" for p in PURPOSES) + "]"
        await conn.execute(f"""
            INSERT INTO sanctions.check_audit (id, checked_at, consumer, operation, purpose,
                                               subject_code, outcome, at, request_id, detail)
            SELECT gen_random_uuid(), t, 'consumer-' || (i % {CONSUMERS}),
                   CASE WHEN i % 10 = 0 THEN 'SCREEN' ELSE 'CHECK' END,
                   ({purposes})[1 + (i % {CONSUMERS}) % 9], lpad((i % 10000000)::text, 18, '0'),
                   CASE WHEN r < 0.04 THEN 'RESTRICTED' WHEN r < 0.045 THEN 'INVALID'
                        ELSE 'CLEAR' END, t, NULL, NULL
            FROM (SELECT i, $1::timestamptz - random() * interval '30 days' AS t,
                         random() AS r FROM generate_series(1, $2::bigint) AS i) AS g""",
                           now, entries)
        out["audit_entries"] = entries
        out["prepare_s"] = round(time.perf_counter() - t, 1)
        t = time.perf_counter()
        async with conn.transaction():
            for sql in VOLUME_REBUILD:
                await conn.execute(sql)
        out["volume_rebuild_s"] = round(time.perf_counter() - t, 1)
        await conn.execute("ANALYZE sanctions.check_volume; ANALYZE sanctions.objections; "
                           "ANALYZE sanctions.repair_applications; ANALYZE sanctions.check_audit")
        out["region"] = await conn.fetchval(
            "SELECT substr(region_code, 1, 4) FROM sanctions.listing_facets "
            "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
        out["listings"] = await conn.fetchval("SELECT count(*) FROM sanctions.listing_facets")
    finally:
        await conn.close()
    return out


def _pct(sorted_ms: list[float], q: float) -> float:
    return sorted_ms[min(len(sorted_ms) - 1, int(q * len(sorted_ms)))] if sorted_ms else 0.0


def timed(url: str, token: str, query: str, variables: dict, seconds: float,
          max_requests: int = 300, next_page: bool = False) -> dict:
    """One client, one request after another (3 warm-up requests first)."""
    lat: list[float] = []
    errors = 0
    sample = None
    with httpx.Client(timeout=60, headers={"authorization": f"Bearer {token}"},
                      trust_env=False) as client:
        body = {}
        for _ in range(3):
            body = client.post(url, json={"query": query, "variables": variables}).json()
        if next_page:  # time the second page, from the first page's cursor
            first = next(iter((body.get("data") or {}).values()), None) or {}
            variables = {**variables, "after": first.get("endCursor")}
        stop = time.monotonic() + seconds
        while time.monotonic() < stop and len(lat) < max_requests:
            t = time.perf_counter()
            r = client.post(url, json={"query": query, "variables": variables})
            lat.append((time.perf_counter() - t) * 1000)
            body = r.json()
            if r.status_code != 200 or body.get("errors"):
                errors += 1
                sample = sample or str(body.get("errors") or r.status_code)[:300]
    lat.sort()
    data = next(iter((body.get("data") or {}).values()), None)
    size = (data.get("totalCount") if isinstance(data, dict) else
            len(data) if isinstance(data, list) else None)
    return {"requests": len(lat), "p50_ms": _pct(lat, .5), "p95_ms": _pct(lat, .95),
            "p99_ms": _pct(lat, .99), "errors": errors, "answer": size,
            **({"error": sample} if sample else {})}


def scenario_dashboard(a: dict, gateway: str, dsn: str, subjects: int, seconds: float,
                       jwt_secret: str) -> None:
    say("(h) dashboard queries: preparing objections, repair applications and a month of "
        "check audit")
    info = asyncio.run(prepare(dsn, subjects))
    say(f"    {info['objections']:,} objections, {info['repair_applications']:,} repair "
        f"applications, {info['audit_entries']:,} audit entries in {info['prepare_s']} s; "
        f"check volume rebuilt in {info['volume_rebuild_s']} s")
    url = gateway + "/graphql"
    analyst = mint_token("bench-analyst", ["analyst"], secret=jwt_secret)
    official = mint_token("bench-spc", ["authority"], agency="SPC", secret=jwt_secret)
    admin = mint_token("bench-admin", ["admin"], secret=jwt_secret)
    today = datetime.now(SHANGHAI).date()
    month = {"from": (today - timedelta(days=29)).isoformat(),
             "until": (today + timedelta(days=1)).isoformat()}
    per = max(2.0, seconds / 3)
    runs = {
        "listings, no filter (analyst)": (analyst, LISTINGS, {}, False),
        "listings, second page (analyst)": (analyst, LISTINGS, {}, True),
        "listings, ACTIVE, own agency (SPC official)": (
            official, LISTINGS, {"f": {"status": ["ACTIVE"]}}, False),
        f"listings, region {info['region']} (counted from facets)": (
            analyst, LISTINGS, {"f": {"region": info["region"]}}, False),
        "listings, ending within 30 days": (analyst, LISTINGS, {"f": {
            "effectiveUntilBefore": (datetime.now(timezone.utc) + timedelta(days=30))
            .isoformat(), "status": ["ACTIVE"]}}, False),
        "workQueue, own agency (SPC official)": (official, QUEUE, {}, False),
        "workQueue, all agencies (admin)": (admin, QUEUE, {}, False),
        "listingCounts PROVINCE, in force": (analyst, COUNTS, {"g": "PROVINCE"}, False),
        "listingCounts LIST, in force": (analyst, COUNTS, {"g": "LIST"}, False),
        "listingCounts MONTH_DECIDED, every status": (
            analyst, COUNTS, {"g": "MONTH_DECIDED", "f": {}}, False),
        "listingCounts STATUS, one list": (
            analyst, COUNTS, {"g": "STATUS", "f": {"listCode": "SPC_DISHONEST_DEBTORS"}}, False),
        "checkVolume, 30 days": (analyst, VOLUME, month, False),
        "checkVolume, 30 days, one purpose and consumer": (
            analyst, VOLUME, {**month, "p": "AIR_TRAVEL", "c": "consumer-0"}, False),
    }
    out = {"prepared": info}
    for name, (token, query, variables, next_page) in runs.items():
        r = timed(url, token, query, variables, per, next_page=next_page)
        out[name] = r
        say(f"    {name}: p50 {r['p50_ms']:.1f} ms, p95 {r['p95_ms']:.1f} ms, "
            f"p99 {r['p99_ms']:.1f} ms ({r['requests']} requests, {r['errors']} errors)")
    a["dashboard"] = out


def report(a: dict) -> list[str]:
    d = a.get("dashboard")
    if not d:
        return []
    p = d["prepared"]
    lines = ["", "## (h) dashboard queries, one request at a time through the gateway", "",
             f"{p['listings']:,} listings; {p['objections']:,} open objections, "
             f"{p['repair_applications']:,} pending repair applications and "
             f"{p['audit_entries']:,} check-audit entries over 30 days added for the scenario "
             f"({p['prepare_s']} s; check volume rebuilt from them in {p['volume_rebuild_s']} s).",
             "", "| query | requests | p50 ms | p95 ms | p99 ms | errors | answer |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for name, r in d.items():
        if name == "prepared":
            continue
        lines.append(f"| {name} | {r['requests']} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | "
                     f"{r['p99_ms']:.1f} | {r['errors']} | {r['answer']} |")
    return lines


def target(a: dict) -> tuple[str, bool] | None:
    d = a.get("dashboard")
    if not d:
        return None
    runs = {k: v for k, v in d.items() if k != "prepared"}
    worst = max(runs, key=lambda k: runs[k]["p95_ms"])
    errors = sum(r["errors"] for r in runs.values())
    return (f"worst p95 {runs[worst]['p95_ms']:.1f} ms ({worst}), {errors} errors",
            runs[worst]["p95_ms"] <= TARGET_P95_MS and not errors)
