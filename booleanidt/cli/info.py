"""``booleanidt info MODEL``: nodes, inputs, outputs, phenotypes, edges, multi-valued nodes and annotations.

Nodes are listed by name beside their id.  ``--find TEXT`` lists the nodes whose id, name,
compartment or MIRIAM identifiers (HGNC symbols, UniProt ids...) match TEXT.

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

from ..naming import identifiers, shortened
from ..summary import summarize
from ._common import add_cfg_option, load_model

__all__ = ["add_parser", "run", "format_table", "format_matches"]


def _listing(items, names: dict | None = None) -> str:
    items = [f"{names[i]} ({i})" if names and i in names else i for i in items]
    return f"{len(items)}" + (f" ({shortened(items, where='--json')})" if items else "")


def format_matches(model, ids) -> str:
    """One line per node found: id, name, compartment and its MIRIAM identifiers.

    >>> from booleanidt.model import LogicalModel, Node
    >>> m = LogicalModel.from_rules({"S_22": None}, nodes={"S_22": Node("S_22", name="CD40LG",
    ...                                                              compartment="extracellular")})
    >>> print(format_matches(m, ["S_22"]))
    id    name    compartment    identifiers
    S_22  CD40LG  extracellular  -
    """
    rows = [("id", "name", "compartment", "identifiers")]
    for node_id in ids:
        node = model.nodes[node_id]
        found = shortened(f"{namespace}:{identifier}" for namespace, identifier in identifiers(node)
                          if namespace != "pubmed")
        rows.append((node_id, node.name or "-", node.compartment or "-", found or "-"))
    widths = [max(len(row[k]) for row in rows) for k in range(3)]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row[:3], widths)) + "  " + row[3]
                     for row in rows)


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
    edges, names = summary["edges"], summary.get("names", {})
    rows = [
        ("model", summary["name"] or "-"),
        ("nodes", str(summary["nodes"])),
        ("inputs", _listing(summary["inputs"], names)),
        *((f"  {kind}", _listing(nodes, names) + (" kept free: they keep their initial value"
                                           if kind == "no rule" else ""))
          for kind, nodes in sorted(kinds.items()) if len(kinds) > 1 or kind == "no rule"),
        ("constants", _listing(summary["constants"], names)),
        ("outputs", _listing(summary["outputs"], names)),
        ("phenotypes", _listing(summary.get("phenotypes", ()), names)),
        ("edges", f"{edges['total']} ({edges['positive']} +, {edges['negative']} -, {edges['dual']} dual)"),
        ("multi-valued nodes", _listing(f"{n} (max {m})" for n, m in summary["multivalued"].items())),
        ("annotated nodes", f"{summary['annotated']} ({summary['annotation_coverage']:.0%})"),
        ("identifiers", ", ".join(f"{ns} {count}" for ns, count in summary["namespaces"].items()) or "-"),
        ("compartments", _listing(summary["compartments"])),
    ]
    return "\n".join(f"{key:<20} {value}" for key, value in rows)


def run(args) -> int:
    """Print the summary of ``args.model``."""
    model = load_model(args.model, format=args.format, cfg=args.cfg)
    if args.find is not None:
        found = model.find(args.find)
        print(format_matches(model, found) if found else f"no node matches {args.find!r}")
        return 0
    summary = summarize(model)
    print(json.dumps(summary, indent=2) if args.json else format_table(summary))
    return 0


def add_parser(subparsers):
    """Register ``info``."""
    parser = subparsers.add_parser("info", help="summarise a model", description=__doc__.split("\n\n")[0])
    parser.add_argument("model", metavar="MODEL", help="model file (or the name of a shipped map)")
    parser.add_argument("--format", help="format of MODEL when the extension does not tell")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    add_cfg_option(parser)
    parser.add_argument("--find", metavar="TEXT", help="list the nodes whose id, name, compartment or "
                        "identifiers (HGNC, UniProt...) match TEXT")
    parser.set_defaults(func=run)
