"""``booleanidt analyze MODEL --fixed-points|--trap-spaces|--attractors [--inputs A=1,B=0]``.

Prints one row per result (node columns, 0/1/levels, ``*`` for free nodes), phenotype
nodes first, or writes them as CSV with ``-o``.

Examples
--------
>>> parse_levels("A=1, B=0")
{'A': 1, 'B': 0}
"""
from __future__ import annotations

import argparse
import sys

from ..errors import BooleanidtError
from ..io._files import atomic_write_text
from ..naming import labels, resolve_keys, resolve_many, shortened
from ._common import add_cfg_option, load_model

__all__ = ["add_parser", "run", "parse_levels", "checked_levels"]

#: seconds an attractor search may run from the command line unless --time-limit says otherwise
ATTRACTOR_TIME_LIMIT = 600.0


#: from this many free inputs on, an attractor search says what it is about to explore
ANNOUNCED_FREE_INPUTS = 6


def parse_levels(text: str) -> dict:
    """``"A=1,B=0"`` -> ``{"A": 1, "B": 0}`` (argparse type; bad items are argument errors)."""
    levels = {}
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        node, sep, value = item.partition("=")
        if not sep or not node.strip() or not value.strip().isdigit():
            raise argparse.ArgumentTypeError(f"expected NODE=LEVEL items separated by commas, got {item!r}")
        levels[node.strip()] = int(value)
    return levels


def checked_levels(model, levels: dict, option: str) -> dict:
    """``levels`` keyed by node ids (nodes named by id or name), each level within its range."""
    levels = resolve_keys(model, levels, option)
    for node, level in levels.items():
        if level > model.nodes[node].max_level:
            raise BooleanidtError(f"{option}: {node}={level} is above its maximum level "
                                  f"{model.nodes[node].max_level}")
    return levels


def _announce_search(model, inputs: dict):
    """Say before an attractor search how many inputs are left free and what that implies."""
    free = [n for n in model.inputs if n not in inputs]
    if len(free) < ANNOUNCED_FREE_INPUTS:
        return
    shown = labels(model)
    print(f"searching attractors with {len(free)} free inputs ({shortened(shown[n] for n in free)}): each of "
          f"the {2 ** len(free):,} input combinations is explored; fixing inputs (--inputs {free[0]}=0,...) "
          "makes the search much faster", file=sys.stderr)


def add_parser(subparsers):
    """Register ``analyze``."""
    parser = subparsers.add_parser("analyze", help="fixed points, minimal trap spaces or attractors of a model",
                                   description=__doc__.split("\n\n")[1])
    parser.add_argument("model", metavar="MODEL", help="model file (SBML-qual, .bnet, .bnd) or shipped map name")
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--fixed-points", dest="analysis", action="store_const", const="fixed_points",
                       help="stable states")
    which.add_argument("--trap-spaces", dest="analysis", action="store_const", const="trap_spaces",
                       help="minimal trap spaces (Boolean models)")
    which.add_argument("--attractors", dest="analysis", action="store_const", const="attractors",
                       help="asynchronous attractors (symbolic search; multi-valued models through their booleanization)")
    parser.add_argument("--inputs", type=parse_levels, default={}, metavar="A=1,B=0",
                        help="fix these nodes (free inputs not named range over all values)")
    parser.add_argument("--outputs", metavar="A,B", help="columns to put first, by id or name (default: the "
                        "model's phenotype nodes)")
    parser.add_argument("--limit", type=int, default=100000, metavar="N",
                        help="fixed points / trap spaces: stop with an error beyond N results (default 100000)")
    parser.add_argument("--time-limit", type=float, metavar="SECONDS",
                        help=f"stop with an error when solving takes longer (attractors: default "
                             f"{ATTRACTOR_TIME_LIMIT:g})")
    parser.add_argument("--max-bdd-nodes", type=int, metavar="N",
                        help="attractors: give up when a set of states needs more than N BDD nodes "
                             "(default: booleanidt.analysis.attractors.MAX_BDD_NODES, 5 million)")
    parser.add_argument("--labels", choices=("name", "id"),
                        help="label columns by node name (ids where names repeat or are missing) or by id "
                             "(default: names, but ids on the shipped maps, whose names are descriptions)")
    parser.add_argument("--names", dest="labels", action="store_const", const="name", help="same as --labels name")
    parser.add_argument("-o", "--output", metavar="FILE.csv", help="write the table as CSV instead of printing it")
    parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                        help="attractors: show a progress bar once the search runs a few seconds (default: on a "
                             "terminal)")
    add_cfg_option(parser)
    parser.set_defaults(func=run)
    return parser


def run(args) -> int:
    """Compute the analysis and print or write the table."""
    model = load_model(args.model, cfg=args.cfg)
    inputs = checked_levels(model, args.inputs, "--inputs")
    outputs = resolve_many(model, args.outputs, "--outputs") if args.outputs else list(model.phenotypes)
    if args.analysis == "attractors":
        options = {"time_limit": ATTRACTOR_TIME_LIMIT if args.time_limit is None else args.time_limit,
                   "progress": args.progress}
        if args.max_bdd_nodes is not None:
            options["max_bdd_nodes"] = args.max_bdd_nodes
    else:
        options = {"limit": args.limit, "time_limit": args.time_limit}
    if args.analysis == "attractors":
        _announce_search(model, inputs)
    from .. import analysis  # the solvers: only when a command runs

    table = getattr(analysis, args.analysis)(model, inputs or None, outputs=outputs, **options)
    table = table.rename(columns=labels(model, args.labels))
    if args.output:
        atomic_write_text(args.output, table.to_csv(index=False))
    elif table.empty:
        print(f"no {args.analysis.replace('_', ' ')[:-1]} found")
    else:
        print(table.to_string(index=False))
    return 0
