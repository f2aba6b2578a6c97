"""Output options MaBoSS users rely on: --final (finalprob.csv), --prefix (PREFIX_probtraj.csv, read by
pyMaBoSS's StoredResult), --check and --exact."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import MABOSS, needs_corpus

from booleanidt.cli import main
from booleanidt.io import maboss as maboss_io
from booleanidt.simulation import SimulationResult, simulate

TRAJECTORIES = 10_000


def _frozen(label: str) -> frozenset:
    return frozenset() if label == "<nil>" else frozenset(label.split(" -- "))


def _finalprob(path: Path) -> dict:
    return {_frozen(label): float(p) for p, label in (line.split("\t") for line in path.read_text().splitlines())}


def _p53(folder: Path) -> tuple:
    """p53_Mdm2 (5 nodes, UTF-8 copy for cmaboss), max_time 20, TRAJECTORIES trajectories, seeded generator."""
    bnd = folder / "p53.bnd"
    bnd.write_bytes((MABOSS / "p53_Mdm2.bnd").read_bytes().decode("latin-1").encode("utf-8"))
    cfg = folder / "p53.cfg"
    cfg.write_text((MABOSS / "p53_Mdm2_runcfg.cfg").read_text() + f"\nuse_physrandgen = 0; max_time = 20; "
                   f"sample_count = {TRAJECTORIES}; time_tick = 1;\n")
    return bnd, cfg


@needs_corpus
def test_final_states_match_cmaboss_only_last_state(tmp_path):
    cmaboss = pytest.importorskip("cmaboss")
    bnd, cfg = _p53(tmp_path)
    cmaboss.MaBoSSSim(network=str(bnd), config=str(cfg)).run(only_last_state=True).display_final_states(
        str(tmp_path / "ref_finalprob.csv"), False)
    assert main(["simulate", str(bnd), "--cfg", str(cfg), "--final", "--prefix", "ours", "-o", str(tmp_path / "o"),
                 "--no-progress"]) == 0
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["ours_finalprob.csv", "run.json"]
    ours, theirs = _finalprob(tmp_path / "o" / "ours_finalprob.csv"), _finalprob(tmp_path / "ref_finalprob.csv")
    assert sum(ours.values()) == pytest.approx(1.0)
    for state in set(ours) | set(theirs):
        a, b = ours.get(state, 0.0), theirs.get(state, 0.0)
        se = math.sqrt((a * (1 - a) + b * (1 - b)) / TRAJECTORIES)
        assert abs(a - b) <= 5 * se + 0.002, (sorted(state), a, b)


@needs_corpus
def test_prefix_files_read_by_pymaboss_stored_result(tmp_path):
    stored = pytest.importorskip("maboss.results.storedresult")
    bnd, cfg = _p53(tmp_path)
    out = tmp_path / "run"
    assert main(["simulate", str(bnd), "--cfg", str(cfg), "--prefix", "res", "--exact", "-o", str(out),
                 "--no-progress"]) == 0
    assert {"res_probtraj.csv", "res_fp.csv"} <= {p.name for p in out.iterdir()}
    theirs = stored.StoredResult(str(out), "res")
    ours = SimulationResult.load(out / "res")
    states = theirs.get_states_probtraj()
    assert np.array_equal(states[ours.state_probabilities.columns].to_numpy(), ours.state_probabilities.to_numpy())
    nodes = pd.read_csv(out / "nodes.csv", sep="\t", index_col=0)
    for node in theirs.get_nodes_probtraj().columns:
        assert np.abs(theirs.get_nodes_probtraj()[node].to_numpy() - nodes[node].to_numpy()).max() < 1e-5
    assert theirs.get_fptable()["Proba"].sum() == pytest.approx(ours.fixed_points["Proba"].sum())


def test_exact_probabilities_read_back_bit_for_bit(tmp_path):
    model = maboss_io.loads("node A { logic = !B; } node B { logic = A; }", "A.istate = 0; B.istate = 0;")
    result = simulate(model, max_time=3, time_tick=1, sample_count=333, seed=1)
    result.save(tmp_path / "exact", exact=True)
    back = SimulationResult.load(tmp_path / "exact")
    assert back.state_probabilities[result.state_probabilities.columns].equals(result.state_probabilities)
    result.save(tmp_path / "short")
    rounded = SimulationResult.load(tmp_path / "short").state_probabilities[result.state_probabilities.columns]
    assert not rounded.equals(result.state_probabilities)  # 6 digits by default: 1/333 does not survive
    assert np.abs(rounded - result.state_probabilities).to_numpy().max() < 1e-6


def test_check_reads_and_stops(tmp_path, capsys):
    bnd = tmp_path / "m.bnd"
    bnd.write_text("node A { logic = !A; rate_up = $k; }")
    (tmp_path / "m.cfg").write_text("$k = 2; A.istate = 0;")
    assert main(["simulate", str(bnd), "--check"]) == 0
    assert "ok (1 nodes, 1 outputs, 0 scheduled, 0 reference nodes)" in capsys.readouterr().out
    assert main(["simulate", str(bnd), "--check", "--outputs", "B"]) == 2
    assert "outputs: unknown node 'B'" in capsys.readouterr().err
    (tmp_path / "m.cfg").write_text("A.istate = 0;")
    assert main(["simulate", str(bnd), "--check"]) == 2  # $k has no value: found without running
    assert "node A: rate_up uses $k, which the .cfg does not define" in capsys.readouterr().err
    assert main(["simulate", str(bnd)]) == 2
    assert "-o/--output OUTDIR is required (unless --check)" in capsys.readouterr().err
    assert sorted(tmp_path.iterdir()) == sorted([bnd, tmp_path / "m.cfg"])  # nothing written
