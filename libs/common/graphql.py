"""Strawberry pieces shared by the subgraphs: context, error masking, limits and caches."""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Awaitable, Callable, Iterable, Iterator
from typing import Any

import structlog
from graphql import GraphQLError, ValidationRule
from graphql.language import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    ObjectFieldNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    VariableDefinitionNode,
)
from graphql.utilities import get_operation_ast
from graphql.validation import NoSchemaIntrospectionCustomRule, ValuesOfCorrectTypeRule
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.dataloader import DataLoader
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxTokensLimiter,
    ParserCache,
    ValidationCache,
)
from strawberry.extensions.base_extension import SchemaExtension
from strawberry.extensions.max_aliases import create_validator as alias_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule
from strawberry.fastapi import BaseContext

from libs.common.auth import ANONYMOUS, AccessRole, Principal, TokenVerifier
from libs.common.db import is_unavailable, sqlstate_of, transaction
from libs.common.errors import AppError, Forbidden, Unauthenticated

log = structlog.get_logger("graphql")

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 5000
MAX_OPERATIONS = 5
# The request body limit of /graphql (web.BodySizeLimit) bounds document size; a document is
# also refused past this many bytes, since one huge string literal is a single token.
MAX_DOCUMENT_BYTES = 64 * 1024
MAX_BODY_BYTES = 2 * 1024 * 1024


class ServiceContext(BaseContext):
    """Per-request context: the caller, a transaction factory and per-request loaders."""

    def __init__(self, *, sessionmaker: async_sessionmaker[AsyncSession],
                 verifier: TokenVerifier, authorization: str | None, request_id: str | None,
                 settings: Any = None) -> None:
        super().__init__()
        self.sessionmaker = sessionmaker
        self.settings = settings
        self.request_id = request_id
        self._verifier = verifier
        self._authorization = authorization
        self._principal: Principal | None = None
        self.loaders: dict[str, Any] = {}

    @property
    def principal(self) -> Principal:
        """The verified caller; an invalid token raises UNAUTHENTICATED when first needed."""
        if self._principal is None:
            self._principal = self._verifier.from_header(self._authorization)
        return self._principal

    def authenticated(self, *roles: AccessRole) -> Principal:
        """The caller, who must hold a token and, when `roles` are given, one of them."""
        p = self.principal
        if p is ANONYMOUS:
            raise Unauthenticated("this operation needs a bearer token")
        if roles:
            p.require(*roles)
        return p

    def transaction(self):
        """A unit of work for this request: commits at the end of the block, rolls back on error."""
        return transaction(self.sessionmaker)

    def loader(self, name: str, factory: Callable[[], Any]) -> Any:
        """A DataLoader created once per request."""
        if name not in self.loaders:
            self.loaders[name] = factory()
        return self.loaders[name]

    def batch_loader(self, name: str, fetch: Callable[[AsyncSession, list], Awaitable[dict]],
                     *, missing: Callable[[], Any] = lambda: None) -> DataLoader:
        """A per-request DataLoader over one query: `fetch(session, keys)` returns {key: value};
        a key it leaves out loads as `missing()` (None, or e.g. `list` for grouped rows)."""

        async def load(keys: list) -> list:
            async with self.transaction() as session:
                found = await fetch(session, keys)
            return [found[k] if k in found else missing() for k in keys]

        return self.loader(name, lambda: DataLoader(load_fn=load))


def group_by(rows: Iterable[Any], key: Callable[[Any], Any]) -> dict[Any, list]:
    """Rows grouped by `key`, keeping their order (for one-to-many batch loaders)."""
    grouped: dict[Any, list] = {}
    for row in rows:
        grouped.setdefault(key(row), []).append(row)
    return grouped


QUERY_CANCELED = "57014"  # statement_timeout (or a cancel request) ended the statement


def is_statement_timeout(exc: BaseException | None) -> bool:
    """Whether `exc` (or what it wraps) is PostgreSQL cancelling a statement that ran too long."""
    return sqlstate_of(exc) == QUERY_CANCELED


def _should_mask(error: GraphQLError) -> bool:
    original = error.original_error
    if original is None or isinstance(original, (AppError, GraphQLError)):
        return False
    if is_statement_timeout(original):
        log.warning("statement timeout", path=error.path)
    elif is_unavailable(original):
        log.warning("database unavailable", path=error.path, error=type(original).__name__)
    else:
        log.error("unexpected error", path=error.path, exc_info=original)
    return True


