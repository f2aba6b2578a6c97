"""run_compiled(last_window_only=True): the last window's output states, same values as the full table."""
from __future__ import annotations

import numpy as np

from conftest import MABOSS, needs_corpus

from booleanidt.booleanize import booleanize
from booleanidt.io import maboss
from booleanidt.simulation.api import run_compiled, run_totals
from booleanidt.simulation.compile import compile_model

pytestmark = needs_corpus


def _cellfate():
    model = maboss.read(MABOSS / "cellfate.bnd", MABOSS / "cellfate_TNF.cfg")
    settings = maboss.read_settings(MABOSS / "cellfate_TNF.cfg").replace(sample_count=3000, threads=2,
                                                                          max_time=10, time_tick=1)
    return compile_model(booleanize(model), list(model.node_ids)), settings


def test_last_window_states_equal_last_row_of_full_table():
    net, settings = _cellfate()
    full = run_compiled(net, settings)
    last = run_compiled(net, settings, last_window_only=True)
    expected = full.state_probabilities.iloc[-1]
    expected = expected[expected > 0]
    assert last.state_probabilities.shape == (1, len(expected))
    assert last.state_probabilities.index.tolist() == [full.state_probabilities.index[-1]]
    np.testing.assert_array_equal(last.state_probabilities.iloc[0][expected.index].to_numpy(), expected.to_numpy())
    np.testing.assert_array_equal(last.state_errors.iloc[0][expected.index].to_numpy(),
                                  full.state_errors.iloc[-1][expected.index].to_numpy())
    assert last.node_probabilities.equals(full.node_probabilities)   # node tables keep every window


def test_last_window_totals_hold_only_that_window():
    net, settings = _cellfate()
    total = run_totals(net, settings, last_window_only=True)
    sums, _ = total.states.dense()
    assert sums.shape == (1, len(total.states.keys))
    assert (sums[0] > 0).all()   # the kernel tabulates no state seen only in earlier windows
    assert abs(sums.sum() / settings.sample_count - 1.0) < 1e-9   # the window's time fractions add up to 1
