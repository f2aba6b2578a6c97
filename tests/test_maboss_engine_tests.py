"""MaBoSS's own engine tests (sysbio-curie/MaBoSS, engine/tests/maboss) where they apply to these features:
the ensemble of six Invasion models (test-ensemble.sh, MaBoSS --ensemble, 100,000 trajectories) and sizek's
observed graph (test-observed_graph.sh, 4,000 trajectories).  Our runs are compared with MaBoSS's reference
outputs (refer/), within 5 standard errors + 0.002 (states: both sides' errors; graph counts: Poisson errors).

The files are MaBoSS's, not ours: point BOOLEANIDT_MABOSS_TESTS at a checkout's engine/tests/maboss
(skipped otherwise).
"""
from __future__ import annotations

import math
import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import booleanidt
from booleanidt.io import maboss as maboss_io
from booleanidt.simulation import SimulationResult, simulate, simulate_ensemble

TESTS = Path(os.environ.get("BOOLEANIDT_MABOSS_TESTS", "/nonexistent"))
pytestmark = pytest.mark.skipif(not TESTS.is_dir(), reason="set BOOLEANIDT_MABOSS_TESTS to MaBoSS's "
                                "engine/tests/maboss to run MaBoSS's own test cases")

INVASION = [0, 200, 400, 600, 800, 1000]


def _frozen(label: str) -> frozenset:
    return frozenset() if label == "<nil>" else frozenset(label.split(" -- "))


def test_invasion_ensemble_matches_maboss_reference():
    cfg = TESTS / "ensemble" / "ensemble.cfg"
    models = [maboss_io.apply_cfg(booleanidt.read(TESTS / "ensemble" / "invasion" / f"Invasion_{k}.bnet"), cfg)
              for k in INVASION]
    settings = maboss_io.read_settings(cfg).replace(sample_count=30_000, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = simulate_ensemble(models, settings)
    reference = SimulationResult.load(TESTS / "ensemble" / "refer" / "res")
    for window in (5, 49):
        mine = {_frozen(s): (p, ours.pooled.state_errors[s].iloc[window])
                for s, p in ours.pooled.state_probabilities.iloc[window].items() if p > 0}
        theirs = {_frozen(s): (p, reference.state_errors[s].iloc[window])
                  for s, p in reference.state_probabilities.iloc[window].items() if p > 0}
        for state in set(mine) | set(theirs):
            (a, sa), (b, sb) = mine.get(state, (0.0, 0.0)), theirs.get(state, (0.0, 0.0))
            assert abs(a - b) <= 5 * math.hypot(sa, sb) + 0.002, (window, sorted(state), a, b)
    per_model = SimulationResult.load(TESTS / "ensemble" / "refer" / "res_model_3")
    last = {_frozen(s): p for s, p in per_model.state_probabilities.iloc[-1].items() if p > 0}
    mine = {_frozen(s): p for s, p in ours.models[3].state_probabilities.iloc[-1].items() if p > 0}
    for state in set(last) | set(mine):
        a, b = mine.get(state, 0.0), last.get(state, 0.0)
        assert abs(a - b) <= 5 * math.sqrt((a * (1 - a)) / 5000 + (b * (1 - b)) / 16_666) + 0.002, sorted(state)


def test_sizek_observed_graph_matches_maboss_reference():
    folder = TESTS / "sizek"
    model = maboss_io.read(folder / "sizek.bnd", folder / "sizek_wgraph.cfg")
    settings = maboss_io.read_settings(folder / "sizek_wgraph.cfg").replace(seed=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = simulate(model, settings, outputs=["CyclinA", "CyclinB", "CyclinE"])
    reference = pd.read_csv(folder / "refer" / "sizek_1_thread_observed_graph.csv", sep="\t", index_col=0)
    theirs = {(_frozen(a), _frozen(b)): reference.loc[a, b] for a in reference.index for b in reference.columns}
    graph = result.observed_graph
    assert graph.to_numpy().sum() > 10 * settings.sample_count
    n = settings.sample_count
    for a in graph.index:
        for b in graph.columns:
            mine, ref = int(graph.loc[a, b]), int(theirs[(_frozen(a), _frozen(b))])
            assert abs(mine - ref) / n <= 5 * math.sqrt(mine + ref) / n + 0.002, (a, b, mine, ref)
    assert np.count_nonzero(graph.to_numpy()) == np.count_nonzero(reference.to_numpy())
