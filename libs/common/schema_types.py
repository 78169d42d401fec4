"""GraphQL types several subgraphs declare. Federation composes them only when they are
identical in every subgraph, so each is defined once, here."""

from __future__ import annotations

import enum
from datetime import date

import strawberry
from strawberry.types import Info

from libs.common.errors import Forbidden, invalid_code
from libs.common.identifiers import InvalidCode, mask_code, parse_code


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


@strawberry.federation.type(shareable=True, description="A legally effective document.")
class LegalDocument:
    number: str
    kind: str
    issued_on: date
    authority: str


@strawberry.input
class LegalDocumentInput:
    number: str
    kind: str
    issued_on: date
    authority: str


def shown_code(info: Info, code: str, is_person: bool, *, named_by_caller: bool = False) -> str:
    """Person codes are personal data: masked outside the analyst and admin roles, except where
    the caller knows the code already: its own (a subject token), or one it named itself
    (`named_by_caller`: the `subject(code)` it asked for; showing it back reveals nothing)."""
    if is_person and not named_by_caller:
        principal = info.context.principal
        if not (principal.sees_personal_data or principal.is_self(code)):
            return mask_code(code)
    return code


def reference_code(code: str) -> str:
    """The normalised code of a `Subject` reference, by one rule in every subgraph.

    A masked code (what callers without the analyst or admin role are shown) is FORBIDDEN; a code
    that is not a valid code is INVALID_CODE with the rule that failed. A valid code that no
    subject holds is the resolver's business: identity answers null, the others an empty file.
    """
    if "*" in code:
        raise Forbidden("a masked code cannot be resolved; person codes need the analyst or "
                        "admin role")
    try:
        return parse_code(code).code
    except InvalidCode as exc:
        raise invalid_code(exc) from None


def subject_reference(info: Info, code: str) -> str:
    """The code of a `Subject` reference the caller may follow, by one rule in every subgraph:
    a bearer token, `reference_code`, and a subject token only to its own file (FORBIDDEN for
    any other subject's, however the gateway was led there)."""
    principal = info.context.authenticated()
    normalised = reference_code(code)
    if principal.subject_only:
        principal.require_self(normalised)
    return normalised
