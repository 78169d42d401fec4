"""All records tables, imported together for migrations and metadata."""

from services.records.grades.models import GradeBand, ScorecardRule
from services.records.objections.models import Objection
from services.records.outbox.models import OutboxEvent
from services.records.records.models import CreditRecord, KnownSubject, Source

__all__ = ["CreditRecord", "KnownSubject", "GradeBand", "Objection", "OutboxEvent", "ScorecardRule", "Source"]
