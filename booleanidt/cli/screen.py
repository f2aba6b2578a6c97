"""``booleanidt screen MODEL --knockouts [--knockins] --outputs Apoptosis,Proliferation``.

Runs every single knock-out / knock-in (and chosen doubles, and PROFILE drugs),
scores each by the phenotype nodes' probabilities at the last time window of a
simulation (or by their values in the stable states, ``--method fixed-points``),
prints the perturbations ranked by effect, and writes the tidy table (``-o``) and
a heat map (``--plot``).

Examples
--------
>>> parse_double("CASP8=0+RIP1=0").name
'CASP8 KO + RIP1 KO'
"""
from __future__ import annotations

import argparse
import concurrent.futures

from ..errors import BooleanidtError
from ..io import maboss as maboss_io
from ..io._files import atomic_write_text
from ..naming import labels, resolve_keys, resolve_many
from ._common import key_value, load_model, positive_int, settings_from
from ._profiles import comma_list, model_settings, parse_drugs
from .analyze import checked_levels, parse_levels

__all__ = ["add_parser", "run", "parse_double"]


def parse_double(text: str):
    """``"A=0+B=1"`` -> the double perturbation A knock-out + B knock-in (a :class:`~booleanidt.analysis.Perturbation`)."""
    from .. import analysis  # the simulator and solvers: only when a command runs

    levels = {}
    for part in text.split("+"):
        levels.update(parse_levels(part))
    if len(levels) < 2:
        raise argparse.ArgumentTypeError(f"a double perturbation names two nodes, as A=0+B=1 (got {text!r})")
    return analysis.Perturbation(tuple(levels.items()))


def add_parser(subparsers):
    """Register ``screen``."""
    parser = subparsers.add_parser("screen", help="knock-out / knock-in / drug screens scored by phenotypes",
                                   description=__doc__.split("\n\n")[1])
    parser.add_argument("model", metavar="MODEL", help="model file (SBML-qual, .bnet, .bnd) or shipped map name")
    parser.add_argument("--cfg", metavar="FILE", help="MaBoSS .cfg for a .bnd model (default: the one beside it)")
    parser.add_argument("--outputs", type=comma_list, metavar="A,B",
                        help="phenotype nodes, by id or name (default: the model's phenotypes)")
    parser.add_argument("--knockouts", action="store_true", help="every single knock-out")
    parser.add_argument("--knockins", action="store_true", help="every single knock-in")
    parser.add_argument("--nodes", type=comma_list, metavar="A,B", help="restrict single perturbations to these")
    parser.add_argument("--double", type=parse_double, action="append", default=[], metavar="A=0+B=1",
                        help="a double perturbation (repeat the option for more)")
    parser.add_argument("--drugs", type=parse_drugs, default={}, metavar="X=0.8,Y=1",
                        help="PROFILE drugs: anti_X with the given strength")
    parser.add_argument("--method", choices=("simulation", "fixed-points"), default="simulation",
                        help="score by last-window probabilities (default) or by stable states")
    parser.add_argument("--inputs", type=parse_levels, default={}, metavar="A=1,B=0",
                        help="fix these nodes in every run")
    parser.add_argument("--set", type=key_value, action="append", default=[], metavar="KEY=VALUE",
                        help="simulation setting by .cfg name (sample_count, max_time, seed_pseudorandom...)")
    parser.add_argument("--workers", type=positive_int, metavar="N", help="parallel processes (default: all cores)")
    parser.add_argument("-o", "--output", metavar="FILE.csv", help="write the tidy table as CSV")
    parser.add_argument("--plot", metavar="FILE.png", help="write a heat map of the effects")
    parser.add_argument("--top", type=int, default=30, metavar="N", help="rows shown and plotted (default 30)")
    parser.set_defaults(func=run)
    return parser


def _perturbations(model, args, outputs) -> list:
    from .. import analysis
    if not (args.knockouts or args.knockins or args.double or args.drugs):
        raise BooleanidtError("nothing to screen: give --knockouts, --knockins, --double or --drugs")
    runs = []
    nodes = resolve_many(model, args.nodes, "--nodes") if args.nodes else None
    if args.knockouts:
        runs += analysis.knockouts(model, nodes, exclude=outputs)
    if args.knockins:
        runs += analysis.knockins(model, nodes, exclude=outputs)
    doubles = [analysis.Perturbation(tuple(checked_levels(model, dict(double.mutations), "--double").items()))
               for double in args.double]
    return runs + doubles + analysis.drug_treatments(resolve_keys(model, args.drugs, "--drugs"))


def _by_name(table, model, perturbations):
    """The screen table with perturbations and outputs shown by name (ids where names repeat or are missing)."""
    from .. import analysis

    shown = labels(model)
    renamed = {p.name: analysis.Perturbation(tuple((shown.get(n, n), v) for n, v in p.mutations),
                                             tuple((shown.get(n, n), s) for n, s in p.drugs)).name
               for p in perturbations}
    return table.assign(perturbation=table["perturbation"].map(lambda name: renamed.get(name, name)),
                        output=table["output"].map(lambda node: shown.get(node, node)))


def run(args) -> int:
    """Run the screen, print the ranking, write the table and plot."""
    if args.cfg:
        model, base = maboss_io.read(args.model, args.cfg), maboss_io.read_settings(args.cfg)
    else:
        model, base = load_model(args.model), model_settings(args.model)
    outputs = resolve_many(model, args.outputs, "--outputs") if args.outputs else list(model.phenotypes)
    inputs = checked_levels(model, args.inputs, "--inputs")
    perturbations = _perturbations(model, args, outputs)
    from .. import analysis
    executor = concurrent.futures.ProcessPoolExecutor(max_workers=args.workers) if args.workers else None
    try:
        table = analysis.screen(model, perturbations, outputs, method=args.method.replace("-", "_"),
                       settings=settings_from(base, args.set), inputs=inputs, executor=executor, progress=None)
    finally:
        if executor is not None:
            executor.shutdown()
    table = _by_name(table, model, perturbations)
    if args.output:
        atomic_write_text(args.output, table.to_csv(index=False))
    if args.plot:
        analysis.plot_screen(table, args.plot, top=args.top)
    print(analysis.ranked(table).head(args.top).to_string(float_format=lambda v: f"{v:.4f}"))
    return 0
