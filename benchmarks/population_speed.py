"""Population speed, per core: UPMaBoSS (CellFate, 48 one-hour steps) and PopMaBoSS (the MaBoSS engine's
Fork, Log_Growth and Assymetric tests at their configured sample counts) against cmaboss.
MaBoSS's test files are read from its own checkout: set BOOLEANIDT_MABOSS_TESTS to its engine/tests/maboss
(or pass --maboss-tests); without it the PopMaBoSS part is skipped.

PopMaBoSS: cmaboss's ``PopMaBoSSSim`` on the same files (thread_count = 1 in their .cfg) against
``booleanidt.population.run`` with threads=1, runs interleaved, medians; the ratio printed is
cmaboss / ours (above 1: ours is faster), end to end (ours returns its result tables), and for the
compiled kernel alone.

pyMaBoSS's cmaboss-backed ``UpdatePopulation(...).run(cmaboss=True)`` fails with the installed
pyMaBoSS 0.8.17 / cmaboss 1.0.0b34 (``network.set_istate`` is called with a ``warnings=``
keyword cmaboss does not take, and ``$param`` updates are passed as strings), and its
file-based path needs the MaBoSS binary.  The reference time here is therefore a lower
bound of what UpdatePopulation costs: the same 49 cmaboss runs of the step model (one
thread), without the Python update between them.  The ratio printed is reference / ours.

The CellFate files are pyMaBoSS's (its test/ folder), not ours: set BOOLEANIDT_PYMABOSS_TESTS to that folder.

Usage: python benchmarks/population_speed.py [--steps 48] [--samples 100000] [--only upmaboss|popmaboss]
       [--maboss-tests MaBoSS/engine/tests/maboss] [--rounds 11]
"""
from __future__ import annotations

import argparse
import math
import os
import re
import statistics
import time
from pathlib import Path

import cmaboss

from booleanidt.io import maboss
from booleanidt.population import run
from booleanidt.population.pbnd import read_pbnd
from booleanidt.population.popcompile import compile_population
from booleanidt.population.popkernel import run_block
from booleanidt.population.upp import read_upp

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "population"
#: pyMaBoSS's UPMaBoSS test files (its test/ folder): CellFateModel.bnd, CellFateModel_1h.cfg, CellFate_1h.upp
CELLFATE = Path(os.environ.get("BOOLEANIDT_PYMABOSS_TESTS", "/nonexistent"))
CELLFATE_BND, CELLFATE_CFG, CELLFATE_UPP = (CELLFATE / name for name in
                                            ("CellFateModel.bnd", "CellFateModel_1h.cfg", "CellFate_1h.upp"))


def reference_seconds(steps: int, samples: int) -> float:
    cfg = re.sub(r"sample_count\s*=\s*\d+;", f"sample_count = {samples};", CELLFATE_CFG.read_text())
    cfg = re.sub(r"thread_count\s*=\s*\d+;", "thread_count = 1;", cfg)
    start = time.perf_counter()
    for _ in range(steps + 1):
        sim = cmaboss.MaBoSSSim(network_str=CELLFATE_BND.read_text(), config_str=cfg)
        sim.run()
    return time.perf_counter() - start


def ours_seconds(steps: int, samples: int) -> tuple:
    model = maboss.read(CELLFATE_BND, CELLFATE_CFG)
    settings = maboss.read_settings(CELLFATE_CFG).replace(sample_count=samples, threads=1)
    spec = read_upp(CELLFATE_UPP)
    spec.steps = 1
    run(model, settings, upp=spec)                           # compile numba once
    spec.steps = steps
    start = time.perf_counter()
    result = run(model, settings, upp=spec)
    return time.perf_counter() - start, result.final_ratio


POPMABOSS_CASES = (("Fork.bnd", "Fork.pcfg"), ("Log_Growth.pbnd", "Log_Growth.cfg"),
                   ("Assymetric.pbnd", "Assymetric.cfg"))


def _seconds(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def popmaboss_comparison(maboss_tests, rounds: int):
    """Print, for each model, the median seconds of cmaboss PopMaBoSSSim and of ours at the configured
    sample count (runs interleaved, after one warm-up run each), and their ratio.

    cmaboss: ``PopMaBoSSSim(files).run()`` (thread_count = 1 in the .cfg files); ours:
    ``booleanidt.population.run(pop, threads=1)``, which returns the result tables, and, for
    information, the compiled kernel alone (one block of every trajectory, no tables).
    """
    if not maboss_tests or not (Path(maboss_tests) / "popmaboss").is_dir():
        print("PopMaBoSS: skipped (set BOOLEANIDT_MABOSS_TESTS or --maboss-tests to MaBoSS's engine/tests/maboss)")
        return
    folder = Path(maboss_tests) / "popmaboss"
    print(f"PopMaBoSS, configured sample counts, one core, median of {rounds} interleaved runs")
    for model, cfg in POPMABOSS_CASES:
        pop = read_pbnd(folder / model, folder / cfg)
        settings = pop.settings
        net = compile_population(pop)
        windows = max(1, math.ceil(settings.max_time / settings.time_tick - 1e-9))

        def reference():
            cmaboss.PopMaBoSSSim(str(folder / model), str(folder / cfg)).run()

        def ours():
            return run(pop, threads=1)

        def kernel():
            run_block(*net.kernel_arrays(), seed=settings.seed, first=0, count=settings.sample_count,
                      max_time=settings.max_time, dt=settings.time_tick, windows=windows)

        result = ours()
        reference()
        times = [[_seconds(f) for f in (reference, ours, kernel)] for _ in range(rounds)]
        theirs, mine, kernel_only = (statistics.median(column) for column in zip(*times))
        print(f"  {model:<16} {settings.sample_count:>7} trajectories: cmaboss {theirs * 1e3:8.2f} ms, "
              f"booleanidt {mine * 1e3:8.2f} ms (kernel {kernel_only * 1e3:7.2f} ms); "
              f"ratio cmaboss / booleanidt {theirs / mine:5.1f}x (kernel alone {theirs / kernel_only:5.1f}x); "
              f"last expected size {result.population_size['Population'].iloc[-1]:.3f}")


def upmaboss_comparison(args):
    ours, ratio = ours_seconds(args.steps, args.samples)
    reference = reference_seconds(args.steps, args.samples)
    print(f"CellFate UPMaBoSS, {args.steps} steps x {args.samples} trajectories, one core")
    print(f"  booleanidt.population.run : {ours:8.2f} s  (final population ratio {ratio:.4f})")
    print(f"  cmaboss, {args.steps + 1} step runs only : {reference:8.2f} s")
    print(f"  ratio (cmaboss / booleanidt): {reference / ours:.1f}x")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=48)
    parser.add_argument("--samples", type=int, default=100_000)
    parser.add_argument("--only", choices=("upmaboss", "popmaboss"))
    parser.add_argument("--rounds", type=int, default=11, help="interleaved PopMaBoSS runs per model (median)")
    parser.add_argument("--maboss-tests", default=os.environ.get("BOOLEANIDT_MABOSS_TESTS"),
                        help="MaBoSS checkout's engine/tests/maboss (default: $BOOLEANIDT_MABOSS_TESTS)")
    args = parser.parse_args()
    if args.only != "popmaboss":
        upmaboss_comparison(args)
    if args.only != "upmaboss":
        popmaboss_comparison(args.maboss_tests, args.rounds)


if __name__ == "__main__":
    main()
