"""The identity subgraph schema."""

import strawberry

from libs.common.graphql import federation_schema
from services.identity.issuance.graphql import IssuanceMutation
from services.identity.roles.graphql import RoleAssignment, RoleMutation
from services.identity.subjects.graphql import Subject, SubjectMutation, SubjectQuery


@strawberry.type
class Query(SubjectQuery):
    pass


@strawberry.type
class Mutation(SubjectMutation, RoleMutation, IssuanceMutation):
    pass


# A subject token (role `subject`) reads its own file here and nothing else.
schema = federation_schema(query=Query, mutation=Mutation, types=[Subject, RoleAssignment],
                           subject_fields=["subject"])
