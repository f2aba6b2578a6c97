"""``booleanidt maps``: list the immune maps shipped with booleanidt, or show one.

Examples
--------
>>> from booleanidt.cli import main
>>> main(["maps"])  # doctest: +ELLIPSIS +NORMALIZE_WHITESPACE
name                     nodes  inputs  publication
cd4_martinez2015         18     6       http://identifiers.org/doi/10.1371/journal.pcbi.1004324
macrophage_palma2018     31     8       http://identifiers.org/doi/10.3389/fphys.2018.01659
macrophage_polarization  33     5       http://identifiers.org/doi/10.3389/fphys.2018.01659
...
th_naldi2010             65     13      http://identifiers.org/doi/10.1371/journal.pcbi.1000912
0
"""
from __future__ import annotations

import json

from .. import maps
from ..errors import BooleanidtError

__all__ = ["add_parser", "run", "describe"]


def describe(name: str) -> dict:
    """A short description of the shipped map ``name`` (plain data, JSON-ready).

    >>> describe("th_differentiation")["nodes"]
    32
    """
    model = maps.load(name)
    return {"name": name, "title": model.metadata.get("name", name), "nodes": len(model.nodes),
            "inputs": list(model.inputs), "outputs": list(model.outputs),
            "publications": list(maps.publications(model)), "path": str(maps.path(name))}


def _table(rows: list) -> str:
    header = ("name", "nodes", "inputs", "publication")
    cells = [header] + [(r["name"], str(r["nodes"]), str(len(r["inputs"])), ", ".join(r["publications"]))
                        for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header) - 1)]
    return "\n".join("  ".join([c.ljust(w) for c, w in zip(row, widths)] + [row[-1]]).rstrip() for row in cells)


def _details(row: dict) -> str:
    return "\n".join([f"{row['name']}: {row['title']}",
                      f"  nodes:        {row['nodes']}",
                      f"  inputs:       {', '.join(row['inputs'])}",
                      f"  outputs:      {', '.join(row['outputs'])}",
                      f"  publications: {', '.join(row['publications'])}",
                      f"  file:         {row['path']}"])


def run(args) -> int:
    """List the maps, or describe (and optionally draw) the one named."""
    if args.name is None:
        if args.plot:
            raise BooleanidtError("--plot needs the NAME of the map to draw")
        rows = [describe(name) for name in maps.names()]
        print(json.dumps(rows, indent=2) if args.json else _table(rows))
        return 0
    row = describe(args.name)
    print(json.dumps(row, indent=2) if args.json else _details(row))
    if args.plot:
        from ..network_plot import plot_network  # matplotlib: only when drawing
        plot_network(maps.load(args.name), title=row["title"], path=args.plot)
        print(f"network drawn in {args.plot}")
    return 0


def add_parser(subparsers) -> None:
    """Register ``booleanidt maps``."""
    parser = subparsers.add_parser("maps", help="list the immune maps shipped with booleanidt",
                                   description="List the shipped immune maps (name, nodes, inputs, "
                                               "publication), or describe the one named.")
    parser.add_argument("name", nargs="?", help="a shipped map to describe (its file path, inputs, outputs)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--plot", metavar="PNG", help="with NAME: draw its regulatory network into this PNG file")
    parser.set_defaults(func=run)
