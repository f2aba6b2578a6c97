"""Asynchronous attractors against brute force (terminal SCCs with networkx) on random models."""
from __future__ import annotations

import networkx as nx
import pytest

from booleanidt.analysis.attractors import SearchLimitExceeded, attractor_states, attractors
from booleanidt.expr import Not, Var, conjunction
from booleanidt.model import LogicalModel

from test_analysis_random_models import all_states, random_expr, random_model, target


def brute_force_attractors(model):
    ids = model.node_ids
    graph = nx.DiGraph()
    for state in all_states(model):
        key = tuple(state[n] for n in ids)
        graph.add_node(key)
        for i, node in enumerate(ids):
            wanted = target(model, node, state)
            if wanted != state[node]:
                graph.add_edge(key, key[:i] + (wanted,) + key[i + 1:])
    condensed = nx.condensation(graph)
    return {frozenset(condensed.nodes[c]["members"]) for c in condensed if condensed.out_degree(c) == 0}


@pytest.mark.parametrize("seed", range(30))
def test_attractors_equal_brute_force(seed):
    model = random_model(seed, size=7)
    found = {frozenset(map(tuple, table.values.tolist())) for table in attractor_states(model)}
    assert found == brute_force_attractors(model)


def layered_model(seed):
    """A random core of four nodes, then four nodes that read only earlier nodes (downstream of every cycle)."""
    import random
    from booleanidt.model import Node
    core = random_model(seed, size=4)
    rng = random.Random(seed)
    nodes, rules = dict(core.nodes), dict(core.rules)
    for i in range(4, 8):
        name = f"x{i}"
        earlier = [f"x{j}" for j in range(i)]
        rules[name] = random_expr(rng, earlier, {n: 1 for n in earlier}, depth=2)
        nodes[name] = Node(name)
    return LogicalModel(nodes=nodes, rules=rules)


@pytest.mark.parametrize("seed", range(30))
def test_attractors_with_downstream_nodes_equal_brute_force(seed):
    model = layered_model(seed)
    found = {frozenset(map(tuple, table.values.tolist())) for table in attractor_states(model)}
    assert found == brute_force_attractors(model)


def test_summary_marks_oscillating_nodes():
    # A negative loop A -| B -> A with a fixed input I: the cycle visits all four (A, B) states.
    model = LogicalModel.from_rules({"I": None, "A": conjunction([Var("I"), Not(Var("B"))]), "B": Var("A")})
    table = attractors(model, inputs={"I": 1})
    assert table.values.tolist() == [[1, "*", "*", 4]]


def test_gives_up_beyond_the_limit_and_says_so():
    ring = {f"x{i}": Not(Var(f"x{(i + 1) % 12}")) for i in range(12)}
    with pytest.raises(SearchLimitExceeded, match="12 nodes remain.*max_free_nodes=10"):
        attractor_states(LogicalModel.from_rules(ring), max_free_nodes=10)
