"""Turn a Boolean :class:`~booleanidt.model.LogicalModel` into the flat arrays the kernel reads.

Every node's *flip rate* (``rate_up`` when it is 0, ``rate_down`` when it is 1,
with ``@logic`` the value of its rule) depends on a few nodes: its dependencies,
itself included.  Nodes with at most :data:`TABLE_MAX_INPUTS` dependencies get a
table of their flip rate over every assignment of the dependencies; the kernel
keeps, for each such node, the index of the current assignment and flips one
bit of it when a dependency flips, so a jump costs O(out-degree).  Nodes with
more dependencies keep a small stack bytecode (rule, rate up, rate down) that
the kernel evaluates.  The same bytecode fills the tables, so both paths share
one semantics (purely Boolean rules run there on bit vectors, 64 assignments at a
time: :mod:`~booleanidt.simulation.truthtable`).  Parameters are folded into the
bytecode as constants.

Examples
--------
>>> from booleanidt.model import LogicalModel
>>> from booleanidt.expr import Var, Not
>>> net = compile_model(LogicalModel.from_rules({"A": None, "B": Var("A"), "C": Not(Var("B"))}))
>>> net.node_ids
('A', 'B', 'C')
>>> [net.rate_table[net.table_offset[i]:net.table_offset[i] + 4, RATE].tolist() for i in (1, 2)]
[[0.0, 1.0, 1.0, 0.0], [1.0, 0.0, 0.0, 1.0]]
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import BooleanidtError
from ..expr import (And, Arith, Call, Compare, Const, Expr, IfThenElse, Implies, Logic, Neg, Not, Or, Param,
                    Var, Xor, children)
from ..model import LogicalModel
from .opcodes import (OP_AND, OP_ARITH, OP_CALL, OP_CMP, OP_CONST, OP_IFTE, OP_IMPLIES, OP_LOGIC, OP_NEG, OP_NOT,
                      OP_OR, OP_VAR, OP_XOR)
from .engine import RATE, RATE_LOG_RATE, current_kernel

__all__ = ["InitialStates", "CompiledModel", "compile_model", "TABLE_MAX_INPUTS", "RATE", "RATE_LOG_RATE"]

#: nodes with at most this many dependencies (themselves included) get a rate table ...
TABLE_MAX_INPUTS = 14
#: ... as long as all tables together stay within this many entries (16 bytes each)
TABLE_MAX_ENTRIES = 1 << 23
#: most nodes in an observed graph (MaBoSS ``in_graph``)
MAX_GRAPH_NODES = 10

_CMP_CODES = {"==": 0, "!=": 1, ">=": 2, ">": 3, "<=": 4, "<": 5}
_ARITH_CODES = {"+": 0, "-": 1, "*": 2, "/": 3}
#: OP_CALL's argument: which built-in function; the call always takes two stack values (x, base)
_CALL_CODES = {"log": 0, "exp": 1}
_NARY = {And: OP_AND, Or: OP_OR, Xor: OP_XOR}


@dataclass(frozen=True)
class InitialStates:
    """The nodes of a compiled model and how its kernel draws their states at t = 0 (the arrays
    :func:`_initial_states` makes; the simulation's and the population's compiled models share them).

    Attributes
    ----------
    node_ids : node ids, in model order (kernel index = position)
    initial_p : P(node = 1) at t = 0 for nodes outside joint groups (-1 inside one)
    group_ptr, group_node : CSR of joint initial-state groups
    choice_ptr, choice_cum, choice_levels : per group, its choices' cumulative
        probabilities and levels (``choice_levels`` rows align with ``choice_cum``)
    """

    node_ids: tuple
    initial_p: np.ndarray
    group_ptr: np.ndarray
    group_node: np.ndarray
    choice_ptr: np.ndarray
    choice_cum: np.ndarray
    choice_levels: np.ndarray

    @property
    def size(self) -> int:
        """Number of nodes."""
        return len(self.node_ids)


@dataclass(frozen=True)
class CompiledModel(InitialStates):
    """A Boolean model as flat arrays (see the module docstring), with the :class:`InitialStates` fields.

    Attributes
    ----------
    output_index : kernel indices of the output (non-internal) nodes, in model order
    code, consts : bytecode (``(n_instr, 2)`` int32) and its constants
    code_ptr : ``(n, 4)`` int64; node i's rule is ``code[ptr[i,0]:ptr[i,1]]``, rate up
        ``code[ptr[i,1]:ptr[i,2]]``, rate down ``code[ptr[i,2]:ptr[i,3]]``
    dep_ptr, dep_node : CSR of each node's dependencies (itself included)
    out_ptr, out_node, out_bit : CSR of the nodes depending on each node, with the
        bit that node holds in the dependent's table index (0 for bytecode nodes)
    table_offset : start of each node's rate table in ``rate_table``, or -1 (bytecode)
    rate_table : ``(entries, 2)``: column :data:`RATE` holds the flip rates, column
        :data:`RATE_LOG_RATE` ``r log2 r`` (0 for r <= 0) for the transition entropy, so
        the kernel takes no logarithm per rate update and finds both in one cache line
    schedule_time : sorted distinct times of scheduled perturbations (empty: none)
    schedule_ptr, schedule_node, schedule_code : CSR of the nodes set at each time, with
        the ``(start, stop)`` of their probability's bytecode in ``code``
    reference : int8, each node's level in the reference state (MaBoSS ``refstate``), -1 if
        it is not a reference node; Hamming distances count the reference nodes away from it
    graph_bit : int64, each node's bit in the state of the observed-graph nodes (MaBoSS
        ``in_graph``, at most :data:`MAX_GRAPH_NODES`), 0 for the other nodes
    """

    output_index: np.ndarray
    code: np.ndarray
    consts: np.ndarray
    code_ptr: np.ndarray
    dep_ptr: np.ndarray
    dep_node: np.ndarray
    out_ptr: np.ndarray
    out_node: np.ndarray
    out_bit: np.ndarray
    table_offset: np.ndarray
    rate_table: np.ndarray
    schedule_time: np.ndarray
    schedule_ptr: np.ndarray
    schedule_node: np.ndarray
    schedule_code: np.ndarray
    reference: np.ndarray
    graph_bit: np.ndarray

    def kernel_arrays(self) -> tuple:
        """The arrays :func:`~booleanidt.simulation.kernel.run_chunk` takes before its workspace, in order."""
        return (self.code, self.consts, self.code_ptr, self.dep_ptr, self.dep_node, self.out_ptr, self.out_node,
                self.out_bit, self.table_offset, self.rate_table, self.initial_p, self.group_ptr, self.group_node,
                self.choice_ptr, self.choice_cum, self.choice_levels, self.output_index, self.schedule_time,
                self.schedule_ptr, self.schedule_node, self.schedule_code, self.reference, self.graph_bit)

    @property
    def graph_ids(self) -> tuple:
        """Ids of the observed-graph nodes, in model order (their bits in that order)."""
        return tuple(self.node_ids[i] for i in np.flatnonzero(self.graph_bit))

    @property
    def reference_count(self) -> int:
        """Number of reference nodes."""
        return int((self.reference >= 0).sum())

    @property
    def output_ids(self) -> tuple:
        """Ids of the output nodes, in model order."""
        return tuple(self.node_ids[i] for i in self.output_index)


class _Assembler:
    """Emits the bytecode of expressions, with parameters replaced by their values."""

    def __init__(self, index: dict, parameters: dict):
        self.index, self.parameters = index, parameters
        self.code: list = []
        self.consts: list = []

    def emit(self, expr: Expr, where: str):
        if isinstance(expr, Const):
            self._const(expr.value, where)
        elif isinstance(expr, Param):
            self._const(self._parameter(expr.name, where), where)
        elif isinstance(expr, Var):
            self.code.append((OP_VAR, self.index[expr.name]))
        elif isinstance(expr, Logic):
            self.code.append((OP_LOGIC, 0))
        elif isinstance(expr, (Not, Neg)):
            self.emit(expr.arg, where)
            self.code.append((OP_NOT if isinstance(expr, Not) else OP_NEG, 0))
        elif isinstance(expr, (And, Or, Xor)):
            for arg in expr.args:
                self.emit(arg, where)
            self.code.append((_NARY[type(expr)], len(expr.args)))
        elif isinstance(expr, Call):
            for arg in expr.args:
                self.emit(arg, where)
            if len(expr.args) == 1:
                self._const(math.e, where)
            self.code.append((OP_CALL, _CALL_CODES[expr.name]))
        elif isinstance(expr, (Implies, Compare, Arith, IfThenElse)):
            for child in children(expr):
                self.emit(child, where)
            if isinstance(expr, Implies):
                self.code.append((OP_IMPLIES, 0))
            elif isinstance(expr, Compare):
                self.code.append((OP_CMP, _CMP_CODES[expr.op]))
            elif isinstance(expr, Arith):
                self.code.append((OP_ARITH, _ARITH_CODES[expr.op]))
            else:
                self.code.append((OP_IFTE, 0))
        else:
            raise BooleanidtError(f"{where}: cannot simulate expression {expr!r}")

    def _const(self, value, where: str):
        self.consts.append(float(value))
        self.code.append((OP_CONST, len(self.consts) - 1))

    def _parameter(self, name: str, where: str) -> float:
        if name not in self.parameters:
            raise BooleanidtError(f"{where}: parameter ${name} has no value")
        value = self.parameters[name]
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise BooleanidtError(f"{where}: parameter ${name} is not a number ({value!r})") from None
        if math.isnan(number):
            raise BooleanidtError(f"{where}: parameter ${name} is not a number ({value!r})")
        return number


def _csr(lists) -> tuple:
    ptr = np.zeros(len(lists) + 1, dtype=np.int64)
    ptr[1:] = np.cumsum([len(x) for x in lists])
    flat = np.array([v for x in lists for v in x], dtype=np.int64)
    return ptr, flat


def compile_model(model: LogicalModel, outputs=None) -> CompiledModel:
    """Flatten a Boolean model for the kernel.

    Parameters
    ----------
    model : LogicalModel with Boolean nodes only (booleanize multi-valued models first)
    outputs : ids of the output nodes; default: the nodes not marked internal

    Returns
    -------
    CompiledModel

    Examples
    --------
    >>> from booleanidt.model import LogicalModel
    >>> from booleanidt.expr import Var
    >>> net = compile_model(LogicalModel.from_rules({"A": None, "B": Var("A")}).mutate({"A": 1}))
    >>> net.rate_table[net.table_offset[0]:net.table_offset[0] + 2, RATE].tolist()  # A: rate 1 up, 0 down
    [1.0, 0.0]
    """
    if not model.is_boolean:
        raise BooleanidtError(f"multi-valued nodes {', '.join(model.multivalued_nodes)}: booleanize the model first")
    ids = model.node_ids
    index = {n: i for i, n in enumerate(ids)}
    assembler = _Assembler(index, model.parameters)
    code_ptr = np.zeros((len(ids), 4), dtype=np.int64)
    deps = []
    for i, node_id in enumerate(ids):
        rule = model.rules[node_id]
        pieces = (rule if rule is not None else Var(node_id), model.rate_up(node_id), model.rate_down(node_id))
        code_ptr[i, 0] = len(assembler.code)
        found = {i}
        for k, (expr, what) in enumerate(zip(pieces, ("rule", "rate_up", "rate_down"))):
            assembler.emit(expr, f"node {node_id}: {what}")
            code_ptr[i, k + 1] = len(assembler.code)
            found.update(op[1] for op in assembler.code[code_ptr[i, k]:] if op[0] == OP_VAR)
        deps.append(sorted(found))
    schedule = _schedule_arrays(model, index, assembler)
    code = np.array(assembler.code, dtype=np.int32).reshape(-1, 2)
    consts = np.array(assembler.consts or [0.0], dtype=np.float64)
    dep_ptr, dep_node = _csr(deps)
    table_offset, rate_table = _tables(deps, code, consts, code_ptr, dep_ptr, dep_node)
    out_lists = [[] for _ in ids]
    for i, dep in enumerate(deps):
        for pos, j in enumerate(dep):
            out_lists[j].append((i, (1 << pos) if table_offset[i] >= 0 else 0))
    out_ptr, _ = _csr(out_lists)
    pairs = np.array([p for lst in out_lists for p in lst], dtype=np.int64).reshape(-1, 2)
    groups = _initial_states(model, index)
    if outputs is None:
        outputs = [n for n in ids if not model.nodes[n].internal]
    outputs = set(outputs)
    return CompiledModel(
        node_ids=ids,
        output_index=np.array([i for i, n in enumerate(ids) if n in outputs], dtype=np.int64),
        code=code, consts=consts, code_ptr=code_ptr, dep_ptr=dep_ptr, dep_node=dep_node,
        out_ptr=out_ptr, out_node=np.ascontiguousarray(pairs[:, 0]), out_bit=np.ascontiguousarray(pairs[:, 1]),
        table_offset=table_offset, rate_table=_with_entropy_terms(rate_table), **groups, **schedule,
        reference=np.array([_reference_level(model.nodes[n]) for n in ids], dtype=np.int8),
        graph_bit=_graph_bits(model))


def _graph_bits(model: LogicalModel) -> np.ndarray:
    observed = [n for n in model.node_ids if model.nodes[n].metadata.get("maboss_in_graph")]
    if len(observed) > MAX_GRAPH_NODES:
        raise BooleanidtError(f"{len(observed)} nodes are in_graph; the observed graph takes at most "
                              f"{MAX_GRAPH_NODES} (it has 2^k x 2^k cells)")
    bits = np.zeros(len(model.node_ids), dtype=np.int64)
    for position, node_id in enumerate(observed):
        bits[model.node_ids.index(node_id)] = 1 << position
    return bits


def _reference_level(node) -> int:
    """The node's MaBoSS ``refstate`` (0 or 1), or -1 when it has none or a negative one."""
    value = node.metadata.get("maboss_refstate", -1)
    return -1 if value < 0 else min(int(value), 1)


