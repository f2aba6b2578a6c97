"""Asynchronous attractors against brute force (terminal SCCs with networkx) on random models;
the search's limits."""
from __future__ import annotations

import networkx as nx
import pytest

from booleanidt.analysis import trap_spaces
from booleanidt.analysis._bdd import AsynchronousDynamics
from booleanidt.analysis.attractors import SearchLimitExceeded, attractor_states, attractors
from booleanidt.expr import Not, Var, conjunction
from booleanidt.model import LogicalModel

from test_analysis_random_models import all_states, random_expr, random_model, target


def transition_graph(model):
    """The asynchronous transition graph, states as tuples in node order."""
    ids = model.node_ids
    graph = nx.DiGraph()
    for state in all_states(model):
        key = tuple(state[n] for n in ids)
        graph.add_node(key)
        for i, node in enumerate(ids):
            wanted = target(model, node, state)
            if wanted != state[node]:
                graph.add_edge(key, key[:i] + (wanted,) + key[i + 1:])
    return graph


def brute_force_attractors(model):
    graph = transition_graph(model)
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


def test_motif_avoidant_attractor_is_found():
    # This random model has an attractor of 6 states inside no minimal trap space (found by
    # brute force over random models): trap spaces only seed the search, they do not bound it.
    model = random_model(2432, size=5)
    found = {frozenset(map(tuple, table.values.tolist())) for table in attractor_states(model)}
    assert found == brute_force_attractors(model)
    assert sorted(len(a) for a in found) == [1, 1, 6]
    assert len(trap_spaces(model)) == 2


@pytest.mark.parametrize("seed", range(10))
def test_attractor_summary_counts_and_marks_states(seed):
    model = random_model(seed, size=7)
    expected = []
    for states in brute_force_attractors(model):
        columns = list(zip(*states))
        expected.append([c[0] if len(set(c)) == 1 else "*" for c in columns] + [len(states)])
    table = attractors(model)
    assert sorted(map(str, table.values.tolist())) == sorted(map(str, expected))


@pytest.mark.parametrize("backend", ["cudd", "autoref"])
@pytest.mark.parametrize("seed", range(10))
def test_reachable_sets_equal_graph_search(seed, backend):
    # Both dd backends (CUDD when the wheel ships it, pure-Python autoref otherwise) give
    # the forward and backward sets of one state that networkx finds on the explicit graph.
    dd_module = pytest.importorskip(f"dd.{backend}")
    model = random_model(seed, size=7)
    graph = transition_graph(model)
    dynamics = AsynchronousDynamics(model, {}, list(model.node_ids), backend=dd_module)
    start = next(iter(sorted(graph)))
    state = dynamics.subspace(dict(zip(model.node_ids, start)))
    forward = {tuple(s[n] for n in model.node_ids) for s in dynamics.levels(dynamics.forward(state))}
    backward = dynamics.backward(state)
    assert forward == nx.descendants(graph, start) | {start}
    assert dynamics.count(backward) == len(nx.ancestors(graph, start)) + 1


def ring(size):
    """A ring of inhibitions x0 -| x1 -| ... -| x0."""
    return LogicalModel.from_rules({f"x{i}": Not(Var(f"x{(i + 1) % size}")) for i in range(size)})


def test_gives_up_beyond_the_bdd_limit_and_says_so():
    with pytest.raises(SearchLimitExceeded, match="12 nodes remain after propagating constants and a set of "
                       "states needs more than max_bdd_nodes=10 BDD nodes"):
        attractor_states(ring(12), max_bdd_nodes=10)


def test_gives_up_beyond_the_time_limit_and_says_so():
    with pytest.raises(SearchLimitExceeded, match="13 nodes remain .* ran past time_limit=0 s"):
        attractors(ring(13), time_limit=0)


def test_large_attractor_is_counted_not_listed():
    # 60 nodes that each flip on their own: the whole space, 2**60 states, is one attractor.
    model = LogicalModel.from_rules({f"x{i}": Not(Var(f"x{i}")) for i in range(60)})
    assert attractors(model).values.tolist() == [["*"] * 60 + [2 ** 60]]


def test_multivalued_cycle_is_read_in_levels():
    """X (0..2) climbs toward 2 while Y is off; Y turns on at X = 2 and sends X back down, one
    level at a time: the cycle visits all six (X, Y) states."""
    from booleanidt.expr import Compare, Const, IfThenElse
    from booleanidt.model import Node
    model = LogicalModel(nodes={"X": Node("X", max_level=2), "Y": Node("Y")},
                         rules={"X": IfThenElse(Var("Y"), Const(0), Const(2)),
                                "Y": Compare(">=", Var("X"), Const(2))})
    assert attractors(model).values.tolist() == [["*", "*", 6]]
    (states,) = attractor_states(model)
    assert states.values.tolist() == [[x, y] for x in range(3) for y in range(2)]
    assert attractors(model, inputs={"Y": 0}).values.tolist() == [[2, 0, 1]]


