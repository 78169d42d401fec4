"""`Subject.grade`: an explained A-D grade for organisations, null for persons."""

from __future__ import annotations

import enum

import strawberry
from strawberry.types import Info

from services.records.grades import service
from services.records.records import service as record_service
from services.records.records.graphql import CreditRecord, RecordCategory
from services.records.records.policy import today_in_china


@strawberry.enum
class GradeLetter(enum.Enum):
    A = "A"
    B = "B"
    C = "C"
    D = "D"


@strawberry.type(description="Points one record moved the score, and why.")
class GradeAdjustment:
    points: int
    reason: str
    category: RecordCategory
    record_id: strawberry.ID
    record: CreditRecord | None = strawberry.field(
        description="Null when the record is not disclosed to the caller.")


@strawberry.type(description="A compliance grade from the scorecard; every deduction and bonus "
                             "names the record behind it.")
class Grade:
    grade: GradeLetter
    score: int
    base_score: int
    deductions: list[GradeAdjustment]
    bonuses: list[GradeAdjustment]


async def grade_for(info: Info, code: str) -> Grade | None:
    principal = info.context.authenticated()
    if service.is_person_code(code):
        return None  # never computed for natural persons
    async with info.context.transaction() as session:
        result = await service.grade_of(session, code, today_in_china())
    if result is None:
        return None
    visible = record_service.visibility_for(principal, code)

    def item(a: service.Adjustment) -> GradeAdjustment:
        return GradeAdjustment(
            points=a.points, reason=a.reason, category=RecordCategory(a.record.category),
            record_id=strawberry.ID(str(a.record.record_id)),
            record=CreditRecord(_model=a.record) if visible.allows(a.record) else None)

    return Grade(grade=GradeLetter(result.grade), score=result.score,
                 base_score=service.BASE_SCORE,
                 deductions=[item(a) for a in result.adjustments if a.points < 0],
                 bonuses=[item(a) for a in result.adjustments if a.points > 0])
