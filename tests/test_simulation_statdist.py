"""Stationary distributions and their clusters (``statdist_traj_count``, ``statdist_cluster_threshold``).

Against cmaboss on the corpus cellfate model with TNF: every node gets a ``refstate``, which
makes MaBoSS's distributions use the full state (without one, MaBoSS 2.6 gives every trajectory
the single state ``<nil>``: booleanidt.simulation.statdist says why we differ).  Clusters are
compared by the phenotype their most probable state shows: the fraction of trajectories in
Apoptosis, NonACD and Survival clusters, within 5 binomial standard errors + 0.002, and the
main Apoptosis cluster's top-state probability within 5 of the two errors + 0.002.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from conftest import MABOSS, needs_corpus

from booleanidt.cli import main
from booleanidt.io import maboss as maboss_io
from booleanidt.simulation import simulate
from booleanidt.simulation.statdist import clusters_of

COUNT = 300
PHENOTYPES = ("Apoptosis", "NonACD", "Survival")


def _phenotype(label) -> str:
    active = set(label.split(" -- "))
    return "+".join(p for p in PHENOTYPES if p in active) or "none"


def _by_phenotype(fractions_and_tops) -> dict:
    totals: dict = {}
    for fraction, top in fractions_and_tops:
        totals[_phenotype(top)] = totals.get(_phenotype(top), 0.0) + fraction
    return totals


def test_clusters_are_linked_by_the_similarity_threshold():
    # similarity(0, 1) = 0.9 x 1 (shared state 0): linked at 0.8, not at 0.95; 2 shares nothing
    d = np.array([[0.9, 0.1, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.5, 0.0, 0.5]])
    assert clusters_of(d, 0.8) == [[0, 1], [2], [3]]
    assert clusters_of(d, 0.95) == [[0], [1], [2], [3]]
    assert clusters_of(d, 0.4) == [[0, 1, 2, 3]]  # 3 links both sides (0.5 x 1 with 1 and with 2)


@needs_corpus
def test_cellfate_clusters_match_cmaboss(tmp_path):
    cmaboss = pytest.importorskip("cmaboss")
    bnd = (MABOSS / "cellfate.bnd").read_text()
    cfg = (MABOSS / "cellfate_TNF.cfg").read_text()
    nodes = list(maboss_io.loads(bnd, cfg).nodes)
    cfg += "".join(f"{n}.refstate = 0;\n" for n in nodes) + (
        f"statdist_traj_count = {COUNT}; statdist_cluster_threshold = 0.8; max_time = 300; time_tick = 10; "
        f"sample_count = {COUNT}; use_physrandgen = 0;\n")
    (tmp_path / "m.bnd").write_text(bnd)
    (tmp_path / "m.cfg").write_text(cfg)
    probabilities, _, labels, errors = cmaboss.MaBoSSSim(network=str(tmp_path / "m.bnd"),
                                                         config=str(tmp_path / "m.cfg")).run() \
        .get_statdist_clusters_summary()
    (tmp_path / "ref").mkdir()
    theirs_sizes = [int(line.split("size=")[1].split("]")[0]) for line in _statdist_lines(cmaboss, tmp_path)]
    theirs = _by_phenotype((size / COUNT, labels[int(np.argmax(row))])
                           for size, row in zip(theirs_sizes, probabilities))

    result = simulate(maboss_io.loads(bnd, cfg), maboss_io.loads_settings(cfg), seed=4, outputs=list(PHENOTYPES))
    summary = result.stationary.summary()
    ours = _by_phenotype(zip(summary["fraction"], summary["top_state"]))
    assert set(ours) >= {"Apoptosis", "NonACD"}
    for phenotype in set(ours) | set(theirs):
        a, b = ours.get(phenotype, 0.0), theirs.get(phenotype, 0.0)
        assert abs(a - b) <= 5 * math.sqrt((a * (1 - a) + b * (1 - b)) / COUNT) + 0.002, (phenotype, a, b)
    big = int(np.argmax(theirs_sizes))
    top = int(np.argmax(probabilities[big]))
    ours_big = result.stationary.distributions[int(np.argmax(summary["size"]))]
    assert set(ours_big.index[0].split(" -- ")) == set(labels[top].split(" -- "))
    bound = 5 * math.hypot(ours_big["ErrorProba"].iloc[0], errors[big, top]) + 0.002
    assert abs(ours_big["Proba"].iloc[0] - probabilities[big, top]) <= bound


def _statdist_lines(cmaboss_module, folder: Path) -> list:
    result = cmaboss_module.MaBoSSSim(network=str(folder / "m.bnd"), config=str(folder / "m.cfg")).run()
    result.display_statdist(str(folder / "ref" / "statdist.csv"), False)
    return [line for line in (folder / "ref" / "statdist.csv").read_text().splitlines()
            if line.startswith("Trajectory[cluster=")]


def test_statdist_csv_written_by_the_cli(tmp_path):
    bnd = tmp_path / "m.bnd"
    bnd.write_text("node A { logic = A; } node B { logic = A; }")
    (tmp_path / "m.cfg").write_text("B.istate = 0; statdist_traj_count = 20; statdist_cluster_threshold = 0.5;")
    assert main(["simulate", str(bnd), "--set", "max_time=10", "--set", "sample_count=50", "--prefix", "res",
                 "-o", str(tmp_path / "o"), "--no-progress"]) == 0
    text = (tmp_path / "o" / "res_statdist.csv").read_text()
    assert text.startswith("Trajectory\tState\tProba")
    assert len([line for line in text.splitlines() if line.startswith("#")]) == 20 + 20 + 2  # rows, members, 2 means
    assert text.count("Trajectory[cluster=#") == 2


def test_too_many_nodes_and_outputs_warns_and_gives_none():
    from booleanidt.expr import Const
    from booleanidt.model import LogicalModel

    model = LogicalModel.from_rules({f"N{i}": Const(i % 2) for i in range(70)})
    with pytest.warns(UserWarning, match="70 nodes and 70 outputs, more than 63: no stationary distributions"):
        result = simulate(model, max_time=1, time_tick=1, sample_count=5, statdist_traj_count=5)
    assert result.stationary is None
    small = simulate(model, max_time=1, time_tick=1, sample_count=5, statdist_traj_count=5,
                     outputs=[f"N{i}" for i in range(10)])
    assert small.stationary.trajectories.shape[0] == 5  # over the 10 outputs
    assert all(len(label.split(" -- ")) <= 10 for label in small.stationary.trajectories.columns)
