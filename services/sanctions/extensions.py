"""The subgraph's schema extensions: libs.common's limits, caches and masking, with the
validation rules built once.

`libs.common.graphql.schema_extensions()` creates QueryDepthLimiter and MaxAliasesLimiter per
request, and each instance builds a new rule class, so the validation rules differ on every
request and ValidationCache never hits (measured here: ~4 ms of validation on every `check`).
The same limits with rule classes made once let the cache work.
"""

from __future__ import annotations

from strawberry.extensions import (AddValidationRules, MaxTokensLimiter, ParserCache,
                                   ValidationCache)
from strawberry.extensions.max_aliases import create_validator as alias_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule

from libs.common.graphql import MAX_ALIASES, MAX_DEPTH, MAX_TOKENS, MaskUnexpectedErrors

_RULES = [depth_rule(MAX_DEPTH, None, None), alias_rule(MAX_ALIASES)]


def sanctions_extensions() -> list:
    """Limits first, then caches, then error masking (the order of schema_extensions())."""
    return [
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: AddValidationRules(_RULES),
        lambda: ParserCache(maxsize=512),
        lambda: ValidationCache(maxsize=512),
        MaskUnexpectedErrors,
    ]
