"""The real migrations build every schema and can be walked down and up again."""

import asyncio

import asyncpg

from devtools.testing import asyncpg_kwargs
from libs.common import migrate


async def test_migrations_create_each_service_schema_with_its_own_version_table(db_url):
    conn = await asyncpg.connect(**asyncpg_kwargs(db_url))
    try:
        rows = await conn.fetch(
            "select table_schema from information_schema.tables where table_name = 'alembic_version'")
        schemas = {r["table_schema"] for r in rows}
    finally:
        await conn.close()
    assert "identity" in schemas


async def test_identity_downgrade_to_base_and_upgrade_again(db_url):
    await asyncio.to_thread(migrate.downgrade, db_url, "identity")
    conn = await asyncpg.connect(**asyncpg_kwargs(db_url))
    try:
        assert await conn.fetchval("select to_regclass('identity.subjects')") is None
    finally:
        await conn.close()
    await asyncio.to_thread(migrate.upgrade, db_url, ("identity",))
    conn = await asyncpg.connect(**asyncpg_kwargs(db_url))
    try:
        assert await conn.fetchval("select to_regclass('identity.subjects')") is not None
    finally:
        await conn.close()
