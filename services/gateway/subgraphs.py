"""Registry of the federation subgraphs the gateway composes.

Each entry is ``(name, "module.path:attribute", default_url)``:

* ``name`` is the subgraph name in the supergraph (``join__Graph``). It must match
  ``[a-z][a-z0-9_]*``; the gateway reads the URL override ``XINYONG_<NAME>_URL``.
* ``"module.path:attribute"`` is the ``strawberry.federation.Schema`` to export.
* ``default_url`` is the URL written into the committed supergraph; the running
  gateway may point elsewhere through the env override.

Order matters only for readability; composition output is deterministic either way.
After a schema change run ``make compose`` and commit the regenerated
``services/gateway/subgraphs/*`` and ``supergraph.graphql`` (CI fails while they are stale).
"""

from __future__ import annotations

from typing import NamedTuple


class Subgraph(NamedTuple):
    name: str
    schema: str  # "module.path:attribute" (sdl.export_sdl also accepts a schema object)
    url: str


SUBGRAPHS: list[Subgraph] = [
    Subgraph("identity", "services.identity.schema:schema", "http://127.0.0.1:4001/graphql"),
    Subgraph("records", "services.records.schema:schema", "http://127.0.0.1:4002/graphql"),
    Subgraph("sanctions", "services.sanctions.schema:schema", "http://127.0.0.1:4003/graphql"),
]


def env_var_for(name: str) -> str:
    """Environment variable that overrides the URL of subgraph ``name``."""
    return f"XINYONG_{name.upper()}_URL"
