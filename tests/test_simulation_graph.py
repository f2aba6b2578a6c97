"""MaBoSS's observed graph (``X.in_graph = 1;``): transitions between the states of the chosen nodes,
counted over all trajectories, and the mean time spent in the origin state before each, against cmaboss.

Counts are compared per trajectory with Poisson standard errors (sqrt(count) / N on each side);
mean durations where both sides saw at least 50 transitions, with the standard error of a mean
taken as 1.5 x mean / sqrt(count) (the spread of a sojourn time is about its mean; 1.5 leaves
room for sojourns more variable than exponential ones).
"""
from __future__ import annotations

import math

import pytest

from conftest import MABOSS, needs_corpus

from booleanidt.io import maboss as maboss_io
from booleanidt.simulation import simulate

TRAJECTORIES = 10_000
OBSERVED = ("Apoptosis", "NonACD", "Survival")


def _frozen(label: str) -> frozenset:
    return frozenset() if label == "<nil>" else frozenset(label.split(" -- "))


@needs_corpus
def test_cellfate_observed_graph_matches_cmaboss(tmp_path):
    cmaboss = pytest.importorskip("cmaboss")
    cfg = (MABOSS / "cellfate_TNF.cfg").read_text() + "".join(f"{n}.in_graph = 1;\n" for n in OBSERVED) + (
        f"max_time = 50; time_tick = 1; sample_count = {TRAJECTORIES}; use_physrandgen = 0;\n")
    (tmp_path / "m.cfg").write_text(cfg)
    reference = cmaboss.MaBoSSSim(network=str(MABOSS / "cellfate.bnd"), config=str(tmp_path / "m.cfg")).run()
    counts, labels = reference.get_observed_graph()
    durations, _ = reference.get_observed_durations()
    theirs = {(_frozen(a), _frozen(b)): (counts[i, j], durations[i, j])
              for i, a in enumerate(labels) for j, b in enumerate(labels)}

    model = maboss_io.read(MABOSS / "cellfate.bnd", tmp_path / "m.cfg")
    result = simulate(model, maboss_io.loads_settings(cfg), seed=3, outputs=list(OBSERVED))
    graph, mean = result.observed_graph, result.observed_durations
    assert graph.shape == (8, 8) and graph.to_numpy().sum() > 0.2 * TRAJECTORIES
    compared = 0
    for a in graph.index:
        for b in graph.columns:
            c1, d1 = int(graph.loc[a, b]), float(mean.loc[a, b])
            c2, d2 = theirs[(_frozen(a), _frozen(b))]
            assert abs(c1 - c2) / TRAJECTORIES <= 5 * math.sqrt(c1 + c2) / TRAJECTORIES + 0.002, (a, b, c1, c2)
            if min(c1, c2) >= 50:
                compared += 1
                assert abs(d1 - d2) <= 5 * 1.5 * math.hypot(d1 / math.sqrt(c1), d2 / math.sqrt(c2)) + 0.002, \
                    (a, b, d1, d2)
    assert compared >= 3


def test_in_graph_reads_writes_and_counts_a_toggle():
    """A flips 0 -> 1 and back at rate 1: its flips are a Poisson process of rate 1, so over max_time 200 a
    trajectory makes (200 + (1 - e^-400) / 2) / 2 = 100.25 up flips on average, and the mean time in each
    state before leaving it is 1 (less a bias of about 1%: the last, cut-off sojourn is not a transition)."""
    model = maboss_io.loads("node A { logic = !A; } node B { logic = B; }", "A.istate = 0; A.in_graph = 1;")
    assert "A.in_graph = 1;" in maboss_io.dumps(model)[1]
    result = simulate(model, max_time=200, time_tick=10, sample_count=1000, seed=1)
    graph, mean = result.observed_graph, result.observed_durations
    assert list(graph.index) == ["<nil>", "A"]
    assert graph.loc["<nil>", "<nil>"] == 0 and graph.loc["A", "A"] == 0
    per_trajectory = graph.loc["<nil>", "A"] / 1000
    assert abs(per_trajectory - 100.25) < 5 * math.sqrt(100.25 / 1000) + 0.002
    assert abs(mean.loc["<nil>", "A"] - 1.0) < 0.03 and abs(mean.loc["A", "<nil>"] - 1.0) < 0.03


def test_without_in_graph_nodes_no_graph():
    model = maboss_io.loads("node A { logic = !A; }", "A.istate = 0;")
    assert simulate(model, max_time=2, time_tick=1, sample_count=10).observed_graph is None


def test_cli_writes_the_observed_graph_files(tmp_path):
    from booleanidt.cli import main

    bnd = tmp_path / "m.bnd"
    bnd.write_text("node A { logic = !A; }")
    (tmp_path / "m.cfg").write_text("A.istate = 0; A.in_graph = 1;")
    assert main(["simulate", str(bnd), "--set", "max_time=5", "--set", "sample_count=100", "--prefix", "res",
                 "-o", str(tmp_path / "o"), "--no-progress"]) == 0
    lines = (tmp_path / "o" / "res_observed_graph.csv").read_text().splitlines()
    assert lines[0] == "State\t<nil>\tA" and lines[1].startswith("<nil>\t0\t")
    assert (tmp_path / "o" / "res_observed_durations.csv").read_text().startswith("State\t<nil>\tA\n")
