"""Turn a :class:`~booleanidt.population.pbnd.PopModel` into the flat arrays the population kernel reads.

Every expression of the model (node rules and rates, division and death rates, daughter rules,
``#cell`` terms, the custom output) becomes the simulator's stack bytecode
(:mod:`booleanidt.simulation.compile`), evaluated on one float vector: the cell's node levels
(positions ``0 .. n-1``) followed by the ``#cell`` counts (position ``n + k`` for term ``k``).
Parameters are folded in as constants.  An event (flipping node ``i``, division block ``d``,
death) is :data:`STATIC` when its rate reads no count: it is computed once per cell state;
:data:`PER_CELL` when it reads counts and nodes: evaluated per cell state after each event; and
:data:`PER_POPULATION` when it reads counts but no node (``rate = 1 / #cell(A);``): evaluated
once per event, for every cell.

Examples
--------
>>> from booleanidt.population.pbnd import loads_pbnd
>>> pop = loads_pbnd("node A { logic = A; rate_up = 0; rate_down = 0; }\\ndivision { rate = 1 / #cell(A); }",
...                  "A.istate = 1;")
>>> net = compile_population(pop)
>>> net.size, net.terms, net.dynamic.tolist()   # flip A, divide, (no death)
(1, 1, [0, 2, 0])
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import BooleanidtError
from ..expr import Param, Var
from ..simulation.compile import InitialStates, _Assembler, _initial_states
from ..simulation.opcodes import OP_LOGIC, OP_VAR
from .pbnd import CELL_PARAMETER, PopModel

__all__ = ["CompiledPopulation", "compile_population", "STATIC", "PER_CELL", "PER_POPULATION"]

#: kinds of event rates (:attr:`CompiledPopulation.dynamic`)
STATIC, PER_CELL, PER_POPULATION = 0, 1, 2


@dataclass(frozen=True)
class CompiledPopulation(InitialStates):
    """A PopMaBoSS model as flat arrays (see the module docstring): bit ``i`` of a cell state is node ``i``
    of ``node_ids``, and the :class:`~booleanidt.simulation.compile.InitialStates` fields are its cells'
    ``istate``, all nodes at 0 when the model has a ``pop_istate`` (see :func:`_cell_istate`).

    Attributes
    ----------
    code, consts : bytecode (``(n_instr, 2)`` int32) and its constants
    node_code : ``(n, 4)``: node i's rule is ``code[c[i,0]:c[i,1]]``, rate up ``[c[i,1]:c[i,2]]``,
        rate down ``[c[i,2]:c[i,3]]``
    event_code : ``(divisions + 1, 2)``: each division block's rate, then the death rate (an empty
        range when there is no death block: rate 0)
    daughter_ptr, daughter_node, daughter_code : CSR over ``2 * divisions`` daughters (block d's first
        daughter is ``2d``): the nodes each daughter sets and their rules' code ranges
    term_code : ``(terms, 2)``: the ``#cell`` expressions
    custom_code : ``(2,)``: the custom population output (an empty range when there is none)
    dynamic : ``(n + divisions + 1,)`` int8: each event's kind of rate, :data:`STATIC`, :data:`PER_CELL`
        or :data:`PER_POPULATION`
    daughter_dynamic : ``(divisions,)`` bool: the block's daughter rules read a ``#cell`` count (else
        the daughters of a cell state are computed once)
    pop_node : nodes set by ``pop_istate`` (empty: none; then ``init_pop`` copies of one drawn cell)
    pop_cum, pop_cell_ptr, pop_values, pop_count : ``pop_istate``'s populations: cumulative
        probabilities, and per population a CSR of its cells (node values, number of copies)
    """

    code: np.ndarray
    consts: np.ndarray
    node_code: np.ndarray
    event_code: np.ndarray
    daughter_ptr: np.ndarray
    daughter_node: np.ndarray
    daughter_code: np.ndarray
    term_code: np.ndarray
    custom_code: np.ndarray
    dynamic: np.ndarray
    daughter_dynamic: np.ndarray
    pop_node: np.ndarray
    pop_cum: np.ndarray
    pop_cell_ptr: np.ndarray
    pop_values: np.ndarray
    pop_count: np.ndarray

    @property
    def terms(self) -> int:
        """Number of ``#cell`` terms."""
        return self.term_code.shape[0]

    def kernel_arrays(self) -> tuple:
        """The arrays :func:`~booleanidt.population.popkernel.run_block` takes first, in order."""
        return (self.code, self.consts, self.node_code, self.event_code, self.daughter_ptr, self.daughter_node,
                self.daughter_code, self.term_code, self.custom_code, self.dynamic, self.daughter_dynamic,
                self.initial_p, self.group_ptr, self.group_node, self.choice_ptr, self.choice_cum,
                self.choice_levels, self.pop_node, self.pop_cum, self.pop_cell_ptr, self.pop_values, self.pop_count)


