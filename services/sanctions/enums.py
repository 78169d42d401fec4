"""GraphQL enums of the sanctions subgraph (`SubjectKind` and `Role` are shared: libs.common)."""

from __future__ import annotations

import enum

import strawberry

from libs.common.schema_types import Role, SubjectKind  # noqa: F401  (re-exported)


@strawberry.enum(description="What a consumer is about to do.")
class Purpose(enum.Enum):
    AIR_TRAVEL = "AIR_TRAVEL"
    RAIL_TRAVEL = "RAIL_TRAVEL"
    LUXURY_CONSUMPTION = "LUXURY_CONSUMPTION"
    LENDING = "LENDING"
    PUBLIC_PROCUREMENT = "PUBLIC_PROCUREMENT"
    SECURITIES_ISSUANCE = "SECURITIES_ISSUANCE"
    GOVERNMENT_FUNDING = "GOVERNMENT_FUNDING"
    ADMINISTRATIVE_LICENSING = "ADMINISTRATIVE_LICENSING"
    CUSTOMS_CLEARANCE = "CUSTOMS_CLEARANCE"


@strawberry.enum(description="BLACKLIST restricts, REDLIST rewards.")
class ListKind(enum.Enum):
    BLACKLIST = "BLACKLIST"
    REDLIST = "REDLIST"


@strawberry.enum
class MeasureEffect(enum.Enum):
    RESTRICTION = "RESTRICTION"
    INCENTIVE = "INCENTIVE"


@strawberry.enum(description="PENDING (publicity window), ACTIVE, SUSPENDED, EXPIRED, "
                             "or ended by a decision: LIFTED, REVOKED, REPAIRED.")
class ListingStatus(enum.Enum):
    PENDING = "PENDING"
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"
    EXPIRED = "EXPIRED"
    LIFTED = "LIFTED"
    REVOKED = "REVOKED"
    REPAIRED = "REPAIRED"
