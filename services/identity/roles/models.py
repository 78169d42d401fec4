"""Roles linking persons to organisations, each with a half-open validity window."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from services.identity.db import Base


class Role(str, enum.Enum):
    LEGAL_REPRESENTATIVE = "LEGAL_REPRESENTATIVE"
    PRINCIPAL_RESPONSIBLE_PERSON = "PRINCIPAL_RESPONSIBLE_PERSON"
    DIRECTLY_RESPONSIBLE_PERSON = "DIRECTLY_RESPONSIBLE_PERSON"
    DIRECTOR = "DIRECTOR"
    SHAREHOLDER = "SHAREHOLDER"


class RoleAssignment(Base):
    __tablename__ = "role_assignments"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    organization_code: Mapped[str] = mapped_column(String(18), ForeignKey("identity.subjects.code"))
    person_code: Mapped[str] = mapped_column(String(18), ForeignKey("identity.subjects.code"))
    role: Mapped[str] = mapped_column(String(32))
    valid_from: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    valid_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        CheckConstraint("valid_until is null or valid_until > valid_from", name="window"),
        CheckConstraint(
            "role in ('LEGAL_REPRESENTATIVE','PRINCIPAL_RESPONSIBLE_PERSON',"
            "'DIRECTLY_RESPONSIBLE_PERSON','DIRECTOR','SHAREHOLDER')", name="role"),
        Index("ix_role_assignments_person", "person_code", "valid_from"),
        Index("ix_role_assignments_organization", "organization_code", "valid_from"),
    )