class MaskUnexpectedErrors(MaskErrors):
    """Hide unexpected exceptions behind a request id; typed errors pass through."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=_should_mask)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        request_id = structlog.contextvars.get_contextvars().get("request_id", "")
        if is_statement_timeout(error.original_error):
            # Slow is unavailable, not a bug: the answer is missing and the client may retry.
            return GraphQLError(
                message=f"The database did not answer in time (request id {request_id}); try again.",
                nodes=error.nodes, source=error.source, positions=error.positions, path=error.path,
                extensions={"code": "UNAVAILABLE", "requestId": request_id},
            )
        if is_unavailable(error.original_error):
            return GraphQLError(
                message=f"The database is unavailable (request id {request_id}); try again.",
                nodes=error.nodes, source=error.source, positions=error.positions, path=error.path,
                extensions={"code": "UNAVAILABLE", "requestId": request_id},
            )
        return GraphQLError(
            message=f"Internal server error (request id {request_id})",
            nodes=error.nodes, source=error.source, positions=error.positions, path=error.path,
            extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
        )


class MaxOperationsRule(ValidationRule):
    """Validation rule: at most MAX_OPERATIONS operation definitions in one document."""

    def enter_document(self, node: DocumentNode, *_args: Any) -> None:
        count = sum(isinstance(d, OperationDefinitionNode) for d in node.definitions)
        if count > MAX_OPERATIONS:
            self.report_error(GraphQLError(
                f"The document has {count} operations; at most {MAX_OPERATIONS} are allowed.",
                extensions={"code": "LIMIT_EXCEEDED", "limit": "maxOperations", "max": MAX_OPERATIONS},
            ))


class MaxDocumentSize(SchemaExtension):
    """Refuse documents over MAX_DOCUMENT_BYTES before they are parsed."""

    def on_parse(self) -> Iterator[None]:
        query = self.execution_context.query or ""
        if len(query) > MAX_DOCUMENT_BYTES or len(query.encode()) > MAX_DOCUMENT_BYTES:
            raise GraphQLError(
                f"The GraphQL document is larger than {MAX_DOCUMENT_BYTES} bytes.",
                extensions={"code": "LIMIT_EXCEEDED", "limit": "maxDocumentBytes",
                            "max": MAX_DOCUMENT_BYTES},
            )
        yield


def _is_production(context: Any) -> bool:
    settings = getattr(context, "settings", None)
    if settings is not None and hasattr(settings, "is_production"):
        return bool(settings.is_production)
    return os.environ.get("XINYONG_ENVIRONMENT", "development").lower() == "production"


class IntrospectionOffInProduction(AddValidationRules):
    """Introspection (`__schema`, `__type`) is refused in production; on elsewhere."""

    def __init__(self) -> None:
        super().__init__([NoSchemaIntrospectionCustomRule])

    def on_operation(self) -> Iterator[None]:
        if not _is_production(self.execution_context.context):
            yield
            return
        yield from super().on_operation()


# Messages of strawberry's / graphql-core's limiters, which carry no code of their own.
_LIMIT_MESSAGES = (
    (re.compile(r"exceeds maximum operation depth", re.I), "maxDepth"),
    (re.compile(r"aliases found\. Allowed", re.I), "maxAliases"),
    (re.compile(r"Document contains more than \d+ tokens", re.I), "maxTokens"),
)


class LimitErrorCodes(SchemaExtension):
    """Give limit violations the contract's `extensions.code: LIMIT_EXCEEDED`."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None) or []
        tagged = []
        for error in errors:
            code = (error.extensions or {}).get("code")
            limit = next((name for pattern, name in _LIMIT_MESSAGES
                          if pattern.search(error.message or "")), None)
            if code is None and limit is not None:
                error = GraphQLError(error.message, nodes=error.nodes, source=error.source,
                                     positions=error.positions, path=error.path,
                                     original_error=error.original_error,
                                     extensions={**(error.extensions or {}),
                                                 "code": "LIMIT_EXCEEDED", "limit": limit})
            tagged.append(error)
        if errors:
            result.errors = tagged


# Control characters no input may carry: C0 and C1 except tab, line feed and carriage return
# (multi-line grounds and notes are fine). A NUL would otherwise reach PostgreSQL, which refuses
# it in text, as an internal error.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def control_character(value: str) -> str | None:
    """The first forbidden control character in `value`, as U+XXXX, or None."""
    if value.isprintable():
        return None
    found = _CONTROL.search(value)
    return f"U+{ord(found.group()):04X}" if found else None


