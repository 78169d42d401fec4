"""The sanctions service's declarative base, bound to the `sanctions` schema."""

from libs.common.db import make_base

SCHEMA = "sanctions"
Base = make_base(SCHEMA)
