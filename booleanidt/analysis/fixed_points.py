"""Fixed points (stable states) of logical models, solved with clingo.

A state is stable when every node's target level equals its level; free inputs
(no rule, or the rule ``X``) keep any value.  Multi-valued nodes are handled
directly (their target level is the rule's value, clamped to 0..max_level).
Each rule is encoded with one atom per sub-expression, so large rules of disease
maps stay linear in size.

Examples
--------
>>> from booleanidt.model import LogicalModel
>>> from booleanidt.expr import Var, Not, And
>>> model = LogicalModel.from_rules({"I": None, "A": Var("I"), "B": And((Var("A"), Not(Var("B"))))})
>>> fixed_points(model)
   I  A  B
0  0  0  0
>>> fixed_points(model, inputs={"I": 1}).shape[0]
0
"""
from __future__ import annotations

from typing import Iterable, Mapping

import clingo
import pandas as pd

from ..model import LogicalModel
from ..naming import resolve_many
from ._circuit import Circuit
from ._solving import collect
from ._tables import result_table

__all__ = ["fixed_points", "target_level"]


def target_level(value, max_level: int) -> int:
    """The level a node moves toward when its rule has ``value``.

    Boolean nodes take the truth of the value; multi-valued nodes the value
    clamped to 0..max_level (a fractional value is truncated).

    >>> target_level(2, 1), target_level(5, 2), target_level(-1, 2)
    (1, 2, 0)
    """
    if max_level == 1:
        return 1 if value else 0
    return int(min(max(value, 0), max_level))


def fixed_points(model: LogicalModel, inputs: Mapping[str, int] | None = None,
                 outputs: Iterable[str] | None = None, limit: int | None = None,
                 time_limit: float | None = None) -> pd.DataFrame:
    """All stable states of ``model``.

    Parameters
    ----------
    model : LogicalModel (Boolean or multi-valued)
    inputs : node -> level fixing those nodes (as MaBoSS mutants: the rule becomes
        the constant); free inputs not named keep any value.
    outputs : nodes, by id or name, to put first among the columns (phenotypes); default model order
    limit : raise :class:`SearchLimitExceeded` beyond this many stable states (None: no limit;
        free inputs multiply them: 30 free inputs give at least 2**30)
    time_limit : raise :class:`SearchLimitExceeded` when the search takes longer (seconds)

    Returns
    -------
    pandas.DataFrame
        One row per stable state, one int column per node, rows sorted.

    Examples
    --------
    >>> from booleanidt.model import LogicalModel
    >>> from booleanidt.expr import Var
    >>> fixed_points(LogicalModel.from_rules({"A": Var("B"), "B": Var("A")}))
       A  B
    0  0  0
    1  1  1
    """
    if inputs:
        model = model.mutate(inputs)
    control = clingo.Control(["0"])
    with control.backend() as backend:
        circuit = Circuit(backend)
        env = {n: circuit.choose_level(node.max_level) for n, node in model.nodes.items()}
        for node_id, rule in model.rules.items():
            if model.is_input(node_id):
                continue
            top = model.nodes[node_id].max_level
            for value, literal in circuit.encode(rule, env).items():
                target = env[node_id].get(target_level(value, top), circuit.false)
                circuit.forbid(literal, -target)
    control.ground([])

    def read(answer: clingo.Model) -> dict:
        return {n: next(level for level, lit in values.items() if answer.is_true(lit)) for n, values in env.items()}

    rows = collect(control, read, limit, "stable states", time_limit)
    return result_table(rows, model.node_ids, resolve_many(model, outputs or [], "outputs")).astype(int)
