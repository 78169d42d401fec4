"""Export the federation SDL of every registered subgraph.

``python -m services.gateway.sdl`` imports each schema named in
:mod:`services.gateway.subgraphs` and writes

* ``services/gateway/subgraphs/<name>.graphql`` -- the SDL that the subgraph's
  ``_service { sdl }`` returns (Strawberry's federation printer), and
* ``services/gateway/subgraphs/subgraphs.json`` -- ``{name: default_url}``,

which ``compose.mjs`` turns into ``supergraph.graphql``. Output is deterministic:
same schemas, same bytes.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from services.gateway.subgraphs import SUBGRAPHS, Subgraph

GATEWAY_DIR = Path(__file__).resolve().parent
SUBGRAPHS_DIR = GATEWAY_DIR / "subgraphs"
MANIFEST = "subgraphs.json"


def load_schema(target: Any) -> Any:
    """Import ``"module.path:attribute"`` and return the attribute.

    A non-string ``target`` is taken to be the schema itself (tests pass objects).
    """
    if not isinstance(target, str):
        return target
    module_name, sep, attr = target.partition(":")
    if not sep or not module_name or not attr:
        raise ValueError(f"schema target must look like 'module.path:attribute', got {target!r}")
    module = importlib.import_module(module_name)
    try:
        obj: Any = module
        for part in attr.split("."):
            obj = getattr(obj, part)
    except AttributeError as exc:
        raise AttributeError(f"{module_name!r} has no attribute {attr!r}") from exc
    return obj


def federation_sdl(schema: Any) -> str:
    """The SDL a Strawberry federation schema serves from ``_service { sdl }``."""
    from strawberry.federation import Schema as FederationSchema
    from strawberry.printer import print_schema

    if not isinstance(schema, FederationSchema):
        raise TypeError(
            f"expected a strawberry.federation.Schema, got {type(schema).__module__}."
            f"{type(schema).__qualname__}"
        )
    sdl = print_schema(schema).strip()
    if "https://specs.apollo.dev/federation/" not in sdl:
        # Strawberry prints the federation @link only when the schema uses a federation
        # directive; without it composition would treat the subgraph as Federation 1.
        # Every Xinyong subgraph is Federation 2, so say so (the one place where this
        # file differs from what `_service { sdl }` returns).
        version = getattr(schema, "federation_version", None)
        if version is None:
            raise ValueError(
                "not a Federation 2 schema: build it with "
                'strawberry.federation.Schema(..., federation_version="2.9")'
            )
        major, minor = version
        link = f"https://specs.apollo.dev/federation/v{major}.{minor}"
        sdl = f'extend schema @link(url: "{link}", import: [])\n\n{sdl}'
    return sdl + "\n"


def export_sdl(
    out_dir: Path | str = SUBGRAPHS_DIR,
    subgraphs: Iterable[Subgraph | Sequence[str]] | None = None,
) -> dict[str, Path]:
    """Write ``<name>.graphql`` per subgraph plus ``subgraphs.json`` into ``out_dir``.

    ``.graphql`` files in ``out_dir`` that belong to no registered subgraph are
    removed, so dropping a subgraph from the registry drops it from composition.
    Returns ``{name: path}``.
    """
    entries = [Subgraph(*entry) for entry in (SUBGRAPHS if subgraphs is None else subgraphs)]
    names = [entry.name for entry in entries]
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate subgraph names in registry: {names}")
    for name in names:
        if not name or not (name[0].isascii() and name[0].islower()) or not all(
            c.isascii() and (c.islower() or c.isdigit() or c == "_") for c in name
        ):
            raise ValueError(f"subgraph name {name!r} must match [a-z][a-z0-9_]*")

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for entry in entries:
        sdl = federation_sdl(load_schema(entry.schema))
        path = out / f"{entry.name}.graphql"
        _write_if_changed(path, sdl)
        written[entry.name] = path
    for stale in out.glob("*.graphql"):
        if stale.stem not in written:
            stale.unlink()
    manifest = {entry.name: entry.url for entry in entries}
    _write_if_changed(out / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return written


def _write_if_changed(path: Path, text: str) -> None:
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return
    path.write_text(text, encoding="utf-8", newline="\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m services.gateway.sdl",
        description="Export each registered subgraph's federation SDL for composition.",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=SUBGRAPHS_DIR,
        help=f"output directory (default: {SUBGRAPHS_DIR})",
    )
    parser.add_argument(
        "--subgraph",
        action="append",
        metavar="NAME=MODULE:ATTR=URL",
        help="use these subgraphs instead of the registry (repeatable; for experiments)",
    )
    args = parser.parse_args(argv)
    registry: list[Subgraph] | None = None
    if args.subgraph:
        registry = []
        for spec in args.subgraph:
            parts = spec.split("=", 2)
            if len(parts) != 3:
                parser.error(f"--subgraph expects NAME=MODULE:ATTR=URL, got {spec!r}")
            registry.append(Subgraph(*parts))
    written = export_sdl(args.out, registry)
    for name, path in written.items():
        print(f"sdl: {name} -> {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
