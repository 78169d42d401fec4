"""All SQL of the ingestion, on the session's asyncpg connection (the bulk path stays below
the ORM on purpose: binary COPY and array parameters are most of its speed).

Chain heads of the sources, current versions, fresh record ids, superseding, the COPY of new
rows, and the kinds of subjects already confirmed by identity.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import NamedTuple

from sqlalchemy.ext.asyncio import AsyncSession

from services.records.ingestion import copyrows
from services.records.pg import driver_connection

# Rows encoded between chances for other tasks (a chunk being prepared, a lookup) to run.
ENCODE_EVERY = 512


class ChainHead(NamedTuple):
    """The last link of a source's hash chain: its position and hash."""

    seq: int
    hash: bytes


class CurrentVersion(NamedTuple):
    """The current version of a record, as versioning needs it."""

    record_id: int
    version: int
    content_hash: bytes


class RecordVersion(NamedTuple):
    record_id: int
    version: int


class ChainedRow(NamedTuple):
    """A new version ready to copy: chain and lifecycle fields, then its encoded static part."""

    record_id: int
    version: int
    subject_kind: str
    status: str
    is_current: bool
    chain_seq: int
    prev_hash: bytes
    hash: bytes
    static: bytes


class IngestionRepository:
    def __init__(self, pg) -> None:
        self.pg = pg

    @classmethod
    async def of(cls, session: AsyncSession) -> IngestionRepository:
        """The repository on `session`'s connection, inside its transaction."""
        return cls(await driver_connection(session))

    async def head(self, agency: str, *, lock: bool = False) -> ChainHead | None:
        """The source's chain head; with `lock`, its row lock is held to commit."""
        row = await self.pg.fetchrow(
            "SELECT head_seq, head_hash FROM records.sources WHERE code = $1"
            + (" FOR UPDATE" if lock else ""), agency)
        return None if row is None else ChainHead(row[0], bytes(row[1]))

    async def move_head(self, agency: str, head: ChainHead) -> None:
        await self.pg.execute("UPDATE records.sources SET head_seq = $2, head_hash = $3"
                              " WHERE code = $1", agency, head.seq, head.hash)

    async def current_versions(self, agency: str,
                               source_ids: Sequence[str]) -> dict[str, CurrentVersion]:
        """Current versions by the source's own record id."""
        return {r[0]: CurrentVersion(r[1], r[2], bytes(r[3])) for r in await self.pg.fetch(
            "SELECT source_record_id, record_id, version, content_hash"
            " FROM records.credit_records"
            " WHERE agency = $1 AND source_record_id = ANY($2::text[]) AND is_current",
            agency, list(source_ids))}

    async def new_record_ids(self, count: int) -> list[int]:
        if not count:
            return []
        return [r[0] for r in await self.pg.fetch(
            "SELECT nextval('records.record_id_seq') FROM generate_series(1, $1)", count)]

    async def supersede(self, versions: Sequence[RecordVersion]) -> None:
        """These versions are no longer current."""
        await self.pg.execute(
            "UPDATE records.credit_records SET is_current = false, status = 'SUPERSEDED'"
            " WHERE (record_id, version) IN (SELECT * FROM unnest($1::bigint[], $2::int[]))",
            [v.record_id for v in versions], [v.version for v in versions])

    async def copy(self, rows: Sequence[ChainedRow], recorded_us: int) -> None:
        """Insert the rows by binary COPY, all recorded at `recorded_us` (Unix microseconds)."""
        await self.pg.copy_to_table("credit_records", schema_name="records",
                                    columns=copyrows.COLUMNS, format="binary",
                                    source=_copy_data(rows, recorded_us))

    async def known_kinds(self, codes: Sequence[str]) -> dict[str, str]:
        """Kinds of the subjects among `codes` that identity confirmed before."""
        return dict(await self.pg.fetch("SELECT code, kind FROM records.known_subjects"
                                        " WHERE code = ANY($1::text[])", list(codes)))

    async def remember_kinds(self, kinds: dict[str, str]) -> None:
        await self.pg.execute("INSERT INTO records.known_subjects (code, kind)"
                              " SELECT * FROM unnest($1::text[], $2::text[])"
                              " ON CONFLICT DO NOTHING", list(kinds), list(kinds.values()))


async def _copy_data(rows: Sequence[ChainedRow], recorded_us: int) -> AsyncIterator[bytes]:
    """The rows in binary COPY format, in pieces, so PostgreSQL starts on the first rows while
    the rest are encoded."""
    encode = copyrows.row
    yield copyrows.HEADER
    for start in range(0, len(rows), ENCODE_EVERY):
        yield b"".join([encode(record_id, version, kind, status, is_current, recorded_us, seq,
                               prev, digest, static)
                        for record_id, version, kind, status, is_current, seq, prev, digest, static
                        in rows[start:start + ENCODE_EVERY]])
    yield copyrows.TRAILER
