"""Asynchronous attractors of Boolean models, by a symbolic (BDD) search after percolation.

Constants are propagated first (:func:`~booleanidt.analysis.percolation.percolate`: every
attractor lies in the subspace it returns); the states of the remaining free nodes are
handled as BDDs (:mod:`booleanidt.analysis._bdd`).  The attractors are the terminal
strongly connected components of the asynchronous transition graph (one node changes at a
time, toward its rule's value: general asynchronous semantics, as biodivine-aeon), found by
the pivot method:

* Pick a pivot state ``s`` in a set closed under transitions and compute ``F = fwd(s)``,
  and ``B``, the states of ``F`` that reach ``s`` back.  If ``F == B``, ``F`` is an
  attractor.  Otherwise ``s`` is transient and every attractor it reaches lies in
  ``F - B``: pick the next pivot there (``fwd`` shrinks strictly).
* Pivots are drawn first from the minimal trap spaces (clingo,
  :func:`~booleanidt.analysis.trap_spaces.trap_spaces`), where forward sets are small; in
  each, the basin of a found attractor is taken out before the next pivot.  Then the basin
  of all the attractors found is computed in one backward search, and the states that it
  leaves out (a set closed under transitions, empty in most models) are searched the same
  way, so motif-avoidant attractors (outside every minimal trap space) are found too.

Multi-valued models are searched through their Van Ham booleanization
(:func:`~booleanidt.booleanize.booleanize`), whose asynchronous dynamics on consistent
states is the multi-valued one (a node moves one level toward its target); consistent
states form a trap set that every inconsistent state reaches, so every attractor is
consistent, and attractors are reported per original level.

BDD variables follow the regulations depth-first (:func:`~booleanidt.analysis._bdd.variable_order`).
The limits (seconds, BDD size of one set) say when the search gave up, with
:class:`SearchLimitExceeded`.  A long search is never silent: a progress bar (on a terminal,
once the search has run :data:`PROGRESS_DELAY` seconds) counts its saturation steps and shows
its largest set and the attractors found, and once it passes :data:`GROWING_SECONDS` or
:data:`GROWING_BDD_NODES` a warning names the free inputs whose fixing would shrink it.

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
import operator
import sys
import time
import warnings
from typing import Iterable, Mapping

import pandas as pd
from tqdm import tqdm

from ..booleanize import booleanize, levels_from_booleanized
from ..errors import BooleanidtError
from ..model import LogicalModel
from ..naming import labels, resolve_many, shortened
from ._bdd import AsynchronousDynamics, variable_order
from ._solving import SearchLimitExceeded
from ._tables import result_table
from .percolation import percolate
from .trap_spaces import FREE, trap_spaces

__all__ = ["attractors", "attractor_states", "SearchLimitExceeded", "SIZE_COLUMN", "MAX_BDD_NODES"]

#: column of :func:`attractors` holding the number of states of each attractor
SIZE_COLUMN = "n_states"

#: default limit on the BDD size of one set of states (about 30 bytes a node in CUDD)
MAX_BDD_NODES = 5_000_000

#: minimal trap spaces used as seeds of the search at most (beyond, no seeds)
SEED_LIMIT = 1000

#: seconds a search runs before its progress bar shows, and at least between two redraws
PROGRESS_DELAY, PROGRESS_INTERVAL = 2.0, 0.5
#: a search that runs this many seconds, or needs a set of this many BDD nodes, is growing:
#: a warning suggests fixing inputs
GROWING_SECONDS = 10.0
GROWING_BDD_NODES = 200_000


def _limits(free_count: int, time_limit: float | None, max_bdd_nodes: int | None):
    """A check for :class:`AsynchronousDynamics` that raises when a limit is passed."""
    deadline = None if time_limit is None else time.monotonic() + time_limit

    def gave_up(reason: str):
        return SearchLimitExceeded(f"attractor search gave up: {free_count} nodes remain after propagating "
                                   f"constants and {reason} (fix more inputs, or raise the limit)")

    def check(size: int):
        if deadline is not None and time.monotonic() > deadline:
            raise gave_up(f"the search ran past time_limit={time_limit:g} s")
        if max_bdd_nodes is not None and size > max_bdd_nodes:
            raise gave_up(f"a set of states needs more than max_bdd_nodes={max_bdd_nodes} BDD nodes")
    return check


class _Watch:
    """Called with the BDD size of each set as a search grows: applies the limits (``check``),
    moves the progress bar, and warns once, when the search grows, naming ``free_inputs``."""

    def __init__(self, check, free_inputs: Mapping[str, str], progress: bool | None):
        self.check, self.free_inputs = check, free_inputs
        self.started, self.largest, self.found, self.warned = time.monotonic(), 0, 0, False
        self.bar = tqdm(desc="attractor search", unit=" steps", disable=None if progress is None else not progress,
                        delay=PROGRESS_DELAY, mininterval=PROGRESS_INTERVAL, leave=False)

    def __call__(self, size: int):
        self.check(size)
        self.largest = max(self.largest, size)
        self.bar.set_postfix_str(f"largest set {self.largest:,} BDD nodes, {self.found} attractors found",
                                 refresh=False)
        self.bar.update()
        if not self.warned and (size > GROWING_BDD_NODES or time.monotonic() - self.started > GROWING_SECONDS):
            self.warned = True
            with tqdm.external_write_mode(file=sys.stderr):   # the bar cleared, the line printed, the bar back
                warnings.warn(self.growing_message(), stacklevel=2)

    def growing_message(self) -> str:
        seconds = time.monotonic() - self.started
        text = (f"the attractor search is growing (a set of {self.largest:,} BDD nodes after {seconds:.0f} s)")
        if not self.free_inputs:
            return text + "; fixing nodes (inputs=, --inputs) makes it smaller"
        example = next(iter(self.free_inputs))
        return (text + f": fixing some of its {len(self.free_inputs)} free inputs "
                f"({shortened(self.free_inputs.values())}) with inputs= (--inputs {example}=0,...) makes it "
                "much faster")

    def close(self):
        self.bar.close()


def _attractor_from(dynamics: AsynchronousDynamics, pivot):
    """The attractor reached from the state ``pivot``, by descending through pivots (module docstring)."""
    while True:
        reached = dynamics.forward(pivot)
        returning = dynamics.backward(pivot, within=reached)
        if reached == returning:
            return reached
        pivot = dynamics.pick(reached & ~returning)


def _attractors_within(dynamics: AsynchronousDynamics, states) -> list:
    """The attractors inside ``states`` (a set closed under transitions), taking out each one's basin."""
    found = []
    while states != dynamics.empty:
        found.append(_attractor_from(dynamics, dynamics.pick(states)))
        states &= ~dynamics.backward(found[-1], within=states)
    return found


