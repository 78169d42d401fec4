"""Subjects: persons and organisations, identified by their normalised code."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, Index, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from services.identity.db import Base


class SubjectKind(str, enum.Enum):
    NATURAL_PERSON = "NATURAL_PERSON"
    ENTERPRISE = "ENTERPRISE"
    GOVERNMENT_BODY = "GOVERNMENT_BODY"
    SOCIAL_ORGANIZATION = "SOCIAL_ORGANIZATION"
    INSTITUTION = "INSTITUTION"

    @property
    def is_person(self) -> bool:
        return self is SubjectKind.NATURAL_PERSON


class Subject(Base):
    __tablename__ = "subjects"

    code: Mapped[str] = mapped_column(String(18), primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    name: Mapped[str] = mapped_column(Text)
    region_code: Mapped[str] = mapped_column(String(6))
    # Embedded GB 11714 organisation code of a USCC: the legacy 9-character code.
    organization_code: Mapped[str | None] = mapped_column(String(9))
    # Legacy 15-digit business registration number, where the registrant gave one.
    registration_number: Mapped[str | None] = mapped_column(String(15), unique=True)
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        CheckConstraint(
            "kind in ('NATURAL_PERSON','ENTERPRISE','GOVERNMENT_BODY',"
            "'SOCIAL_ORGANIZATION','INSTITUTION')", name="kind"),
        CheckConstraint("char_length(name) between 1 and 200", name="name_length"),
        Index("ix_subjects_organization_code", "organization_code"),
        Index("ix_subjects_name_prefix", "name", postgresql_ops={"name": "text_pattern_ops"}),
    )


class SubjectNameGram(Base):
    """Character bigrams of subject names: contains-search without PostgreSQL extensions."""

    __tablename__ = "subject_name_grams"

    gram: Mapped[str] = mapped_column(String(2), primary_key=True)
    code: Mapped[str] = mapped_column(String(18), primary_key=True)
