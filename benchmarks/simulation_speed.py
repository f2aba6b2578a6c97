"""booleanidt's simulator vs MaBoSS (cmaboss), side by side in one process, one thread each.

For each corpus model: the same .bnd/.cfg, max_time 100, time_tick 1, 10,000
trajectories (cmaboss with use_physrandgen=0); prints CPU seconds of both, their
ratio and the time per transition (transitions counted by booleanidt; both
simulate the same Markov chain, so the expected counts are equal).  JIT compile
time is measured apart, in fresh interpreters: cold (empty numba cache) and warm
(cache on disk, what every later run pays).  Then a 2,000-node random sparse
network: booleanidt with 10,000 trajectories (time, peak memory) against
``cmaboss_dn`` (MaBoSS's dynamic-size build, the only one taking 2,000 nodes) on
100 trajectories, compared per trajectory.

Run::

    python benchmarks/simulation_speed.py                 # everything (several minutes)
    python benchmarks/simulation_speed.py --trajectories 2000 --models cellfate sizek
"""
from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import cmaboss_dn
import maboss

from booleanidt.expr import And, Not, Or, Var
from booleanidt.io import maboss as maboss_io
from booleanidt.model import LogicalModel, Node
from booleanidt.simulation import simulate

CORPUS = Path(os.environ.get("BOOLEANIDT_CORPUS", Path(__file__).resolve().parents[2] / "shared" / "corpus"))
MODELS = {
    "cellcycle": ("cellcycle.bnd", "cellcycle_runcfg.cfg"),
    "cellfate": ("cellfate.bnd", "cellfate_TNF.cfg"),
    "sizek": ("sizek.bnd", "sizek.cfg"),
    "Montagud": ("Montagud2022_Prostate_Cancer.bnd", "Montagud2022_Prostate_Cancer.cfg"),
    "ewing_full": ("ewing_full.bnd", "ewing_full.cfg"),
}

_JIT_PROBE = ("import time, warnings; warnings.simplefilter('ignore'); t = time.perf_counter(); "
              "from booleanidt.model import LogicalModel; from booleanidt.expr import Const; "
              "from booleanidt.simulation import simulate; "
              "simulate(LogicalModel.from_rules({'A': Const(1)}), max_time=1, time_tick=1, sample_count=1); "
              "print(time.perf_counter() - t)")


