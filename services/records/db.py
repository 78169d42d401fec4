"""The records service's declarative base, bound to the `records` schema."""

from libs.common.db import make_base

SCHEMA = "records"
Base = make_base(SCHEMA)
