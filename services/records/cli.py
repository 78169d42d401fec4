"""`xinyong records ...`: bulk import with a progress bar, chain verification, archiving."""

from __future__ import annotations

import asyncio
import json
import sys
from functools import partial
from pathlib import Path

import typer

app = typer.Typer(help="Records service: credit records and their sources.", no_args_is_help=True)

DB_OPTION = typer.Option("", envvar=["XINYONG_RECORDS_DATABASE_URL", "DATABASE_URL"],
                         help="PostgreSQL DSN")


def _settings(database_url: str, **extra):
    from services.records.config import RecordsSettings

    return RecordsSettings(database_url=database_url, **extra) if database_url else RecordsSettings(**extra)


async def import_file(path: Path, agency: str, database_url: str, identity_url: str,
                      chunk_size: int, show_progress: bool, identity_transport=None) -> dict:
    """Ingest an NDJSON file as `agency`, through the same rules as the REST endpoint."""
    from libs.common.db import create_engine, make_sessionmaker, transaction
    from libs.common.ndjson import file_pieces, file_progress
    from libs.contracts.identity import IdentityClient
    from services.records.ingestion.pipeline import ingest_ndjson
    from services.records.ingestion.subjects import SubjectDirectory
    from services.records.ingestion.workers import ChunkParser

    settings = _settings(database_url)
    engine = create_engine(settings, application_name="xinyong-records-import")
    identity = IdentityClient(identity_url or settings.identity_internal_url,
                              settings.gateway_secret,
                              caller="records-import", transport=identity_transport)
    parser = ChunkParser(settings.ingest_workers)
    try:
        with file_progress(path, "ingesting", show_progress) as progress:
            result = await ingest_ndjson(
                partial(transaction, make_sessionmaker(engine)), agency, file_pieces(path),
                SubjectDirectory(identity, make_sessionmaker(engine)), chunk_size=chunk_size,
                progress=progress, parser=parser)
    finally:
        parser.close()
        await identity.aclose()
        await engine.dispose()
    return result.as_dict()


@app.command("import")
def import_command(
    path: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True,
                                help="NDJSON: one RecordInput-shaped object per line"),
    agency: str = typer.Option(..., help="source agency code the records come from, e.g. SPC"),
    database_url: str = DB_OPTION,
    identity_url: str = typer.Option("", envvar="XINYONG_IDENTITY_INTERNAL_URL",
                                     help="identity service base URL (subject lookup)"),
    chunk_size: int = typer.Option(10_000, min=1, max=50_000, help="lines per transaction"),
    progress: bool = typer.Option(True, help="show a progress bar on stderr"),
) -> None:
    """Ingest records; idempotent on (agency, sourceRecordId); per-line errors on stdout."""
    result = asyncio.run(import_file(path, agency, database_url, identity_url, chunk_size,
                                     progress and sys.stderr.isatty()))
    typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
    typer.echo(f"{result['created']} created, {result['corrected']} corrected, "
               f"{result['unchanged']} unchanged, {len(result['rejected'])} rejected", err=True)
    if result["rejected"]:
        raise typer.Exit(1)


async def verify(database_url: str, agencies: list[str]) -> dict:
    from libs.common.db import create_engine, make_sessionmaker, transaction
    from services.records.records.verify import verify_all

    settings = _settings(database_url, statement_timeout_ms=0)
    engine = create_engine(settings, application_name="xinyong-records-verify")
    try:
        async with transaction(make_sessionmaker(engine)) as session:
            result = await verify_all(session, agencies)
    finally:
        await engine.dispose()
    return {"intact": result.intact, "sources": [r.as_dict() for r in result.reports]}


@app.command("verify")
def verify_command(
    agency: list[str] = typer.Option([], help="source agency; repeatable; default all"),
    database_url: str = DB_OPTION,
) -> None:
    """Recompute each source's hash chain; exit 1 and name the first broken link if any."""
    report = asyncio.run(verify(database_url, agency))
    typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
    for source in report["sources"]:
        if source["broken"]:
            b = source["broken"]
            typer.echo(f"{source['agency']}: broken at chain position {b['chainSeq']} "
                       f"(record {b['recordId']} v{b['version']}): {b['reason']}", err=True)
    if not report["intact"]:
        raise typer.Exit(1)


@app.command("archive")
def archive_command(database_url: str = DB_OPTION) -> None:
    """Archive records past their retention period (marked and published, never deleted)."""
    from libs.common.db import create_engine, make_sessionmaker, transaction
    from services.records.records.policy import today_in_china
    from services.records.records.retention import archive_due

    async def run() -> int:
        engine = create_engine(_settings(database_url), application_name="xinyong-records-archive")
        total = 0
        try:
            while True:
                async with transaction(make_sessionmaker(engine)) as session:
                    n = await archive_due(session, today_in_china())
                total += n
                if n == 0:
                    return total
        finally:
            await engine.dispose()

    typer.echo(f"{asyncio.run(run())} records archived")