def _attractor_sets(dynamics: AsynchronousDynamics, seeds: Iterable, watch: _Watch) -> list:
    """The attractors of ``dynamics``, each as a BDD of its states.

    The ``seeds`` are minimal trap spaces (sets of states closed under transitions,
    pairwise disjoint), where the forward sets are small: their attractors are found
    first, the basin of all of them is taken out in one backward search, and what is
    left of the state space is searched last, so the result does not depend on the
    seeds (attractors outside every minimal trap space, motif-avoidant ones, exist).
    """
    found = []
    for space in seeds:
        found += _attractors_within(dynamics, space)
        watch.found = len(found)
    basin = dynamics.backward(functools.reduce(operator.or_, found, dynamics.empty))
    return found + _attractors_within(dynamics, ~basin)


def _seeds(model: LogicalModel, dynamics: AsynchronousDynamics, time_limit) -> list:
    """The minimal trap spaces as sets of states, or none when clingo cannot list them quickly."""
    try:
        spaces = trap_spaces(model, limit=SEED_LIMIT, time_limit=time_limit)
    except BooleanidtError:
        return []
    return [dynamics.subspace({n: v for n, v in row.items() if v != FREE}) for _, row in spaces.iterrows()]


def _search(model: LogicalModel, inputs, time_limit, max_bdd_nodes, progress) -> tuple:
    """(constants, dynamics of the free nodes, attractor BDDs, bits of each multi-valued node) of
    ``model`` with ``inputs`` fixed; a multi-valued model is searched through its booleanization."""
    if inputs:
        model = model.mutate(inputs)
    shown = labels(model)
    free_inputs = {n: shown[n] for n in model.inputs}
    bits = {}
    if not model.is_boolean:
        model = booleanize(model)
        bits = model.metadata["booleanized_from"]
    constants = percolate(model)
    free = [n for n in model.nodes if n not in constants]
    watch = _Watch(_limits(len(free), time_limit, max_bdd_nodes), free_inputs, progress)
    try:
        dynamics = AsynchronousDynamics(model, constants, variable_order(model, free), watch)
        return constants, dynamics, _attractor_sets(dynamics, _seeds(model, dynamics, time_limit), watch), bits
    finally:
        watch.close()


