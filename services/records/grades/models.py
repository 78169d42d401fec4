"""The organisation scorecard: data, not code."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.records.db import Base


class ScorecardRule(Base):
    """Points one record of a category moves the score (negative = deduction)."""

    __tablename__ = "scorecard_rules"

    category: Mapped[str] = mapped_column(String(32), primary_key=True)
    points: Mapped[int] = mapped_column(Integer)
    # Amount-bearing records above the threshold weigh more.
    amount_threshold: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    points_over_threshold: Mapped[int] = mapped_column(Integer, server_default="0")
    # The most one category can move the score in total (absolute value).
    cap: Mapped[int] = mapped_column(Integer)
    rationale: Mapped[str] = mapped_column(Text)


class GradeBand(Base):
    """A grade and the lowest score that earns it."""

    __tablename__ = "grade_bands"

    grade: Mapped[str] = mapped_column(String(1), primary_key=True)
    min_score: Mapped[int] = mapped_column(Integer)
