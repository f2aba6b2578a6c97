"""The sums of a PopMaBoSS run, kept sparse: one entry per (window, population state) a trajectory visited.

The population states a run meets are far fewer than windows x states: most states live for a few
windows.  :class:`PopulationSums` merges the kernel's blocks (:class:`~booleanidt.population.popkernel.Block`)
in block order, numbering cell states and populations by content, so results do not depend on how
trajectories were split into blocks, and keeps only the non-zero (window, population) sums.  Its
memory and the time to build tables from it grow with those entries, not with windows x populations.

Examples
--------
>>> from booleanidt.population.pbnd import loads_pbnd
>>> from booleanidt.population.popcompile import compile_population
>>> from booleanidt.population.popkernel import run_block
>>> net = compile_population(loads_pbnd("node A { logic = A; rate_up = 0; rate_down = 0; }\\n"
...                                     "death { rate = 1; }", "A.istate = 1; init_pop = 2;"))
>>> sums = PopulationSums(windows=2, nodes=net.node_ids)
>>> sums.add(run_block(*net.kernel_arrays(), seed=1, first=0, count=100, max_time=2.0, dt=1.0, windows=2))
>>> sums.labels()
['[{A:2}]', '[{A:1}]', '[]']
>>> entries = sums.states()
>>> entries.window.tolist(), entries.column.tolist()   # the sparse (window, population) cells
([0, 0, 0, 1, 1, 1], [0, 1, 2, 0, 1, 2])
"""
from __future__ import annotations

from functools import cached_property
from typing import NamedTuple

import numpy as np

from ..simulation.result import state_label
from .popkernel import Block

__all__ = ["PopulationSums", "Entries"]


class Entries(NamedTuple):
    """Sparse sums over trajectories, sorted by window then column: ``(window, column)`` cells with the sum
    of the trajectories' shares of that window and of their squares."""

    window: np.ndarray
    column: np.ndarray
    sums: np.ndarray
    squares: np.ndarray


def _reduce(parts: list, columns: int) -> Entries:
    """Add up ``(column, window, sum, square)`` arrays (in list order, so sums do not depend on how they
    were split) into :class:`Entries`."""
    column, window, sums, squares = (np.concatenate([p[k] for p in parts]) for k in range(4))
    cells, index = np.unique(window * max(columns, 1) + column, return_inverse=True)
    return Entries(cells // max(columns, 1), cells % max(columns, 1), np.bincount(index, sums, len(cells)),
                   np.bincount(index, squares, len(cells)))


