"""The committed supergraph (and subgraph SDLs) must equal a fresh export + composition.

This is how CI catches a subgraph schema change that was not recomposed. Fix a
failure with:

    python -m services.gateway.sdl && node services/gateway/compose.mjs

and commit services/gateway/subgraphs/ and services/gateway/supergraph.graphql.
"""

from __future__ import annotations

import importlib.util

import pytest

from services.gateway import launcher
from services.gateway.subgraphs import SUBGRAPHS

REGENERATE = "python -m services.gateway.sdl && node services/gateway/compose.mjs"


def _missing_schema_modules() -> list[str]:
    missing = []
    for entry in SUBGRAPHS:
        module = entry.schema.partition(":")[0]
        try:
            found = importlib.util.find_spec(module) is not None
        except ModuleNotFoundError:  # a parent package is missing
            found = False
        if not found:
            missing.append(f"{entry.name} ({module})")
    return missing


@pytest.fixture(scope="module")
def node_ready():
    try:
        launcher.node_bin()
    except launcher.GatewayError as exc:
        pytest.skip(f"Node.js is not available, cannot compose: {exc}")
    launcher.ensure_installed()


@pytest.fixture(scope="module")
def fresh_export(tmp_path_factory, node_ready):
    missing = _missing_schema_modules()
    if missing:
        pytest.skip(
            "registered subgraph schema module(s) not importable yet: " + ", ".join(missing)
        )
    out = tmp_path_factory.mktemp("subgraphs")
    launcher.export_sdl(out)
    return out


def test_subgraph_sdl_is_up_to_date(fresh_export):
    stale = launcher.stale_sdl_files(fresh_export, launcher.SUBGRAPHS_DIR)
    assert not stale, (
        f"services/gateway/subgraphs/ is stale ({', '.join(stale)}); regenerate: {REGENERATE}"
    )


def test_committed_supergraph_matches_fresh_composition(fresh_export, tmp_path):
    composed = tmp_path / "supergraph.graphql"
    proc = launcher.run_compose(fresh_export, composed)
    assert proc.returncode == 0, f"composition failed:\n{proc.stderr}"
    assert launcher.SUPERGRAPH.is_file(), (
        f"services/gateway/supergraph.graphql is missing; generate it: {REGENERATE}"
    )
    assert composed.read_text() == launcher.SUPERGRAPH.read_text(), (
        f"services/gateway/supergraph.graphql is stale; regenerate: {REGENERATE}"
    )


def test_compose_check_mode_agrees(fresh_export):
    """`node compose.mjs --check` is the same gate, usable without pytest."""
    proc = launcher.run_compose(fresh_export, launcher.SUPERGRAPH, check=True)
    assert proc.returncode == 0, proc.stderr


def test_check_mode_detects_a_stale_supergraph(fresh_export, tmp_path):
    stale = tmp_path / "supergraph.graphql"
    stale.write_text("type Query { stale: Boolean }\n")
    proc = launcher.run_compose(fresh_export, stale, check=True)
    assert proc.returncode == 1
    assert "is stale" in proc.stderr
    assert stale.read_text() == "type Query { stale: Boolean }\n"  # --check never writes


def test_composition_errors_fail_loudly(node_ready, tmp_path):
    """Independent of the registry: conflicting subgraphs make compose.mjs exit 1 with the errors."""
    link = '@link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])'
    (tmp_path / "a.graphql").write_text(f"extend schema {link}\ntype Query {{ x: Int }}\n")
    (tmp_path / "b.graphql").write_text(f"extend schema {link}\ntype Query {{ x: String }}\n")
    (tmp_path / "subgraphs.json").write_text(
        '{"a": "http://127.0.0.1:1/graphql", "b": "http://127.0.0.1:2/graphql"}\n'
    )
    out = tmp_path / "supergraph.graphql"
    proc = launcher.run_compose(tmp_path, out)
    assert proc.returncode == 1
    assert "composition failed" in proc.stderr
    assert "Query.x" in proc.stderr
    assert not out.exists()