@pytest.mark.parametrize("environment", [{}, {"IL12_e": 1, "IFNG_e": 1}, {"IL4_e": 1},
                                         {"TGFB_e": 1, "IL6_e": 1}, {"TGFB_e": 1, "IL2_e": 1}])
def test_multivalued_map_stable_attractors_are_its_fixed_points(environment):
    """Naldi et al. 2010 (six ternary nodes), antigen present, each environment: the attractors of
    one state (found through the booleanization, on BDDs) are the stable states clingo finds on
    the levels directly."""
    import booleanidt
    from booleanidt.analysis import fixed_points
    model = booleanidt.maps.load("th_naldi2010")
    inputs = {**{n: 0 for n in model.inputs}, "APC": 1, **environment}
    found = attractors(model, inputs=inputs)
    stable = found[found["n_states"] == 1].drop(columns="n_states").astype(int)
    expected = fixed_points(model, inputs=inputs)
    assert sorted(stable[list(expected.columns)].values.tolist()) == sorted(expected.values.tolist())
    assert stable["STAT5"].isin([0, 1, 2]).all() and len(expected) > 0


def inputs_into_ring(inputs: int = 6, size: int = 5):
    """A ring of inhibitions, each of its nodes also needing one of ``inputs`` free inputs (named IN k)."""
    from booleanidt.model import Node
    rules = {f"i{k}": None for k in range(inputs)}
    rules.update({f"x{k}": conjunction([Not(Var(f"x{(k + 1) % size}")), Var(f"i{k % inputs}")])
                  for k in range(size)})
    names = {node: f"IN {node[1:]}" if node.startswith("i") else None for node in rules}
    return LogicalModel.from_rules(rules, nodes={node: Node(node, name=name) for node, name in names.items()})


def test_a_growing_search_shows_progress_and_suggests_fixing_its_free_inputs(monkeypatch, capsys):
    import importlib
    module = importlib.import_module("booleanidt.analysis.attractors")
    monkeypatch.setattr(module, "PROGRESS_DELAY", 0)
    monkeypatch.setattr(module, "PROGRESS_INTERVAL", 0)
    monkeypatch.setattr(module, "GROWING_BDD_NODES", 5)
    model = inputs_into_ring()
    with pytest.warns(UserWarning) as caught:
        table = attractors(model, inputs={"i5": 1}, progress=True)
    assert len(table) == len(brute_force_attractors(model.mutate({"i5": 1})))
    assert [str(w.message).split(" (")[0] for w in caught] == ["the attractor search is growing"]
    assert ("fixing some of its 5 free inputs (IN 0, IN 1, IN 2, IN 3, IN 4) with inputs= "
            "(--inputs i0=0,...) makes it much faster") in str(caught[0].message)
    err = capsys.readouterr().err
    assert "attractor search" in err and "largest set" in err and "steps" in err


def test_a_short_search_stays_quiet(capsys, recwarn):
    attractors(inputs_into_ring(), progress=None)
    attractors(inputs_into_ring(), progress=True)   # shown only after PROGRESS_DELAY seconds
    assert capsys.readouterr().err == ""
    assert not [w for w in recwarn if "growing" in str(w.message)]


def test_analyze_attractors_shows_progress_and_the_suggestion_on_a_map_with_free_inputs(monkeypatch, capsys):
    import importlib
    from booleanidt.cli import main
    module = importlib.import_module("booleanidt.analysis.attractors")
    monkeypatch.setattr(module, "PROGRESS_DELAY", 0)
    monkeypatch.setattr(module, "GROWING_BDD_NODES", 50)
    assert main(["analyze", "th_naldi2010", "--attractors", "--time-limit", "1", "--progress",
                 "--inputs", "IL2_e=0"]) == 2   # gives up after a second, as the search of 12 free inputs grows
    err = capsys.readouterr().err
    assert "\rattractor search: " in err
    warning = next(line for line in err.split("\r") + err.splitlines() if "warning:" in line)
    assert warning.startswith("booleanidt analyze: warning: the attractor search is growing (a set of ")
    assert "fixing some of its 12 free inputs (" in warning and "IL2_e" not in warning
