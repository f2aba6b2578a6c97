"""Population speed, per core: UPMaBoSS (CellFate, 48 one-hour steps) and PopMaBoSS (the MaBoSS engine's
Fork, Log_Growth and Assymetric tests at their configured sample counts) against cmaboss.
MaBoSS's test files are read from its own checkout: set BOOLEANIDT_MABOSS_TESTS to its engine/tests/maboss
(or pass --maboss-tests); without it the PopMaBoSS part is skipped.

PopMaBoSS: cmaboss's ``PopMaBoSSSim`` on the same files (thread_count = 1 in their .cfg) against
``booleanidt.population.run`` (one thread), runs interleaved, medians of wall and CPU time; the ratios
printed are reference / ours (above 1: ours is faster), for a run (each side returns a result whose tables
are built when read), for a run read into DataFrames of its population-state probabilities and population
size (the reference: pyMaBoSS's ``PopSimulation`` on cmaboss, which is how Python users read PopMaBoSS),
and for our compiled kernel alone.

UPMaBoSS: pyMaBoSS's own ``UpdatePopulation(...).run(cmaboss=True)`` (thread_count = 1) on the same files,
with one shim: pyMaBoSS checks each model with the ``MaBoSS`` binary, which its pip package does not ship,
so the check is done by cmaboss instead (tests/reference_upmaboss.py says exactly what is patched and why).
Also printed: a lower bound of any cmaboss-based UPMaBoSS, the same 49 cmaboss runs of the step model
without the population update between them (every run starting from the model's own initial states).
Runs are interleaved (ours, UpdatePopulation, bare cmaboss) and repeated; medians are printed, and the
ratios are reference / ours (above 1: ours is faster).

The CellFate files are pyMaBoSS's (its test/ folder), not ours: set BOOLEANIDT_PYMABOSS_TESTS to that folder.

Usage: python benchmarks/population_speed.py [--steps 48] [--samples 100000] [--repeats 3]
       [--only upmaboss|popmaboss] [--maboss-tests MaBoSS/engine/tests/maboss] [--rounds 11]
"""
from __future__ import annotations

import argparse
import math
import os
import re
import statistics
import sys
import time
from pathlib import Path

import cmaboss
from maboss.pop import PopSimulation

from booleanidt.io import maboss
from booleanidt.population import run
from booleanidt.population.pbnd import read_pbnd
from booleanidt.population.popcompile import compile_population
from booleanidt.population.popkernel import run_block
from booleanidt.population.upp import read_upp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import reference_upmaboss  # noqa: E402  (pyMaBoSS's UpdatePopulation with its shim)

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "population"
#: pyMaBoSS's UPMaBoSS test files (its test/ folder): CellFateModel.bnd, CellFateModel_1h.cfg, CellFate_1h.upp
CELLFATE = Path(os.environ.get("BOOLEANIDT_PYMABOSS_TESTS", "/nonexistent"))
CELLFATE_BND, CELLFATE_CFG, CELLFATE_UPP = (CELLFATE / name for name in
                                            ("CellFateModel.bnd", "CellFateModel_1h.cfg", "CellFate_1h.upp"))


def timed(function, *args) -> tuple:
    """``(wall seconds, CPU seconds of the process, value)``: CPU time counts every thread, so it is the
    per-core cost, and it is less sensitive than wall time to other processes sharing the machine."""
    wall, cpu = time.perf_counter(), time.process_time()
    value = function(*args)
    return time.perf_counter() - wall, time.process_time() - cpu, value


def bare_cmaboss(steps: int, samples: int) -> None:
    """The lower bound: ``steps + 1`` cmaboss runs of the step model, one thread, nothing between them."""
    cfg = re.sub(r"sample_count\s*=\s*\d+;", f"sample_count = {samples};", CELLFATE_CFG.read_text())
    cfg = re.sub(r"thread_count\s*=\s*\d+;", "thread_count = 1;", cfg)
    for _ in range(steps + 1):
        cmaboss.MaBoSSSim(network_str=CELLFATE_BND.read_text(), config_str=cfg).run()


