"""Per-request DataLoaders of the dashboard fields: the working calendar, by year."""

from __future__ import annotations

from datetime import date

from strawberry.dataloader import DataLoader
from strawberry.types import Info

from services.sanctions.catalogue.repository import CatalogueRepository


def working_calendar(info: Info) -> DataLoader:
    """year -> {day: working} exceptions of that year, one query for every year a request needs."""

    async def fetch(session, years: list[int]) -> dict:
        days = await CatalogueRepository(session).calendar(date(min(years), 1, 1),
                                                           date(max(years), 12, 31))
        out: dict[int, dict] = {y: {} for y in years}
        for day, working in days.items():
            if day.year in out:
                out[day.year][day] = working
        return out

    return info.context.batch_loader("working_calendar_years", fetch, missing=dict)


async def calendar_from(info: Info, start: date, end: date) -> dict[date, bool]:
    """The calendar exceptions of every year from `start` to `end`."""
    years = await working_calendar(info).load_many(list(range(start.year, end.year + 1)))
    merged: dict[date, bool] = {}
    for year in years:
        merged.update(year)
    return merged
