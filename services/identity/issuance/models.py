"""Code issuance: one counter per (registration authority, category, region)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, String, func
from sqlalchemy.orm import Mapped, mapped_column

from services.identity.db import Base


class IssuanceCounter(Base):
    __tablename__ = "issuance_counters"

    registration_authority: Mapped[str] = mapped_column(String(1), primary_key=True)
    category: Mapped[str] = mapped_column(String(1), primary_key=True)
    region_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    last_value: Mapped[int] = mapped_column(BigInteger, default=0)


class IssuedCode(Base):
    """Every code handed out, so that no code is issued twice."""

    __tablename__ = "issued_codes"

    code: Mapped[str] = mapped_column(String(18), primary_key=True)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    issued_by: Mapped[str] = mapped_column(String(200))