def update_population(steps: int, samples: int) -> float:
    """pyMaBoSS's UpdatePopulation with cmaboss, one thread: the final population ratio."""
    ratios, _ = reference_upmaboss.update_population(CELLFATE_BND, CELLFATE_CFG, CELLFATE_UPP, steps=steps,
                                                     sample_count=samples, threads=1)
    return float(ratios.iloc[-1])


def ours(steps: int, samples: int) -> float:
    """booleanidt.population.run, one thread (numba compiled beforehand): the final population ratio."""
    model = maboss.read(CELLFATE_BND, CELLFATE_CFG)
    settings = maboss.read_settings(CELLFATE_CFG).replace(sample_count=samples, threads=1)
    spec = read_upp(CELLFATE_UPP)
    spec.steps = steps
    return run(model, settings, upp=spec).final_ratio


def warm_up():
    """Compile our kernel and import pyMaBoSS before anything is timed."""
    model = maboss.read(CELLFATE_BND, CELLFATE_CFG)
    spec = read_upp(CELLFATE_UPP)
    spec.steps = 1
    run(model, maboss.read_settings(CELLFATE_CFG).replace(sample_count=1000, threads=1), upp=spec)
    reference_upmaboss.update_population(CELLFATE_BND, CELLFATE_CFG, CELLFATE_UPP, steps=1, sample_count=100)


POPMABOSS_CASES = (("Fork.bnd", "Fork.pcfg"), ("Log_Growth.pbnd", "Log_Growth.cfg"),
                   ("Assymetric.pbnd", "Assymetric.cfg"))


def _interleaved(functions, rounds: int, batch: int) -> tuple:
    """Median wall and CPU milliseconds of each function: ``rounds`` rounds, each running every function
    ``batch`` times in turn (with ``batch`` > 1 the first run of each batch is not counted: the others run
    with warm caches, as a rerun or a screen would)."""
    times = [[] for _ in functions]
    for _ in range(rounds):
        for f, function in enumerate(functions):
            runs = [timed(function)[:2] for _ in range(batch)]
            times[f].extend(runs[1:] if batch > 1 else runs)
    return tuple([statistics.median(run[k] for run in column) * 1e3 for column in times] for k in (0, 1))


def popmaboss_comparison(maboss_tests, rounds: int):
    """Print, for each model, the median wall and CPU milliseconds of cmaboss PopMaBoSSSim and of ours at the
    configured sample count (runs interleaved, after one warm-up run each), and their ratios.

    Run: cmaboss ``PopMaBoSSSim(files).run()`` (thread_count = 1 in the .cfg files; it parses the files too,
    about 0.03 ms) against ``booleanidt.population.run(pop)`` (the same settings) on the model read beforehand,
    the same ``pop`` every round (its compiled form is reused, as a rerun's would be); both
    return a result whose tables are built when asked for.  With tables: the same DataFrames on each side,
    windows x population states and the expected population size with its error; pyMaBoSS's
    ``PopSimulation(files).run()`` then ``get_states_probtraj()``, ``get_simple_popsize()`` and
    ``get_simple_popsize_errors()``; ours ``state_probabilities`` and ``population_size``.
    For information, our compiled kernel alone (one block of every trajectory).
    """
    if not maboss_tests or not (Path(maboss_tests) / "popmaboss").is_dir():
        print("PopMaBoSS: skipped (set BOOLEANIDT_MABOSS_TESTS or --maboss-tests to MaBoSS's engine/tests/maboss)")
        return
    folder = Path(maboss_tests) / "popmaboss"
    print(f"PopMaBoSS, configured sample counts, one core, wall / CPU ms, medians of {rounds} rounds interleaving "
          "the runs one by one (cold caches: each run follows the other tool's) and in batches of 5 (warm caches, "
          "first of each batch not counted); ratio reference / booleanidt (above 1: ours is faster)")
    for model, cfg in POPMABOSS_CASES:
        pop = read_pbnd(folder / model, folder / cfg)
        settings = pop.settings
        assert settings.threads == 1, f"{cfg}: thread_count is not 1"
        net = compile_population(pop)
        windows = max(1, math.ceil(settings.max_time / settings.time_tick - 1e-9))

        def theirs():
            return cmaboss.PopMaBoSSSim(str(folder / model), str(folder / cfg)).run()

        def ours():
            return run(pop)  # one thread: thread_count = 1 in the .cfg

        def theirs_tables():
            result = PopSimulation(str(folder / model), str(folder / cfg)).run()
            return result.get_states_probtraj(), result.get_simple_popsize(), result.get_simple_popsize_errors()

        def ours_tables():
            result = ours()
            return result.state_probabilities, result.population_size

        def kernel():
            run_block(*net.kernel_arrays(), seed=settings.seed, first=0, count=settings.sample_count,
                      max_time=settings.max_time, dt=settings.time_tick, windows=windows)

        functions = (theirs, ours, theirs_tables, ours_tables, kernel)
        for function in functions:  # warm up
            function()
        size = ours().population_size["Population"].iloc[-1]
        print(f"  {model:<16} {settings.sample_count:>7} trajectories (last expected size {size:.3f})")
        for caches, batch in (("cold", 1), ("warm", 5)):
            wall, cpu = _interleaved(functions, rounds, batch)
            for label, mine, reference, tool in (("run", 1, 0, "cmaboss "), ("with tables", 3, 2, "pyMaBoSS")):
                print(f"    {caches} {label:<12} {tool} {wall[reference]:8.2f} / {cpu[reference]:8.2f}, booleanidt "
                      f"{wall[mine]:7.2f} / {cpu[mine]:7.2f}: ratio {wall[reference] / wall[mine]:5.1f}x wall, "
                      f"{cpu[reference] / cpu[mine]:5.1f}x CPU")
            print(f"    {caches} {'kernel alone':<12} {wall[4]:7.2f} / {cpu[4]:7.2f}: ratio to cmaboss's run "
                  f"{wall[0] / wall[4]:5.1f}x wall, {cpu[0] / cpu[4]:5.1f}x CPU")


