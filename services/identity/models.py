"""All identity tables, imported together for migrations and metadata."""

from services.identity.issuance.models import IssuanceCounter, IssuedCode
from services.identity.roles.models import Role, RoleAssignment
from services.identity.subjects.models import Subject, SubjectKind, SubjectNameGram

__all__ = ["IssuanceCounter", "IssuedCode", "Role", "RoleAssignment", "Subject", "SubjectKind",
           "SubjectNameGram"]