class _CountingAssembler(_Assembler):
    """The simulator's assembler, with the ``$__cellK`` parameters read as variables (``counts``: name -> position)."""

    def __init__(self, index: dict, parameters: dict, counts: dict):
        super().__init__(index, parameters)
        self.counts = counts

    def emit(self, expr, where: str):
        if isinstance(expr, Param) and expr.name in self.counts:
            self.code.append((OP_VAR, self.counts[expr.name]))
        else:
            super().emit(expr, where)


class _Emitter:
    """Bytecode of the model's expressions, ``$__cellK`` read as the value at position ``n + k``."""

    def __init__(self, pop: PopModel):
        model = pop.model
        self.index = {n: i for i, n in enumerate(model.node_ids)}
        counts = {f"{CELL_PARAMETER}{k}": len(model.node_ids) + k for k in range(len(pop.cell_terms))}
        self.assembler = _CountingAssembler(self.index, model.parameters, counts)

    def emit(self, expr, where: str) -> tuple:
        """``(start, stop)`` of ``expr``'s code."""
        start = len(self.assembler.code)
        self.assembler.emit(expr, where)
        return start, len(self.assembler.code)

    def kind(self, start: int, stop: int, n: int) -> int:
        """:data:`STATIC`, :data:`PER_CELL` or :data:`PER_POPULATION` for the code ``[start, stop)``."""
        code = self.assembler.code[start:stop]
        if not any(op == OP_VAR and arg >= n for op, arg in code):
            return STATIC
        if any((op == OP_VAR and arg < n) or op == OP_LOGIC for op, arg in code):
            return PER_CELL
        return PER_POPULATION


