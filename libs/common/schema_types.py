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


def shown_code(info: Info, code: str, is_person: bool) -> str:
    """Person codes are personal data: masked outside the analyst and admin roles."""
    if is_person and not info.context.principal.sees_personal_data:
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
