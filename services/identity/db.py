"""The identity service's declarative base, bound to the `identity` schema."""

from libs.common.db import make_base

SCHEMA = "identity"
Base = make_base(SCHEMA)
