"""PROFILE's published METABRIC results, patient by patient: how many of ours agree, node by node.

The development split of the corpus (``profile/metabric-dev``: 300 patients, their RNA
and mutation+CNA profiles, and PROFILE's published probability of each of the 98
Fumia nodes in the last window) is simulated as PROFILE did it (Fumia2013.bnd/.cfg:
1,000 trajectories, max_time 20; RNA as rates ``-rb`` with F = 100; discrete profile
as mutants ``-m``), once per ``--compat`` mode.  A patient agrees on a node when the two
estimates lie within 4 combined standard errors + 0.002 (:func:`booleanidt.cohort.agreement`).
Printed: the percentage of patients that agree, per node, per mode, and per class of
(patient, node) pair (forced ON, forced OFF, input, constant, other).

Usage::

    python benchmarks/profile_reproduction.py [--patients 300] [--compat profile-scripts default]
        [--discrete FILE]  # another discrete table, e.g. PROFILE's Fumia_META_mutations.csv

PROFILE's published run forced the mutation calls only (Results/Profiles/Fumia_META_mutations.csv of
sysbio-curie/PROFILE, not in the corpus): given that table, the default mode agrees on every node of the
300 patients; given the corpus's mutation+CNA table, the CNA-only calls make the difference.
"""
from __future__ import annotations

import argparse
import os
import time
import warnings
from pathlib import Path

import pandas as pd

from booleanidt import cohort, read
from booleanidt.io import maboss as maboss_io
from booleanidt.personalization import Profiles

CORPUS = Path(os.environ.get("BOOLEANIDT_CORPUS", Path(__file__).resolve().parents[2] / "shared" / "corpus"))
FUMIA = CORPUS / "profile" / "models" / "Fumia2013"
DEV = CORPUS / "profile" / "metabric-dev"
PUBLISHED_SAMPLES = 1000


def load_study(patients=None, discrete=None) -> tuple:
    """Model, run settings, profiles and published results of the dev split (the first ``patients``)."""
    model = read(FUMIA / "Fumia2013.bnd")
    settings = maboss_io.read_settings(FUMIA / "Fumia2013.cfg")
    published = pd.read_csv(DEV / "PROFILE_results_dev.csv", index_col=0)
    rna = pd.read_csv(DEV / "Fumia_META_RNA_norm_dev.csv", index_col=0)
    calls = pd.read_csv(discrete or DEV / "Fumia_META_mutCNA_dev.csv", index_col=0)
    # PROFILE simulates the patients of every table given
    common = [p for p in published.index if p in rna.index and p in calls.index][:patients]
    profiles = Profiles(rna.loc[common], calls.loc[common])
    return model, settings, profiles, published.loc[common]


def node_classes(model, profiles: Profiles, nodes) -> pd.DataFrame:
    """patients x nodes: forced ON, forced OFF, input, constant or other."""
    classes = pd.DataFrame("other", index=list(profiles), columns=list(nodes))
    for node in nodes:
        if node in model.inputs:
            classes[node] = "input"
        elif node in model.constants:
            classes[node] = "constant"
    calls = profiles.discrete.reindex(index=classes.index, columns=classes.columns)
    return classes.mask(calls == 1, "forced ON").mask(calls == 0, "forced OFF")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=300)
    parser.add_argument("--compat", nargs="+", default=["profile-scripts", "default"],
                        choices=["profile-scripts", "default"])
    parser.add_argument("--discrete", type=Path, help="discrete table given to -m (default: the dev mutCNA)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    model, settings, profiles, published = load_study(args.patients, args.discrete)
    nodes = list(published.columns)
    classes = node_classes(model, profiles, nodes)
    per_node, per_class = {}, {}
    for mode in args.compat:
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")   # 98 outputs: no state table, node probabilities only
            table = cohort.run(model, profiles, nodes, settings=settings, seed=args.seed, progress=True,
                               compat=None if mode == "default" else mode)
        failed = table["error"].notna()
        if failed.any():
            raise SystemExit(f"{int(failed.sum())} patients failed: {table.loc[failed, 'error'].iloc[0]}")
        agree = cohort.agreement(table, published, PUBLISHED_SAMPLES)
        per_node[mode] = 100 * agree.mean()
        per_class[mode] = {name: 100 * agree[classes == name].stack().mean() for name in sorted(set(classes.stack()))}
        print(f"{mode}: {len(table)} patients in {time.perf_counter() - start:.0f} s; patients agreeing on "
              f"every node: {100 * agree.all(axis=1).mean():.1f} %; worst node {per_node[mode].idxmin()} "
              f"{per_node[mode].min():.1f} %; nodes at >= 99 %: {int((per_node[mode] >= 99).sum())}/{len(nodes)}")
    pd.set_option("display.max_rows", None)
    print("\n% of patients within 4 combined SE + 0.002, per node:")
    print(pd.DataFrame(per_node).round(1).to_string())
    counts = classes.stack().value_counts()
    print("\n% of (patient, node) pairs that agree, per class:")
    print(pd.DataFrame(per_class).assign(pairs=counts).round(2).to_string())


if __name__ == "__main__":
    main()
