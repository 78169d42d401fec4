"""Alembic plumbing shared by the per-service environments, and a programmatic upgrade."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from sqlalchemy import pool, text
from sqlalchemy.ext.asyncio import create_async_engine

from libs.common.settings import asyncpg_url

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("identity", "records", "sanctions")


def run_env(context, schema: str, target_metadata) -> None:
    """Body of every migrations/<service>/env.py: one schema, its own version table."""
    config = context.config
    dsn = (context.get_x_argument(as_dictionary=True).get("dsn")
           or config.attributes.get("dsn")
           or os.environ.get("XINYONG_DATABASE_URL") or os.environ.get("DATABASE_URL"))
    if not dsn:
        raise RuntimeError("no database: set DATABASE_URL or pass -x dsn=...")

    def include_object(obj, name, type_, reflected, compare_to):
        if type_ == "table":
            return obj.schema == schema
        return True

    def do_run(connection) -> None:
        connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            version_table="alembic_version",
            version_table_schema=schema,
            include_schemas=True,
            include_object=include_object,
            compare_type=True,
            transaction_per_migration=True,
        )
        with context.begin_transaction():
            context.run_migrations()

    async def main() -> None:
        engine = create_async_engine(asyncpg_url(dsn), poolclass=pool.NullPool)
        async with engine.connect() as conn:
            await conn.run_sync(do_run)
            await conn.commit()
        await engine.dispose()

    if context.is_offline_mode():
        raise RuntimeError("offline migrations are not supported; run against a database")
    asyncio.run(main())


def config(service: str, dsn: str):
    """The alembic config of one service's section, pointed at `dsn`."""
    from alembic.config import Config

    cfg = Config(str(ROOT / "alembic.ini"), ini_section=service)
    cfg.set_main_option("script_location", str(ROOT / "migrations" / service))
    cfg.attributes["dsn"] = dsn
    return cfg


def upgrade(dsn: str, services: tuple[str, ...] = SERVICES, revision: str = "head") -> None:
    """Run each service's migrations to `revision` (blocking; call from a thread under asyncio)."""
    from alembic import command

    for service in services:
        if (ROOT / "migrations" / service / "env.py").exists():
            command.upgrade(config(service, dsn), revision)


def downgrade(dsn: str, service: str, revision: str = "base") -> None:
    """Walk one service's migrations down to `revision` (blocking)."""
    from alembic import command

    command.downgrade(config(service, dsn), revision)
