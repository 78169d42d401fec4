"""The records subgraph's part of the `Subject` entity: records and grade."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from libs.common.schema_types import subject_reference
from services.records.grades.graphql import Grade, grade_for
from services.records.records.graphql import CreditRecord, RecordFilter, RecordPage, records_page


@strawberry.federation.type(keys=["code"])
class Subject:
    code: strawberry.ID

    @strawberry.field(description="Records in default view the caller may see, newest first.")
    async def records(self, info: Info, filter: RecordFilter | None = None, first: int = 50,
                      after: str | None = None) -> list[CreditRecord]:
        return (await records_page(info, str(self.code), filter, first, after)).nodes

    @strawberry.field(description="The same as `records`, with a cursor for the next page.")
    async def record_page(self, info: Info, filter: RecordFilter | None = None, first: int = 50,
                          after: str | None = None) -> RecordPage:
        return await records_page(info, str(self.code), filter, first, after)

    @strawberry.field(description="Explained A-D compliance grade; null for natural persons, "
                                  "who are never scored.")
    async def grade(self, info: Info) -> Grade | None:
        return await grade_for(info, str(self.code))

    @classmethod
    def resolve_reference(cls, info: Info, code: strawberry.ID) -> "Subject":
        return cls(code=strawberry.ID(subject_reference(info, str(code))))
