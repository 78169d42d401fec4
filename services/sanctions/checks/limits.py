"""What one request and one consumer may ask of `check` and `screen`, measured before execution.

`screen` refuses more than `max_screen_codes` codes, but one document can hold many aliased
`screen` fields (through fragments too), each within the limit. So, before anything runs:

- **Per request**: the codes of every `check` (1 each) and `screen` field of the operation,
  however aliased or spelled through fragments, are counted from the document and its
  variables; over `max_screen_codes` the whole request is refused LIMIT_EXCEEDED
  (`limit: codesPerRequest`) and nothing is executed or audited.
- **Per consumer**: each caller (token `sub`) may have at most `consumer_codes_in_flight`
  codes being checked at once in this process; a request that would go over while others of
  the same caller are running is refused LIMIT_EXCEEDED (`limit: codesInFlight`) at once,
  never queued. A request alone is always let through (the per-request limit bounds it), so
  one consumer's batches cannot take the process from everybody else.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
)
from graphql.language import DocumentNode
from strawberry.extensions import SchemaExtension

from libs.common.errors import AppError, LimitExceeded

COSTS = {"check": None, "screen": "codes"}  # field -> argument holding its list of codes


def codes_requested(document: DocumentNode, operation_name: str | None,
                    variables: dict[str, Any] | None) -> int:
    """Codes the operation asks `check` and `screen` about, over every alias and fragment."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    if len(operations) != 1 or operations[0].operation.value != "query":
        return 0
    fragments = {d.name.value: d for d in document.definitions
                 if isinstance(d, FragmentDefinitionNode)}
    by_key: dict[str, FieldNode] = {}  # fields of one response key merge: count one of them
    for field in _root_fields(operations[0].selection_set, fragments, set()):
        by_key.setdefault((field.alias or field.name).value, field)
    return sum(_cost(field, variables or {}) for field in by_key.values())


def _root_fields(selection_set: SelectionSetNode, fragments: dict, seen: set[str]
                 ) -> Iterator[FieldNode]:
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _root_fields(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in seen or name not in fragments:  # cycles and unknowns fail validation
                continue
            yield from _root_fields(fragments[name].selection_set, fragments, seen | {name})


def _cost(field: FieldNode, variables: dict[str, Any]) -> int:
    name = field.name.value
    if name not in COSTS:
        return 0
    argument = COSTS[name]
    if argument is None:
        return 1
    for arg in field.arguments or ():
        if arg.name.value != argument:
            continue
        value = arg.value
        if isinstance(value, VariableNode):
            given = variables.get(value.name.value)
            return len(given) if isinstance(given, list) else 1
        if isinstance(value, ListValueNode):
            return len(value.values)
        return 1
    return 0


class ConsumerBudget:
    """Codes being checked right now, per caller, in this process."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._in_flight: dict[str, int] = {}

    def acquire(self, caller: str, codes: int) -> None:
        current = self._in_flight.get(caller, 0)
        if current and current + codes > self.limit:
            raise LimitExceeded(
                f"{current} codes of this caller are being checked already; at most "
                f"{self.limit} at once — wait for them or send smaller batches",
                limit="codesInFlight", max=self.limit)
        self._in_flight[caller] = current + codes

    def release(self, caller: str, codes: int) -> None:
        left = self._in_flight.get(caller, 0) - codes
        if left > 0:
            self._in_flight[caller] = left
        else:
            self._in_flight.pop(caller, None)

    def in_flight(self, caller: str) -> int:
        return self._in_flight.get(caller, 0)


def _refusal(exc: AppError) -> GraphQLError:
    return GraphQLError(exc.message, original_error=exc, extensions=exc.extensions)


class CheckBudget(SchemaExtension):
    """Applies both limits of this module before execution (see its docstring)."""

    def on_execute(self) -> Iterator[None]:
        ec = self.execution_context
        ctx = ec.context
        if ec.graphql_document is None or getattr(ctx, "budget", None) is None:
            yield
            return
        codes = codes_requested(ec.graphql_document, ec.operation_name, ec.variables)
        if not codes:
            yield
            return
        limit = ctx.settings.max_screen_codes
        if codes > limit:
            raise _refusal(LimitExceeded(
                f"this request asks about {codes} codes over its check and screen fields; at "
                f"most {limit} per request — split it", limit="codesPerRequest", max=limit,
                given=codes))
        try:
            caller = ctx.principal.sub
        except AppError:
            yield  # the resolvers answer UNAUTHENTICATED
            return
        try:
            ctx.budget.acquire(caller, codes)
        except AppError as exc:
            raise _refusal(exc) from None
        try:
            yield
        finally:
            ctx.budget.release(caller, codes)
