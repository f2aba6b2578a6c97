"""Columns for output states: an open-addressing hash table over int64 codes (compiled).

An output state is an int64 bit mask (bit ``p`` set when output ``p`` is
active).  The table gives each state seen a column number, in the order the
states first appear, so per-state accumulators can be rows of a dense array.
It is three arrays: ``slot_keys`` / ``slot_cols`` (a power-of-two number of
slots, linear probing, :data:`EMPTY` marks a free slot) and ``col_keys`` (the
key of each column).  The caller grows it (:func:`grown`) when :func:`has_room`
says it is full, so the slots stay at most half full and lookups O(1).  Unlike
``numba.typed.Dict`` it needs no reference counting per lookup, which matters
when the Gillespie loop looks a state up at every jump.

:func:`merge_cells` adds one chunk's output-state sums into two such tables (states,
and (state, window) cells): :class:`~booleanidt.simulation.state_totals.StateTotals`
keeps them for a run.

Examples
--------
>>> slot_keys, slot_cols, col_keys = new_table(2)
>>> used = 0
>>> for key in (5, 9, 5, 2, 9, 7):
...     if column_of(slot_keys, slot_cols, key) < 0:
...         if not has_room(col_keys, used):
...             slot_keys, slot_cols, col_keys = grown(slot_keys, slot_cols, col_keys, used)
...         insert(slot_keys, slot_cols, col_keys, used, key)
...         used += 1
>>> col_keys[:used].tolist(), int(column_of(slot_keys, slot_cols, 2))
([5, 9, 2, 7], 2)
"""
from __future__ import annotations

import numba
import numpy as np

from ._numba_cache import refresh as _refresh_numba_cache

_refresh_numba_cache()   # before any function below is decorated: see _numba_cache

__all__ = ["EMPTY", "new_table", "column_of", "has_room", "insert", "grown", "merge_cells"]

#: marks a free slot (state codes are >= 0: at most 63 output bits)
EMPTY = -1

_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)

# lookups and inserts allocate nothing: compiled without reference counting (see kernel._NO_REFCOUNT)
_NO_REFCOUNT = dict(cache=True, nogil=True, error_model="numpy", _nrt=False)


@numba.njit(cache=True, nogil=True, error_model="numpy")
def new_table(capacity):
    """Empty ``(slot_keys, slot_cols, col_keys)`` for ``capacity`` columns before the first growth."""
    slots = 2
    while slots < 2 * capacity:
        slots *= 2
    return np.full(slots, EMPTY, dtype=np.int64), np.zeros(slots, dtype=np.int64), np.zeros(slots // 2, dtype=np.int64)


@numba.njit(**_NO_REFCOUNT)
def _slot(slot_keys, key):
    """The slot holding ``key``, or the free slot where it would go."""
    mask = slot_keys.shape[0] - 1
    h = np.uint64(key) * _MULTIPLIER
    s = np.int64(h ^ (h >> np.uint64(32))) & mask
    while slot_keys[s] != EMPTY and slot_keys[s] != key:
        s = (s + 1) & mask
    return s


@numba.njit(**_NO_REFCOUNT)
def column_of(slot_keys, slot_cols, key):
    """Column of state ``key``, or -1 when the table does not hold it."""
    s = _slot(slot_keys, key)
    return slot_cols[s] if slot_keys[s] == key else -1


@numba.njit(**_NO_REFCOUNT)
def has_room(col_keys, used):
    """Whether one more state fits without growing (the slots stay at most half full)."""
    return used < col_keys.shape[0]


@numba.njit(**_NO_REFCOUNT)
def insert(slot_keys, slot_cols, col_keys, used, key):
    """Give the absent state ``key`` column ``used`` (the table must have room)."""
    s = _slot(slot_keys, key)
    slot_keys[s] = key
    slot_cols[s] = used
    col_keys[used] = key


@numba.njit(cache=True, nogil=True, error_model="numpy")
def grown(slot_keys, slot_cols, col_keys, used):
    """The table with twice the slots and columns, same contents: new ``(slot_keys, slot_cols, col_keys)``."""
    bigger_keys = np.full(2 * slot_keys.shape[0], EMPTY, dtype=np.int64)
    bigger_cols = np.zeros(2 * slot_keys.shape[0], dtype=np.int64)
    for col in range(used):
        s = _slot(bigger_keys, col_keys[col])
        bigger_keys[s] = col_keys[col]
        bigger_cols[s] = col
    longer = np.zeros(slot_keys.shape[0], dtype=np.int64)
    longer[:used] = col_keys[:used]
    return bigger_keys, bigger_cols, longer


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _find_or_add(table, used, key):
    """(table, used, column of ``key``): the key added, and the table grown first when full, if absent."""
    slot_keys, slot_cols, col_keys = table
    col = column_of(slot_keys, slot_cols, key)
    if col < 0:
        if not has_room(col_keys, used):
            slot_keys, slot_cols, col_keys = grown(slot_keys, slot_cols, col_keys, used)
        col = used
        insert(slot_keys, slot_cols, col_keys, used, key)
        used += 1
    return (slot_keys, slot_cols, col_keys), used, col


@numba.njit(cache=True, nogil=True, error_model="numpy")
def merge_cells(states, n_states, cells, n_cells, cell_sum, cell_sq, windows, keys, cell_state, cell_window, sums,
                squares):
    """Add one chunk's ``keys`` and (state, window) cells into the tables; returns them (maybe grown) and the
    row of each key."""
    rows = np.empty(keys.shape[0], dtype=np.int64)
    for c in range(keys.shape[0]):
        states, n_states, rows[c] = _find_or_add(states, n_states, keys[c])
    if windows == 1 and cell_sum.shape[0] < n_states:  # one window: a state's row is its cell
        longer_sum, longer_sq = np.zeros(states[2].shape[0]), np.zeros(states[2].shape[0])
        longer_sum[:cell_sum.shape[0]] = cell_sum
        longer_sq[:cell_sq.shape[0]] = cell_sq
        cell_sum, cell_sq = longer_sum, longer_sq
    for e in range(cell_state.shape[0]):
        if windows == 1:
            cell_sum[rows[cell_state[e]]] += sums[e]
            cell_sq[rows[cell_state[e]]] += squares[e]
            continue
        cells, n_cells, at = _find_or_add(cells, n_cells, rows[cell_state[e]] * windows + cell_window[e])
        if at >= cell_sum.shape[0]:
            longer_sum, longer_sq = np.zeros(cells[2].shape[0]), np.zeros(cells[2].shape[0])
            longer_sum[:at] = cell_sum[:at]
            longer_sq[:at] = cell_sq[:at]
            cell_sum, cell_sq = longer_sum, longer_sq
        cell_sum[at] += sums[e]
        cell_sq[at] += squares[e]
    return states, n_states, cells, n_cells, cell_sum, cell_sq, rows
