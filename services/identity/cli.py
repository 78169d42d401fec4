"""`xinyong identity ...`: bulk registration from an NDJSON file."""

from __future__ import annotations

import asyncio
import json
import sys
from functools import partial
from pathlib import Path

import typer

app = typer.Typer(help="Identity service: subjects and codes.", no_args_is_help=True)


async def _file_lines(path: Path):
    with path.open("rb") as fh:
        for line in fh:
            yield line.rstrip(b"\r\n")


async def import_file(path: Path, database_url: str, chunk_size: int, show_progress: bool) -> dict:
    """Register every subject in an NDJSON file through the same rules as the REST endpoint."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    from libs.common.db import create_engine, make_sessionmaker, transaction
    from services.identity.config import IdentitySettings
    from services.identity.subjects.service import bulk_register

    settings = IdentitySettings(database_url=database_url) if database_url else IdentitySettings()
    engine = create_engine(settings, application_name="xinyong-identity-import")
    size = path.stat().st_size
    progress = Progress(TextColumn("[bold]importing[/] {task.fields[lines]} lines"), BarColumn(),
                        DownloadColumn(), TimeRemainingColumn(), disable=not show_progress,
                        transient=False)
    try:
        with progress:
            task = progress.add_task("import", total=size, lines=0)

            def report(lines: int, done: int) -> None:
                progress.update(task, completed=done, lines=lines)

            result = await bulk_register(partial(transaction, make_sessionmaker(engine)),
                                         _file_lines(path), chunk_size=chunk_size, progress=report)
    finally:
        await engine.dispose()
    return result.as_dict()


@app.command("import")
def import_command(
    path: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True,
                                help="NDJSON file: one {code, kind, name, registrationNumber?} per line"),
    database_url: str = typer.Option("", envvar=["XINYONG_IDENTITY_DATABASE_URL", "DATABASE_URL"],
                                     help="PostgreSQL DSN"),
    chunk_size: int = typer.Option(1000, min=1, max=50_000, help="lines per transaction"),
    progress: bool = typer.Option(True, help="show a progress bar on stderr"),
) -> None:
    """Register subjects from NDJSON; idempotent on code, with per-line errors on stdout."""
    result = asyncio.run(import_file(path, database_url, chunk_size, progress and sys.stderr.isatty()))
    typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
    typer.echo(f"{result['created']} created, {result['unchanged']} unchanged, "
               f"{len(result['rejected'])} rejected", err=True)
    if result["rejected"]:
        raise typer.Exit(1)
