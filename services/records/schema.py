"""The records subgraph schema."""

import strawberry

from libs.common.graphql import federation_schema
from services.records.grades.graphql import Grade
from services.records.objections.graphql import ObjectionMutation, ObjectionQuery, RecordObjection
from services.records.records.graphql import CreditRecord, RecordMutation, RecordQuery
from services.records.subject import Subject


@strawberry.type
class Query(RecordQuery, ObjectionQuery):
    pass


@strawberry.type
class Mutation(RecordMutation, ObjectionMutation):
    pass


# A subject token (role `subject`) reads its records through identity's `subject(code)`; here it
# may dispute its own records and follow its objections.
schema = federation_schema(query=Query, mutation=Mutation,
                           types=[Subject, CreditRecord, RecordObjection, Grade],
                           subject_fields=["recordObjections", "fileRecordObjection",
                                           "withdrawRecordObjection"])
