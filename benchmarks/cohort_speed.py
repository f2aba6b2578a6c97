"""Cohort speed: the 816 TCGA patients of the Fumia 2013 model, booleanidt vs cmaboss.

Each patient: RNA_norm as initial states and rates (F = 100), mutCNA fixed,
1,000 trajectories, max_time and time_tick as in Fumia2013.cfg.  booleanidt runs the
whole cohort through :func:`booleanidt.cohort.run` (local processes, all cores);
cmaboss runs ``--reference`` patients one after the other, each with all cores
(``thread_count``), on the .bnd/.cfg that booleanidt writes for them.  Wall-clock rates
depend on what else the machine runs; CPU seconds per patient (this process and its
worker processes, cmaboss's threads included) are printed too.

Usage::

    python benchmarks/cohort_speed.py [--patients 816] [--reference 50] [--samples 1000]
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from booleanidt import cohort
from booleanidt.io import maboss as maboss_io
from booleanidt.personalization import Profiles
from booleanidt.personalization.apply import mark_outputs, personalize

CORPUS = Path(os.environ.get("BOOLEANIDT_CORPUS", Path(__file__).resolve().parents[2] / "shared" / "corpus"))
FUMIA = CORPUS / "profile" / "models" / "Fumia2013"
TCGA = CORPUS / "profile" / "tcga"
OUTPUTS = ["Proliferation", "Apoptosis"]


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the cohort's worker processes)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def load_tcga(patients: int, samples: int) -> tuple:
    """The Fumia model, its .cfg settings with ``samples`` trajectories, and the first ``patients`` TCGA profiles."""
    model = maboss_io.read(FUMIA / "Fumia2013.bnd", FUMIA / "Fumia2013.cfg")
    settings = maboss_io.read_settings(FUMIA / "Fumia2013.cfg").replace(sample_count=samples)
    rna = pd.read_csv(TCGA / "Fumia_TCGA_RNA_norm.csv", index_col=0)
    mutcna = pd.read_csv(TCGA / "Fumia_TCGA_mutCNA.csv", index_col=0)
    chosen = [p for p in rna.index if p in set(mutcna.index)][:patients]
    return model, settings, Profiles(rna.loc[chosen], mutcna.loc[chosen])


def cmaboss_seconds(models: list, outputs: list, settings, cores: int) -> tuple:
    """Wall and CPU seconds of cmaboss (through pyMaBoSS, ``cores`` threads) running each of ``models``, written
    as .bnd/.cfg with ``settings`` and ``outputs`` marked; writing the files is not timed."""
    import maboss
    with tempfile.TemporaryDirectory() as folder:
        files = []
        for k, personalised in enumerate(models):
            bnd, cfg = Path(folder) / f"{k}.bnd", Path(folder) / f"{k}.cfg"
            maboss_io.write(mark_outputs(personalised, outputs), bnd, cfg, settings=settings)
            files.append((bnd, cfg))
        start, cpu_start = time.perf_counter(), _cpu_seconds()
        for bnd, cfg in files:
            sim = maboss.load(str(bnd), str(cfg), cmaboss=True)
            sim.update_parameters(use_physrandgen=0, thread_count=cores)
            sim.run().get_nodes_probtraj()
        return time.perf_counter() - start, _cpu_seconds() - cpu_start


def fumia_arguments(argv, description: str, patients: int, reference: int, reference_help: str):
    """``--patients``, ``--reference`` (at least 1: the benchmarks compare with cmaboss) and ``--samples``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--patients", type=int, default=patients)
    parser.add_argument("--reference", type=int, default=reference, help=reference_help)
    parser.add_argument("--samples", type=int, default=1000)
    args = parser.parse_args(argv)
    if args.reference < 1:
        parser.error("--reference must be at least 1: the benchmark compares booleanidt with cmaboss")
    return args


def main(argv=None) -> int:
    args = fumia_arguments(argv, __doc__.splitlines()[0], 816, 50, "patients also run through cmaboss")
    if not FUMIA.is_dir():
        print(f"corpus not found at {CORPUS}", file=sys.stderr)
        return 1

    model, settings, profiles = load_tcga(args.patients, args.samples)
    cores = os.cpu_count() or 1
    print(f"Fumia2013: {len(model.nodes)} nodes, {len(profiles)} patients, {settings.sample_count} trajectories, "
          f"max_time {settings.max_time}, time_tick {settings.time_tick}, {cores} cores")

    start, cpu_start = time.perf_counter(), _cpu_seconds()
    table = cohort.run(model, profiles, OUTPUTS, settings=settings, seed=1, progress=True)
    ours, our_cpu = time.perf_counter() - start, _cpu_seconds() - cpu_start
    failed = int(table["error"].notna().sum())
    print(f"booleanidt: {len(profiles)} patients in {ours:.1f} s = {len(profiles) / ours:.2f} patients/s "
          f"({failed} failed); CPU {our_cpu / len(profiles):.3f} s per patient")

    reference = list(profiles)[:args.reference]
    theirs, their_cpu = cmaboss_seconds([personalize(model, profiles[p]) for p in reference], OUTPUTS, settings,
                                        cores)
    print(f"cmaboss:    {len(reference)} patients in {theirs:.1f} s = {len(reference) / theirs:.2f} patients/s "
          f"({cores} threads each); CPU {their_cpu / len(reference):.3f} s per patient")
    print(f"ratio booleanidt / cmaboss: patients per second {(len(profiles) / ours) / (len(reference) / theirs):.2f}, "
          f"CPU per patient {(their_cpu / len(reference)) / (our_cpu / len(profiles)):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