def _control_error(where: str, char: str, nodes=None) -> GraphQLError:
    return GraphQLError(f"{where} contains a control character ({char})", nodes=nodes,
                        extensions={"code": "BAD_REQUEST", "field": where,
                                    "rule": "controlCharacter"})


class NoControlCharactersRule(ValidationRule):
    """Validation rule: no string literal in the document carries a control character."""

    def __init__(self, context) -> None:
        super().__init__(context)
        self._path: list[str] = []

    def enter_argument(self, node: ArgumentNode, *_args: Any) -> None:
        self._path.append(node.name.value)

    def leave_argument(self, *_args: Any) -> None:
        self._path.pop()

    def enter_object_field(self, node: ObjectFieldNode, *_args: Any) -> None:
        self._path.append(node.name.value)

    def leave_object_field(self, *_args: Any) -> None:
        self._path.pop()

    def enter_string_value(self, node: StringValueNode, *_args: Any) -> None:
        char = control_character(node.value)
        if char is not None:
            where = ".".join(self._path) or "a string literal"
            self.report_error(_control_error(where, char, [node]))


def _first_control(value: Any, path: str) -> tuple[str, str] | None:
    if isinstance(value, str):
        char = control_character(value)
        return (path, char) if char else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = _first_control(item, f"{path}.{key}")
            if found:
                return found
    elif isinstance(value, list):
        if value and all(type(v) is str for v in value):
            # One C call for a whole list of codes; only look closer when it fails.
            if "".join(value).isprintable():
                return None
        for i, item in enumerate(value):
            found = _first_control(item, f"{path}[{i}]")
            if found:
                return found
    return None


class NoControlCharactersInVariables(SchemaExtension):
    """Refuse an operation whose variables carry a control character, before anything runs."""

    def on_execute(self) -> Iterator[None]:
        for name, value in (self.execution_context.variables or {}).items():
            found = _first_control(value, f"${name}")
            if found:
                raise _control_error(*found)
        yield


def root_fields(document: DocumentNode, operation_name: str | None) -> list[FieldNode]:
    """The root fields the operation selects, through fragments (directives not applied)."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return []
    fragments = {d.name.value: d for d in document.definitions
                 if isinstance(d, FragmentDefinitionNode)}
    found: list[FieldNode] = []
    spread: set[str] = set()

    def walk(selection_set: SelectionSetNode) -> None:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                found.append(selection)
            elif isinstance(selection, InlineFragmentNode):
                walk(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in fragments and name not in spread:
                    spread.add(name)
                    walk(fragments[name].selection_set)

    walk(operation.selection_set)
    return found


# Root fields every caller may select: the gateway's entity joins and composition, and the
# type name. Entity resolution applies its own rule to a subject token (`subject_reference`).
ALWAYS_OPEN = frozenset({"_entities", "_service", "__typename"})


class SubjectScope(SchemaExtension):
    """A token whose only role is `subject` selects only the root fields its subgraph opens to
    it (`federation_schema(subject_fields=...)`); any other root field is FORBIDDEN before
    anything runs. One guard per subgraph rather than a refusal in every resolver: checks,
    screens, feeds, searches, the catalogue, decisions and whatever is added later stay closed
    to it unless listed. The listed resolvers confine it to its own code."""

    def __init__(self, open_fields: frozenset[str]) -> None:
        super().__init__()
        self.open_fields = open_fields

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context.context
        try:
            principal = context.principal
        except (AppError, AttributeError):
            yield  # no principal yet (an invalid token): the resolvers answer UNAUTHENTICATED
            return
        if principal.subject_only:
            document = self.execution_context.graphql_document
            for node in root_fields(document, self.execution_context.operation_name):
                if node.name.value not in self.open_fields:
                    key = (node.alias or node.name).value
                    error = Forbidden(f"a subject token may not use {node.name.value}: it reads "
                                      "its own file, its checks, and objects or applies for "
                                      "repair on its own listings")
                    raise GraphQLError(error.message, nodes=[node], path=[key],
                                       original_error=error, extensions=error.extensions)
        yield


_VARIABLE_ERROR = re.compile(r"^Variable '\$(\w+)' has invalid")
_REQUEST_VALUE_ERRORS = ("Variable values are nested too deeply",
                         "Too many errors processing variables")


class _CodedValuesOfCorrectType(ValuesOfCorrectTypeRule):
    """graphql-core's literal check, whose errors (a scalar refusing a literal) are BAD_REQUEST."""

    def report_error(self, error: GraphQLError) -> None:
        if not (error.extensions or {}).get("code"):
            # The scalar's refusal (a ValueError) is already in the message; kept as the original
            # error it would be masked as a bug.
            error = GraphQLError(error.message, nodes=error.nodes, source=error.source,
                                 positions=error.positions, path=error.path,
                                 extensions={**(error.extensions or {}), "code": "BAD_REQUEST"})
        super().report_error(error)