def _schedule_arrays(model: LogicalModel, index: dict, assembler: _Assembler) -> dict:
    """The model's scheduled perturbations grouped by time, their probabilities as bytecode."""
    by_time: dict = {}
    for node_id, entries in model.schedules.items():
        for time, probability in entries:
            start = len(assembler.code)
            assembler.emit(probability, f"schedule of {node_id} at {time:g}")
            by_time.setdefault(time, []).append((index[node_id], start, len(assembler.code)))
    times = sorted(by_time)
    entries = [by_time[t] for t in times]
    ptr, _ = _csr(entries)
    flat = np.array([e for group in entries for e in group], dtype=np.int64).reshape(-1, 3)
    return dict(schedule_time=np.array(times, dtype=np.float64), schedule_ptr=ptr,
                schedule_node=np.ascontiguousarray(flat[:, 0]), schedule_code=np.ascontiguousarray(flat[:, 1:]))


def _tables(deps, code, consts, code_ptr, dep_ptr, dep_node) -> tuple:
    """Rate tables for the nodes with few dependencies, smallest first, within TABLE_MAX_ENTRIES."""
    offsets = np.full(len(deps), -1, dtype=np.int64)
    total = 0
    for i in sorted(range(len(deps)), key=lambda j: len(deps[j])):
        size = 1 << len(deps[i])
        if len(deps[i]) <= TABLE_MAX_INPUTS and total + size <= TABLE_MAX_ENTRIES:
            offsets[i] = total
            total += size
    table = np.zeros(max(total, 1), dtype=np.float64)
    current_kernel().fill_rate_tables(code, consts, code_ptr, dep_ptr, dep_node, offsets, table)
    return offsets, table


