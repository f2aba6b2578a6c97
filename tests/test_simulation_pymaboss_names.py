"""pyMaBoSS's result methods on our results give what pyMaBoSS's own reader gives on our saved files."""
from __future__ import annotations

import numpy as np
import pytest

from booleanidt.io import maboss as maboss_io
from booleanidt.simulation import simulate

stored = pytest.importorskip("maboss.results.storedresult")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    # D = 1 (half the runs): A, B, C oscillate; D = 0: A, B, C fall to the fixed point 0
    model = maboss_io.loads("node A { logic = !C & D; } node B { logic = A; } node C { logic = B; } "
                            "node D { logic = D; }", "A.istate = 1; B.istate = 0; C.istate = 0; D.istate = -1;")
    result = simulate(model, max_time=5, time_tick=0.5, sample_count=500, seed=2, outputs=["A", "B", "C"])
    folder = tmp_path_factory.mktemp("pymaboss")
    result.save(folder / "res", exact=True)
    return result, stored.StoredResult(str(folder), "res"), folder


def test_tables_equal_pymaboss_reading_our_files(runs):
    ours, theirs, _ = runs
    last_ours, last_theirs = ours.get_last_states_probtraj(), theirs.get_last_states_probtraj()
    assert last_ours.columns.tolist() == last_theirs.columns.tolist()
    assert float(last_theirs.index[0]) == last_ours.index[0]  # pyMaBoSS keeps the time as text
    assert np.allclose(last_ours.to_numpy(), last_theirs.to_numpy(), atol=1e-12)
    nodes = theirs.get_nodes_probtraj()
    mine = ours.get_nodes_probtraj()[nodes.columns]
    assert np.allclose(mine.to_numpy(), nodes.to_numpy(), atol=1e-12)
    states = theirs.get_states_probtraj()
    assert np.allclose(ours.get_states_probtraj()[states.columns].to_numpy(), states.to_numpy(), atol=1e-12)
    fp_theirs, fp_ours = theirs.get_fptable(), ours.get_fptable()
    assert len(fp_ours) == 1
    assert fp_ours.columns.tolist() == fp_theirs.columns.tolist()
    assert np.allclose(fp_ours["Proba"], fp_theirs["Proba"]) and fp_ours["State"].tolist() == fp_theirs["State"].tolist()
    entropy = theirs.get_entropy_trajectory()
    assert np.allclose(ours.get_entropy_trajectory().to_numpy(), entropy.to_numpy(), atol=1e-6)


def test_cutoff_errors_and_pie(runs, tmp_path):
    ours, _, _ = runs
    table, errors = ours.get_states_probtraj(prob_cutoff=0.2, with_errors=True)
    assert (table.max() > 0.2).all() and list(errors.columns) == list(table.columns)
    assert len(table.columns) < len(ours.state_probabilities.columns)
    import matplotlib
    matplotlib.use("Agg")
    ax = ours.plot_piechart(prob_cutoff=0.1)
    labels = [t.get_text() for t in ax.texts if t.get_text() and not t.get_text().endswith("%")]
    assert "Others" in labels or all(ours.get_last_states_probtraj().iloc[0] >= 0.1)
    ax.figure.savefig(tmp_path / "pie.png")
    assert (tmp_path / "pie.png").stat().st_size > 5_000