def jit_seconds(cache_dir: str | None) -> float:
    """Seconds for import + first simulation in a fresh interpreter (numba cache in ``cache_dir``)."""
    env = dict(os.environ)
    if cache_dir:
        env["NUMBA_CACHE_DIR"] = cache_dir
    out = subprocess.run([sys.executable, "-c", _JIT_PROBE], env=env, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def cpu_seconds(function):
    start = time.process_time()
    value = function()
    return time.process_time() - start, value


def run_cmaboss(bnd, cfg, trajectories, max_time, time_tick):
    sim = maboss.load(str(bnd), str(cfg), cmaboss=True)
    sim.update_parameters(use_physrandgen=0, sample_count=trajectories, max_time=max_time, time_tick=time_tick,
                          thread_count=1)
    return cpu_seconds(sim.run)[0]


def bench_corpus(names, trajectories, max_time, time_tick):
    print(f"\n{'model':<11}{'nodes':>6}{'booleanidt s':>14}{'cmaboss s':>11}{'ratio':>8}"
          f"{'us/transition ours':>20}{'cmaboss':>9}{'transitions/s ours':>20}")
    for name in names:
        bnd, cfg = (CORPUS / "maboss" / f for f in MODELS[name])
        model = maboss_io.read(bnd, cfg)
        settings = maboss_io.read_settings(cfg).replace(max_time=max_time, time_tick=time_tick,
                                                        sample_count=trajectories, threads=1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            simulate(model, settings, sample_count=2)  # load the compiled kernel before timing
            ours, result = cpu_seconds(lambda: simulate(model, settings))
        theirs = run_cmaboss(bnd, cfg, trajectories, max_time, time_tick)
        jumps = max(result.jumps, 1)
        note = "  (ours: >63 outputs, state table skipped)" if result.state_probabilities is None else ""
        print(f"{name:<11}{len(model.nodes):>6}{ours:>14.2f}{theirs:>11.2f}{theirs / ours:>8.1f}"
              f"{ours / jumps * 1e6:>20.3f}{theirs / jumps * 1e6:>9.3f}{jumps / ours:>20.3g}{note}")


def random_network(size: int, seed: int = 1) -> LogicalModel:
    """A sparse random network: each node reads 2-3 random nodes through and/or/not; 10 outputs."""
    rng = random.Random(seed)
    ids = [f"n{i}" for i in range(size)]
    rules = {}
    for node in ids:
        literals = [Var(v) if rng.random() < 0.6 else Not(Var(v)) for v in rng.sample(ids, rng.choice((2, 3)))]
        rules[node] = Or((And(tuple(literals[:2])), literals[2])) if len(literals) == 3 else And(tuple(literals))
    nodes = {n: Node(n, internal=i >= 10) for i, n in enumerate(ids)}
    return LogicalModel(nodes=nodes, rules=rules)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_random(size, trajectories, reference_trajectories, max_time, time_tick):
    model = random_network(size)
    settings = dict(max_time=max_time, time_tick=time_tick, threads=1)
    simulate(model, sample_count=2, **settings)
    before = peak_rss_mb()
    ours, result = cpu_seconds(lambda: simulate(model, sample_count=trajectories, **settings))
    grown = peak_rss_mb() - before
    with tempfile.TemporaryDirectory() as folder:
        bnd, cfg = Path(folder) / "random.bnd", Path(folder) / "random.cfg"
        bnd_text, cfg_text = maboss_io.dumps(model)
        bnd.write_text(bnd_text)
        cfg.write_text(cfg_text + f"\nsample_count = {reference_trajectories};\nmax_time = {max_time};\n"
                       f"time_tick = {time_tick};\nthread_count = 1;\n")
        # maboss.load refuses more than 1024 nodes; the dynamic build is called directly
        reference = cmaboss_dn.MaBoSSSim(network=str(bnd), config=str(cfg))
        theirs = cpu_seconds(reference.run)[0]
    per_ours, per_theirs = ours / trajectories, theirs / reference_trajectories
    print(f"\nrandom network: {size} nodes, max_time {max_time}, time_tick {time_tick}")
    print(f"  booleanidt: {trajectories} trajectories in {ours:.2f} CPU s ({per_ours * 1e3:.3f} ms each), "
          f"{result.jumps / ours:.3g} transitions/s, {ours / max(result.jumps, 1) * 1e6:.3f} us/transition, "
          f"peak memory +{grown:.0f} MB (process peak {peak_rss_mb():.0f} MB)")
    print(f"  cmaboss_dn: {reference_trajectories} trajectories in {theirs:.2f} CPU s "
          f"({per_theirs * 1e3:.3f} ms each)")
    print(f"  ratio per trajectory (cmaboss_dn / booleanidt): {per_theirs / per_ours:.1f}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="*", default=list(MODELS), choices=list(MODELS))
    parser.add_argument("--trajectories", type=int, default=10_000)
    parser.add_argument("--max-time", type=float, default=100.0)
    parser.add_argument("--time-tick", type=float, default=1.0)
    parser.add_argument("--random-size", type=int, default=2000)
    parser.add_argument("--random-max-time", type=float, default=20.0)
    parser.add_argument("--random-reference-trajectories", type=int, default=100)
    parser.add_argument("--skip-jit", action="store_true", help="do not measure compile time")
    args = parser.parse_args(argv)

    if not args.skip_jit:
        with tempfile.TemporaryDirectory() as empty:
            cold = jit_seconds(empty)
            warm = jit_seconds(empty)
        print(f"JIT: first run on a new machine {cold:.1f} s (compile + cache write); "
              f"later processes {warm:.1f} s (import + cached kernel load)")
    if args.random_size:  # first, so that the process's peak memory is still its own
        bench_random(args.random_size, args.trajectories, args.random_reference_trajectories,
                     args.random_max_time, args.time_tick)
    bench_corpus(args.models, args.trajectories, args.max_time, args.time_tick)


if __name__ == "__main__":
    main()
