"""Ensembles of models (MaBoSS ``--ensemble``): trajectories split evenly, pooled tables the weighted mean.

The installed pyMaBoSS runs ensembles through the MaBoSS binary, which pip does not install, so the
pooled result is checked against the mixture of cmaboss runs of each model (same shares), within
5 standard errors + 0.002.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from conftest import MABOSS, needs_corpus

from booleanidt.io import maboss as maboss_io
from booleanidt.simulation import simulate_ensemble
from booleanidt.simulation.api import SimulationError

OUTPUTS = ["Survival", "Apoptosis", "NonACD"]


@needs_corpus
def test_pooled_cellfate_ensemble_matches_the_cmaboss_mixture(tmp_path):
    maboss = pytest.importorskip("maboss")
    bnd, cfg = MABOSS / "cellfate.bnd", MABOSS / "cellfate_TNF.cfg"
    base = maboss_io.read(bnd, cfg)
    models = [base, base.mutate({"CASP8": 0}), base.mutate({"RIP1": 0})]
    ensemble = simulate_ensemble(models, max_time=20, time_tick=1, sample_count=9001, seed=2, outputs=OUTPUTS)
    assert [r.settings.sample_count for r in ensemble.models] == [3001, 3000, 3000]
    weights = np.array([3001, 3000, 3000]) / 9001
    mixture = 0.0
    for weight, mutant in zip(weights, (None, "CASP8", "RIP1")):
        sim = maboss.load(str(bnd), str(cfg), cmaboss=True)
        sim.update_parameters(use_physrandgen=0, sample_count=3000, max_time=20, time_tick=1, thread_count=1)
        if mutant:
            sim.mutate(mutant, "OFF")
        mixture = mixture + weight * sim.run().get_nodes_probtraj()[OUTPUTS].to_numpy()
    pooled = ensemble.pooled
    ours, se = pooled.node_probabilities[OUTPUTS].to_numpy(), pooled.node_errors[OUTPUTS].to_numpy()
    assert np.all(np.abs(ours - mixture) <= 5 * math.sqrt(2) * se + 0.002)
    # the pooled table is the trajectory-weighted mean of the per-model ones, and differs from each
    per_model = [r.node_probabilities[OUTPUTS].to_numpy() for r in ensemble.models]
    assert np.allclose(ours, sum(w * p for w, p in zip(weights, per_model)))
    assert all(np.abs(ours[-1] - p[-1]).max() > 0.05 for p in per_model)
    assert pooled.fixed_points["Proba"].sum() == pytest.approx(
        sum(w * r.fixed_points["Proba"].sum() for w, r in zip(weights, ensemble.models)))


def test_models_must_share_their_nodes():
    a = maboss_io.loads("node A { logic = A; }")
    b = maboss_io.loads("node B { logic = B; }")
    with pytest.raises(SimulationError, match="model 2 does not have the nodes of model 1"):
        simulate_ensemble([a, b], sample_count=10)


def test_cli_ensemble(tmp_path, capsys):
    from booleanidt.cli import main

    for name, rule in (("on", "1"), ("off", "0")):
        (tmp_path / f"{name}.bnd").write_text(f"node A {{ logic = {rule}; }}")
    (tmp_path / "m.cfg").write_text("A.istate = 0;")
    out = tmp_path / "o"
    assert main(["simulate", str(tmp_path / "on.bnd"), "--cfg", str(tmp_path / "m.cfg"), "--ensemble",
                 str(tmp_path / "off.bnd"), "--set", "max_time=30", "--set", "time_tick=10", "--set",
                 "sample_count=400", "--prefix", "res", "-o", str(out), "--no-progress"]) == 0
    assert {"res_probtraj.csv", "res_model_0_probtraj.csv", "res_model_1_probtraj.csv", "res_model_1_fp.csv"} <= {
        p.name for p in out.iterdir()}
    last = (out / "res_probtraj.csv").read_text().splitlines()[-1].split("\t")
    pooled = dict(zip(last[5::3], map(float, last[6::3])))
    assert abs(pooled["A"] - 0.5) < 0.01 and abs(pooled["<nil>"] - 0.5) < 0.01  # A on in half the trajectories
    (tmp_path / "other.bnd").write_text("node B { logic = 1; }")
    assert main(["simulate", str(tmp_path / "on.bnd"), "--ensemble", str(tmp_path / "other.bnd"), "-o",
                 str(tmp_path / "bad"), "--no-progress"]) == 2
    assert "model 2 does not have the nodes of model 1" in capsys.readouterr().err
    assert not (tmp_path / "bad").exists()
