"""``booleanidt treat``: screen single and paired drug inhibitions on every patient of a cohort.

For each patient the personalised model runs untreated and with each target inhibited
(by default PROFILE's drugs: a node ``anti_X``, on with probability = strength, turns X's
rule into ``(rule) & !anti_X``; ``--inhibition rates``: X's activation rate times
1 - strength), alone and with ``--pairs`` two at a time, at each of
``--strengths``; each run is scored by ``--objective`` (arithmetic over output
probabilities at the last window).  Writes ``RESULTS_DIR/treatments.parquet`` (one row
per patient x treatment x strength: outputs, objective, standard errors, Bliss excess of
pairs, rank and the significance of each rank difference), ``best.csv`` (best treatment
per patient and those not significantly worse), ``heatmap.png`` (patients x treatments),
``ranking.png`` (per-patient rankings) and ``response.png`` (distribution of each
treatment's effect over the cohort).  Resumes like ``cohort`` (also after SIGTERM, which
saves the finished patients and exits with 143); ``--scheduler`` runs on Dask.

Examples
--------
>>> main(["treat", "Fumia2013.bnd", "--continuous", "rna_norm.csv", "--discrete", "mutcna.csv",
...       "--targets", "AKT,MEK", "--pairs", "--objective", "Apoptosis - Proliferation", "-o", "screen"])  # doctest: +SKIP
"""
from __future__ import annotations

import argparse
import sys

from ..errors import InputError
from ..naming import resolve_known
from ..treatment.conditions import INHIBITIONS
from ._common import load_model, settings_from
from ._profiles import (add_batch_arguments, add_profile_command, apply_options, build_profiles, comma_list,
                        model_settings)
from .cohort import batch_executor

__all__ = ["add_parser", "run"]

BEST_FILE, HEATMAP_FILE, RANKING_FILE, RESPONSE_FILE = "best.csv", "heatmap.png", "ranking.png", "response.png"


def _strengths(text: str) -> list:
    try:
        return [float(item) for item in comma_list(text)]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected numbers separated by commas, got {text!r}") from None


def add_parser(subparsers):
    parser = add_profile_command(subparsers, "treat", "screen drug inhibitions per patient; write treatments.parquet",
                                 __doc__.splitlines()[0].replace("``", ""))
    parser.add_argument("--targets", type=comma_list, required=True, metavar="A,B",
                        help="nodes to inhibit, one drug node anti_X each")
    parser.add_argument("--pairs", action="store_true", help="also screen every pair of targets")
    parser.add_argument("--strengths", type=_strengths, default=[1.0], metavar="0.5,1",
                        help="drug strengths in (0, 1] (default 1)")
    parser.add_argument("--inhibition", choices=INHIBITIONS, default="drug",
                        help="drug: PROFILE drug node anti_X on with probability = strength (default); "
                             "rates: X's activation rate times 1 - strength")
    parser.add_argument("--objective", required=True, metavar="EXPR",
                        help="score to maximise, arithmetic over output nodes by id or name "
                             "(e.g. 'Apoptosis - Proliferation')")
    parser.add_argument("--minimize", action="store_true", help="rank by increasing objective")
    add_batch_arguments(parser, "screen seed (each patient x treatment seed derives from it)", batch_size=8)
    parser.set_defaults(func=run)
    return parser


def run(args) -> int:
    from .. import treatment  # pandas and the executors: only when a screen runs
    model = load_model(args.model)
    if args.drugs:
        raise InputError(args.model, "--drugs", "treat screens drugs itself: give them as --targets")
    args.targets = [resolve_known(model, target) for target in args.targets]
    problem = treatment.conditions.screen_problem(model, args.targets, args.strengths, args.pairs)
    if problem:
        raise InputError(args.model, "--targets/--strengths", problem)
    try:
        objective = treatment.Objective.parse(args.objective, model=model)
    except treatment.ObjectiveError as exc:
        raise InputError(args.model, "--objective", str(exc)) from None
    settings = settings_from(model_settings(args.model), args.set)
    options = {k: v for k, v in apply_options(args, model).items() if k != "drugs"}
    profiles = build_profiles(model, args)
    with batch_executor("treat", args) as client:
        table = treatment.treat(model, profiles, args.targets, objective, strengths=args.strengths, pairs=args.pairs,
                                inhibition=args.inhibition,
                                maximize=not args.minimize, executor=client, settings=settings, seed=args.seed,
                                results_dir=args.output, batch_size=args.batch_size, progress=args.progress,
                                **options)
    _write_summaries(table, args.output)
    failed = sorted(set(table.loc[table["error"].notna(), "patient"]))
    print(f"{table['patient'].nunique() - len(failed)} patients screened over "
          f"{table.groupby(['treatment', 'strength']).ngroups} conditions, {len(failed)} failed; "
          f"results in {args.output}/{treatment.TREATMENTS_FILE}")
    for patient in failed:
        error = table.loc[table["patient"] == patient, "error"].iloc[0]
        print(f"booleanidt treat: patient {patient} failed: {error}", file=sys.stderr)
    return 0


def _write_summaries(table, folder: str):
    from ..io._files import atomic_write_text
    from ..treatment import best_treatments, plots  # matplotlib: only when drawing
    if table["error"].notna().all():
        return
    atomic_write_text(f"{folder}/{BEST_FILE}", best_treatments(table).to_csv())
    plots.gain_heatmap(table, path=f"{folder}/{HEATMAP_FILE}")
    plots.patient_rankings(table, path=f"{folder}/{RANKING_FILE}")
    plots.response_distributions(table, path=f"{folder}/{RESPONSE_FILE}")
