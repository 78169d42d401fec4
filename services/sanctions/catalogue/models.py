"""Catalogue tables: credit lists, measures, memoranda binding lists to measures."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.sanctions.db import Base


class ListKind(str, enum.Enum):
    BLACKLIST = "BLACKLIST"
    REDLIST = "REDLIST"


class MeasureEffect(str, enum.Enum):
    RESTRICTION = "RESTRICTION"
    INCENTIVE = "INCENTIVE"


class CreditList(Base):
    """A black- or redlist kept by one authority, with its durations and due-process clocks."""

    __tablename__ = "lists"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))
    authority: Mapped[str] = mapped_column(String(16))
    legal_basis: Mapped[str] = mapped_column(Text)
    # Null default duration means open-ended (only where `open_ended` allows it).
    default_duration_days: Mapped[int | None] = mapped_column(Integer)
    max_duration_days: Mapped[int | None] = mapped_column(Integer)
    open_ended: Mapped[bool] = mapped_column(Boolean, default=False)
    publicity_working_days: Mapped[int] = mapped_column(Integer, default=0)
    objection_suspends: Mapped[bool] = mapped_column(Boolean, default=False)
    objection_channel: Mapped[str] = mapped_column(Text)
    admits_kinds: Mapped[list[str]] = mapped_column(ARRAY(String(24)))
    extendable: Mapped[bool] = mapped_column(Boolean, default=False)
    max_extension_days: Mapped[int | None] = mapped_column(Integer)
    # Null: this list offers no credit repair.
    repair_min_days: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        CheckConstraint("kind in ('BLACKLIST','REDLIST')", name="kind"),
        CheckConstraint("publicity_working_days >= 0", name="publicity"),
    )


class Measure(Base):
    """One thing a purpose-holder does about a listed subject: restrict it or reward it."""

    __tablename__ = "measures"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    purpose: Mapped[str] = mapped_column(String(32))
    effect: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (CheckConstraint("effect in ('RESTRICTION','INCENTIVE')", name="effect"),)


class Memorandum(Base):
    """A joint memorandum: signatory agencies agree to apply measures to lists' subjects."""

    __tablename__ = "memoranda"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    signatories: Mapped[list[str]] = mapped_column(ARRAY(String(16)))
    valid_from: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    valid_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class MemorandumMeasure(Base):
    """List -> measure under a memorandum, and the roles in a listed organisation it extends to."""

    __tablename__ = "memorandum_measures"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    memorandum_code: Mapped[str] = mapped_column(String(64), ForeignKey("sanctions.memoranda.code"))
    list_code: Mapped[str] = mapped_column(String(64), ForeignKey("sanctions.lists.code"))
    measure_code: Mapped[str] = mapped_column(String(64), ForeignKey("sanctions.measures.code"))
    extends_to_roles: Mapped[list[str]] = mapped_column(ARRAY(String(32)), default=list)

    __table_args__ = (UniqueConstraint("memorandum_code", "list_code", "measure_code",
                                       name="uq_memorandum_measures_binding"),
                      Index("ix_memorandum_measures_list", "list_code"))


class CalendarDay(Base):
    """An exception to Monday-Friday: a public holiday, or a weekend made a working day."""

    __tablename__ = "working_calendar"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    working: Mapped[bool] = mapped_column(Boolean)
    name: Mapped[str] = mapped_column(Text)
