"""The output-state hash table and the run totals built on it, against plain Python counting;
and simulations whose output states outgrow a chunk's first table."""
from __future__ import annotations

import math

import numpy as np
import pytest

from booleanidt.expr import Const, IfThenElse, Logic, Not, Var
from booleanidt.model import LogicalModel
from booleanidt.simulation import simulate
from booleanidt.simulation.engine import STATE_CAPACITY
from booleanidt.simulation.state_totals import StateTotals
from booleanidt.simulation.statetable import column_of, grown, has_room, insert, new_table


def test_table_grows_and_keeps_first_appearance_order():
    rng = np.random.default_rng(3)
    keys = np.concatenate([rng.integers(0, 2 ** 62, 3000), rng.integers(0, 50, 3000)])  # far and near codes
    rng.shuffle(keys)
    slot_keys, slot_cols, col_keys = new_table(4)
    used, columns = 0, []
    for key in keys.tolist():
        col = int(column_of(slot_keys, slot_cols, key))
        if col < 0:
            if not has_room(col_keys, used):
                slot_keys, slot_cols, col_keys = grown(slot_keys, slot_cols, col_keys, used)
            insert(slot_keys, slot_cols, col_keys, used, key)
            col, used = used, used + 1
        columns.append(col)
    first_seen = list(dict.fromkeys(keys.tolist()))
    assert used == len(first_seen) > 1000  # grew far past its 4 first columns
    assert col_keys[:used].tolist() == first_seen
    assert columns == [first_seen.index(k) for k in keys.tolist()]


def test_totals_match_a_python_count_over_chunks():
    rng = np.random.default_rng(5)
    windows = 7
    totals = StateTotals(windows, capacity=2)
    expected_sum, expected_sq = {}, {}
    for _ in range(12):
        keys = rng.choice(np.arange(0, 4000, 3), size=150, replace=False)
        cells = rng.random((150, windows)) < 0.3
        state, window = np.nonzero(cells)
        sums, squares = rng.random(len(state)), rng.random(len(state))
        totals.add(keys, state, window, sums, squares)
        for s, k, a, b in zip(state, window, sums, squares):
            cell = (int(keys[s]), int(k))
            expected_sum[cell] = expected_sum.get(cell, 0.0) + a
            expected_sq[cell] = expected_sq.get(cell, 0.0) + b
    order = np.argsort(-totals.keys, kind="stable")  # any column order
    dense_sum, dense_sq = totals.dense(order)
    assert dense_sum.shape == (windows, len(totals.keys))
    columns = {int(key): c for c, key in enumerate(totals.keys[order])}
    got = {(key, k): dense_sum[k, c] for key, c in columns.items() for k in range(windows) if dense_sum[k, c]}
    assert got.keys() == expected_sum.keys()
    for (key, k), value in expected_sum.items():
        assert dense_sum[k, columns[key]] == value  # same additions in the same order: exact
        assert dense_sq[k, columns[key]] == expected_sq[(key, k)]


def toggles(count: int, rates=None) -> LogicalModel:
    """``count`` independent nodes flipping forever (rule !X), each at its own rate."""
    rules = {f"N{i}": Not(Var(f"N{i}")) for i in range(count)}
    rates = rates or [1.0] * count
    return LogicalModel.from_rules(rules, rates_up={f"N{i}": Const(r) for i, r in enumerate(rates)},
                                   rates_down={f"N{i}": Const(r) for i, r in enumerate(rates)})


@pytest.fixture(scope="module")
def many_states():
    """8 toggles: 256 output states, more than a chunk's first table holds."""
    assert 256 > STATE_CAPACITY
    model = toggles(8)
    run = lambda **kw: simulate(model, max_time=6, time_tick=1, sample_count=1200, seed=9, **kw)  # noqa: E731
    return {"all": run(threads=1), "two threads": run(threads=2), "pair": run(threads=1, outputs=["N0", "N3"])}


def test_grown_state_tables_agree_with_a_two_output_run(many_states):
    """Same seed, same trajectories: the 256-state table summed over the other six nodes is the
    4-state table of a run with outputs N0, N3 only (a table that never grows)."""
    full, pair = many_states["all"].state_probabilities, many_states["pair"].state_probabilities
    assert full.shape[1] == 256
    for label in pair.columns:
        wanted = set() if label == "<nil>" else set(label.split(" -- "))
        members = [c for c in full.columns if (set() if c == "<nil>" else set(c.split(" -- "))) & {"N0", "N3"}
                   == wanted]
        np.testing.assert_allclose(full[members].sum(axis=1).to_numpy(), pair[label].to_numpy(), atol=1e-12)
    np.testing.assert_allclose(full.sum(axis=1).to_numpy(), 1.0, atol=1e-12)
    nodes = many_states["all"].node_probabilities
    for node in nodes.columns:  # each chunk's workspace was cleared: marginals match the state table
        with_node = [c for c in full.columns if node in c.split(" -- ")]
        np.testing.assert_allclose(full[with_node].sum(axis=1).to_numpy(), nodes[node].to_numpy(), atol=1e-12)


def test_grown_state_tables_do_not_depend_on_threads(many_states):
    one, two = many_states["all"], many_states["two threads"]
    assert list(one.state_probabilities.columns) == list(two.state_probabilities.columns)
    np.testing.assert_array_equal(one.state_probabilities.to_numpy(), two.state_probabilities.to_numpy())
    np.testing.assert_array_equal(one.state_errors.to_numpy(), two.state_errors.to_numpy())


def test_transition_entropy_of_independent_toggles():
    """Rates 1, 1, 2 in every state: TH = -(2 x 1/4 log2 1/4 + 1/2 log2 1/2) = 1.5 bits, always."""
    result = simulate(toggles(3, [1.0, 1.0, 2.0]), max_time=20, time_tick=1, sample_count=200, seed=2)
    np.testing.assert_allclose(result.transition_entropy.to_numpy(), 1.5, rtol=1e-12)
    assert (result.transition_entropy_error.to_numpy() < 1e-12).all()


def test_transition_entropy_survives_a_huge_rate():
    """A 1e100 rate (cellfate's switches) enters the sum of r log2 r and leaves it after one jump;
    updating that sum by differences would leave a residue of ~1e86 and wreck TH afterwards."""
    model = toggles(3, [1.0, 1.0, 2.0])
    rules = dict(model.rules, S=Const(0))
    model = LogicalModel.from_rules(rules, rates_up=model.rates_up,
                                    rates_down={**model.rates_down,
                                                "S": IfThenElse(Logic(), Const(0), Const(1e100))},
                                    initial_probabilities={"S": 1.0})
    result = simulate(model, max_time=20, time_tick=1, sample_count=200, seed=4)
    th = result.transition_entropy.to_numpy()
    assert th[0] == pytest.approx(1.5, abs=1e-9)  # S's 1e-100 time units at TH ~ 0 do not show
    np.testing.assert_allclose(th[1:], 1.5, rtol=1e-12)
    assert math.isclose(result.node_probabilities["S"].iloc[-1], 0.0)
