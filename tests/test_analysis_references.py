"""Reference tools for the analysis tests and benchmark: biodivine-aeon and mpbn on corpus models.

aeon reads a copy of the SBML-qual file with qual:name stripped, so it names variables
by species id (DESIGN.md section 2); mpbn gets our rules as .bnet text.  Inputs are
fixed by turning their update function into a constant in both tools.
"""
from __future__ import annotations

import random
from pathlib import Path

import reference_aeon

from booleanidt.expr import simplify, to_text

#: seed of the random input assignment (random.Random(SEED) over sorted input ids)
SEED = 2026


def input_assignments(model) -> dict:
    """The three ways of fixing the inputs: all 0, all 1, seeded random."""
    rng = random.Random(SEED)
    inputs = sorted(model.inputs)
    return {"all0": {i: 0 for i in inputs}, "all1": {i: 1 for i in inputs},
            "random": {i: rng.randint(0, 1) for i in inputs}}


def strip_names(source: Path, target: Path) -> None:
    """Copy an SBML-qual file without qual:name, so that biodivine-aeon uses species ids."""
    target.write_text(reference_aeon.strip_names(source.read_text()))


def aeon_network(stripped: Path, inputs: dict):
    """biodivine-aeon's network of the file, inputs fixed, constants inlined (aeon's own reduction)."""
    import biodivine_aeon as ba
    return aeon_reduced(ba.BooleanNetwork.from_file(str(stripped)), inputs)


def aeon_reduced(network, inputs: dict):
    """(aeon ``network`` with ``inputs`` fixed and constants inlined, node -> level of the inlined ones)."""
    import biodivine_aeon as ba
    for node, value in inputs.items():
        network.set_update_function(node, "true" if value else "false")
    network = network.infer_valid_graph()
    fixed = ba.Percolation.percolate_subspace(ba.AsynchronousGraph(network), {})
    for node, value in fixed.items():
        network.set_update_function(node, "true" if value else "false")
    reduced = network.infer_valid_graph().inline_constants(repair_graph=True)
    return reduced, {network.get_variable_name(v) if not isinstance(v, str) else v: int(value)
                     for v, value in fixed.items()}


def _rows(models, node_ids, fixed, value_of) -> set:
    rows = set()
    for model in models:
        values = {**fixed, **{k: value_of(v) for k, v in model.items()}}
        rows.add(tuple(values[n] for n in node_ids))
    return rows


def aeon_fixed_points(stripped: Path, inputs: dict, node_ids) -> set:
    import biodivine_aeon as ba
    network, fixed = aeon_network(stripped, inputs)
    if network.variable_count() == 0:
        return {tuple(fixed[n] for n in node_ids)}
    graph = ba.AsynchronousGraph(network)
    vertices = ba.FixedPoints.symbolic_vertices(graph)
    return _rows((m.to_named_dict() for m in vertices.items()), node_ids, fixed, int)


def aeon_trap_spaces(stripped: Path, inputs: dict, node_ids) -> set:
    import biodivine_aeon as ba
    network, fixed = aeon_network(stripped, inputs)
    if network.variable_count() == 0:
        return {tuple(fixed[n] for n in node_ids)}
    context = ba.SymbolicSpaceContext(network)
    graph = ba.AsynchronousGraph(network, context)
    spaces = ba.TrapSpaces.minimal_symbolic(context, graph)
    return _rows((m.to_named_dict() for m in spaces.spaces().items()), node_ids, fixed,
                 lambda v: "*" if v is None else int(v))


def bnet_rules(model, inputs: dict) -> dict:
    """Our rules as .bnet text (inputs fixed as constants, free inputs as self-loops)."""
    fixed_model = model.mutate(inputs) if inputs else model
    levels = model.max_levels
    return {n: (n if fixed_model.is_input(n) else to_text(simplify(r, levels), "bnet"))
            for n, r in fixed_model.rules.items()}


def mpbn_network(model, inputs: dict):
    """mpbn's network of our rules (inputs fixed as constants, free inputs as self-loops)."""
    import mpbn
    return mpbn.MPBooleanNetwork(bnet_rules(model, inputs))


def mpbn_fixed_points(model, inputs: dict) -> set:
    return {tuple(int(fp[n]) for n in model.node_ids) for fp in mpbn_network(model, inputs).fixedpoints()}


def mpbn_trap_spaces(model, inputs: dict) -> set:
    return {tuple("*" if a[n] == "*" else int(a[n]) for n in model.node_ids)
            for a in mpbn_network(model, inputs).attractors()}


def test_input_assignments_follow_the_seeded_rule():
    from booleanidt.model import LogicalModel
    model = LogicalModel.from_rules({"B": None, "A": None, "C": None})
    rng = random.Random(SEED)
    expected = {"A": rng.randint(0, 1), "B": rng.randint(0, 1), "C": rng.randint(0, 1)}
    assert input_assignments(model)["random"] == expected
    assert input_assignments(model)["all1"] == {"A": 1, "B": 1, "C": 1}


def aeon_attractors(stripped: Path, inputs: dict, node_ids, listed: bool = True) -> set:
    """Each asynchronous attractor of aeon as a frozenset of state tuples (``listed``), or as
    (enclosing subspace, number of states), the form :func:`attractor_summaries` gives ours in."""
    return _aeon_attractor_sets(aeon_network(stripped, inputs), node_ids, listed)


def aeon_attractors_of_rules(model, inputs: dict, listed: bool = True) -> set:
    """aeon's attractors of our rules (for models that are not SBML-qual files, e.g. MaBoSS .bnd),
    in the forms of :func:`aeon_attractors`."""
    network = reference_aeon.network_from_rules(bnet_rules(model, {}))
    return _aeon_attractor_sets(aeon_reduced(network, inputs), model.node_ids, listed)


def attractor_summaries(table) -> set:
    """Rows of an :func:`booleanidt.analysis.attractors` table as (node values with '*', n_states)."""
    return {(tuple(row[:-1]), row[-1]) for row in table.itertuples(index=False)}


def _aeon_attractor_sets(reduced, node_ids, listed: bool) -> set:
    import biodivine_aeon as ba
    network, fixed = reduced
    if network.variable_count() == 0:
        state = tuple(fixed[n] for n in node_ids)
        return {frozenset({state})} if listed else {(state, 1)}
    graph = ba.AsynchronousGraph(network)
    result = set()
    for attractor in ba.Attractors.attractors(graph):
        vertices = attractor.vertices()
        if listed:
            result.add(frozenset(_rows((m.to_named_dict() for m in vertices.items()), node_ids, fixed, int)))
        else:
            space = {**fixed, **{k: int(v) for k, v in vertices.enclosing_named_subspace().items()}}
            result.add((tuple(space.get(n, "*") for n in node_ids), vertices.cardinality()))
    return result
