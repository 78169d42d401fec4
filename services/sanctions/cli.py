"""`python -m services.sanctions.cli ...`: decision-log verification, records events."""

from __future__ import annotations

import asyncio
import json

import typer

app = typer.Typer(help="Sanctions service: decision log and records events.",
                  no_args_is_help=True)


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
def verify_log_command(
    database_url: str = typer.Option("", envvar=["XINYONG_SANCTIONS_DATABASE_URL",
                                                  "XINYONG_DATABASE_URL", "DATABASE_URL"],
                                     help="PostgreSQL DSN"),
) -> None:
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
