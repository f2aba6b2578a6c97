"""biodivine-aeon as the reference fixed-point solver (test helper, not a test module).

aeon names variables after qual:name when the name is an identifier, so SBML
text is handed over with the names stripped and aeon uses the species ids.
aeon keeps a variable without update function free (an implicit parameter);
a free input of ours is fixed in aeon by giving it a constant update function,
exactly as ``fixed_points(model, inputs=...)`` turns it into a constant.
"""
from __future__ import annotations

import re

import pandas as pd

biodivine_aeon = __import__("pytest").importorskip("biodivine_aeon")

_QUAL_NAME = re.compile(r'\squal:name="[^"]*"')


def strip_names(sbml_text: str) -> str:
    """The SBML text without qual:name attributes (so aeon names variables by id)."""
    return _QUAL_NAME.sub("", sbml_text)


def network_from_sbml(sbml_text: str):
    """aeon's reading of an SBML-qual document, variables named by species id."""
    return biodivine_aeon.BooleanNetwork.from_sbml(strip_names(sbml_text))


def network_from_rules(rules: dict):
    """aeon network from ``{node: rule text in & | ! syntax}``."""
    lines = ["targets, factors"] + [f"{node}, {rule}" for node, rule in rules.items()]
    return biodivine_aeon.BooleanNetwork.from_bnet("\n".join(lines))


def fixed_points(network, fixed: dict) -> set:
    """aeon's fixed points with the nodes of ``fixed`` given constant functions.

    Returns a set of tuples of 0/1 over the variable names sorted.
    Fails when aeon still has uninterpreted functions (the comparison would be unfair).
    """
    network = network.remove_regulation_constraints()
    for name, value in fixed.items():
        network.set_update_function(name, "true" if value else "false")
    network = network.remove_regulation_constraints()
    parameters = network.implicit_parameter_count() + network.explicit_parameter_count()
    assert parameters == 0, f"aeon still has {parameters} uninterpreted function(s)"
    names = sorted(network.variable_names())
    graph = biodivine_aeon.AsynchronousGraph(network)
    return {tuple(int(v.to_named_dict()[n]) for n in names)
            for v in biodivine_aeon.FixedPoints.symbolic_vertices(graph)}


def as_state_set(table: pd.DataFrame, columns=None) -> set:
    """Rows of a fixed-point table as tuples over the columns sorted."""
    columns = sorted(columns if columns is not None else table.columns)
    return {tuple(int(v) for v in row) for row in table[columns].itertuples(index=False)}
