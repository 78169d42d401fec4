"""The identity service's internal contract.

  POST /internal/subjects/lookup   SubjectLookup (at most 10,000 codes) -> SubjectDirectory
      known subjects by normalised code (unknown ones are simply absent), invalid codes with
      the rule that failed
  GET  /internal/organizations/{code}/roles?at=ISO8601 -> OrganizationRoles
  POST /internal/organizations/roles   RolesLookup (at most 10,000 codes) -> RolesDirectory
      every role assignment (with since/until) of each known organisation among the codes, for
      callers that need roles at many times (a migration's original decision dates)
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from libs.contracts.base import Contract, ServiceClient

MAX_LOOKUP = 10_000


class SubjectLookup(Contract):
    codes: list[str] = Field(max_length=MAX_LOOKUP)


class SubjectSummary(Contract):
    kind: str
    name: str
    region_code: str

    @property
    def is_person(self) -> bool:
        return self.kind == "NATURAL_PERSON"


class InvalidCodeReason(Contract):
    rule: str
    reason: str


class SubjectDirectory(Contract):
    subjects: dict[str, SubjectSummary]
    invalid: dict[str, InvalidCodeReason] = {}


class RoleHeld(Contract):
    person_code: str
    role: str
    since: datetime
    until: datetime | None


class OrganizationRoles(Contract):
    roles: list[RoleHeld]


class RolesLookup(Contract):
    codes: list[str] = Field(max_length=MAX_LOOKUP)


class RolesDirectory(Contract):
    roles: dict[str, list[RoleHeld]]


def held_at(roles: list[RoleHeld], at: datetime) -> list[RoleHeld]:
    """The roles in force at `at` ([since, until)), as the per-organisation endpoint answers."""
    return [r for r in roles if r.since <= at and (r.until is None or at < r.until)]


class IdentityClient(ServiceClient):
    """Subjects and roles, owned by the identity service."""

    async def lookup(self, codes: list[str]) -> SubjectDirectory:
        """Known subjects by normalised code, and the codes that were invalid (with the rule)."""
        return await self._request("POST", "/internal/subjects/lookup", SubjectDirectory,
                                   json=SubjectLookup(codes=codes).wire())

    async def organization_roles(self, code: str, at: datetime) -> list[RoleHeld]:
        """Persons holding roles in the organisation at `at`."""
        answer = await self._request("GET", f"/internal/organizations/{code}/roles",
                                     OrganizationRoles, params={"at": at.isoformat()})
        return answer.roles

    async def roles_of_organizations(self, codes: list[str]) -> dict[str, list[RoleHeld]]:
        """Every role assignment (current and past) of each organisation, by code; codes of
        unknown subjects or persons are absent. Filter with `held_at`."""
        answer = await self._request("POST", "/internal/organizations/roles", RolesDirectory,
                                     json=RolesLookup(codes=codes).wire())
        return answer.roles