def upmaboss_comparison(args):
    warm_up()
    runs = {"booleanidt": [], "UpdatePopulation": [], "bare cmaboss": []}
    final = {}
    for repeat in range(args.repeats):
        for name, function in (("booleanidt", ours), ("UpdatePopulation", update_population),
                               ("bare cmaboss", bare_cmaboss)):
            wall, cpu, final[name] = timed(function, args.steps, args.samples)
            runs[name].append((wall, cpu))
        print(f"  run {repeat + 1}: " + ", ".join(f"{name} {times[-1][0]:.2f} s ({times[-1][1]:.2f} s CPU)"
                                                for name, times in runs.items())
              + f" (load {os.getloadavg()[0]:.2f})", flush=True)
    wall = {name: statistics.median(w for w, _ in times) for name, times in runs.items()}
    cpu = {name: statistics.median(c for _, c in times) for name, times in runs.items()}
    print(f"CellFate UPMaBoSS, {args.steps} steps x {args.samples} trajectories, one thread each, "
          f"medians of {args.repeats} interleaved runs (wall / CPU seconds)")
    print(f"  booleanidt.population.run          : {wall['booleanidt']:7.2f} / {cpu['booleanidt']:7.2f} s  "
          f"(final population ratio {final['booleanidt']:.4f})")
    print(f"  pyMaBoSS UpdatePopulation, cmaboss : {wall['UpdatePopulation']:7.2f} / {cpu['UpdatePopulation']:7.2f} s  "
          f"(final population ratio {final['UpdatePopulation']:.4f})")
    print(f"  cmaboss, {args.steps + 1} step runs only     : {wall['bare cmaboss']:7.2f} / "
          f"{cpu['bare cmaboss']:7.2f} s  (a lower bound of any cmaboss-based UPMaBoSS)")
    for reference in ("UpdatePopulation", "bare cmaboss"):
        print(f"  ratio ({reference} / booleanidt): {wall[reference] / wall['booleanidt']:.1f}x wall, "
              f"{cpu[reference] / cpu['booleanidt']:.1f}x CPU (per core)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=48)
    parser.add_argument("--samples", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3, help="interleaved UPMaBoSS runs of each (medians printed)")
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
