"""Fixed points and minimal trap spaces of the largest Boolean corpus models: booleanidt next
to biodivine-aeon, mpbn and pyboolnet, in one process, printed as time ratios (tool / ours).

Each model is solved with its inputs fixed three ways (all 0, all 1, seeded random), as in
tests/test_analysis_corpus.py, whose reference helpers this script reuses.  Times are for the
analysis alone, on a model each tool has already read (aeon: from its BooleanNetwork, with its
own percolation; mpbn: from our rules; pyboolnet: prime implicants + its clasp-based solver).
aeon and pyboolnet run in a child process with a time limit (--limit, default 120 s) and are
reported as '(limit)' when they do not finish (pyboolnet's prime implicants explode on 078).  The result sets are checked to be equal as they go.

Asynchronous attractors (--attractor-models: SBML-qual prefixes, read by aeon from the file;
--maboss-models: MaBoSS .bnd names, given to aeon as our rules in .bnet) are timed next to
aeon's ``Attractors.attractors`` (after its own percolation) and compared by enclosing
subspace and number of states (some have 5e14 states).

Usage: python benchmarks/analysis_speed.py [--models 001,050,113,078,132] [--limit 120]
       [--attractor-models 014,025,150,078,132,113] [--maboss-models ewing_full,sizek,...]
       (an empty list skips a table)
"""
from __future__ import annotations

import argparse
import functools
import multiprocessing
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from conftest import SBML_QUAL  # noqa: E402
from conftest import MABOSS  # noqa: E402
from test_analysis_references import (aeon_attractors, aeon_attractors_of_rules, aeon_fixed_points,  # noqa: E402
                                      aeon_trap_spaces, attractor_summaries, input_assignments,
                                      mpbn_fixed_points, mpbn_trap_spaces, strip_names)

from booleanidt.analysis import attractors, fixed_points, trap_spaces  # noqa: E402
from booleanidt.io import read  # noqa: E402
from booleanidt.expr import simplify, to_text  # noqa: E402
from booleanidt.io import sbmlqual  # noqa: E402

DEFAULT_MODELS = "001,050,113,078,132,016,118"
DEFAULT_ATTRACTOR_MODELS = "014,025,150,078,132,113"
DEFAULT_MABOSS_MODELS = "cellfate,ewing_full,sizek,Montagud2022_Prostate_Cancer"


def timed(function, *args):
    start = time.perf_counter()
    value = function(*args)
    return time.perf_counter() - start, value


def _child(connection, function, args):
    connection.send(timed(function, *args))
    connection.close()