def _level_summary(values: dict, bits: Mapping[str, tuple]) -> dict:
    """Node values of an attractor (0/1 or ``'*'``) with each multi-valued node's bits read as its level."""
    for node, node_bits in bits.items():
        levels = [values.pop(bit) for bit in node_bits]
        values[node] = FREE if FREE in levels else sum(levels)
    return values


def attractor_states(model: LogicalModel, inputs: Mapping[str, int] | None = None,
                     time_limit: float | None = None, max_bdd_nodes: int | None = MAX_BDD_NODES,
                     progress: bool | None = None) -> list:
    """The states of each asynchronous attractor, listed one by one.

    Parameters
    ----------
    model : LogicalModel (Boolean or multi-valued)
    inputs : node -> level fixing those nodes (the rule becomes the constant)
    time_limit : give up after this many seconds (None: no limit)
    max_bdd_nodes : give up when a set of states needs more BDD nodes than this (None: no limit)
    progress : show a progress bar on stderr once the search has run PROGRESS_DELAY seconds
        (None: on a terminal only)

    Returns
    -------
    list of pandas.DataFrame
        One table per attractor (its states, node columns in model order), sorted.
        An attractor of 2**k states gives 2**k rows: use :func:`attractors` for a summary.

    Raises
    ------
    SearchLimitExceeded
        When a limit is passed; the message says which, and how many nodes were free.

    Examples
    --------
    >>> from booleanidt.model import LogicalModel
    >>> from booleanidt.expr import Var
    >>> [len(a) for a in attractor_states(LogicalModel.from_rules({"A": Var("B"), "B": Var("A")}))]
    [1, 1]
    """
    constants, dynamics, found, bits = _search(model, inputs, time_limit, max_bdd_nodes, progress)
    result = []
    for states in found:
        table = pd.DataFrame([{**constants, **levels} for levels in dynamics.levels(states)])
        table = levels_from_booleanized(table, bits)[list(model.nodes)].astype(int)
        result.append(table.sort_values(list(table.columns)).reset_index(drop=True))
    return sorted(result, key=lambda t: t.values.tolist())


def attractors(model: LogicalModel, inputs: Mapping[str, int] | None = None,
               outputs: Iterable[str] | None = None, time_limit: float | None = None,
               max_bdd_nodes: int | None = MAX_BDD_NODES, progress: bool | None = None) -> pd.DataFrame:
    """One row per asynchronous attractor: each node's value (``'*'`` if it varies) and its size.

    Parameters are those of :func:`attractor_states`; ``outputs`` are nodes (by id or name) to put first.
    The last column, ``n_states``, counts the attractor's states (counted on the BDD, not
    listed, so large attractors are cheap).

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
    constants, dynamics, found, bits = _search(model, inputs, time_limit, max_bdd_nodes, progress)
    rows = []
    for states in found:
        varying = {n: (FREE if level is None else level) for n, level in dynamics.summary(states).items()}
        rows.append({**_level_summary({**constants, **varying}, bits), SIZE_COLUMN: dynamics.count(states)})
    table = result_table(rows, list(model.node_ids) + [SIZE_COLUMN], resolve_many(model, outputs or [], "outputs"))
    return table[[c for c in table.columns if c != SIZE_COLUMN] + [SIZE_COLUMN]]
