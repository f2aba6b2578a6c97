"""Truth tables of Boolean rules, 64 assignments per machine word.

:func:`~booleanidt.simulation.compile.compile_model` fills a rate table for each node
with few dependencies: its flip rate for every assignment of them.  Evaluating the
rule once per assignment costs ``2^k`` times the rule's length, which dominated
compiling models with long rules (Fumia 2013's CyclinD: 4,889 instructions over 11
dependencies, 10 million steps, for every patient of a cohort).  Here the rule's
bytecode runs once on bit vectors instead: bit ``a`` of every vector is the value
for assignment ``a``, where dependency ``b`` (position ``b`` in the node's
dependency list) is 1 exactly when bit ``b`` of ``a`` is set, as in the rate tables.

Only the Boolean instructions (constants, variables, not, and, or, xor, implies)
run this way; a rule using any other (comparisons, arithmetic, ``@logic``) is
reported as not handled and its caller evaluates it assignment by assignment.

Examples
--------
>>> import numpy as np
>>> from booleanidt.expr import Var, Not, And
>>> from booleanidt.simulation.compile import compile_model
>>> from booleanidt.model import LogicalModel
>>> net = compile_model(LogicalModel.from_rules({"A": None, "B": None, "C": And((Var("A"), Not(Var("B"))))}))
>>> deps = net.dep_node[net.dep_ptr[2]:net.dep_ptr[3]].tolist()   # C depends on A, B and itself
>>> [net.node_ids[d] for d in deps]
['A', 'B', 'C']
>>> truth = np.zeros(8, dtype=np.uint8)
>>> rule_truth_table(net.code, net.consts, net.code_ptr[2, 0], net.code_ptr[2, 1],
...                  net.dep_node[net.dep_ptr[2]:net.dep_ptr[3]], truth)
True
>>> truth.tolist()                                                 # A & !B: assignments 1 and 5
[0, 1, 0, 0, 0, 1, 0, 0]
"""
from __future__ import annotations

import numba
import numpy as np

from .opcodes import OP_AND, OP_CONST, OP_IMPLIES, OP_NOT, OP_OR, OP_VAR, OP_XOR
from ._numba_cache import refresh as _refresh_numba_cache

_refresh_numba_cache()   # before any function below is decorated: see _numba_cache

__all__ = ["rule_truth_table"]

#: bit b (b < 6) of the assignments held in one 64-bit word
_LOW_BIT_WORDS = np.array([0xAAAAAAAAAAAAAAAA, 0xCCCCCCCCCCCCCCCC, 0xF0F0F0F0F0F0F0F0,
                           0xFF00FF00FF00FF00, 0xFFFF0000FFFF0000, 0xFFFFFFFF00000000], dtype=np.uint64)
_ALL_ONES = np.uint64(0xFFFFFFFFFFFFFFFF)


@numba.njit(cache=True, nogil=True)
def _stack_depth(code, start, stop):
    """The deepest the evaluation stack of ``code[start:stop]`` gets, or -1 for a
    non-Boolean instruction."""
    top = deepest = 0
    for pc in range(start, stop):
        op = code[pc, 0]
        if op == OP_CONST or op == OP_VAR:
            top += 1
        elif op == OP_AND or op == OP_OR or op == OP_XOR:
            top -= code[pc, 1] - 1
        elif op == OP_IMPLIES:
            top -= 1
        elif op != OP_NOT:
            return -1
        deepest = max(deepest, top)
    return deepest


@numba.njit(cache=True, nogil=True)
def _variable_word(b, w):
    """Word ``w`` of the bit vector of dependency position ``b``."""
    if b < 6:
        return _LOW_BIT_WORDS[b]
    return _ALL_ONES if (w >> (b - 6)) & 1 else np.uint64(0)


@numba.njit(cache=True, nogil=True)
def rule_truth_table(code, consts, start, stop, deps, truth):
    """Write the rule ``code[start:stop]``'s value (0/1) for each assignment of ``deps``
    into ``truth`` (length ``2 ** len(deps)``); return False, leaving ``truth`` as it
    was, when the rule is not purely Boolean (compiled)."""
    depth = _stack_depth(code, start, stop)
    if depth < 0:
        return False
    size = truth.shape[0]
    words = max(1, size >> 6)
    stack = np.empty((depth, words), dtype=np.uint64)
    top = 0
    for pc in range(start, stop):
        op = code[pc, 0]
        arg = code[pc, 1]
        if op == OP_CONST:
            stack[top, :] = _ALL_ONES if consts[arg] != 0.0 else np.uint64(0)
            top += 1
        elif op == OP_VAR:
            b = 0
            while deps[b] != arg:
                b += 1
            for w in range(words):
                stack[top, w] = _variable_word(b, w)
            top += 1
        elif op == OP_NOT:
            stack[top - 1, :] = ~stack[top - 1, :]
        elif op == OP_IMPLIES:
            top -= 1
            stack[top - 1, :] = ~stack[top - 1, :] | stack[top, :]
        else:
            first = top - arg
            for k in range(first + 1, top):
                if op == OP_AND:
                    stack[first, :] &= stack[k, :]
                elif op == OP_OR:
                    stack[first, :] |= stack[k, :]
                else:
                    stack[first, :] ^= stack[k, :]
            top = first + 1
    for a in range(size):
        truth[a] = (stack[0, a >> 6] >> np.uint64(a & 63)) & np.uint64(1)
    return True
