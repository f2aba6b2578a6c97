"""``booleanidt info MODEL``: nodes, inputs, outputs, edges, multi-valued nodes and annotation coverage.

Examples
--------
>>> from booleanidt.cli import main
>>> main(["info", "th_differentiation"])  # doctest: +ELLIPSIS
model                ...
nodes                32
...
0
"""
from __future__ import annotations

import json

from ..summary import summarize
from ._common import add_cfg_option, load_model

__all__ = ["add_parser", "run", "format_table"]


def _listing(items, limit: int = 12) -> str:
    items = list(items)
    shown = ", ".join(items[:limit])
    return f"{len(items)}" + (f" ({shown}{', ...' if len(items) > limit else ''})" if items else "")


def format_table(summary: dict) -> str:
    """The summary as a two-column table.

    >>> print(format_table({"name": "m", "nodes": 2, "inputs": ["A"], "free_inputs": {"A": "no rule"},
    ...     "constants": [], "outputs": ["B"], "edges": {"total": 1, "positive": 1, "negative": 0, "dual": 0},
    ...     "multivalued": {}, "annotated": 0, "annotation_coverage": 0.0, "namespaces": {},
    ...     "compartments": []}).splitlines()[2])
    inputs               1 (A)
    """
    kinds: dict = {}
    for node, kind in summary["free_inputs"].items():
        kinds.setdefault(kind, []).append(node)
    edges = summary["edges"]
    rows = [
        ("model", summary["name"] or "-"),
        ("nodes", str(summary["nodes"])),
        ("inputs", _listing(summary["inputs"])),
        *((f"  {kind}", _listing(nodes) + (" kept free: they keep their initial value"
                                           if kind == "no rule" else ""))
          for kind, nodes in sorted(kinds.items()) if len(kinds) > 1 or kind == "no rule"),
        ("constants", _listing(summary["constants"])),
        ("outputs", _listing(summary["outputs"])),
        ("edges", f"{edges['total']} ({edges['positive']} +, {edges['negative']} -, {edges['dual']} dual)"),
        ("multi-valued nodes", _listing(f"{n} (max {m})" for n, m in summary["multivalued"].items())),
        ("annotated nodes", f"{summary['annotated']} ({summary['annotation_coverage']:.0%})"),
        ("identifiers", ", ".join(f"{ns} {count}" for ns, count in summary["namespaces"].items()) or "-"),
        ("compartments", _listing(summary["compartments"])),
    ]
    return "\n".join(f"{key:<20} {value}" for key, value in rows)


def run(args) -> int:
    """Print the summary of ``args.model``."""
    summary = summarize(load_model(args.model, format=args.format, cfg=args.cfg))
    print(json.dumps(summary, indent=2) if args.json else format_table(summary))
    return 0


def add_parser(subparsers):
    """Register ``info``."""
    parser = subparsers.add_parser("info", help="summarise a model", description=__doc__.split("\n\n")[0])
    parser.add_argument("model", metavar="MODEL", help="model file (or the name of a shipped map)")
    parser.add_argument("--format", help="format of MODEL when the extension does not tell")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    add_cfg_option(parser)
    parser.set_defaults(func=run)
