"""GraphQL types for the catalogue, its queries, and the admin mutations that change it.

A change to the catalogue applies to decisions made afterwards: a listing keeps the measures
fixed when it was decided, so what past checks answered is never rewritten.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from libs.common.auth import AccessRole
from libs.common.errors import InvalidInput
from libs.common.timeutil import as_utc, now
from services.sanctions.catalogue import codes, models
from services.sanctions.catalogue.repository import CatalogueRepository
from services.sanctions.enums import ListKind, MeasureEffect, Purpose, Role, SubjectKind


@strawberry.type(description="A black- or redlist kept by one authority.")
class CreditList:
    code: strawberry.ID
    name: str
    kind: ListKind
    authority: str
    legal_basis: str
    default_duration_days: int | None
    max_duration_days: int | None
    open_ended: bool
    publicity_working_days: int
    objection_suspends: bool
    objection_channel: str
    admits: list[SubjectKind]
    extendable: bool
    max_extension_days: int | None
    repair_min_days: int | None

    @classmethod
    def from_model(cls, m: models.CreditList) -> "CreditList":
        return cls(code=strawberry.ID(m.code), name=m.name, kind=ListKind(m.kind),
                   authority=m.authority, legal_basis=m.legal_basis,
                   default_duration_days=m.default_duration_days,
                   max_duration_days=m.max_duration_days, open_ended=m.open_ended,
                   publicity_working_days=m.publicity_working_days,
                   objection_suspends=m.objection_suspends, objection_channel=m.objection_channel,
                   admits=[SubjectKind(k) for k in m.admits_kinds], extendable=m.extendable,
                   max_extension_days=m.max_extension_days, repair_min_days=m.repair_min_days)


@strawberry.type(description="What a purpose-holder does about a listed subject.")
class Measure:
    code: strawberry.ID
    name: str
    purpose: Purpose
    effect: MeasureEffect

    @classmethod
    def from_model(cls, m: models.Measure) -> "Measure":
        return cls(code=strawberry.ID(m.code), name=m.name, purpose=Purpose(m.purpose),
                   effect=MeasureEffect(m.effect))


@strawberry.type(description="A list bound to a measure, and the roles the measure extends to.")
class MemorandumBinding:
    list_code: strawberry.ID
    measure_code: strawberry.ID
    extends_to: list[Role]


@strawberry.type(description="A joint memorandum binding lists to measures.")
class Memorandum:
    code: strawberry.ID
    name: str
    signatories: list[str]
    valid_from: datetime
    valid_until: datetime | None
    bindings: list[MemorandumBinding]


@strawberry.type(description="An exception to Monday-Friday working days (Asia/Shanghai).")
class CalendarDay:
    day: date
    working: bool
    name: str


@strawberry.type
class CatalogueQuery:
    @strawberry.field(description="Public holidays and make-up working days in [from, to].")
    async def working_calendar(self, info: Info,
                               from_: Annotated[date, strawberry.argument(name="from")],
                               to: date) -> list[CalendarDay]:
        info.context.authenticated()
        if to < from_ or (to - from_).days > 3660:
            raise InvalidInput("give a range of at most ten years, from <= to", field="to")
        async with info.context.transaction() as session:
            days = await CatalogueRepository(session).calendar_days(from_, to)
        return [CalendarDay(day=d.day, working=d.working, name=d.name) for d in days]

    @strawberry.field(description="Every black- and redlist.")
    async def credit_lists(self, info: Info) -> list[CreditList]:
        info.context.authenticated()
        async with info.context.transaction() as session:
            return [CreditList.from_model(m) for m in await CatalogueRepository(session).lists()]

    @strawberry.field(description="Every measure.")
    async def measures(self, info: Info) -> list[Measure]:
        info.context.authenticated()
        async with info.context.transaction() as session:
            return [Measure.from_model(m) for m in await CatalogueRepository(session).measures()]

    @strawberry.field(description="Every memorandum with its bindings.")
    async def memoranda(self, info: Info) -> list[Memorandum]:
        info.context.authenticated()
        async with info.context.transaction() as session:
            repo = CatalogueRepository(session)
            mous = await repo.memoranda()
            bindings = await repo.bindings_of_memoranda([m.code for m in mous])
        out = []
        for m in mous:
            out.append(Memorandum(
                code=strawberry.ID(m.code), name=m.name, signatories=list(m.signatories),
                valid_from=m.valid_from, valid_until=m.valid_until,
                bindings=[MemorandumBinding(list_code=strawberry.ID(b.list_code),
                                            measure_code=strawberry.ID(b.measure_code),
                                            extends_to=[Role(r) for r in b.extends_to_roles])
                          for b in bindings if b.memorandum_code == m.code]))
        return out


@strawberry.input
class CreditListInput:
    code: strawberry.ID
    name: str
    kind: ListKind
    authority: str
    legal_basis: str
    admits: list[SubjectKind]
    objection_channel: str
    default_duration_days: int | None = None
    max_duration_days: int | None = None
    open_ended: bool = False
    publicity_working_days: int = 0
    objection_suspends: bool = False
    extendable: bool = False
    max_extension_days: int | None = None
    repair_min_days: int | None = None


@strawberry.input
class MeasureInput:
    code: strawberry.ID
    name: str
    purpose: Purpose
    effect: MeasureEffect


@strawberry.input
class MemorandumBindingInput:
    list_code: strawberry.ID
    measure_code: strawberry.ID
    extends_to: list[Role] = strawberry.field(default_factory=list)


@strawberry.input
class MemorandumInput:
    code: strawberry.ID
    name: str
    signatories: list[str]
    valid_from: datetime
    bindings: list[MemorandumBindingInput]
    valid_until: datetime | None = None


def _validate_list(i: CreditListInput) -> None:
    codes.require_code(str(i.code), "code")
    codes.require_code(i.authority, "authority", agency=True)
    codes.require_text(i.name, "name", codes.MAX_NAME)
    codes.require_text(i.legal_basis, "legalBasis")
    codes.require_text(i.objection_channel, "objectionChannel")
    if not i.admits:
        raise InvalidInput("a list must admit at least one subject kind", field="admits")
    if i.default_duration_days is None and not i.open_ended:
        raise InvalidInput("give defaultDurationDays or allow open-ended listings",
                           field="defaultDurationDays")
    for name, v in (("defaultDurationDays", i.default_duration_days),
                    ("maxDurationDays", i.max_duration_days),
                    ("publicityWorkingDays", i.publicity_working_days),
                    ("repairMinDays", i.repair_min_days)):
        if v is not None and v < 0:
            raise InvalidInput(f"{name} may not be negative", field=name)
    if (i.default_duration_days and i.max_duration_days
            and i.default_duration_days > i.max_duration_days):
        raise InvalidInput("the default duration exceeds the maximum", field="defaultDurationDays")


def _validate_measure(i: MeasureInput) -> None:
    codes.require_code(str(i.code), "code")
    codes.require_text(i.name, "name", codes.MAX_NAME)


def _validate_memorandum(i: MemorandumInput) -> None:
    codes.require_code(str(i.code), "code")
    codes.require_text(i.name, "name", codes.MAX_NAME)
    if not i.signatories:
        raise InvalidInput("a memorandum needs at least one signatory agency",
                           field="signatories")
    for agency in i.signatories:
        codes.require_code(agency, "signatories", agency=True)


@strawberry.type
class CatalogueMutation:
    @strawberry.mutation(description="Add or change a list (admins); applies to later decisions.")
    async def upsert_credit_list(self, info: Info, input: CreditListInput) -> CreditList:
        info.context.authenticated(AccessRole.ADMIN)
        _validate_list(input)
        values = dict(
            code=str(input.code), name=input.name, kind=input.kind.value, authority=input.authority,
            legal_basis=input.legal_basis, default_duration_days=input.default_duration_days,
            max_duration_days=input.max_duration_days, open_ended=input.open_ended,
            publicity_working_days=input.publicity_working_days,
            objection_suspends=input.objection_suspends, objection_channel=input.objection_channel,
            admits_kinds=[k.value for k in input.admits], extendable=input.extendable,
            max_extension_days=input.max_extension_days, repair_min_days=input.repair_min_days,
            updated_at=now())
        async with info.context.transaction() as session:
            repo = CatalogueRepository(session)
            await repo.upsert(models.CreditList, "code", values)
            model = await repo.list_as_stored(str(input.code))
        return CreditList.from_model(model)

    @strawberry.mutation(description="Mark a day as a public holiday (working: false) or a "
                                      "make-up working day (admins); applies to later decisions.")
    async def set_calendar_day(self, info: Info, day: date, working: bool,
                               name: str) -> CalendarDay:
        info.context.authenticated(AccessRole.ADMIN)
        async with info.context.transaction() as session:
            await CatalogueRepository(session).upsert(
                models.CalendarDay, "day", {"day": day, "working": working, "name": name})
        return CalendarDay(day=day, working=working, name=name)

    @strawberry.mutation(description="Add or change a measure (admins).")
    async def upsert_measure(self, info: Info, input: MeasureInput) -> Measure:
        info.context.authenticated(AccessRole.ADMIN)
        _validate_measure(input)
        values = dict(code=str(input.code), name=input.name, purpose=input.purpose.value,
                      effect=input.effect.value, updated_at=now())
        async with info.context.transaction() as session:
            await CatalogueRepository(session).upsert(models.Measure, "code", values)
        return Measure(code=input.code, name=input.name, purpose=input.purpose,
                       effect=input.effect)

    @strawberry.mutation(description="Add or change a memorandum and its bindings (admins).")
    async def upsert_memorandum(self, info: Info, input: MemorandumInput) -> Memorandum:
        info.context.authenticated(AccessRole.ADMIN)
        _validate_memorandum(input)
        valid_from = as_utc(input.valid_from)
        valid_until = as_utc(input.valid_until) if input.valid_until else None
        if valid_until is not None and valid_until <= valid_from:
            raise InvalidInput("validUntil must be after validFrom", field="validUntil")
        async with info.context.transaction() as session:
            repo = CatalogueRepository(session)
            lists = await repo.lists_by_codes([str(b.list_code) for b in input.bindings])
            measures = await repo.measures_by_codes([str(b.measure_code) for b in input.bindings])
            for b in input.bindings:
                if str(b.list_code) not in lists:
                    raise InvalidInput(f"unknown list {b.list_code}", field="bindings")
                if str(b.measure_code) not in measures:
                    raise InvalidInput(f"unknown measure {b.measure_code}", field="bindings")
            await repo.upsert(models.Memorandum, "code", dict(
                code=str(input.code), name=input.name, signatories=list(input.signatories),
                valid_from=valid_from, valid_until=valid_until, updated_at=now()))
            await repo.replace_bindings(str(input.code), [
                {"list_code": str(b.list_code), "measure_code": str(b.measure_code),
                 "extends_to_roles": [r.value for r in b.extends_to]} for b in input.bindings])
        return Memorandum(code=input.code, name=input.name, signatories=list(input.signatories),
                          valid_from=valid_from, valid_until=valid_until,
                          bindings=[MemorandumBinding(list_code=b.list_code,
                                                      measure_code=b.measure_code,
                                                      extends_to=list(b.extends_to))
                                    for b in input.bindings])
