"""Sensitivity analysis: every rate parameter scaled up and down, effects on chosen outputs with errors."""
from __future__ import annotations

import math

import numpy as np
import pytest

from conftest import MABOSS, needs_corpus

from booleanidt.expr import Const, IfThenElse, Logic, Param, Var
from booleanidt.io import maboss as maboss_io
from booleanidt.model import LogicalModel
from booleanidt.simulation import sensitivity
from booleanidt.simulation.api import SimulationError


def test_closed_form_of_a_rising_node():
    """B rises at rate k from 0 while A = 1: P(B) averaged over [0, 1) is 1 - (1 - e^-k) / k."""
    model = LogicalModel.from_rules({"A": Const(1), "B": Var("A")},
                                    rates_up={"B": IfThenElse(Logic(), Param("k"), Const(0))},
                                    parameters={"k": 1.0, "unused": 3.0}).with_initial_probabilities(
        {"A": 1.0, "B": 0.0})
    result = sensitivity(model, ["B"], max_time=1, time_tick=1, sample_count=20_000, seed=3)
    mean = lambda k: 1 - (1 - math.exp(-k)) / k  # noqa: E731
    rows = result.table.set_index(["parameter", "direction"])
    for direction, k in (("up", 2.0), ("down", 0.5)):
        row = rows.loc[("k", direction)]
        assert abs(row["probability"] - mean(k)) <= 5 * row["error"] + 0.002
        assert abs(row["delta"] - (mean(k) - mean(1.0))) <= 5 * row["delta_error"] + 0.002
        assert row["value"] == k
    for direction in ("up", "down"):  # a parameter no rate reads changes nothing (same seed: same run)
        assert rows.loc[("unused", direction), "delta"] == 0.0


@needs_corpus
def test_p53_table_and_plot(tmp_path):
    model = maboss_io.read(MABOSS / "p53_Mdm2.bnd", MABOSS / "p53_Mdm2_runcfg.cfg")
    with pytest.raises(SimulationError, match=r"with \$KMn_MCD = 2: node Mdm2N: rate_down evaluates to -1"):
        sensitivity(model, ["p53"], max_time=1, time_tick=1, sample_count=10)  # a probability, not a rate
    varied = ["tp53u", "tp53d", "tp53hu", "tp53hd", "tMCu", "tMCd", "tMNu", "tMNd", "tDd"]  # the time constants
    result = sensitivity(model, ["p53", "Mdm2N"], varied, max_time=10, time_tick=1, sample_count=2000, seed=1)
    assert len(result.table) == len(varied) * 2 * 2
    assert (result.table["delta_error"] > 0).all()
    strong = result.table[np.abs(result.table["delta"]) > 5 * result.table["delta_error"]]
    assert len(strong) >= 2  # some rates move the outputs well beyond noise
    import matplotlib
    matplotlib.use("Agg")
    ax = result.plot()
    ax.figure.savefig(tmp_path / "sensitivity.png")
    assert (tmp_path / "sensitivity.png").stat().st_size > 10_000


def test_bad_requests():
    model = LogicalModel.from_rules({"A": Const(1)}, parameters={"k": 1.0})
    with pytest.raises(SimulationError, match=r"unknown parameter\(s\) \$q"):
        sensitivity(model, ["A"], parameters=["q"], sample_count=10)
    with pytest.raises(SimulationError, match="factor must be > 1"):
        sensitivity(model, ["A"], factor=0.5)
