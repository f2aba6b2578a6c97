"""Fixed points against brute force on small random models of every rule shape."""
from __future__ import annotations

import pytest

from booleanidt.analysis import fixed_points
from booleanidt.expr import Compare, Const, IfThenElse, Var
from booleanidt.model import LogicalModel, Node

from test_analysis_random_models import all_states, random_model, target


def brute_force_fixed_points(model, inputs=None):
    inputs = inputs or {}
    found = set()
    for state in all_states(model):
        if any(state[n] != v for n, v in inputs.items()):
            continue
        if all(state[n] == (inputs[n] if n in inputs else target(model, n, state)) for n in model.node_ids):
            found.add(tuple(state[n] for n in model.node_ids))
    return found


def as_set(table):
    return {tuple(int(v) for v in row) for row in table.itertuples(index=False)}


@pytest.mark.parametrize("multivalued", [False, True])
@pytest.mark.parametrize("seed", range(40))
def test_fixed_points_equal_brute_force(seed, multivalued):
    model = random_model(seed, size=6, multivalued=multivalued)
    table = fixed_points(model)
    assert list(table.columns) == list(model.node_ids)
    assert as_set(table) == brute_force_fixed_points(model)
    assert len(table) == len(as_set(table))


@pytest.mark.parametrize("seed", range(10))
def test_fixed_points_with_inputs_fixed(seed):
    model = random_model(seed, size=6, multivalued=True)
    chosen = {n: min(1, model.nodes[n].max_level) for n in model.node_ids[:2]}
    expected = brute_force_fixed_points(model.mutate(chosen))
    assert as_set(fixed_points(model, inputs=chosen)) == expected


def test_multivalued_threshold_rule():
    # X climbs to 2 when A is on; Y reads X >= 2.  Stable states by hand: (0,0,0) and (1,2,1).
    nodes = {"A": Node("A"), "X": Node("X", max_level=2), "Y": Node("Y")}
    rules = {"A": None, "X": IfThenElse(Var("A"), Const(2), Const(0)), "Y": Compare(">=", Var("X"), Const(2))}
    assert as_set(fixed_points(LogicalModel(nodes=nodes, rules=rules))) == {(0, 0, 0), (1, 2, 1)}


def test_rows_sorted_and_outputs_first():
    model = LogicalModel.from_rules({"A": Var("B"), "B": Var("A"), "P": Var("A")})
    table = fixed_points(model, outputs=["P"])
    assert list(table.columns) == ["P", "A", "B"]
    assert table.values.tolist() == [[0, 0, 0], [1, 1, 1]]


def test_limit_on_the_number_of_stable_states():
    from booleanidt.analysis import SearchLimitExceeded
    free = LogicalModel.from_rules({f"I{i}": None for i in range(4)})
    assert len(fixed_points(free, limit=16)) == 16
    with pytest.raises(SearchLimitExceeded, match="more than 15 stable states"):
        fixed_points(free, limit=15)


def test_time_limit_stops_a_long_enumeration():
    from booleanidt.analysis import SearchLimitExceeded
    free = LogicalModel.from_rules({f"I{i}": None for i in range(30)})  # 2**30 stable states
    with pytest.raises(SearchLimitExceeded, match=r"stable states: gave up after 0.2 s with \d+ found"):
        fixed_points(free, time_limit=0.2)
