"""GraphQL enums of the sanctions subgraph (`SubjectKind` and `Role` are shared: libs.common).

`Purpose` and `ListingStatus` are the domain enums themselves (libs.common.auth, listings/models.py)
made GraphQL enums, so resolvers hand the domain's values straight to the schema.
"""

from __future__ import annotations

import enum

import strawberry

from libs.common import auth
from libs.common.schema_types import Role, SubjectKind  # noqa: F401  (re-exported)
from services.sanctions.listings import models as listing_models

# The domain's own enums, decorated: one type per concept, no conversions between copies.
Purpose = strawberry.enum(auth.Purpose, description="What a consumer is about to do.")
ListingStatus = strawberry.enum(
    listing_models.ListingStatus, description="PENDING (publicity window), ACTIVE, SUSPENDED, "
                                              "EXPIRED, or ended by a decision: LIFTED, REVOKED, "
                                              "REPAIRED.")


@strawberry.enum(description="BLACKLIST restricts, REDLIST rewards.")
class ListKind(enum.Enum):
    BLACKLIST = "BLACKLIST"
    REDLIST = "REDLIST"


@strawberry.enum
class MeasureEffect(enum.Enum):
    RESTRICTION = "RESTRICTION"
    INCENTIVE = "INCENTIVE"
