"""Organisation grades A-D from the scorecard; each point explained by the record behind it.

Never computed for natural persons: there is no behaviour score for people.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.identifiers import InvalidCode, parse_code
from services.records.grades.models import GradeBand, ScorecardRule
from services.records.grades.repository import ScorecardRepository
from services.records.records.models import CreditRecord
from services.records.records.repository import RecordRepository

BASE_SCORE = 100


@dataclass(frozen=True)
class Adjustment:
    """Points one record moved the score, and why."""

    record: CreditRecord
    points: int
    reason: str


@dataclass
class GradeResult:
    grade: str
    score: int
    adjustments: list[Adjustment] = field(default_factory=list)


def is_person_code(code: str) -> bool:
    try:
        return parse_code(code).scheme == "RIC"
    except InvalidCode:
        return False


def score(records: list[CreditRecord], rules: dict[str, ScorecardRule],
          bands: list[GradeBand]) -> GradeResult:
    """Apply the rules to records (oldest first, so caps keep the earliest deductions)."""
    total = BASE_SCORE
    used: dict[str, int] = {}
    adjustments: list[Adjustment] = []
    for record in sorted(records, key=lambda r: (r.occurred_on, r.record_id)):
        rule = rules.get(record.category)
        if rule is None:
            continue
        points = rule.points
        over = (rule.amount_threshold is not None and record.amount is not None
                and record.amount > rule.amount_threshold)
        if over:
            points += rule.points_over_threshold
        room = rule.cap - used.get(record.category, 0)
        capped = max(-room, min(room, points)) if room > 0 else 0
        if capped == 0:
            continue
        used[record.category] = used.get(record.category, 0) + abs(capped)
        reason = f"{rule.rationale} ({record.doc_kind} {record.doc_number}, {record.occurred_on})"
        if over:
            reason += f"; amount {record.amount} over {rule.amount_threshold}"
        if capped != points:
            reason += f"; capped at {rule.cap} points for {record.category}"
        adjustments.append(Adjustment(record, capped, reason))
        total += capped
    total = max(0, min(BASE_SCORE, total))
    grade = next(b.grade for b in sorted(bands, key=lambda b: -b.min_score)
                 if total >= b.min_score)
    return GradeResult(grade=grade, score=total, adjustments=adjustments)


async def grade_of(session: AsyncSession, code: str, today: date) -> GradeResult | None:
    """The organisation's grade from the records in default view; None for persons.

    RESTRICTED records do not count: a grade must be explainable to whoever may see it.
    """
    if is_person_code(code):
        return None
    records = await RecordRepository(session).of_subjects([code], today=today, visibility=None)
    records = [r for r in records if r.disclosure != "RESTRICTED" and r.status == "ACTIVE"]
    scorecard = ScorecardRepository(session)
    return score(records, await scorecard.rules(), await scorecard.bands())
