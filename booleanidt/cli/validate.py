"""``booleanidt validate MODEL``: list the problems of a model file with the element ids involved.

Exit code 0 when there is no error (warnings are printed), 1 when there are errors,
2 when the file cannot be read at all.

Examples
--------
>>> from booleanidt.cli import main
>>> main(["validate", "th_differentiation"])  # doctest: +ELLIPSIS
/...th_differentiation.sbml: 32 nodes, 0 error(s), 0 warning(s)
0
"""
from __future__ import annotations

import json
from pathlib import Path

from ..validation import file_problems
from ._common import add_cfg_option, shipped_map_path

__all__ = ["add_parser", "run"]


def run(args) -> int:
    """Print the problems of ``args.model``; exit code 1 if any is an error."""
    path = Path(args.model)
    if not path.exists() and shipped_map_path(args.model) is not None:
        path = Path(shipped_map_path(args.model))
    model, problems = file_problems(path, format=args.format, cfg=args.cfg)
    if args.json:
        print(json.dumps([{"severity": p.severity, "elements": list(p.elements), "problem": p.problem}
                          for p in problems], indent=2))
    else:
        for problem in problems:
            print(problem)
        errors = sum(p.severity == "error" for p in problems)
        print(f"{path}: {len(model.nodes)} nodes, {errors} error(s), {len(problems) - errors} warning(s)")
    return 1 if any(p.severity == "error" for p in problems) else 0


def add_parser(subparsers):
    """Register ``validate``."""
    parser = subparsers.add_parser("validate", help="list the problems of a model file",
                                   description=__doc__.split("\n\n")[0])
    parser.add_argument("model", metavar="MODEL", help="model file (or the name of a shipped map)")
    parser.add_argument("--format", help="format of MODEL when the extension does not tell")
    parser.add_argument("--json", action="store_true", help="print JSON")
    add_cfg_option(parser)
    parser.set_defaults(func=run)
