"""Asynchronous attractors of Boolean models by explicit search after percolation.

Constants are propagated first (:func:`~booleanidt.analysis.percolation.percolate`);
the state space of the remaining nodes on or upstream of a cycle is built explicitly
with numpy, and the terminal strongly connected components of the asynchronous
transition graph (one node changes at a time, toward its rule's value) are the
attractors; nodes downstream of every cycle are then added back one by one.  When
more than ``max_free_nodes`` nodes remain in that core the search gives up with
:class:`SearchLimitExceeded`, which says how many were left, rather than running
out of memory.

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

import networkx as nx
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


def _terminal_components(count: int, sources: np.ndarray, targets: np.ndarray) -> list:
    """Index arrays of the terminal strongly connected components of a graph on ``count`` states."""
    graph = csr_matrix((np.ones(len(sources), dtype=np.int8), (sources, targets)), shape=(count, count))
    _, labels = connected_components(graph, directed=True, connection="strong")
    leaving = np.unique(labels[sources][labels[sources] != labels[targets]])
    return [np.flatnonzero(labels == label) for label in np.setdiff1d(np.unique(labels), leaving)]


def _split(states: np.ndarray, sources: np.ndarray, targets: np.ndarray) -> list:
    """(states, sources, targets) of each attractor of a transition graph, edges renumbered inside it."""
    result = []
    for members in _terminal_components(len(states), sources, targets):
        position = np.full(len(states), -1, dtype=np.int64)
        position[members] = np.arange(len(members))
        inside = position[sources] >= 0
        result.append((states[members], position[sources[inside]], position[targets[inside]]))
    return result


def _targets(model: LogicalModel, node_id: str, env: Mapping, count: int) -> np.ndarray:
    return np.broadcast_to(np.asarray(_evaluate_array(model.rules[node_id], env), dtype=bool), (count,))


def _core_attractors(model: LogicalModel, constants: dict, core: list) -> list:
    """Attractors of the core nodes, by building their whole state space."""
    codes = np.arange(2 ** len(core), dtype=np.int64)
    states = ((codes[:, None] >> np.arange(len(core))) & 1).astype(np.int8)
    env = {**constants, **{n: states[:, i] for i, n in enumerate(core)}}
    sources, targets = [], []
    for i, node_id in enumerate(core):
        if not model.is_input(node_id):
            moving = codes[_targets(model, node_id, env, len(codes)) != states[:, i].astype(bool)]
            sources.append(moving)
            targets.append(moving ^ (1 << i))
    if not sources:
        return _split(states, np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64))
    return _split(states, np.concatenate(sources), np.concatenate(targets))


def _extend(model: LogicalModel, constants: dict, columns: list, attractor: tuple, node_id: str) -> list:
    """Attractors of ``attractor`` (over ``columns``) with ``node_id``, read by nothing in it, added."""
    states, sources, targets = attractor
    count = len(states)
    env = {**constants, **{n: states[:, i] for i, n in enumerate(columns)}}
    wanted = _targets(model, node_id, env, count)
    doubled = np.concatenate([np.column_stack([states, np.full(count, v, dtype=np.int8)]) for v in (0, 1)])
    index = np.arange(count)
    flips = np.concatenate([index[wanted], count + index[~wanted]])   # (s, 0) -> (s, 1) and back
    new_sources = np.concatenate([sources, count + sources, flips])
    new_targets = np.concatenate([targets, count + targets, (flips + count) % (2 * count)])
    return _split(doubled, new_sources, new_targets)


def _core_and_downstream(model: LogicalModel, free: list) -> tuple:
    """Free nodes that lie on or upstream of a cycle (or are free inputs), and the rest in dependency order."""
    graph = model.graph.subgraph(free)
    cyclic = {n for component in nx.strongly_connected_components(graph)
              for n in component if len(component) > 1 or graph.has_edge(n, n)}
    core = cyclic | {n for n in free if model.is_input(n)}
    for node_id in list(core):
        core |= nx.ancestors(graph, node_id)
    downstream = [n for n in nx.topological_sort(graph.subgraph(set(free) - core))]
    return [n for n in free if n in core], downstream


def attractor_states(model: LogicalModel, inputs: Mapping[str, int] | None = None,
                     max_free_nodes: int = 20) -> list:
    """The states of each asynchronous attractor.

    After percolation, the nodes on or upstream of a cycle (the core) are searched
    explicitly; the nodes downstream of every cycle are then added one at a time
    in dependency order, each attractor being extended by the terminal components
    of its product with the added node's two values.

    Parameters
    ----------
    model : Boolean LogicalModel
    inputs : node -> 0/1 fixing those nodes (the rule becomes the constant)
    max_free_nodes : give up when the core has more nodes than this
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
    core, downstream = _core_and_downstream(model, free)
    if len(core) > max_free_nodes:
        raise SearchLimitExceeded(f"attractor search gave up: {len(core)} nodes remain on or upstream of a cycle "
                                  f"after propagating constants, more than max_free_nodes={max_free_nodes} "
                                  f"(fix more inputs, or raise the limit)")
    found, columns = _core_attractors(model, constants, core), list(core)
    for node_id in downstream:
        found = [extended for attractor in found for extended in _extend(model, constants, columns, attractor, node_id)]
        columns.append(node_id)
    result = []
    for states, _, _ in found:
        table = pd.DataFrame({n: (states[:, columns.index(n)] if n in columns else np.full(len(states), constants[n]))
                              for n in model.nodes}).astype(int)
        result.append(table.sort_values(list(table.columns)).reset_index(drop=True))
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
