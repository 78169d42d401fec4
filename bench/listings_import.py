"""(i) Migrating listings (POST /listings/bulk's pipeline, as `xinyong sanctions import` runs it)
beside raw COPY of the same rows.

Writes an NDJSON file of `n` SPC_DISHONEST_DEBTORS listings decided within the last two years
(so some expired, most in force; organisations reach their legal representatives), migrates it
against the running identity and records services into the bench database, then takes the rows
the migration wrote to the listing tables, the index and the summary's facets, deletes them and
COPYs them back: the floor for writing the same rows.

    .venv/bin/python -m bench.run --scale small --only import [--import-listings 20000]
"""

from __future__ import annotations

import os
import random
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import orjson

# The tables a migrated listing has rows in (decision log and change feed are append-only and
# stay), children first for the delete.
TABLES = ("listing_status_schedule", "listing_facets", "restrictions", "listing_derivations",
          "listing_measures", "listings")
PREFIX = "BENCH-IMPORT-"


def write_file(path: Path, n: int, codes: list[str], seed: int = 15) -> int:
    rnd = random.Random(seed)
    now = datetime.now(timezone(timedelta(hours=8))).replace(microsecond=0)
    with path.open("wb") as fh:
        for i in range(n):
            decided = now - timedelta(days=rnd.randint(1, 720), minutes=rnd.randint(0, 1440))
            fh.write(orjson.dumps({
                "sourceListingId": f"{PREFIX}{i:09d}", "listCode": "SPC_DISHONEST_DEBTORS",
                "subjectCode": codes[i % len(codes)],
                "legalBasis": {"number": f"({decided.year})京01执{i}号", "kind": "执行裁定书",
                               "issuedOn": decided.date().isoformat(),
                               "authority": "北京市第一中级人民法院"},
                "decidedAt": decided.isoformat(), "effectiveFrom": decided.isoformat(),
                "effectiveUntil": (decided + timedelta(days=rnd.choice((365, 540, 730)))
                                   ).isoformat()}) + b"\n")
    return path.stat().st_size


async def listing_import(dsn: str, identity_url: str, records_url: str, gateway_secret: str,
                         codes: list[str], n: int, chunk: int) -> dict:
    from libs.common.db import create_engine, make_sessionmaker
    from libs.common.ndjson import file_pieces
    from services.sanctions.clients import build_dependencies
    from services.sanctions.config import SanctionsSettings
    from services.sanctions.imports.service import import_ndjson

    settings = SanctionsSettings(database_url=dsn, environment="test", statement_timeout_ms=0,
                                 identity_internal_url=identity_url,
                                 records_internal_url=records_url,
                                 gateway_secret=gateway_secret, internal_timeout_seconds=60)
    engine = create_engine(settings, application_name="bench-import")
    sessionmaker = make_sessionmaker(engine)
    deps = build_dependencies(settings)
    out: dict = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "listings.ndjson"
            size = write_file(path, n, codes)
            profile = None
            if os.environ.get("XINYONG_BENCH_PROFILE"):  # cProfile of this process, to a file
                import cProfile

                profile = cProfile.Profile()
                profile.enable()
            t0, c0 = time.perf_counter(), time.process_time()
            result = await import_ndjson(sessionmaker, deps, "SPC", file_pieces(path),
                                         chunk_size=chunk)
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
            if profile is not None:
                profile.disable()
                profile.dump_stats(os.environ["XINYONG_BENCH_PROFILE"])
            out["import"] = {"listings": n, "seconds": wall, "rps": n / wall, "cpu_s": cpu,
                             "created": result.created, "rejected": len(result.rejected),
                             "mb": size / 1e6}
            if result.rejected:
                out["import"]["first_rejection"] = result.rejected[0].as_dict()
            t0 = time.perf_counter()
            again = await import_ndjson(sessionmaker, deps, "SPC", file_pieces(path),
                                        chunk_size=chunk)
            wall = time.perf_counter() - t0
            out["resubmit"] = {"listings": n, "seconds": wall, "rps": n / wall,
                               "unchanged": again.unchanged}
        out["copy"] = await copy_baseline(sessionmaker, chunk)
    finally:
        await deps.aclose()
        await engine.dispose()
    return out


async def copy_baseline(sessionmaker, chunk: int) -> dict:
    """The migrated rows of every table, deleted and COPY'd back in chunks of `chunk` listings."""
    from libs.common.db import transaction
    from services.records.pg import driver_connection

    where = {"listings": "id = ANY($1)"}
    rows: dict[str, tuple[list[str], list[tuple]]] = {}
    async with transaction(sessionmaker) as session:
        pg = await driver_connection(session)
        ids = [r[0] for r in await pg.fetch(
            "SELECT id FROM sanctions.listings WHERE source_listing_id LIKE $1 ORDER BY id",
            PREFIX + "%")]
        for table in TABLES:
            cond = where.get(table, "listing_id = ANY($1)")
            fetched = await pg.fetch(f"SELECT * FROM sanctions.{table} WHERE {cond}", ids)
            columns = list(fetched[0].keys()) if fetched else []
            # jsonb comes back decoded (the engine's codec) and goes in as JSON text
            rows[table] = (columns, [tuple(orjson.dumps(v).decode() if isinstance(v, (list, dict))
                                           and c == "holds" else v
                                           for c, v in zip(columns, r)) for r in fetched])
        for table in TABLES:
            cond = where.get(table, "listing_id = ANY($1)")
            await pg.execute(f"DELETE FROM sanctions.{table} WHERE {cond}", ids)
    by_listing: dict[str, dict] = {}
    key = {t: (cols.index("id") if t == "listings" else cols.index("listing_id"))
           for t, (cols, _) in rows.items() if cols}
    groups = [ids[i:i + chunk] for i in range(0, len(ids), chunk)]
    index_of = {lid: g for g, part in enumerate(groups) for lid in part}
    for table, (cols, data) in rows.items():
        for r in data:
            by_listing.setdefault(table, {}).setdefault(index_of[r[key[table]]], []).append(r)
    total = sum(len(d) for _, d in rows.values())
    t0 = time.perf_counter()
    for g in range(len(groups)):
        async with transaction(sessionmaker) as session:
            pg = await driver_connection(session)
            for table in reversed(TABLES):
                part = by_listing.get(table, {}).get(g)
                if part:
                    await pg.copy_records_to_table(table, schema_name="sanctions",
                                                   columns=rows[table][0], records=part)
    wall = time.perf_counter() - t0
    return {"listings": len(ids), "rows": total, "seconds": wall, "rps": len(ids) / wall}
