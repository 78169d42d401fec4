"""The sanctions subgraph schema."""

import strawberry

from libs.common.graphql import federation_schema
from services.sanctions.catalogue.graphql import CatalogueMutation, CatalogueQuery
from services.sanctions.checks.graphql import CheckQuery
from services.sanctions.checks.limits import CheckBudget
from services.sanctions.dashboard.graphql import DashboardQuery
from services.sanctions.feed.graphql import FeedQuery
from services.sanctions.listings.graphql import ListingMutation, ListingQuery, Subject
from services.sanctions.objections.graphql import ObjectionMutation
from services.sanctions.record_objections.graphql import RecordObjection
from services.sanctions.repair.graphql import RepairMutation


@strawberry.type
class Query(CheckQuery, FeedQuery, ListingQuery, CatalogueQuery, DashboardQuery):
    pass


@strawberry.type
class Mutation(ListingMutation, ObjectionMutation, RepairMutation, CatalogueMutation):
    pass


# A subject token (role `subject`): who checked it; a listing in its own file (all of them it
# reads through identity's `subject(code)`); objecting or applying for repair on its own
# listings; and the working calendar, public, to count down the deadlines its file shows.
schema = federation_schema(query=Query, mutation=Mutation, types=[Subject, RecordObjection],
                           extensions=[CheckBudget],
                           subject_fields=["checksOfSubject", "listing", "fileObjection",
                                           "applyForRepair", "workingCalendar"])
