"""``booleanidt convert IN OUT``: convert a model between formats (SBML-qual, CellDesigner, .bnet, MaBoSS).

Formats come from the extensions unless ``--from`` / ``--to`` name them.  The output
is written atomically: on any error no output file is left.  A MaBoSS output is a .bnd
and the .cfg beside it, both written in full before either replaces a file and both marked
with the same pair stamp (a kill between the two renames leaves a pair that is refused on
reading, never silently mixed); replacing an existing .cfg is said in a warning.

Examples
--------
>>> import os, tempfile
>>> from booleanidt.cli import main
>>> out = os.path.join(tempfile.mkdtemp(), "th.bnet")
>>> main(["convert", "th_differentiation", out])  # doctest: +ELLIPSIS
wrote ... nodes to .../th.bnet (bnet)
0
"""
from __future__ import annotations

import warnings
from pathlib import Path

from ..io import FORMATS, detect_format, write
from ._common import add_cfg_option, load_model

__all__ = ["add_parser", "run"]


def run(args) -> int:
    """Read ``args.input`` and write it to ``args.output``."""
    model = load_model(args.input, format=args.from_format, cfg=args.cfg)
    fmt = args.to_format or detect_format(args.output, role="output")
    cfg = Path(args.output).with_suffix(".cfg")
    if fmt == "maboss" and cfg.exists():
        warnings.warn(f"replacing {cfg} (the .cfg written beside {args.output})")
    write(model, args.output, format=fmt)
    print(f"wrote {len(model.nodes)} nodes to {args.output} ({fmt})")
    return 0


def add_parser(subparsers):
    """Register ``convert``."""
    parser = subparsers.add_parser("convert", help="convert a model between formats",
                                   description=__doc__.split("\n\n")[0])
    parser.add_argument("input", metavar="IN", help="model file (or the name of a shipped map)")
    parser.add_argument("output", metavar="OUT", help="file to write")
    parser.add_argument("--from", dest="from_format", choices=sorted(FORMATS), help="format of IN")
    parser.add_argument("--to", dest="to_format", choices=sorted(FORMATS), help="format of OUT")
    add_cfg_option(parser)
    parser.set_defaults(func=run)
