"""The asyncpg connection under a SQLAlchemy session, for COPY and streaming cursors."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


async def driver_connection(session: AsyncSession):
    """The session's asyncpg connection, inside the session's transaction.

    SQLAlchemy's asyncpg adapter opens the real transaction lazily at the first statement, so
    without one the driver connection would run in autocommit: row locks would be released at
    once and a COPY would commit on its own.
    """
    conn = await session.connection()
    pg = (await conn.get_raw_connection()).driver_connection
    if not pg.is_in_transaction():
        await conn.execute(text("SELECT 1"))
    assert pg.is_in_transaction()
    return pg
