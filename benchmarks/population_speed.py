"""UPMaBoSS speed: booleanidt.population vs cmaboss on CellFate (48 one-hour steps), per core.

pyMaBoSS's cmaboss-backed ``UpdatePopulation(...).run(cmaboss=True)`` fails with the installed
pyMaBoSS 0.8.17 / cmaboss 1.0.0b34 (``network.set_istate`` is called with a ``warnings=``
keyword cmaboss does not take, and ``$param`` updates are passed as strings), and its
file-based path needs the MaBoSS binary.  The reference time here is therefore a lower
bound of what UpdatePopulation costs: the same 49 cmaboss runs of the step model (one
thread), without the Python update between them.  The ratio printed is reference / ours.

Usage: python benchmarks/population_speed.py [--steps 48] [--samples 100000]
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import cmaboss

from booleanidt.io import maboss
from booleanidt.population import run
from booleanidt.population.upp import read_upp

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "population"


def reference_seconds(steps: int, samples: int) -> float:
    cfg = (DATA / "cellfate_upp_1h.cfg").read_text()
    cfg = cfg.replace("sample_count = 100000;", f"sample_count = {samples};").replace("thread_count = 2;",
                                                                                        "thread_count = 1;")
    start = time.perf_counter()
    for _ in range(steps + 1):
        sim = cmaboss.MaBoSSSim(network_str=(DATA / "cellfate_upp.bnd").read_text(), config_str=cfg)
        sim.run()
    return time.perf_counter() - start


def ours_seconds(steps: int, samples: int) -> tuple:
    model = maboss.read(DATA / "cellfate_upp.bnd", DATA / "cellfate_upp_1h.cfg")
    settings = maboss.read_settings(DATA / "cellfate_upp_1h.cfg").replace(sample_count=samples, threads=1)
    spec = read_upp(DATA / "cellfate_1h.upp")
    spec.steps = 1
    run(model, settings, upp=spec)                           # compile numba once
    spec.steps = steps
    start = time.perf_counter()
    result = run(model, settings, upp=spec)
    return time.perf_counter() - start, result.final_ratio


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=48)
    parser.add_argument("--samples", type=int, default=100_000)
    args = parser.parse_args()
    ours, ratio = ours_seconds(args.steps, args.samples)
    reference = reference_seconds(args.steps, args.samples)
    print(f"CellFate UPMaBoSS, {args.steps} steps x {args.samples} trajectories, one core")
    print(f"  booleanidt.population.run : {ours:8.2f} s  (final population ratio {ratio:.4f})")
    print(f"  cmaboss, {args.steps + 1} step runs only : {reference:8.2f} s")
    print(f"  ratio (cmaboss / booleanidt): {reference / ours:.1f}x")


if __name__ == "__main__":
    main()
