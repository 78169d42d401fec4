"""All catalogue SQL."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import delete, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.sanctions.catalogue.models import (
    CalendarDay,
    CreditList,
    Measure,
    Memorandum,
    MemorandumMeasure,
)


class CatalogueRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def list_by_code(self, code: str) -> CreditList | None:
        return await self.session.get(CreditList, code)

    async def list_as_stored(self, code: str) -> CreditList | None:
        """The list as the database has it now (after an upsert in this transaction)."""
        found = await self.session.get(CreditList, code)
        if found is not None:
            await self.session.refresh(found)
        return found

    async def lists(self) -> list[CreditList]:
        return list((await self.session.execute(select(CreditList).order_by(CreditList.code)))
                    .scalars())

    async def lists_by_codes(self, codes: list[str]) -> dict[str, CreditList]:
        rows = await self.session.execute(select(CreditList).where(CreditList.code.in_(codes)))
        return {r.code: r for r in rows.scalars()}

    async def measures(self) -> list[Measure]:
        return list((await self.session.execute(select(Measure).order_by(Measure.code))).scalars())

    async def measures_by_codes(self, codes: list[str]) -> dict[str, Measure]:
        rows = await self.session.execute(select(Measure).where(Measure.code.in_(codes)))
        return {r.code: r for r in rows.scalars()}

    async def memoranda(self) -> list[Memorandum]:
        return list((await self.session.execute(select(Memorandum).order_by(Memorandum.code)))
                    .scalars())

    async def bindings_of_memoranda(self, codes: list[str]) -> list[MemorandumMeasure]:
        rows = await self.session.execute(
            select(MemorandumMeasure).where(MemorandumMeasure.memorandum_code.in_(codes))
            .order_by(MemorandumMeasure.id))
        return list(rows.scalars())

    async def bindings_in_force(self, list_code: str,
                                at: datetime) -> list[tuple[MemorandumMeasure, Measure]]:
        """Measures bound to a list by memoranda valid at `at`."""
        rows = await self.session.execute(
            select(MemorandumMeasure, Measure)
            .join(Memorandum, Memorandum.code == MemorandumMeasure.memorandum_code)
            .join(Measure, Measure.code == MemorandumMeasure.measure_code)
            .where(MemorandumMeasure.list_code == list_code, Memorandum.valid_from <= at,
                   or_(Memorandum.valid_until.is_(None), Memorandum.valid_until > at))
            .order_by(MemorandumMeasure.id))
        return [(b, m) for b, m in rows.all()]

    async def bindings_with_validity(self) -> list[tuple[MemorandumMeasure, Measure, datetime,
                                                         datetime | None]]:
        """Every binding of a measure to a list with its memorandum's validity [from, until):
        what a migration filters per decision date instead of asking per listing."""
        rows = await self.session.execute(
            select(MemorandumMeasure, Measure, Memorandum.valid_from, Memorandum.valid_until)
            .join(Memorandum, Memorandum.code == MemorandumMeasure.memorandum_code)
            .join(Measure, Measure.code == MemorandumMeasure.measure_code)
            .order_by(MemorandumMeasure.id))
        return [(b, m, f, u) for b, m, f, u in rows.all()]

    async def upsert(self, model: type, key: str, values: dict) -> None:
        stmt = insert(model).values(**values)
        stmt = stmt.on_conflict_do_update(index_elements=[key],
                                          set_={k: v for k, v in values.items() if k != key})
        await self.session.execute(stmt)

    async def replace_bindings(self, memorandum_code: str, bindings: list[dict]) -> None:
        await self.session.execute(delete(MemorandumMeasure).where(
            MemorandumMeasure.memorandum_code == memorandum_code))
        if bindings:
            rows = [{"memorandum_code": memorandum_code, **b} for b in bindings]
            await self.session.execute(insert(MemorandumMeasure), rows)

    async def calendar(self, start: date, end: date) -> dict[date, bool]:
        """Working-calendar exceptions in [start, end]."""
        rows = await self.session.execute(select(CalendarDay).where(CalendarDay.day >= start,
                                                                    CalendarDay.day <= end))
        return {r.day: r.working for r in rows.scalars()}

    async def calendar_days(self, start: date, end: date) -> list[CalendarDay]:
        """The same exceptions with their names, in day order."""
        rows = await self.session.execute(select(CalendarDay).where(
            CalendarDay.day >= start, CalendarDay.day <= end).order_by(CalendarDay.day))
        return list(rows.scalars())
