"""`python -m services.sanctions.cli ...` (`xinyong sanctions ...`): migrating listings from a
file, decision-log verification, records events."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import typer

app = typer.Typer(help="Sanctions service: listing migration, decision log and records events.",
                  no_args_is_help=True)
DB_OPTION = typer.Option("", envvar=["XINYONG_SANCTIONS_DATABASE_URL", "XINYONG_DATABASE_URL",
                                     "DATABASE_URL"], help="PostgreSQL DSN")


async def import_file(path: Path, agency: str, database_url: str, *, identity_url: str = "",
                      records_url: str = "", chunk_size: int = 2_000, show_progress: bool = False,
                      identity_transport=None, records_transport=None) -> dict:
    """Migrate an NDJSON file of listings as `agency`, by the rules of POST /listings/bulk."""
    from libs.common.db import create_engine, make_sessionmaker
    from libs.common.ndjson import file_pieces, file_progress
    from services.sanctions.clients import build_dependencies
    from services.sanctions.config import SanctionsSettings
    from services.sanctions.imports.service import import_ndjson

    extra = {k: v for k, v in (("identity_internal_url", identity_url),
                               ("records_internal_url", records_url)) if v}
    settings = (SanctionsSettings(database_url=database_url, **extra) if database_url
                else SanctionsSettings(**extra))
    engine = create_engine(settings, application_name="xinyong-sanctions-import")
    deps = build_dependencies(settings, identity_transport=identity_transport,
                              records_transport=records_transport)
    try:
        with file_progress(path, "migrating", show_progress) as progress:
            result = await import_ndjson(
                make_sessionmaker(engine), deps, agency, file_pieces(path),
                chunk_size=chunk_size, progress=progress)
    finally:
        await deps.aclose()
        await engine.dispose()
    return result.as_dict()


@app.command("import")
def import_command(
    path: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True,
                                help="NDJSON: one listing per line (API.md, POST /listings/bulk)"),
    agency: str = typer.Option(..., help="the agency that decided the listings, e.g. SPC"),
    database_url: str = DB_OPTION,
    identity_url: str = typer.Option("", envvar="XINYONG_IDENTITY_INTERNAL_URL",
                                     help="identity service base URL (subjects, roles)"),
    records_url: str = typer.Option("", envvar="XINYONG_RECORDS_INTERNAL_URL",
                                    help="records service base URL (basis records)"),
    chunk_size: int = typer.Option(2_000, min=1, max=10_000, help="lines per transaction"),
    progress: bool = typer.Option(True, help="show a progress bar on stderr"),
) -> None:
    """Migrate listings decided elsewhere; idempotent on (agency, sourceListingId); per-line
    rejections on stdout, exit 1 when any line was rejected."""
    result = asyncio.run(import_file(path, agency, database_url, identity_url=identity_url,
                                     records_url=records_url, chunk_size=chunk_size,
                                     show_progress=progress and sys.stderr.isatty()))
    typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
    typer.echo(f"{result['created']} created, {result['corrected']} corrected, "
               f"{result['unchanged']} unchanged, {len(result['rejected'])} rejected", err=True)
    if result["rejected"]:
        raise typer.Exit(1)


async def verify_log(database_url: str) -> dict:
    """Recompute the hash chain of the decision log; the first broken entry if any."""
    from libs.common.db import create_engine, make_sessionmaker, transaction
    from services.sanctions.config import SanctionsSettings
    from services.sanctions.decisionlog.chain import verify

    settings = SanctionsSettings(database_url=database_url) if database_url else SanctionsSettings()
    engine = create_engine(settings, application_name="xinyong-sanctions-verify")
    try:
        async with transaction(make_sessionmaker(engine)) as session:
            result = await verify(session)
    finally:
        await engine.dispose()
    return {"ok": result.ok, "entries": result.entries, "firstBadId": result.first_bad_id,
            "reason": result.reason}


@app.command("verify-log")
def verify_log_command(database_url: str = DB_OPTION) -> None:
    """Verify the hash-chained decision log; exit 1 when an entry was altered or removed."""
    result = asyncio.run(verify_log(database_url))
    typer.echo(json.dumps(result, ensure_ascii=False))
    if not result["ok"]:
        raise typer.Exit(1)


@app.command("consume-events")
def consume_events_command(
    database_url: str = typer.Option("", envvar=["XINYONG_SANCTIONS_DATABASE_URL",
                                                  "XINYONG_DATABASE_URL", "DATABASE_URL"]),
) -> None:
    """Apply the records service's pending outbox events once (the service also polls)."""

    async def run() -> dict:
        from libs.common.db import create_engine, make_sessionmaker
        from services.sanctions.clients import build_dependencies
        from services.sanctions.config import SanctionsSettings
        from services.sanctions.events.consumer import consume_once

        settings = (SanctionsSettings(database_url=database_url) if database_url
                    else SanctionsSettings())
        engine = create_engine(settings, application_name="xinyong-sanctions-events")
        deps = build_dependencies(settings)
        total = {"applied": 0, "duplicates": 0}
        try:
            while True:
                r = await consume_once(make_sessionmaker(engine), deps.records,
                                       limit=settings.records_events_batch)
                total["applied"] += r["applied"]
                total["duplicates"] += r["duplicates"]
                if not r["hasMore"]:
                    return total
        finally:
            await deps.aclose()
            await engine.dispose()

    typer.echo(json.dumps(asyncio.run(run())))


if __name__ == "__main__":
    app()