def limited(function, args, limit):
    """(seconds, result) of a call made in a child process, or (None, None) past ``limit`` seconds."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sender, function, args))
    child.start()
    ready = receiver.poll(limit)
    value = receiver.recv() if ready else (None, None)
    child.kill()
    child.join()
    return value


def pyboolnet_both(model, inputs):
    from pyboolnet.file_exchange import bnet2primes
    from pyboolnet.trap_spaces import compute_steady_states, compute_trap_spaces
    fixed = model.mutate(inputs)
    lines = [f"{n}, {n if fixed.is_input(n) else to_text(simplify(r, model.max_levels), 'bnet')}"
             for n, r in fixed.rules.items()]
    primes = bnet2primes("\n".join(lines) + "\n")
    ids = model.node_ids
    points = {tuple(int(s[n]) for n in ids) for s in compute_steady_states(primes)}
    spaces = {tuple(int(s[n]) if n in s else "*" for n in ids) for s in compute_trap_spaces(primes, "min")}
    return points, spaces


def rows(table):
    return {tuple(r) for r in table.itertuples(index=False)}


def ratio(theirs, ours):
    return "(limit)" if theirs is None else f"{theirs / ours:.1f}x"


def boolean_files(prefixes: str):
    """(path, model) of the Boolean corpus file of each prefix."""
    for prefix in filter(None, prefixes.split(",")):
        path = next(p for p in sorted(SBML_QUAL.glob(f"{prefix}*")) if sbmlqual.read(p).is_boolean)
        yield path, sbmlqual.read(path)


def fixed_point_table(args, folder):
    print(f"{'model':12s} {'inputs':7s} {'nodes':>5s} {'#fp':>4s} {'#ts':>4s}  {'ours fp':>8s} {'ours ts':>8s}"
          f"  {'aeon/ours fp':>12s} {'aeon/ours ts':>12s} {'mpbn/ours':>10s} {'pyboolnet/ours':>14s}")
    for path, model in boolean_files(args.models):
        stripped = folder / path.name
        strip_names(path, stripped)
        for way, inputs in input_assignments(model).items():
            t_fp, fp = timed(fixed_points, model, inputs)
            t_ts, ts = timed(trap_spaces, model, inputs)
            a_fp, aeon_fp = limited(aeon_fixed_points, (stripped, inputs, model.node_ids), args.limit)
            a_ts, aeon_ts = limited(aeon_trap_spaces, (stripped, inputs, model.node_ids), args.limit)
            m_fp, mpbn_fp = timed(mpbn_fixed_points, model, inputs)
            m_ts, mpbn_ts = timed(mpbn_trap_spaces, model, inputs)
            p_both, pbn = limited(pyboolnet_both, (model, inputs), args.limit)
            pbn_fp, pbn_ts = pbn or (None, None)
            ours_fp, ours_ts = rows(fp), rows(ts)
            agree = (ours_fp == mpbn_fp and ours_ts == mpbn_ts and all(
                theirs in (None, ours) for theirs, ours in
                ((aeon_fp, ours_fp), (aeon_ts, ours_ts), (pbn_fp, ours_fp), (pbn_ts, ours_ts))))
            print(f"{path.name[:12]:12s} {way:7s} {len(model.nodes):5d} {len(fp):4d} {len(ts):4d}  {t_fp:7.3f}s {t_ts:7.3f}s"
                  f"  {ratio(a_fp, t_fp):>12s} {ratio(a_ts, t_ts):>12s} {ratio(m_fp + m_ts, t_fp + t_ts):>10s}"
                  f" {ratio(p_both, t_fp + t_ts):>14s}  {'same results' if agree else 'RESULTS DIFFER'}",
                  flush=True)


def attractor_cases(args, folder):
    """(label, model, aeon's attractors as a function of the inputs) of every model asked for."""
    for path, model in boolean_files(args.attractor_models):
        stripped = folder / path.name
        strip_names(path, stripped)
        yield path.name[:12], model, functools.partial(aeon_attractors, stripped, node_ids=model.node_ids,
                                                       listed=False)
    for name in filter(None, args.maboss_models.split(",")):
        model = read(MABOSS / f"{name}.bnd")
        yield name[:12], model, functools.partial(aeon_attractors_of_rules, model, listed=False)


def attractor_table(args, folder):
    print(f"{'model':12s} {'inputs':7s} {'nodes':>5s} {'#att':>4s} {'largest':>16s}  {'ours':>8s} {'aeon':>8s}"
          f"  {'aeon/ours':>9s}")
    for label, model, aeon in attractor_cases(args, folder):
        for way, inputs in input_assignments(model).items():
            t_ours, table = timed(attractors, model, inputs)
            t_aeon, theirs = limited(aeon, (inputs,), args.limit)
            verdict = "(aeon: limit)" if theirs is None else ("same attractors" if attractor_summaries(table) == theirs
                                                              else "ATTRACTORS DIFFER")
            aeon_time = "(limit)" if t_aeon is None else f"{t_aeon:7.3f}s"
            print(f"{label:12s} {way:7s} {len(model.nodes):5d} {len(table):4d} {table['n_states'].max():16d}  "
                  f"{t_ours:7.3f}s {aeon_time:>8s}  {ratio(t_aeon, t_ours):>9s}  {verdict}", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default=DEFAULT_MODELS, help="fixed points and trap spaces of these "
                        "file-name prefixes, comma-separated")
    parser.add_argument("--attractor-models", default=DEFAULT_ATTRACTOR_MODELS,
                        help="asynchronous attractors of these file-name prefixes, comma-separated")
    parser.add_argument("--maboss-models", default=DEFAULT_MABOSS_MODELS,
                        help="asynchronous attractors of these MaBoSS corpus models (.bnd names), comma-separated")
    parser.add_argument("--limit", type=float, default=120.0, help="seconds per aeon or pyboolnet call")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    folder = Path(tempfile.mkdtemp(prefix="booleanidt-bench-"))
    if args.models:
        fixed_point_table(args, folder)
    if args.attractor_models or args.maboss_models:
        attractor_table(args, folder)


if __name__ == "__main__":
    main()
