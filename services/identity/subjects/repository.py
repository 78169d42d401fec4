"""All SQL for subjects and their name grams."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import func, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.identity.subjects.models import Subject, SubjectNameGram


def name_grams(name: str) -> set[str]:
    """Character bigrams of a name (lower-cased); a one-character name is its own gram."""
    folded = name.lower()
    if len(folded) == 1:
        return {folded}
    return {folded[i:i + 2] for i in range(len(folded) - 1)}


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class SubjectRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, code: str) -> Subject | None:
        return await self.session.get(Subject, code)

    async def get_many(self, codes: Sequence[str]) -> dict[str, Subject]:
        if not codes:
            return {}
        rows = await self.session.scalars(select(Subject).where(Subject.code.in_(list(codes))))
        return {s.code: s for s in rows}

    async def by_organization_code(self, org_code: str) -> list[Subject]:
        rows = await self.session.scalars(
            select(Subject).where(Subject.organization_code == org_code).order_by(Subject.code))
        return list(rows)

    async def by_registration_number(self, number: str) -> Subject | None:
        return await self.session.scalar(
            select(Subject).where(Subject.registration_number == number))

    async def insert_many(self, rows: list[dict]) -> set[str]:
        """Insert subjects that are not there yet; returns the codes actually inserted."""
        if not rows:
            return set()
        stmt = (insert(Subject).values(rows)
                # No conflict target: a registration number claimed by a concurrent request
                # is skipped like a duplicate code, and the caller reports it.
                .on_conflict_do_nothing()
                .returning(Subject.code))
        inserted = set((await self.session.scalars(stmt)).all())
        grams = [{"gram": g, "code": r["code"]} for r in rows if r["code"] in inserted
                 for g in name_grams(r["name"])]
        for i in range(0, len(grams), 5000):
            await self.session.execute(
                insert(SubjectNameGram).values(grams[i:i + 5000]).on_conflict_do_nothing())
        return inserted

    async def registration_numbers_taken(self, numbers: Iterable[str]) -> dict[str, str]:
        numbers = [n for n in numbers if n]
        if not numbers:
            return {}
        rows = await self.session.execute(
            select(Subject.registration_number, Subject.code)
            .where(Subject.registration_number.in_(numbers)))
        return {n: c for n, c in rows}

    async def search(self, *, prefix: str | None, contains: str | None, kind: str | None,
                     after: str | None, limit: int) -> list[Subject]:
        """Name search ordered by (name, code), keyset-paginated after `after` = 'name\\x00code'."""
        stmt = select(Subject)
        if prefix:
            stmt = stmt.where(Subject.name.like(escape_like(prefix) + "%"))
        if contains:
            grams = sorted(name_grams(contains))
            if len(contains) == 1:
                matching = (select(SubjectNameGram.code)
                            .where(SubjectNameGram.gram.like(escape_like(contains.lower()) + "%"))
                            .distinct())
            else:
                matching = (select(SubjectNameGram.code)
                            .where(SubjectNameGram.gram.in_(grams))
                            .group_by(SubjectNameGram.code)
                            .having(func.count() == len(grams)))
            stmt = stmt.where(Subject.code.in_(matching),
                              func.lower(Subject.name).like(
                                  "%" + escape_like(contains.lower()) + "%"))
        if kind:
            stmt = stmt.where(Subject.kind == kind)
        if after:
            name, _, code = after.partition("\x00")
            stmt = stmt.where(tuple_(Subject.name, Subject.code) > tuple_(name, code))
        stmt = stmt.order_by(Subject.name, Subject.code).limit(limit)
        return list(await self.session.scalars(stmt))


__all__ = ["SubjectRepository", "name_grams"]
