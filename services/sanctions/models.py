"""All sanctions tables, imported together for migrations and metadata."""

from services.sanctions.catalogue.models import CreditList, Measure, Memorandum, MemorandumMeasure
from services.sanctions.checks.models import CheckAuditEntry, Restriction
from services.sanctions.checks.volume import CheckVolume
from services.sanctions.decisionlog.models import DecisionLogEntry
from services.sanctions.feed.models import RestrictionChange
from services.sanctions.inbox.models import ConsumerCursor, ProcessedEvent
from services.sanctions.listings.models import Derivation, Listing, ListingMeasure
from services.sanctions.listings.summary.models import (
    ListingFacet,
    ListingStatusChange,
    ListingTally,
)
from services.sanctions.objections.models import Objection
from services.sanctions.repair.models import RepairApplication

__all__ = ["CheckAuditEntry", "CheckVolume", "ConsumerCursor", "CreditList", "DecisionLogEntry",
           "Derivation", "Listing", "ListingFacet", "ListingMeasure", "ListingStatusChange",
           "ListingTally", "Measure", "Memorandum", "MemorandumMeasure", "Objection",
           "ProcessedEvent", "RepairApplication", "Restriction", "RestrictionChange"]
