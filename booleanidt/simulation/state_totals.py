"""A run's output-state totals, summed chunk by chunk and kept sparse.

Each kernel chunk returns the output states it met and its non-zero (state, window)
cells; :class:`StateTotals` adds them up, in chunk order, in two hash tables of
:mod:`~booleanidt.simulation.statetable` (states, and (state, window) cells).
"""
from __future__ import annotations

import numpy as np

from .engine import current_kernel

__all__ = ["StateTotals"]


class StateTotals:
    """Per-state window sums over a run's chunks, kept sparse (most states fill few windows).

    Each chunk brings its states' codes and its non-zero (state, window) cells; the
    totals give each state a row in order of first appearance, and each (row,
    window) cell a slot in a second hash table, summed in chunk order (with one
    window, row r's cell is slot r: no second table).

    Examples
    --------
    >>> totals = StateTotals(windows=2)
    >>> totals.add(np.array([3, 1]), np.array([0, 1, 1]), np.array([0, 0, 1]), np.ones(3), np.ones(3)).tolist()
    [0, 1]
    >>> totals.add(np.array([1, 4]), np.array([0, 1]), np.array([0, 1]), np.full(2, 2.0), np.zeros(2)).tolist()
    [1, 2]
    >>> sums, squares = totals.dense()
    >>> totals.keys.tolist(), sums.T.tolist()
    ([3, 1, 4], [[1.0, 0.0], [3.0, 1.0], [0.0, 2.0]])
    """

    def __init__(self, windows: int, capacity: int = 64):
        self.windows = windows
        kernel = current_kernel()
        self._states, self._cells = kernel.new_table(capacity), kernel.new_table(capacity)
        self._n_states = self._n_cells = 0
        self._cell_sum, self._cell_sq = np.zeros(len(self._cells[2])), np.zeros(len(self._cells[2]))

    def add(self, keys: np.ndarray, cell_state: np.ndarray, cell_window: np.ndarray, sums: np.ndarray,
            squares: np.ndarray) -> np.ndarray:
        """Add one chunk: its ``keys`` (state codes) and cells (index into ``keys``, window, sum, squares);
        returns the row of each key."""
        (self._states, self._n_states, self._cells, self._n_cells, self._cell_sum,
         self._cell_sq, rows) = current_kernel().merge_cells(self._states, self._n_states, self._cells,
                                                             self._n_cells, self._cell_sum, self._cell_sq,
                                                             self.windows, keys, cell_state, cell_window, sums,
                                                             squares)
        return rows

    @property
    def keys(self) -> np.ndarray:
        """State codes, row order."""
        return self._states[2][:self._n_states]

    def dense(self, order=None) -> tuple:
        """(sums, squares) of the per-trajectory window fractions: two (windows, states) arrays.

        ``order`` lists the rows (states, as in :attr:`keys`) in the column order wanted.
        """
        rows = np.arange(self._n_states) if order is None else np.argsort(order)  # row -> column
        sums, squares = np.zeros((self.windows, self._n_states)), np.zeros((self.windows, self._n_states))
        if self.windows == 1:  # row r's cell is r
            sums[0, rows] = self._cell_sum[:self._n_states]
            squares[0, rows] = self._cell_sq[:self._n_states]
            return sums, squares
        cells = self._cells[2][:self._n_cells]
        where = (cells % self.windows, rows[cells // self.windows])
        sums[where] = self._cell_sum[:self._n_cells]
        squares[where] = self._cell_sq[:self._n_cells]
        return sums, squares