def _with_entropy_terms(rates: np.ndarray) -> np.ndarray:
    """``(len(rates), 2)``: each rate r beside r log2 r (0 for r <= 0)."""
    table = np.zeros((len(rates), 2))
    table[:, RATE] = rates
    positive = rates > 0
    table[positive, RATE_LOG_RATE] = rates[positive] * np.log2(rates[positive])
    return table


def _initial_states(model: LogicalModel, index: dict) -> dict:
    initial_p = np.array([model.initial_probability(n) for n in model.node_ids], dtype=np.float64)
    group_nodes, choice_ptr, cum, levels = [], [0], [], []
    for joint in model.joint_initial_states:
        group_nodes.append([index[n] for n in joint.nodes])
        probabilities = joint.probabilities()
        cum.extend(np.cumsum([p for p, _ in probabilities]).tolist())
        cum[-1] = 1.0
        levels.extend([min(int(v), 1) for v in lv] for _, lv in probabilities)
        choice_ptr.append(len(cum))
    group_ptr, group_node = _csr(group_nodes)
    initial_p[group_node] = -1.0
    flat_levels = np.array([v for lv in levels for v in lv], dtype=np.int8)
    return dict(initial_p=initial_p, group_ptr=group_ptr, group_node=group_node,
                choice_ptr=np.array(choice_ptr, dtype=np.int64), choice_cum=np.array(cum, dtype=np.float64),
                choice_levels=flat_levels)
