"""Columns for output states: an open-addressing hash table over int64 state codes (compiled).

An output state is an int64 bit mask (bit ``p`` set when output ``p`` is
active).  The table gives each state seen a column number, in the order the
states first appear, so per-state accumulators can be rows of a dense array.
It is three arrays: ``slot_keys`` / ``slot_cols`` (a power-of-two number of
slots, linear probing, :data:`EMPTY` marks a free slot) and ``col_keys`` (the
state of each column).  The caller grows it (:func:`grown`) when :func:`has_room` says it is full, so the
slots stay at most half full and lookups O(1).
Unlike ``numba.typed.Dict`` it needs no reference counting per lookup, which
matters when the Gillespie loop looks a state up at every jump.

:class:`StateTotals` adds up the per-chunk output-state sums of a run with it.

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

__all__ = ["EMPTY", "new_table", "column_of", "has_room", "insert", "grown", "StateTotals"]

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
def _merge(slot_keys, slot_cols, col_keys, used, total_sum, total_sq, keys, sums, squares):
    for c in range(keys.shape[0]):
        col = column_of(slot_keys, slot_cols, keys[c])
        if col < 0:
            if not has_room(col_keys, used):
                slot_keys, slot_cols, col_keys = grown(slot_keys, slot_cols, col_keys, used)
                bigger_sum = np.zeros((col_keys.shape[0], total_sum.shape[1]))
                bigger_sq = np.zeros((col_keys.shape[0], total_sum.shape[1]))
                bigger_sum[:used] = total_sum[:used]
                bigger_sq[:used] = total_sq[:used]
                total_sum, total_sq = bigger_sum, bigger_sq
            col = used
            insert(slot_keys, slot_cols, col_keys, used, keys[c])
            used += 1
        for k in range(total_sum.shape[1]):
            total_sum[col, k] += sums[c, k]
            total_sq[col, k] += squares[c, k]
    return slot_keys, slot_cols, col_keys, used, total_sum, total_sq


class StateTotals:
    """Per-state sums over a run's chunks: one row per output state, in order of first appearance.

    Examples
    --------
    >>> totals = StateTotals(windows=2)
    >>> totals.add(np.array([3, 1]), np.ones((2, 2)), np.ones((2, 2)))
    >>> totals.add(np.array([1, 4]), np.full((2, 2), 2.0), np.zeros((2, 2)))
    >>> totals.keys.tolist(), totals.sums[:, 0].tolist()
    ([3, 1, 4], [1.0, 3.0, 2.0])
    """

    def __init__(self, windows: int, capacity: int = 64):
        self._slot_keys, self._slot_cols, self._col_keys = new_table(capacity)
        self._sum = np.zeros((len(self._col_keys), windows))
        self._sq = np.zeros((len(self._col_keys), windows))
        self.used = 0

    def add(self, keys: np.ndarray, sums: np.ndarray, squares: np.ndarray) -> None:
        """Add one chunk: ``keys`` (s,) state codes, ``sums`` and ``squares`` (s, windows)."""
        (self._slot_keys, self._slot_cols, self._col_keys, self.used, self._sum,
         self._sq) = _merge(self._slot_keys, self._slot_cols, self._col_keys, self.used, self._sum, self._sq,
                            keys, sums, squares)

    @property
    def keys(self) -> np.ndarray:
        """State codes, row order."""
        return self._col_keys[:self.used]

    @property
    def sums(self) -> np.ndarray:
        """(states, windows) sums of per-trajectory window fractions."""
        return self._sum[:self.used]

    @property
    def squares(self) -> np.ndarray:
        """(states, windows) sums of their squares."""
        return self._sq[:self.used]