def _request_error_code(error: GraphQLError) -> tuple[str, dict[str, Any]]:
    """The code of an error graphql-core raised before execution, and what it names."""
    message = error.message or ""
    nodes = error.nodes or []
    match = _VARIABLE_ERROR.match(message)
    if match and len(nodes) == 1 and isinstance(nodes[0], VariableDefinitionNode):
        return "BAD_REQUEST", {"variable": match.group(1)}
    if message.startswith(_REQUEST_VALUE_ERRORS):
        return "BAD_REQUEST", {}
    return "GRAPHQL_VALIDATION_FAILED", {}


class RequestErrorCodes(SchemaExtension):
    """Codes for the errors graphql-core raises before anything runs, which carry none.

    A variable or literal that its type cannot take (a `DateTime` that is not one, an enum
    value that does not exist) is `BAD_REQUEST`, naming the variable; the rest are validation
    failures. Without a code the gateway could not tell them from a failing service.
    """

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        context.validation_rules = tuple(
            _CodedValuesOfCorrectType if rule is ValuesOfCorrectTypeRule else rule
            for rule in context.validation_rules)
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None) or []
        if not any(e.path is None and not (e.extensions or {}).get("code") for e in errors):
            return
        tagged = []
        for error in errors:
            if error.path is None and not (error.extensions or {}).get("code"):
                code, named = _request_error_code(error)
                error = GraphQLError(error.message, nodes=error.nodes, source=error.source,
                                     positions=error.positions, path=error.path,
                                     original_error=error.original_error,
                                     extensions={**(error.extensions or {}), "code": code,
                                                 **named})
            tagged.append(error)
        result.errors = tagged


@functools.cache
def _validation_rules() -> tuple[type[ValidationRule], ...]:
    """The depth, alias, operation-count and control-character rules, built once per process."""
    return (depth_rule(MAX_DEPTH, None, None), alias_rule(MAX_ALIASES), MaxOperationsRule,
            NoControlCharactersRule)


def schema_extensions() -> list:
    """Extensions every subgraph runs: limits first, then caches, then error masking."""
    return [
        MaxDocumentSize,
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        # One rule list for every request: QueryDepthLimiter and MaxAliasesLimiter would build
        # new rule classes per request, and ValidationCache keys on the rules (~4 ms a request).
        lambda: AddValidationRules(_validation_rules()),
        IntrospectionOffInProduction,
        NoControlCharactersInVariables,
        lambda: ParserCache(maxsize=512),
        lambda: ValidationCache(maxsize=512),
        MaskUnexpectedErrors,
        RequestErrorCodes,  # after LimitErrorCodes: extensions leave on_operation in reverse
        LimitErrorCodes,
    ]


def federation_schema(*, query: type, mutation: type | None = None, types: Iterable = (),
                      extensions: Iterable = (), subject_fields: Iterable[str] = ()) -> Any:
    """A subgraph's schema: federation 2.9, the kit's extensions (then the service's own) and
    its strict scalars. `subject_fields` are the root fields (query or mutation) a token whose
    only role is `subject` may select there (SubjectScope)."""
    import strawberry
    from strawberry.schema.config import StrawberryConfig

    from libs.common.scalars import SCALAR_MAP

    open_fields = frozenset(subject_fields) | ALWAYS_OPEN
    schema = strawberry.federation.Schema(
        query=query, mutation=mutation, types=list(types),
        extensions=[*schema_extensions(), lambda: SubjectScope(open_fields), *extensions],
        config=StrawberryConfig(scalar_map=SCALAR_MAP), federation_version="2.9")
    roots = schema._schema.query_type, schema._schema.mutation_type
    known = {name for root in roots if root is not None for name in root.fields}
    if unknown := frozenset(subject_fields) - known:
        raise ValueError(f"subject_fields names no root field: {sorted(unknown)}")
    return schema