def compile_population(pop: PopModel) -> CompiledPopulation:
    """Flatten a PopMaBoSS model for the kernel.

    Raises
    ------
    BooleanidtError : for multi-valued nodes or a rate the kernel cannot evaluate
    """
    model = pop.model
    if not model.is_boolean:
        raise BooleanidtError("PopMaBoSS needs a Boolean model (multi-valued nodes: "
                              f"{', '.join(model.multivalued_nodes)})")
    ids, n = model.node_ids, len(model.node_ids)
    emitter = _Emitter(pop)
    node_code, dynamic = np.zeros((n, 4), dtype=np.int64), []
    for i, node in enumerate(ids):
        rule = model.rules[node]
        pieces = (rule if rule is not None else Var(node), model.rate_up(node), model.rate_down(node))
        node_code[i, 0] = len(emitter.assembler.code)
        for k, (expr, what) in enumerate(zip(pieces, ("rule", "rate_up", "rate_down"))):
            node_code[i, k + 1] = emitter.emit(expr, f"node {node}: {what}")[1]
        dynamic.append(PER_CELL if emitter.kind(node_code[i, 0], node_code[i, 3], n) != STATIC else STATIC)
    events = [emitter.emit(rule.rate, f"division {d + 1}: rate") for d, rule in enumerate(pop.divisions)]
    events.append(emitter.emit(pop.death, "death: rate") if pop.death is not None else (0, 0))
    dynamic.extend(emitter.kind(start, stop, n) for start, stop in events)
    daughters, daughter_code, daughter_dynamic = [], [], []
    for d, rule in enumerate(pop.divisions):
        start = len(emitter.assembler.code)
        for side in (rule.daughter1, rule.daughter2):
            daughters.append([emitter.index[node] for node in side])
            daughter_code.extend(emitter.emit(expr, f"division {d + 1}: {node}.daughter") for node, expr in side.items())
        daughter_dynamic.append(emitter.kind(start, len(emitter.assembler.code), n) != STATIC)
    terms = [emitter.emit(term, "#cell") for term in pop.cell_terms]
    custom = emitter.emit(pop.custom_output, "custom_pop_output") if pop.custom_output is not None else (0, 0)
    assembler = emitter.assembler
    daughter_ptr = np.zeros(len(daughters) + 1, dtype=np.int64)
    daughter_ptr[1:] = np.cumsum([len(x) for x in daughters])
    return CompiledPopulation(
        node_ids=ids,
        code=np.array(assembler.code, dtype=np.int32).reshape(-1, 2),
        consts=np.array(assembler.consts or [0.0], dtype=np.float64),
        node_code=node_code,
        event_code=np.array(events, dtype=np.int64).reshape(-1, 2),
        daughter_ptr=daughter_ptr,
        daughter_node=np.array([i for x in daughters for i in x], dtype=np.int64),
        daughter_code=np.array(daughter_code, dtype=np.int64).reshape(-1, 2),
        term_code=np.array(terms, dtype=np.int64).reshape(-1, 2),
        custom_code=np.array(custom, dtype=np.int64),
        dynamic=np.array(dynamic, dtype=np.int8),
        daughter_dynamic=np.array(daughter_dynamic, dtype=np.bool_),
        **_cell_istate(pop, ids),
        **_pop_istate(pop, ids))


def _cell_istate(pop: PopModel, ids: tuple) -> dict:
    """The ``istate`` arrays the cells at t = 0 are drawn from.

    Without ``pop_istate``: the model's ``istate``.  With it, as PopMaBoSS reads it, a listed cell
    has the values given for the listed nodes and 0 for every other node, whatever their ``istate``
    (``[A].pop_istate = 1 [{[1]: 2}];`` with ``B.istate = 1;`` starts with two cells ``A``).
    """
    if pop.pop_istate is None:
        return _initial_states(pop.model, {node: i for i, node in enumerate(ids)})
    return dict(initial_p=np.zeros(len(ids)), group_ptr=np.zeros(1, dtype=np.int64),
                group_node=np.zeros(0, dtype=np.int64), choice_ptr=np.zeros(1, dtype=np.int64),
                choice_cum=np.zeros(0), choice_levels=np.zeros(0, dtype=np.int8))


def _pop_istate(pop: PopModel, ids: tuple) -> dict:
    if pop.pop_istate is None:
        nodes, groups = (), ((1.0, (((), pop.init_pop),)),)
    else:
        nodes, groups = pop.pop_istate
    cum = np.cumsum([p for p, _ in groups])
    cum[-1] = 1.0
    cells = [cell for _, group in groups for cell in group]
    ptr = np.zeros(len(groups) + 1, dtype=np.int64)
    ptr[1:] = np.cumsum([len(group) for _, group in groups])
    return dict(pop_node=np.array([ids.index(node) for node in nodes], dtype=np.int64), pop_cum=cum,
                pop_cell_ptr=ptr,
                pop_values=np.array([values for values, _ in cells], dtype=np.int8).reshape(len(cells), len(nodes)),
                pop_count=np.array([count for _, count in cells], dtype=np.int64))
