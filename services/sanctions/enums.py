"""GraphQL enums of the sanctions subgraph.

`SubjectKind` and `Role` are also defined by the identity subgraph, which uses them in inputs:
federation requires them to be identical there and here, so they mirror identity exactly.
"""

from __future__ import annotations

import enum

import strawberry


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


@strawberry.enum(description="What kind of legal subject this is.")
class SubjectKind(enum.Enum):
    NATURAL_PERSON = "NATURAL_PERSON"
    ENTERPRISE = "ENTERPRISE"
    GOVERNMENT_BODY = "GOVERNMENT_BODY"
    SOCIAL_ORGANIZATION = "SOCIAL_ORGANIZATION"
    INSTITUTION = "INSTITUTION"


@strawberry.enum(description="A person's role in an organisation.")
class Role(enum.Enum):
    LEGAL_REPRESENTATIVE = "LEGAL_REPRESENTATIVE"
    PRINCIPAL_RESPONSIBLE_PERSON = "PRINCIPAL_RESPONSIBLE_PERSON"
    DIRECTLY_RESPONSIBLE_PERSON = "DIRECTLY_RESPONSIBLE_PERSON"
    DIRECTOR = "DIRECTOR"
    SHAREHOLDER = "SHAREHOLDER"


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
