"""``booleanidt cohort``: simulate every patient of a cohort and write their phenotype scores.

Writes ``RESULTS_DIR/scores.parquet`` (one row per patient: probability of each output
at the last window, its standard error, and the error of patients that failed),
``RESULTS_DIR/heatmap.png`` (patients clustered x outputs), and the per-batch parts
under ``RESULTS_DIR/parts/`` that let a rerun reuse finished patients whose profile is
unchanged (and recompute those whose data changed).  Runs on local processes, or on a
Dask cluster with ``--scheduler tcp://host:port``; SIGTERM stops the workers and keeps
what is finished (exit 143).

Examples
--------
>>> main(["cohort", "Fumia2013.bnd", "--continuous", "rna_norm.csv", "--discrete", "mutcna.csv",
...       "--outputs", "Proliferation,Apoptosis", "-o", "results"])  # doctest: +SKIP
"""
from __future__ import annotations

import contextlib
import sys

from ..errors import BooleanidtError, InputError
from ..naming import resolve_many
from ._common import load_model, settings_from
from ._profiles import (add_batch_arguments, add_profile_command, apply_options, build_profiles, comma_list,
                        model_settings)

__all__ = ["add_parser", "run"]

HEATMAP_FILE = "heatmap.png"


def add_parser(subparsers):
    parser = add_profile_command(subparsers, "cohort", "simulate a cohort of personalised models; write scores.parquet",
                                 __doc__.splitlines()[0].replace("``", ""))
    parser.add_argument("--outputs", type=comma_list, required=True, metavar="A,B",
                        help="phenotype nodes scored at the last window (e.g. Proliferation,Apoptosis)")
    add_batch_arguments(parser, "cohort seed (patient seeds derive from it)", batch_size=32)
    parser.set_defaults(func=run)
    return parser


def _dask_client(address: str):
    try:
        from distributed import Client
    except ImportError:
        raise BooleanidtError("--scheduler needs Dask: pip install 'booleanidt[dask]'") from None
    try:
        return Client(address, timeout="20s")
    except (OSError, TimeoutError) as exc:
        raise InputError(address, None, f"cannot reach the Dask scheduler ({exc})") from None


@contextlib.contextmanager
def batch_executor(command: str, args):
    """The Dask client that ``--scheduler`` names (None: local processes), closed afterwards.

    On SIGTERM the run stops with its parts saved (:class:`~booleanidt.cohort.CohortTerminated`,
    exit code 143); this says so on one line before the exit goes on.
    """
    from .._batch import CohortTerminated  # pandas: only when a batch runs
    client = _dask_client(args.scheduler) if args.scheduler else None
    try:
        yield client
    except CohortTerminated:
        print(f"booleanidt {command}: terminated; finished patients are kept in {args.output}, "
              "the same command resumes", file=sys.stderr)
        raise
    finally:
        if client is not None:
            client.close()


def _resume_note(counts) -> str:
    """What a resumed run reused and recomputed, for the summary line (``""`` for a fresh run).

    >>> _resume_note({"reused": 48, "computed": 2, "changed": 2})
    ' (48 reused from the earlier run, 2 computed now, 2 of them because their data changed)'
    >>> _resume_note({"reused": 0, "computed": 5, "changed": 0})
    ''
    """
    if not counts.get("reused") and not counts.get("changed"):
        return ""
    note = f" ({counts['reused']} reused from the earlier run, {counts['computed']} computed now"
    if counts.get("changed"):
        note += f", {counts['changed']} of them because their data changed"
    return note + ")"


def run(args) -> int:
    from .. import cohort  # pandas and the executors: only when a cohort runs
    model = load_model(args.model)
    args.outputs = resolve_many(model, args.outputs, "--outputs")
    settings = settings_from(model_settings(args.model), args.set)
    options = apply_options(args, model)   # checked before the omics tables are read
    profiles = build_profiles(model, args)
    with batch_executor("cohort", args) as client:
        table = cohort.run(model, profiles, args.outputs, executor=client, settings=settings, seed=args.seed,
                           results_dir=args.output, batch_size=args.batch_size, progress=args.progress,
                           **options)
    failed = table["error"].notna()
    from ..personalization.plots import cohort_heatmap  # matplotlib: only when drawing
    if not failed.all():
        cohort_heatmap(table[~failed], args.outputs, path=f"{args.output}/{HEATMAP_FILE}")
    print(f"{int((~failed).sum())} patients scored, {int(failed.sum())} failed{_resume_note(table.attrs)}; "
          f"results in {args.output}/{cohort.SCORES_FILE}")
    for patient, error in table.loc[failed, "error"].items():
        print(f"booleanidt cohort: patient {patient} failed: {error}", file=sys.stderr)
    return 0
