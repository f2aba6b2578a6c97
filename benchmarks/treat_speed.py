"""Treatment screen speed: 100 TCGA patients of the Fumia 2013 model x 10 targets, singles and pairs.

Each patient: RNA_norm as initial states and rates (F = 100), mutCNA fixed, then the
untreated model and the 10 single and 45 paired inhibitions of ``TARGETS`` at strength 1
(56 conditions), 1,000 trajectories each, max_time and time_tick as in Fumia2013.cfg.
booleanidt runs the whole screen through :func:`booleanidt.treatment.treat` (local
processes, all cores; each patient's model compiled once).  cmaboss runs a random sample
of ``--reference`` (patient, condition) runs one after the other, each with all cores
(``thread_count``), on the .bnd/.cfg that ``personalize(..., drugs=...)`` writes for them;
its time for the whole screen is extrapolated from that sample (stated in the output).
CPU seconds (this process, its worker processes, cmaboss's threads) are printed too.

Usage::

    python benchmarks/treat_speed.py [--patients 100] [--reference 40] [--samples 1000]
"""
from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

from booleanidt.personalization.apply import personalize
from booleanidt.treatment import screen_conditions, treat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cohort_speed import FUMIA, _cpu_seconds, cmaboss_seconds, fumia_arguments, load_tcga  # noqa: E402  (the cohort benchmark's data)

TARGETS = ["AKT", "PI3K", "mTOR", "ERK1_2", "Raf", "BCL2", "MYC", "NF_kB", "CHK1_2", "Mdm2"]
OBJECTIVE = "Apoptosis - Proliferation"
OUTPUTS = ["Apoptosis", "Proliferation"]


def main(argv=None) -> int:
    args = fumia_arguments(argv, __doc__.splitlines()[0], 100, 40, "(patient, condition) runs also made by cmaboss")
    if not FUMIA.is_dir():
        print(f"corpus not found at {FUMIA}", file=sys.stderr)
        return 1
    model, settings, profiles = load_tcga(args.patients, args.samples)
    conditions = screen_conditions(TARGETS, [1.0], pairs=True)
    runs = len(profiles) * len(conditions)
    cores = os.cpu_count() or 1
    print(f"Fumia2013: {len(model.nodes)} nodes, {len(profiles)} patients x {len(conditions)} conditions = {runs} runs, "
          f"{settings.sample_count} trajectories, max_time {settings.max_time}, time_tick {settings.time_tick}, "
          f"{cores} cores; load average {os.getloadavg()[0]:.1f}")

    start, cpu_start = time.perf_counter(), _cpu_seconds()
    table = treat(model, profiles, TARGETS, OBJECTIVE, pairs=True, settings=settings, seed=1, progress=True)
    ours, our_cpu = time.perf_counter() - start, _cpu_seconds() - cpu_start
    failed = int(table.loc[table["error"].notna(), "patient"].nunique())
    print(f"booleanidt: {runs} runs in {ours:.1f} s = {runs / ours:.1f} runs/s ({failed} patients failed); "
          f"CPU {our_cpu / runs * 1000:.1f} ms per run; load average {os.getloadavg()[0]:.1f}")

    sample = random.Random(0).sample([(p, c) for p in profiles for c in conditions], min(args.reference, runs))
    theirs, their_cpu = cmaboss_seconds([personalize(model, profiles[p], drugs=c.drugs) for p, c in sample],
                                        OUTPUTS, settings, cores)
    extrapolated = theirs / len(sample) * runs
    print(f"cmaboss:    {len(sample)} sampled runs in {theirs:.1f} s ({cores} threads each); CPU "
          f"{their_cpu / len(sample) * 1000:.1f} ms per run; the whole screen extrapolated: {extrapolated:.0f} s")
    print(f"ratio booleanidt / cmaboss: runs per second {(runs / ours) / (len(sample) / theirs):.1f}, "
          f"CPU per run {(their_cpu / len(sample)) / (our_cpu / runs):.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
