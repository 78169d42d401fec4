"""The real migrations build every schema and can be walked down and up again."""

import asyncio

import asyncpg
import pytest

from libs.common import migrate
from libs.common.testing import _asyncpg_kwargs


async def test_migrations_create_each_service_schema_with_its_own_version_table(db_url):
    conn = await asyncpg.connect(**_asyncpg_kwargs(db_url))
    try:
        rows = await conn.fetch(
            "select table_schema from information_schema.tables where table_name = 'alembic_version'")
        schemas = {r["table_schema"] for r in rows}
    finally:
        await conn.close()
    assert "identity" in schemas


async def test_identity_downgrade_to_base_and_upgrade_again(db_url):
    from alembic import command
    from alembic.config import Config

    cfg = Config(str(migrate.ROOT / "alembic.ini"), ini_section="identity")
    cfg.set_main_option("script_location", str(migrate.ROOT / "migrations" / "identity"))
    cfg.attributes["dsn"] = db_url
    await asyncio.to_thread(command.downgrade, cfg, "base")
    conn = await asyncpg.connect(**_asyncpg_kwargs(db_url))
    try:
        assert await conn.fetchval("select to_regclass('identity.subjects')") is None
    finally:
        await conn.close()
    await asyncio.to_thread(command.upgrade, cfg, "head")
    conn = await asyncpg.connect(**_asyncpg_kwargs(db_url))
    try:
        assert await conn.fetchval("select to_regclass('identity.subjects')") is not None
    finally:
        await conn.close()
