"""Engine and session lifecycle. Engines are built in lifespan, never at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase

from libs.common.errors import Unavailable
from libs.common.settings import CommonSettings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def make_base(schema: str) -> type[DeclarativeBase]:
    """A declarative base bound to one service's schema with the shared naming convention."""

    class Base(DeclarativeBase):
        metadata = MetaData(schema=schema, naming_convention=NAMING_CONVENTION)

    return Base


def create_engine(settings: CommonSettings, *, url: str | None = None,
                  application_name: str = "xinyong") -> AsyncEngine:
    """An asyncpg engine with a server-side statement timeout on every connection."""
    dsn = url or settings.database_url
    if not dsn:
        raise RuntimeError("no database configured: set DATABASE_URL or XINYONG_DATABASE_URL")
    return create_async_engine(
        dsn,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_pre_ping=False,
        connect_args={
            "server_settings": {
                "statement_timeout": str(settings.statement_timeout_ms),
                "application_name": application_name,
                "timezone": "UTC",
            }
        },
    )


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


# SQLSTATEs after which the same request may work later: connection exceptions (class 08),
# the server shutting down or starting up (57P01-57P03), too many connections (53300).
_UNAVAILABLE_SQLSTATES = ("57P01", "57P02", "57P03", "53300")


def _chain(exc: BaseException | None) -> Iterator[BaseException]:
    """`exc` and what it wraps (SQLAlchemy's `orig`, then each `__cause__`)."""
    seen = 0
    while exc is not None and seen < 6:
        yield exc
        exc = getattr(exc, "orig", None) or exc.__cause__
        seen += 1


def sqlstate_of(exc: BaseException | None) -> str | None:
    """The PostgreSQL SQLSTATE behind `exc`, however the driver and SQLAlchemy wrapped it."""
    for e in _chain(exc):
        state = getattr(e, "sqlstate", None) or getattr(e, "pgcode", None)
        if isinstance(state, str):
            return state
    return None


def is_unavailable(exc: BaseException | None) -> bool:
    """Whether `exc` means the database could not be reached or used right now (not a bug)."""
    import asyncpg  # local: keeps import of this module cheap for tools
    from sqlalchemy.exc import DBAPIError, InterfaceError

    for e in _chain(exc):
        if isinstance(e, (OSError, asyncpg.InterfaceError, asyncpg.ConnectionDoesNotExistError,
                          InterfaceError)):
            return True
        if isinstance(e, DBAPIError) and e.connection_invalidated:
            return True
    state = sqlstate_of(exc)
    return state is not None and (state.startswith("08") or state in _UNAVAILABLE_SQLSTATES)


DATABASE_UNAVAILABLE = "the database is unavailable; try again"


@contextmanager
def unavailable_when_down() -> Iterator[None]:
    """Turn the database being down, starting or shutting down into UNAVAILABLE."""
    try:
        yield
    except Unavailable:
        raise
    except Exception as exc:
        if is_unavailable(exc):
            raise Unavailable(DATABASE_UNAVAILABLE) from exc
        raise


@asynccontextmanager
async def transaction(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One unit of work: commit when the block ends, roll back on any error.

    Database connection failures surface as UNAVAILABLE rather than as internal errors.
    """
    with unavailable_when_down():
        async with sessionmaker() as session:
            async with session.begin():
                yield session
