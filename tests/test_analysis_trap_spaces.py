"""Minimal trap spaces against brute force on small random Boolean models of every rule shape."""
from __future__ import annotations

import itertools

import pytest

from booleanidt.analysis.trap_spaces import trap_spaces
from booleanidt.errors import BooleanidtError
from booleanidt.expr import Var
from booleanidt.model import LogicalModel, Node

from test_analysis_random_models import random_model, target


def is_trap_space(model, space):
    free = [n for n, v in space.items() if v == "*"]
    for combo in itertools.product((0, 1), repeat=len(free)):
        state = {**space, **dict(zip(free, combo))}
        for node, value in space.items():
            if value != "*" and target(model, node, state) != value:
                return False
    return True


def brute_force_minimal_trap_spaces(model):
    ids = model.node_ids
    traps = [dict(zip(ids, values)) for values in itertools.product((0, 1, "*"), repeat=len(ids))]
    traps = [t for t in traps if is_trap_space(model, t)]

    def inside(small, big):
        return all(big[n] == "*" or big[n] == small[n] for n in ids)

    minimal = [t for t in traps if not any(o != t and inside(o, t) for o in traps)]
    return {tuple(t[n] for n in ids) for t in minimal}


def as_set(table):
    return {tuple(row) for row in table.itertuples(index=False)}


@pytest.mark.parametrize("seed", range(40))
def test_trap_spaces_equal_brute_force(seed):
    model = random_model(seed, size=6)
    assert as_set(trap_spaces(model)) == brute_force_minimal_trap_spaces(model)


@pytest.mark.parametrize("seed", range(8))
def test_trap_spaces_with_inputs_fixed(seed):
    model = random_model(seed, size=6)
    chosen = {model.node_ids[0]: 1, model.node_ids[3]: 0}
    assert as_set(trap_spaces(model, inputs=chosen)) == brute_force_minimal_trap_spaces(model.mutate(chosen))


def test_multivalued_models_are_refused_with_advice():
    model = LogicalModel(nodes={"X": Node("X", max_level=2)}, rules={"X": Var("X")})
    with pytest.raises(BooleanidtError, match="booleanize"):
        trap_spaces(model)
