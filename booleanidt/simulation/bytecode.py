"""The simulator's stack bytecode, evaluated (compiled with numba).

:func:`~booleanidt.simulation.compile.compile_model` turns every node's rule and
rates into a short stack bytecode (opcodes in :mod:`~booleanidt.simulation.opcodes`);
:func:`evaluate_code` runs it on node levels, :func:`flip_rate_code` gives a node's
flip rate (rate_up when it is 0, rate_down when it is 1, with ``@logic`` the value of
its rule), and :func:`fill_rate_tables` fills the rate tables of the nodes with few
dependencies.  The kernels compile these functions in.

Examples
--------
>>> import numpy as np
>>> from booleanidt.simulation.opcodes import OP_AND, OP_VAR
>>> code = np.array([[OP_VAR, 0], [OP_VAR, 1], [OP_AND, 2]], dtype=np.int32)
>>> stack = np.zeros(4)
>>> [evaluate_code(code, np.zeros(0), 0, 3, np.array(s, dtype=np.int8), 0.0, stack) for s in ([1, 1], [1, 0])]
[1.0, 0.0]
"""
from __future__ import annotations

import numba
import numpy as np

from .opcodes import (OP_AND, OP_CALL, OP_CMP, OP_CONST, OP_IFTE, OP_IMPLIES, OP_LOGIC, OP_NEG, OP_NOT, OP_OR,
                      OP_VAR, OP_XOR)
from .truthtable import rule_truth_table
from ._numba_cache import refresh as _refresh_numba_cache

_refresh_numba_cache()   # before any function below is decorated: see _numba_cache

__all__ = ["evaluate_code", "flip_rate_code", "fill_rate_tables"]


@numba.njit(cache=True, nogil=True, error_model="numpy", _nrt=False)  # allocates nothing: no reference counting
def evaluate_code(code, consts, start, stop, state, logic, stack):
    """Value of the bytecode ``code[start:stop]`` for node levels ``state`` (compiled)."""
    top = 0
    for pc in range(start, stop):
        op = code[pc, 0]
        arg = code[pc, 1]
        if op == OP_CONST:
            stack[top] = consts[arg]
            top += 1
        elif op == OP_VAR:
            stack[top] = state[arg]
            top += 1
        elif op == OP_LOGIC:
            stack[top] = logic
            top += 1
        elif op == OP_NOT:
            stack[top - 1] = 1.0 if stack[top - 1] == 0.0 else 0.0
        elif op == OP_NEG:
            stack[top - 1] = -stack[top - 1]
        elif op == OP_AND or op == OP_OR or op == OP_XOR:
            count = 0
            for k in range(top - arg, top):
                if stack[k] != 0.0:
                    count += 1
            top -= arg
            if op == OP_AND:
                stack[top] = 1.0 if count == arg else 0.0
            elif op == OP_OR:
                stack[top] = 1.0 if count > 0 else 0.0
            else:
                stack[top] = float(count % 2)
            top += 1
        elif op == OP_IFTE:
            top -= 2
            stack[top - 1] = stack[top] if stack[top - 1] != 0.0 else stack[top + 1]
        else:
            top -= 1
            a = stack[top - 1]
            b = stack[top]
            if op == OP_IMPLIES:
                r = 1.0 if (a == 0.0 or b != 0.0) else 0.0
            elif op == OP_CALL:  # MaBoSS: log(x, base) = log(x) / log(base), exp(x, base) = base ** x
                r = np.log(a) / np.log(b) if arg == 0 else b ** a
            elif op == OP_CMP:
                if arg == 0:
                    r = 1.0 if a == b else 0.0
                elif arg == 1:
                    r = 1.0 if a != b else 0.0
                elif arg == 2:
                    r = 1.0 if a >= b else 0.0
                elif arg == 3:
                    r = 1.0 if a > b else 0.0
                elif arg == 4:
                    r = 1.0 if a <= b else 0.0
                else:
                    r = 1.0 if a < b else 0.0
            elif arg == 0:
                r = a + b
            elif arg == 1:
                r = a - b
            elif arg == 2:
                r = a * b
            elif b == 0.0:
                r = np.nan if a == 0.0 else (np.inf if a > 0.0 else -np.inf)
            else:
                r = a / b
            stack[top - 1] = r
    return stack[0]


@numba.njit(cache=True, nogil=True, error_model="numpy", _nrt=False)  # allocates nothing: no reference counting
def flip_rate_code(code, consts, code_ptr, i, state, stack):
    """Node i's flip rate from its bytecode: rate_up when it is 0, rate_down when it is 1 (compiled)."""
    logic = 1.0 if evaluate_code(code, consts, code_ptr[i, 0], code_ptr[i, 1], state, 0.0, stack) != 0.0 else 0.0
    return _rate_given_logic(code, consts, code_ptr, i, state, logic, stack)


@numba.njit(cache=True, nogil=True, error_model="numpy", _nrt=False)
def _rate_given_logic(code, consts, code_ptr, i, state, logic, stack):
    if state[i] == 0:
        return evaluate_code(code, consts, code_ptr[i, 1], code_ptr[i, 2], state, logic, stack)
    return evaluate_code(code, consts, code_ptr[i, 2], code_ptr[i, 3], state, logic, stack)


@numba.njit(cache=True, nogil=True, error_model="numpy")
def fill_rate_tables(code, consts, code_ptr, dep_ptr, dep_node, offsets, table):
    """Fill ``table``: node i's flip rate for every assignment of its dependencies, from ``offsets[i]`` on
    (nodes with offset -1 keep their bytecode); purely Boolean rules go through their truth table (compiled)."""
    n = offsets.shape[0]
    state = np.zeros(n, dtype=np.int8)
    stack = np.zeros(code.shape[0] + 1, dtype=np.float64)
    for i in range(n):
        if offsets[i] < 0:
            continue
        k = dep_ptr[i + 1] - dep_ptr[i]
        truth = np.zeros(1 << k, dtype=np.uint8)
        boolean = rule_truth_table(code, consts, code_ptr[i, 0], code_ptr[i, 1], dep_node[dep_ptr[i]:dep_ptr[i + 1]],
                                   truth)
        for assignment in range(1 << k):
            for b in range(k):
                state[dep_node[dep_ptr[i] + b]] = (assignment >> b) & 1
            if boolean:
                logic = float(truth[assignment])
                table[offsets[i] + assignment] = _rate_given_logic(code, consts, code_ptr, i, state, logic, stack)
            else:
                table[offsets[i] + assignment] = flip_rate_code(code, consts, code_ptr, i, state, stack)
