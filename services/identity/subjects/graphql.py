"""GraphQL types and resolvers for subjects (the `Subject @key(fields: "code")` entity)."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from libs.common.auth import AccessRole
from libs.common.errors import InvalidInput
from libs.common.regions import region_info
from libs.common.schema_types import SubjectKind, shown_code, subject_reference
from services.identity.subjects import models, service
from services.identity.subjects.repository import SubjectRepository

if TYPE_CHECKING:
    from services.identity.roles.graphql import RoleAssignment

MAX_PAGE = 100


@strawberry.type(description="A GB/T 2260 administrative division.")
class Region:
    code: strawberry.ID
    name: str
    province_name: str | None = None


def region_of(code: str) -> Region | None:
    info = region_info(code)
    if info is None:
        return None
    return Region(code=strawberry.ID(code), name=info.name, province_name=info.province_name)


@strawberry.federation.type(keys=["code"], description="A person or organisation with a code.")
class Subject:
    _model: strawberry.Private[models.Subject]
    # The caller named this subject's code itself (`subject(code)`, `registerSubject`): showing
    # it back reveals nothing, and the code is the key the gateway joins listings and records by.
    _named: strawberry.Private[bool] = False

    @strawberry.field(description="USCC or resident identity number; a person's code is masked "
                                  "unless the caller is an analyst or admin, asked for this "
                                  "subject by its code, or is the subject itself.")
    def code(self, info: Info) -> strawberry.ID:
        return strawberry.ID(shown_code(info, self._model.code,
                                        self._model.kind == "NATURAL_PERSON",
                                        named_by_caller=self._named))

    @strawberry.field
    def kind(self) -> SubjectKind:
        return SubjectKind(self._model.kind)

    @strawberry.field
    def name(self) -> str:
        return self._model.name

    @strawberry.field
    def region(self) -> Region | None:
        return region_of(self._model.region_code)

    @strawberry.field(description="Legacy 9-character organisation code embedded in the USCC.")
    def organization_code(self) -> str | None:
        return self._model.organization_code

    @strawberry.field(description="Legacy 15-digit business registration number, if known.")
    def registration_number(self) -> str | None:
        return self._model.registration_number

    @strawberry.field
    def registered_at(self) -> datetime:
        return self._model.registered_at

    @strawberry.field(description="Roles in force at `at` (default: all, past and future).")
    async def roles(
        self, info: Info, at: datetime | None = None
    ) -> list[Annotated["RoleAssignment", strawberry.lazy("services.identity.roles.graphql")]]:
        from services.identity.roles.graphql import roles_of

        return await roles_of(info, self._model, at)

    @classmethod
    async def resolve_reference(cls, info: Info, code: strawberry.ID) -> "Subject | None":
        model = await subject_loader(info).load(subject_reference(info, str(code)))
        return cls.from_model(model) if model else None

    @classmethod
    def from_model(cls, model: models.Subject, *, named: bool = False) -> "Subject":
        return cls(_model=model, _named=named)


def subject_loader(info: Info) -> DataLoader[str, models.Subject | None]:
    """Per-request loader: one query for every subject code a request needs."""
    return info.context.batch_loader(
        "subjects", lambda session, codes: SubjectRepository(session).get_many(codes))


@strawberry.type
class SubjectPage:
    nodes: list[Subject]
    end_cursor: str | None
    has_more: bool


def _cursor(model: models.Subject) -> str:
    return base64.urlsafe_b64encode(f"{model.name}\x00{model.code}".encode()).decode()


def _decode_cursor(cursor: str) -> str:
    try:
        return base64.urlsafe_b64decode(cursor.encode()).decode()
    except Exception:
        raise InvalidInput("malformed cursor", field="after") from None


@strawberry.type
class SubjectQuery:
    @strawberry.field(description="The subject with this code, or null when none is registered.")
    async def subject(self, info: Info, code: strawberry.ID) -> Subject | None:
        principal = info.context.authenticated()
        parsed = service.parse(str(code))
        if principal.subject_only:
            principal.require_self(parsed.code)
        model = await subject_loader(info).load(parsed.code)
        return Subject.from_model(model, named=True) if model else None

    @strawberry.field(description="Name search for dashboards: prefix and/or contains.")
    async def subjects(
        self, info: Info, name_starts_with: str | None = None, name_contains: str | None = None,
        kind: SubjectKind | None = None, first: int = 20, after: str | None = None,
    ) -> SubjectPage:
        info.context.authenticated(AccessRole.ANALYST, AccessRole.ADMIN, AccessRole.AUTHORITY)
        if not (name_starts_with or name_contains):
            raise InvalidInput("give nameStartsWith or nameContains")
        for field, value in (("nameStartsWith", name_starts_with), ("nameContains", name_contains)):
            if value is not None and not 1 <= len(value) <= 100:
                raise InvalidInput(f"{field} must be 1 to 100 characters", field=field)
        if not 1 <= first <= MAX_PAGE:
            raise InvalidInput(f"first must be between 1 and {MAX_PAGE}", field="first")
        async with info.context.transaction() as session:
            rows = await SubjectRepository(session).search(
                prefix=name_starts_with, contains=name_contains,
                kind=kind.value if kind else None,
                after=_decode_cursor(after) if after else None, limit=first + 1)
        page = rows[:first]
        return SubjectPage(nodes=[Subject.from_model(m) for m in page],
                           end_cursor=_cursor(page[-1]) if page else None,
                           has_more=len(rows) > first)

    @strawberry.field(description="Subjects found by a legacy 9-character organisation code or "
                                  "15-digit business registration number.")
    async def subjects_by_legacy_code(self, info: Info, code: str) -> list[Subject]:
        info.context.authenticated()
        async with info.context.transaction() as session:
            models_ = await service.lookup_legacy(session, code)
        return [Subject.from_model(m) for m in models_]


@strawberry.input
class RegisterSubjectInput:
    code: strawberry.ID
    kind: SubjectKind
    name: str
    registration_number: str | None = None


@strawberry.type
class SubjectMutation:
    @strawberry.mutation(description="Register a subject; the same registration again is a no-op.")
    async def register_subject(self, info: Info, input: RegisterSubjectInput) -> Subject:
        info.context.authenticated(AccessRole.AUTHORITY, AccessRole.ADMIN)
        reg = service.validate_registration(str(input.code), input.kind.value, input.name,
                                            input.registration_number)
        async with info.context.transaction() as session:
            model, _ = await service.register(session, reg)
        return Subject.from_model(model, named=True)
