"""Asynchronous attractors of Boolean models by explicit search after percolation.

Constants are propagated first (:func:`~booleanidt.analysis.percolation.percolate`);
the remaining nodes' state space is built explicitly with numpy, and the terminal
strongly connected components of the asynchronous transition graph (one node
changes at a time, toward its rule's value) are the attractors.  When more than
``max_free_nodes`` nodes remain the search gives up with :class:`SearchLimitExceeded`,
which says how many were left, rather than running out of memory.

Examples
--------
>>> from booleanidt.model import LogicalModel
>>> from booleanidt.expr import Var, Not
>>> model = LogicalModel.from_rules({"A": Not(Var("B")), "B": Var("A")})
>>> attractors(model)
   A  B  n_states
0  *  *         4
"""
from __future__ import annotations

import functools
from typing import Iterable, Mapping

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from ..errors import BooleanidtError
from ..expr import (ARITHMETIC, COMPARISONS, And, Arith, Compare, Const, Expr, IfThenElse, Implies, Neg,
                    Not, Or, Var, Xor)
from ..model import LogicalModel
from ._solving import SearchLimitExceeded
from ._tables import result_table
from .percolation import percolate
from .trap_spaces import FREE, _require_boolean

__all__ = ["attractors", "attractor_states", "SearchLimitExceeded", "SIZE_COLUMN"]

#: column of :func:`attractors` holding the number of states of each attractor
SIZE_COLUMN = "n_states"


def _evaluate_array(expr: Expr, env: Mapping[str, np.ndarray]):
    """Value of ``expr`` on every state at once (``env``: node -> array of levels)."""
    ev = lambda e: _evaluate_array(e, env)  # noqa: E731
    if isinstance(expr, Const):
        return expr.value
    if isinstance(expr, Var):
        return env[expr.name]
    if isinstance(expr, Not):
        return np.logical_not(ev(expr.arg))
    if isinstance(expr, And):
        return functools.reduce(np.logical_and, [ev(a) for a in expr.args])
    if isinstance(expr, Or):
        return functools.reduce(np.logical_or, [ev(a) for a in expr.args])
    if isinstance(expr, Xor):
        return functools.reduce(np.logical_xor, [ev(a) for a in expr.args])
    if isinstance(expr, Implies):
        return np.logical_or(np.logical_not(ev(expr.left)), ev(expr.right))
    if isinstance(expr, Compare):
        return COMPARISONS[expr.op](ev(expr.left), ev(expr.right))
    if isinstance(expr, Arith):
        return ARITHMETIC[expr.op](ev(expr.left), ev(expr.right))
    if isinstance(expr, Neg):
        return -ev(expr.arg)
    if isinstance(expr, IfThenElse):
        return np.where(ev(expr.cond), ev(expr.then), ev(expr.otherwise))
    raise BooleanidtError(f"{type(expr).__name__} is not part of a logical rule")


def attractor_states(model: LogicalModel, inputs: Mapping[str, int] | None = None,
                     max_free_nodes: int = 20) -> list:
    """The states of each asynchronous attractor.

    Parameters
    ----------
    model : Boolean LogicalModel
    inputs : node -> 0/1 fixing those nodes (the rule becomes the constant)
    max_free_nodes : give up when more nodes than this remain after percolation
        (the search holds 2**n states)

    Returns
    -------
    list of pandas.DataFrame
        One table per attractor (its states, node columns in model order), sorted.

    Raises
    ------
    SearchLimitExceeded
        When more than ``max_free_nodes`` nodes are left to search.

    Examples
    --------
    >>> from booleanidt.model import LogicalModel
    >>> from booleanidt.expr import Var
    >>> [len(a) for a in attractor_states(LogicalModel.from_rules({"A": Var("B"), "B": Var("A")}))]
    [1, 1]
    """
    _require_boolean(model, "attractors")
    if inputs:
        model = model.mutate(inputs)
    constants = percolate(model)
    free = [n for n in model.nodes if n not in constants]
    if len(free) > max_free_nodes:
        raise SearchLimitExceeded(f"attractor search gave up: {len(free)} nodes remain after propagating "
                                  f"constants, more than max_free_nodes={max_free_nodes} "
                                  f"(fix more inputs, or raise the limit)")
    codes = np.arange(2 ** len(free), dtype=np.int64)
    env = {n: ((codes >> i) & 1).astype(np.int8) for i, n in enumerate(free)}
    env.update({n: np.full(len(codes), v, dtype=np.int8) for n, v in constants.items()})
    sources, targets = [], []
    for i, node_id in enumerate(free):
        if model.is_input(node_id):
            continue
        wanted = np.broadcast_to(np.asarray(_evaluate_array(model.rules[node_id], env), dtype=bool), codes.shape)
        moving = codes[wanted != env[node_id].astype(bool)]
        sources.append(moving)
        targets.append(moving ^ (1 << i))
    sources = np.concatenate(sources) if sources else np.empty(0, dtype=np.int64)
    targets = np.concatenate(targets) if targets else np.empty(0, dtype=np.int64)
    graph = csr_matrix((np.ones(len(sources), dtype=np.int8), (sources, targets)), shape=(len(codes),) * 2)
    _, labels = connected_components(graph, directed=True, connection="strong")
    leaving = np.unique(labels[sources][labels[sources] != labels[targets]])
    terminal = np.setdiff1d(np.unique(labels), leaving)
    result = []
    for label in terminal:
        members = codes[labels == label]
        columns = {n: np.full(len(members), constants[n]) if n in constants
                   else (members >> free.index(n)) & 1 for n in model.nodes}
        states = pd.DataFrame(columns).astype(int)
        result.append(states.sort_values(list(states.columns)).reset_index(drop=True))
    return sorted(result, key=lambda t: t.values.tolist())


def attractors(model: LogicalModel, inputs: Mapping[str, int] | None = None,
               outputs: Iterable[str] | None = None, max_free_nodes: int = 20) -> pd.DataFrame:
    """One row per asynchronous attractor: each node's value (``'*'`` if it varies) and its size.

    Parameters are those of :func:`attractor_states`; ``outputs`` are nodes to put first.
    The last column, ``n_states``, counts the attractor's states.

    Examples
    --------
    >>> from booleanidt.model import LogicalModel
    >>> from booleanidt.expr import Var
    >>> attractors(LogicalModel.from_rules({"A": Var("B"), "B": Var("A")}))
       A  B  n_states
    0  0  0         1
    1  1  1         1
    """
    if SIZE_COLUMN in model.nodes:
        raise BooleanidtError(f"a node is named {SIZE_COLUMN!r}, the column that counts attractor states")
    rows = []
    for states in attractor_states(model, inputs, max_free_nodes):
        row = {n: (int(values.iloc[0]) if values.nunique() == 1 else FREE) for n, values in states.items()}
        rows.append({**row, SIZE_COLUMN: len(states)})
    table = result_table(rows, list(model.node_ids) + [SIZE_COLUMN], outputs)
    return table[[c for c in table.columns if c != SIZE_COLUMN] + [SIZE_COLUMN]]
