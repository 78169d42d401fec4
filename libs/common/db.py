"""Engine and session lifecycle. Engines are built in lifespan, never at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
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


@asynccontextmanager
async def transaction(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One unit of work: commit when the block ends, roll back on any error.

    Database connection failures surface as UNAVAILABLE rather than as internal errors.
    """
    import asyncpg  # local: keeps import of this module cheap for tools
    from sqlalchemy.exc import DBAPIError, InterfaceError

    try:
        async with sessionmaker() as session:
            async with session.begin():
                yield session
    except (OSError, asyncpg.exceptions.CannotConnectNowError, InterfaceError) as exc:
        raise Unavailable("the database is unavailable; try again") from exc
    except DBAPIError as exc:
        if isinstance(getattr(exc, "orig", None), OSError) or exc.connection_invalidated:
            raise Unavailable("the database is unavailable; try again") from exc
        raise