class PopulationSums:
    """The blocks of a run, added up: cell states and populations by content, sparse window sums.

    Attributes
    ----------
    windows : number of time windows
    nodes : node ids (bit ``i`` of a cell state = node ``i``)
    size : ``(windows, 2)`` sums of the time-averaged population size and of its square
    """

    def __init__(self, windows: int, nodes: tuple):
        self.windows, self.nodes = windows, tuple(nodes)
        self._words: list = []              # (cells, words) arrays: the cell states met, in the order first met
        self._cell_ids: dict | None = None  # cell state bytes -> number, from the second block on
        self._pop_ids: dict | None = None   # members' bytes -> population number, from the second block on
        self._chunks: list = []             # (ptr, cell, count) CSR of the new populations' members, per block
        self._populations = 0
        self._states, self._custom, self._sizes = [], [], []

    @property
    def populations(self) -> int:
        """Number of distinct populations met."""
        return self._populations

    def add(self, block: Block) -> None:
        """Add a block (blocks must come in the order of their trajectories)."""
        if self._populations == 0:   # the first block's numbering is the run's
            self._words.append(block.cell_words)
            self._keep(block.pop_ptr, block.pop_cell, block.pop_count)
            pops, whole_pops = block.state_pop, block.run_pop
        else:
            cell = self._cell_numbers(block.cell_words)[block.pop_cell]
            lengths = np.diff(block.pop_ptr)
            index = self._number(lengths, cell, block.pop_count)
            new = index >= self._populations
            keep = np.repeat(new, lengths)
            self._keep(np.concatenate(([0], np.cumsum(lengths[new]))), cell[keep], block.pop_count[keep])
            pops, whole_pops = index[block.state_pop], index[block.run_pop]
        self._states.append((pops, block.state_window, block.state_sum, block.state_sq))
        whole = block.run_count  # a whole window's share is 1, so is its square
        self._states.append((whole_pops, block.run_window, whole, whole))
        self._custom.append((block.custom_value, block.custom_window, block.custom_sum, block.custom_sq))
        whole = block.run_value_count
        self._custom.append((block.run_value, block.run_value_window, whole, whole))
        self._sizes.append((block.size_sum, block.size_sq))
        for cached in ("cell_words", "cell_states", "cell_names", "_members", "size"):  # from the blocks before
            self.__dict__.pop(cached, None)

    def _keep(self, ptr, cell, count) -> None:
        """Keep the members of new populations (numbered from ``populations`` on, in order)."""
        self._chunks.append((ptr, cell, count))
        self._populations += len(ptr) - 1

    def _cell_numbers(self, words: np.ndarray) -> np.ndarray:
        """The run's numbers of a block's cell states (new ones numbered in the block's order)."""
        if self._cell_ids is None:
            self._cell_ids = {row.tobytes(): k for k, row in enumerate(self.cell_words)}
        numbers = np.array([self._cell_ids.setdefault(row.tobytes(), len(self._cell_ids)) for row in words],
                           dtype=np.int64)
        self._words.append(words[numbers >= sum(len(w) for w in self._words)])  # new ones, in their order
        return numbers

    def _number(self, lengths: np.ndarray, cell: np.ndarray, count: np.ndarray) -> np.ndarray:
        """The run's numbers of a block's populations, new ones numbered in the block's order."""
        if self._pop_ids is None:
            self._pop_ids = {}
            ptr, cell_kept, count_kept = self._kept()
            self._number_all(np.diff(ptr), cell_kept, count_kept)
        return self._number_all(lengths, cell, count)

    def _number_all(self, lengths, cell, count) -> np.ndarray:
        order = np.lexsort((cell, np.repeat(np.arange(len(lengths)), lengths)))  # members by cell number
        raw = np.stack([cell[order], count[order]], axis=1).astype(np.int64).tobytes()
        ends = (np.cumsum(lengths) * 16).tolist()
        ids = self._pop_ids
        return np.array([ids.setdefault(raw[a:b], len(ids)) for a, b in zip([0] + ends[:-1], ends)],
                        dtype=np.int64)

    def _kept(self) -> tuple:
        """``(ptr, cell, count)``: the members of every population, in the order of their numbers."""
        ptrs = [ptr for ptr, _, _ in self._chunks]
        lengths = np.concatenate([np.diff(ptr) for ptr in ptrs])
        ptr = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=ptr[1:])
        return (ptr, np.concatenate([c for _, c, _ in self._chunks]).astype(np.int64),
                np.concatenate([n for _, _, n in self._chunks]).astype(np.int64))

    @cached_property
    def size(self) -> np.ndarray:
        """``(windows, 2)`` sums of the time-averaged population size and of its square, added in block order."""
        size = np.zeros((self.windows, 2))
        for sums, squares in self._sizes:
            size[:, 0] += sums
            size[:, 1] += squares
        return size

    @cached_property
    def cell_words(self) -> np.ndarray:
        """``(cells, words)`` uint64: the cell states met, in the order first met."""
        return np.concatenate(self._words)

    @cached_property
    def cell_states(self) -> list:
        """The cell states met (Python ints, bit ``i`` = node ``i``), in the order first met."""
        return [int(row[0]) if len(row) == 1 else int.from_bytes(row.astype("<u8").tobytes(), "little")
                for row in self.cell_words]

    @cached_property
    def _members(self) -> tuple:
        """``(ptr, cell, count)``: each population's members sorted by cell state (MaBoSS's label order)."""
        ptr, cell, count = self._kept()
        states = self.cell_states
        rank = np.empty(len(states), dtype=np.int64)
        rank[sorted(range(len(states)), key=states.__getitem__)] = np.arange(len(states))
        order = np.lexsort((rank[cell], np.repeat(np.arange(len(ptr) - 1), np.diff(ptr))))
        return ptr, cell[order], count[order]

    @cached_property
    def cell_names(self) -> dict:
        """Cell state -> its MaBoSS label (``A -- B``, ``<nil>``: :func:`~booleanidt.simulation.result.state_label`)."""
        return {s: state_label(self.nodes, s) for s in self.cell_states}

    def labels(self) -> list:
        """PopMaBoSS labels of the populations (``[{A -- B:2},{C:1}]``), in the order of their numbers."""
        ptr, cell, count = self._members
        names = [self.cell_names[s] for s in self.cell_states]
        width = int(count.max()) + 1 if count.size else 1
        members, which = np.unique(cell * width + count, return_inverse=True)  # each {cell:count} written once
        texts = [f"{{{names[m // width]}:{m % width}}}" for m in members.tolist()]
        pieces = [texts[i] for i in which.tolist()]
        return ["[" + ",".join(pieces[a:b]) + "]" for a, b in zip(ptr[:-1].tolist(), ptr[1:].tolist())]

    def states(self) -> Entries:
        """The sparse (window, population) sums."""
        return _reduce(self._states, self._populations)

    def custom(self) -> tuple:
        """``(values, entries)``: the custom output's values met (sorted) and the sparse (window, value) sums,
        columns numbering ``values``."""
        value, window, sums, squares = (np.concatenate([p[k] for p in self._custom]) for k in range(4))
        values, column = np.unique(value, return_inverse=True)
        return values, _reduce([(column, window, sums, squares)], len(values))

    def cell_sums(self, states: Entries) -> tuple:
        """``(cell states sorted, (windows, cell states) sums of time-averaged cell counts)``, from the population
        sums ``states``."""
        ptr, cell, count = self._members
        order = sorted(range(len(self.cell_states)), key=self.cell_states.__getitem__)
        column = np.empty(len(order), dtype=np.int64)
        column[order] = np.arange(len(order))
        lengths = np.diff(ptr)[states.column]
        member = np.repeat(ptr[states.column] - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
        weights = np.repeat(states.sums, lengths) * count[member]
        where = np.repeat(states.window, lengths) * len(order) + column[cell[member]]
        sums = np.bincount(where, weights, self.windows * len(order)).reshape(self.windows, len(order))
        return [self.cell_states[c] for c in order], sums
