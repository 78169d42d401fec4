"""The database going away is UNAVAILABLE (the same request may work later), never a bug."""

import asyncio

import asyncpg
import pytest
from sqlalchemy import text

from devtools.testing import asyncpg_kwargs
from libs.common.db import create_engine, is_unavailable, make_sessionmaker, transaction
from libs.common.errors import Unavailable
from libs.common.settings import CommonSettings


@pytest.mark.parametrize("exc", [
    asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator command"),
    asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
    asyncpg.exceptions.CrashShutdownError("crash shutdown"),
    asyncpg.exceptions.TooManyConnectionsError("too many clients"),
    asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed"),
    ConnectionRefusedError(111, "refused"),
], ids=lambda e: type(e).__name__)
def test_down_starting_and_shutting_down_are_unavailable(exc):
    assert is_unavailable(exc)


@pytest.mark.parametrize("exc", [
    asyncpg.exceptions.UniqueViolationError("duplicate key"),
    asyncpg.exceptions.QueryCanceledError("canceling statement due to statement timeout"),
    ValueError("a bug"),
], ids=lambda e: type(e).__name__)
def test_other_failures_are_not_unavailable(exc):
    assert not is_unavailable(exc)


async def test_a_backend_terminated_mid_transaction_is_unavailable(db_url):
    engine = create_engine(CommonSettings(database_url=db_url), application_name="xy-terminated")
    sessionmaker = make_sessionmaker(engine)
    admin = await asyncpg.connect(**asyncpg_kwargs(db_url))
    try:
        with pytest.raises(Unavailable):
            async with transaction(sessionmaker) as session:
                pid = await session.scalar(text("select pg_backend_pid()"))
                await admin.execute("select pg_terminate_backend($1)", pid)
                await asyncio.sleep(0.1)
                await session.execute(text("select 1"))
        # The pool recovers: the next unit of work gets a new connection.
        async with transaction(sessionmaker) as session:
            assert await session.scalar(text("select 1")) == 1
    finally:
        await admin.close()
        await engine.dispose()
