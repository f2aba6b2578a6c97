"""Bit-parallel truth tables of rules, and the rate tables compile_model fills with them,
checked against booleanidt.expr.evaluate on every assignment."""
from __future__ import annotations

import itertools
import random

import numpy as np
import pytest

from booleanidt.expr import And, Compare, Const, Implies, Not, Or, Var, Xor, evaluate
from booleanidt.model import LogicalModel
from booleanidt.simulation.compile import RATE, compile_model
from booleanidt.simulation.truthtable import rule_truth_table
from test_analysis_random_models import random_model


def random_boolean_rule(rng, names, depth=4):
    """A random rule of the Boolean instructions only (n-ary and/or/xor, implies, not, 0/1)."""
    if depth == 0 or rng.random() < 0.2:
        return Const(rng.randint(0, 1)) if rng.random() < 0.1 else Var(rng.choice(names))
    sub = lambda: random_boolean_rule(rng, names, depth - 1)  # noqa: E731
    kind = rng.choice(["and", "or", "xor", "implies", "not"])
    if kind == "not":
        return Not(sub())
    if kind == "implies":
        return Implies(sub(), sub())
    return {"and": And, "or": Or, "xor": Xor}[kind](tuple(sub() for _ in range(rng.randint(2, 4))))


def dependencies(net, i):
    return net.dep_node[net.dep_ptr[i]:net.dep_ptr[i + 1]]


def assignment_state(net, deps, assignment):
    """Node id -> level of one assignment of ``deps`` (dependency b is bit b), others at 0."""
    state = dict.fromkeys(net.node_ids, 0)
    state.update({net.node_ids[d]: (assignment >> b) & 1 for b, d in enumerate(deps)})
    return state


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("size", [3, 9])   # 9: more than 64 assignments, several words per vector
def test_truth_table_is_the_rule_on_every_assignment(seed, size):
    rng = random.Random(seed)
    names = [f"x{i}" for i in range(size)]
    rules = {name: None for name in names}
    rules["out"] = random_boolean_rule(rng, names)
    net = compile_model(LogicalModel.from_rules(rules))
    i = net.node_ids.index("out")
    deps = dependencies(net, i)
    truth = np.zeros(1 << len(deps), dtype=np.uint8)
    assert rule_truth_table(net.code, net.consts, net.code_ptr[i, 0], net.code_ptr[i, 1], deps, truth)
    expected = [int(evaluate(rules["out"], assignment_state(net, deps, a)) != 0) for a in range(len(truth))]
    assert truth.tolist() == expected


def test_non_boolean_rule_is_left_to_the_caller():
    net = compile_model(LogicalModel.from_rules({"A": None, "B": Compare(">=", Var("A"), Const(1))}))
    i = net.node_ids.index("B")
    truth = np.full(4, 7, dtype=np.uint8)
    assert not rule_truth_table(net.code, net.consts, net.code_ptr[i, 0], net.code_ptr[i, 1], dependencies(net, i),
                                truth)
    assert truth.tolist() == [7, 7, 7, 7]


@pytest.mark.parametrize("seed", range(60))
def test_rate_tables_are_the_flip_rates_of_every_assignment(seed):
    # random models mix Boolean rules (truth-table path) with comparisons, ?: and arithmetic
    # (assignment-by-assignment path); each table entry is the rate up (node at 0) or down (at 1)
    model = random_model(seed, size=6)
    net = compile_model(model)
    for i, node in enumerate(net.node_ids):
        deps = dependencies(net, i)
        for assignment in range(1 << len(deps)):
            state = assignment_state(net, deps, assignment)
            rule = model.rules[node] if model.rules[node] is not None else Var(node)
            logic = int(evaluate(rule, state) != 0)
            rate = model.rate_up(node) if state[node] == 0 else model.rate_down(node)
            expected = evaluate(rate, state, model.parameters, logic=logic)
            assert net.rate_table[net.table_offset[i] + assignment, RATE] == expected, (node, assignment)


def test_long_rule_gets_the_same_table_both_ways():
    # a 10-input rule as long as Fumia's CyclinD kind (every combination spelled out)
    names = [f"x{i}" for i in range(10)]
    terms = tuple(And(tuple(Var(n) if (m >> b) & 1 else Not(Var(n)) for b, n in enumerate(names)))
                  for m in range(0, 1 << 10, 7))
    rules = {**{n: None for n in names}, "out": Or(terms)}
    net = compile_model(LogicalModel.from_rules(rules))
    i = net.node_ids.index("out")
    deps = dependencies(net, i)
    table = net.rate_table[net.table_offset[i]:net.table_offset[i] + (1 << len(deps)), RATE]
    for assignment, rate in zip(itertools.count(), table):
        state = assignment_state(net, deps, assignment)
        code = sum(state[n] << b for b, n in enumerate(names))
        rule_holds = code % 7 == 0
        assert rate == (float(rule_holds) if state["out"] == 0 else float(not rule_holds)), assignment
