"""The sanctions migrations walk down to base and up again, catalogue seed included."""

import asyncio

import asyncpg

from devtools.testing import asyncpg_kwargs
from libs.common import migrate


async def _count(db_url: str, sql: str):
    conn = await asyncpg.connect(**asyncpg_kwargs(db_url))
    try:
        return await conn.fetchval(sql)
    finally:
        await conn.close()


async def test_sanctions_downgrade_to_base_and_upgrade_again(db_url):
    assert await _count(db_url, "select count(*) from sanctions.lists") == 13
    await asyncio.to_thread(migrate.downgrade, db_url, "sanctions")
    assert await _count(db_url, "select to_regclass('sanctions.listings')") is None
    await asyncio.to_thread(migrate.upgrade, db_url, ("sanctions",))
    assert await _count(db_url, "select count(*) from sanctions.memorandum_measures") > 20
    assert await _count(db_url, "select to_regclass('sanctions.working_calendar')") is not None


async def test_the_models_match_what_the_migrations_build(db_url):
    import warnings

    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy.ext.asyncio import create_async_engine

    import services.sanctions.models  # noqa: F401
    from services.sanctions.db import SCHEMA, Base

    def diff(conn):
        ctx = MigrationContext.configure(conn, opts={
            "include_schemas": True, "compare_type": True,
            "include_object": lambda o, name, type_, r, c: (
                o.schema == SCHEMA and name != "alembic_version") if type_ == "table" else True})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # xid8 is unknown to SQLAlchemy's reflection
            return compare_metadata(ctx, Base.metadata)

    engine = create_async_engine(db_url)
    try:
        async with engine.connect() as conn:
            assert await conn.run_sync(diff) == []
    finally:
        await engine.dispose()
