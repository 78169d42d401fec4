"""JWT verification, minting of development tokens, and the access-role / purpose model."""

from __future__ import annotations

import enum
import time
from dataclasses import dataclass, field
from functools import lru_cache

import jwt

from libs.common.errors import Forbidden, ForbiddenPurpose, Unauthenticated
from libs.common.identifiers import InvalidCode, parse_code
from libs.common.settings import CommonSettings


class AccessRole(str, enum.Enum):
    """What a token holder may do; from the `roles` claim."""

    CONSUMER = "consumer"
    AUTHORITY = "authority"
    ANALYST = "analyst"
    ADMIN = "admin"
    SUBJECT = "subject"  # a person or organisation reading its own file; `sub` is its code


class Purpose(str, enum.Enum):
    """What a consumer is about to do; checks are limited to the purposes in its token."""

    AIR_TRAVEL = "AIR_TRAVEL"
    RAIL_TRAVEL = "RAIL_TRAVEL"
    LUXURY_CONSUMPTION = "LUXURY_CONSUMPTION"
    LENDING = "LENDING"
    PUBLIC_PROCUREMENT = "PUBLIC_PROCUREMENT"
    SECURITIES_ISSUANCE = "SECURITIES_ISSUANCE"
    GOVERNMENT_FUNDING = "GOVERNMENT_FUNDING"
    ADMINISTRATIVE_LICENSING = "ADMINISTRATIVE_LICENSING"
    CUSTOMS_CLEARANCE = "CUSTOMS_CLEARANCE"


@dataclass(frozen=True)
class Principal:
    """The verified caller of a request."""

    sub: str
    roles: frozenset[AccessRole] = field(default_factory=frozenset)
    purposes: frozenset[Purpose] = field(default_factory=frozenset)
    agency: str | None = None
    # Role subject only: the caller's own code, normalised (the token's `sub`). Every "is this
    # the caller's own file?" question goes through `is_self`, never through `sub`: another
    # role's `sub` is an account name, and one that happened to spell a code owns nothing.
    own_code: str | None = None

    def has(self, *roles: AccessRole) -> bool:
        return any(r in self.roles for r in roles)

    @property
    def sees_personal_data(self) -> bool:
        """Analysts and admins see person codes in clear; everybody else sees them masked."""
        return self.has(AccessRole.ANALYST, AccessRole.ADMIN)

    @property
    def subject_only(self) -> bool:
        """A subject token and nothing more: limited to its own file (libs/common/graphql)."""
        return self.roles == _SUBJECT_ONLY

    def is_self(self, code: str | None) -> bool:
        """Whether `code` (normalised) is the caller's own: a subject token and its own file."""
        return self.own_code is not None and code == self.own_code

    def require_self(self, code: str | None) -> None:
        """Raise FORBIDDEN unless `code` is the caller's own (see `is_self`)."""
        if not self.is_self(code):
            raise Forbidden("a subject token reaches only its own file")

    def require(self, *roles: AccessRole) -> None:
        """Raise FORBIDDEN unless the caller holds one of `roles`."""
        if not self.has(*roles):
            wanted = ", ".join(r.value for r in roles)
            raise Forbidden(f"this operation needs one of the roles: {wanted}")

    def require_purpose(self, purpose: Purpose) -> None:
        """Raise FORBIDDEN_PURPOSE unless the token lists `purpose`."""
        if purpose not in self.purposes and not self.has(AccessRole.ADMIN, AccessRole.ANALYST):
            raise ForbiddenPurpose(
                f"the token does not allow checks for purpose {purpose.value}",
                purpose=purpose.value,
            )


ANONYMOUS = Principal(sub="anonymous")
_SUBJECT_ONLY = frozenset({AccessRole.SUBJECT})


def _own_code(sub: str) -> str:
    """The normalised code a subject token's `sub` names; UNAUTHENTICATED if it names none."""
    try:
        return parse_code(sub).code
    except InvalidCode as exc:  # the message never echoes the code (personal data)
        raise Unauthenticated(f"a subject token's sub must be the subject's own code "
                              f"(USCC or resident identity number): {exc.message}",
                              rule=exc.rule) from None


