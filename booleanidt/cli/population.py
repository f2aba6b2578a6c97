"""``booleanidt population``: a cell population, UPMaBoSS (``--upp``) or PopMaBoSS (a .pbnd model).

With --upp, OUTDIR gets population.csv (step, time, ratio), nodes.csv and states.csv
(per step, node and state probabilities in the last window of that step's run) and
population.png.  Without, MODEL is a PopMaBoSS .pbnd (or a .bnd with a .pcfg/.cfg giving
the population) and OUTDIR gets pop_probtraj.csv (PopMaBoSS's format),
custom_pop_probtraj.csv (when the configuration sets custom_pop_output), population.csv
(expected number of cells per window), cell_counts.csv and node_counts.csv (expected
cells per cell state and with each node active) and population.png.  Nothing is
written unless the run succeeds.

Examples
--------
>>> main(["population", "CellFateModel.bnd", "--cfg", "CellFateModel_1h.cfg", "--upp", "CellFate_1h.upp",
...       "-o", "out"])  # doctest: +SKIP
>>> main(["population", "growth.pbnd", "-o", "out"])  # doctest: +SKIP
"""
from __future__ import annotations

import dataclasses
import sys

from ..population.files import write_pop_result, write_up_result
from ..population.pbnd import read_pbnd
from ..population.popmaboss import run_popmaboss
from ..population.upmaboss import run_upmaboss
from ..population.upp import read_upp
from .simulate import _load, _perturbed, parse_assignments

__all__ = ["add_parser", "run"]


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "population", help="cell populations (UPMaBoSS or PopMaBoSS semantics)", description=__doc__.splitlines()[0])
    parser.add_argument("model", metavar="MODEL", help="model file: PopMaBoSS .pbnd; with --upp .bnd, .sbml, .bnet "
                                                              "or shipped map name")
    parser.add_argument("--cfg", metavar="CFG", help="MaBoSS .cfg or PopMaBoSS .pcfg (default: the .pcfg or "
                                                     ".cfg beside the model)")
    parser.add_argument("--upp", metavar="FILE.upp", help="UPMaBoSS update file (death, division, steps, "
                                                          "$parameter updates)")
    parser.add_argument("--set", action="append", metavar="KEY=VALUE", default=[],
                        help="run setting by its .cfg name (max_time is the length of one step); repeatable")
    parser.add_argument("--param", action="append", metavar="NAME=VALUE", default=[],
                        help="set a $parameter (with or without $); repeatable")
    parser.add_argument("--mutant", action="append", metavar="NODE=ON|OFF", default=[],
                        help="MaBoSS mutant (rule constant, default rates); repeatable")
    parser.add_argument("--fix", action="append", metavar="NODE=0|1", default=[],
                        help="hold a node at a value for the whole run; repeatable")
    parser.add_argument("-o", "--output", required=True, metavar="OUTDIR", help="folder for the results")
    parser.add_argument("--progress", action="store_true", default=None, help="show a progress bar")
    parser.set_defaults(func=run, schedule=[])  # simulate's --schedule: no UPMaBoSS meaning yet
    return parser


def _run_popmaboss(args, progress: bool) -> int:
    pop = read_pbnd(args.model, args.cfg)
    pop = dataclasses.replace(pop, model=_perturbed(pop.model, args))
    settings = pop.settings.replace(**parse_assignments(args.set, "--set"))
    result = run_popmaboss(pop, settings, progress=progress)
    write_pop_result(result, args.output)
    sizes = result.population_size["Population"]
    print(f"expected population: {sizes.iloc[0]:.4g} cells at t = {sizes.index[0]:g}, "
          f"{sizes.iloc[-1]:.4g} at t = {sizes.index[-1]:g}")
    return 0


def run(args) -> int:
    progress = sys.stderr.isatty() if args.progress is None else args.progress
    if not args.upp:
        return _run_popmaboss(args, progress)
    model, settings, _, _ = _load(args)
    model = _perturbed(model, args)
    settings = settings.replace(**parse_assignments(args.set, "--set"))
    spec = read_upp(args.upp)
    result = run_upmaboss(model, spec, settings, progress=progress)
    write_up_result(result, args.output)
    ratios = ", ".join(f"{r:.4g}" for r in result.population["ratio"])
    print(f"population ratio per step: {ratios}")
    return 0
