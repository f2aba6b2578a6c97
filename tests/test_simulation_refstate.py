"""MaBoSS's reference state (``X.refstate``) and the HD=k columns of probtraj.csv, against cmaboss.

``HD=d`` is the probability (time average over the window, as every probtraj
column) that the state differs from the reference state on exactly d of the
reference nodes; nodes with ``refstate = -1`` are not reference nodes.  cmaboss
writes these columns with 4 decimals; its SE is taken as the binomial bound
sqrt(p (1 - p) / N), an upper bound for a time average, on both sides.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest

from conftest import MABOSS, needs_corpus

from booleanidt.io import maboss as maboss_io
from booleanidt.simulation import SimulationResult, simulate

maboss = pytest.importorskip("maboss")

TRAJECTORIES = 10_000


def _utf8(path: Path, folder: Path) -> Path:
    copy = folder / path.name
    copy.write_bytes(path.read_bytes().decode("latin-1").encode("utf-8"))
    return copy


def _cmaboss_hamming(bnd: Path, cfg: Path, max_time: float, time_tick: float):
    folder = Path(tempfile.mkdtemp(prefix="cmaboss_hd_"))
    sim = maboss.load(str(_utf8(bnd, folder)), str(cfg), cmaboss=True)
    sim.update_parameters(use_physrandgen=0, sample_count=TRAJECTORIES, max_time=max_time, time_tick=time_tick,
                          thread_count=1, seed_pseudorandom=5)
    sim.run().save(str(folder / "ref"))
    return SimulationResult.load(folder / "ref" / "res").hamming_distances


@needs_corpus
@pytest.mark.parametrize("bnd, cfg, reference_nodes", [
    ("p53_Mdm2.bnd", "p53_Mdm2_runcfg.cfg", 2),
    ("Four_cycle.bnd", "Four_cycle_FEscape.cfg", 1),
])
def test_hamming_distance_columns_match_cmaboss(bnd, cfg, reference_nodes):
    max_time, time_tick = 10.0, 0.5
    theirs = _cmaboss_hamming(MABOSS / bnd, MABOSS / cfg, max_time, time_tick)
    model = maboss_io.read(MABOSS / bnd, MABOSS / cfg)
    ours = simulate(model, max_time=max_time, time_tick=time_tick, sample_count=TRAJECTORIES, seed=6)
    hamming = ours.hamming_distances
    assert list(hamming.columns) == [f"HD={d}" for d in range(reference_nodes + 1)] == list(theirs.columns)
    assert np.allclose(hamming.sum(axis=1), 1.0)
    a, b = hamming.to_numpy(), theirs.to_numpy()
    se = lambda p: np.sqrt(p * (1 - p) / TRAJECTORIES)  # noqa: E731
    bound = 5 * np.sqrt(se(a) ** 2 + se(b) ** 2) + 0.002
    assert (np.abs(a - b) <= bound).all(), np.abs(a - b).max()
    assert a[:, 1:].max() > 0.05  # the distances move: the test is not comparing constant columns


def test_hamming_distance_closed_form_and_probtraj_columns(tmp_path):
    """A decays at rate 1 from 1, B is constant 1; reference A = 0, B = 0: HD=1 when A = 0, HD=2 when A = 1.
    Window [k, k+1) averages exp(-t): P(HD=2) = exp(-k) (1 - exp(-1))."""
    model = maboss_io.loads("node A { logic = 0; } node B { logic = B; } node C { logic = C; }",
                            "A.istate = 1; B.istate = 1; C.istate = 0; A.refstate = 0; B.refstate = 0; "
                            "C.refstate = -1;")
    result = simulate(model, max_time=4, time_tick=1, sample_count=20_000, seed=2)
    hamming = result.hamming_distances
    expected = np.exp(-np.arange(4)) * (1 - np.exp(-1))
    assert list(hamming.columns) == ["HD=0", "HD=1", "HD=2"]
    assert (hamming["HD=0"] == 0).all()
    assert np.abs(hamming["HD=2"].to_numpy() - expected).max() < 0.01
    result.save(tmp_path / "run")
    header = (tmp_path / "run_probtraj.csv").read_text().splitlines()[0].split("\t")
    assert header[:7] == ["Time", "TH", "ErrorTH", "H", "HD=0", "HD=1", "HD=2"]
    back = SimulationResult.load(tmp_path / "run").hamming_distances
    assert np.allclose(back.to_numpy(), hamming.to_numpy(), atol=1e-5)


def test_without_reference_nodes_hd0_is_one():
    model = maboss_io.loads("node A { logic = !A; }", "A.istate = 0;")
    result = simulate(model, max_time=3, time_tick=1, sample_count=100, seed=1)
    assert list(result.hamming_distances.columns) == ["HD=0"]
    assert np.allclose(result.hamming_distances["HD=0"], 1.0)