def _claims_to_principal(claims: dict) -> Principal:
    roles = []
    for r in claims.get("roles") or []:
        try:
            roles.append(AccessRole(r))
        except ValueError:
            continue  # roles from other systems in a shared IdP are not ours to interpret
    purposes = []
    for p in claims.get("purposes") or []:
        try:
            purposes.append(Purpose(p))
        except ValueError:
            raise Unauthenticated(f"token names an unknown purpose: {p!r}") from None
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub:
        raise Unauthenticated("token has no subject (sub)")
    agency = claims.get("agency")
    own_code = None
    if AccessRole.SUBJECT in roles:
        own_code = sub = _own_code(sub)  # who filed, applied, acted: the code, as normalised
    return Principal(sub=sub, roles=frozenset(roles), purposes=frozenset(purposes),
                     agency=agency if isinstance(agency, str) and agency else None,
                     own_code=own_code)


@lru_cache(maxsize=4)
def _jwks_client(url: str) -> jwt.PyJWKClient:
    return jwt.PyJWKClient(url, cache_keys=True)


class TokenVerifier:
    """Verifies bearer tokens with the deployment's key: HS256 secret, RS256 key or JWKS.

    A consumer sends the same token with every request until it expires, so a verified token's
    principal is remembered (at most CACHE_SECONDS, never past the token's `exp`, at most
    CACHE_SIZE tokens): verifying a signature and building the principal cost more than the
    rest of a `check`'s authentication. Invalid tokens are never remembered.
    """

    CACHE_SIZE = 4096
    CACHE_SECONDS = 60.0

    def __init__(self, settings: CommonSettings) -> None:
        self._settings = settings
        self._verified: dict[str, tuple[Principal, float]] = {}  # token -> (principal, until)

    def verify(self, token: str) -> Principal:
        """Return the principal of a valid token or raise UNAUTHENTICATED."""
        now = time.time()
        hit = self._verified.get(token)
        if hit is not None:
            if now < hit[1]:
                return hit[0]
            del self._verified[token]
        principal, exp = self._verify(token)
        if len(self._verified) >= self.CACHE_SIZE:
            self._verified.clear()  # a burst of distinct tokens: start over rather than track age
        self._verified[token] = (principal, min(exp, now + self.CACHE_SECONDS))
        return principal

    def _verify(self, token: str) -> tuple[Principal, float]:
        s = self._settings
        options = {"require": ["exp", "sub"]}
        kwargs: dict = {}
        if s.jwt_audience:
            kwargs["audience"] = s.jwt_audience
        else:
            options["verify_aud"] = False
        if s.jwt_issuer:
            kwargs["issuer"] = s.jwt_issuer
        try:
            if s.jwt_jwks_url:
                key = _jwks_client(s.jwt_jwks_url).get_signing_key_from_jwt(token).key
                claims = jwt.decode(token, key, algorithms=["RS256"], options=options, **kwargs)
            elif s.jwt_public_key:
                claims = jwt.decode(token, s.jwt_public_key, algorithms=["RS256"],
                                    options=options, **kwargs)
            else:
                claims = jwt.decode(token, s.jwt_secret, algorithms=["HS256"],
                                    options=options, **kwargs)
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("token has expired") from None
        except jwt.PyJWTError as exc:
            raise Unauthenticated(f"invalid token: {exc}") from None
        return _claims_to_principal(claims), float(claims["exp"])

    def from_header(self, authorization: str | None) -> Principal:
        """Principal from an `Authorization: Bearer ...` header; anonymous when absent."""
        if not authorization:
            return ANONYMOUS
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("Authorization header must be 'Bearer <token>'")
        return self.verify(token.strip())


def mint_token(sub: str, roles: list[str], purposes: list[str] | None = None,
               agency: str | None = None, *, secret: str, ttl_seconds: int = 12 * 3600) -> str:
    """Sign a development token with the HS256 key."""
    now = int(time.time())
    claims: dict = {"sub": sub, "roles": roles, "iat": now, "exp": now + ttl_seconds}
    if purposes:
        claims["purposes"] = purposes
    if agency:
        claims["agency"] = agency
    return jwt.encode(claims, secret, algorithm="HS256")
