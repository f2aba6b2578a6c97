"""PopMaBoSS semantics: a continuous-time Markov process over a multiset of cells.

The population is a multiset of Boolean cell states.  From population ``P``, every cell
state ``S`` present ``P(S)`` times contributes

* one transition per node that can flip in ``S`` (rate ``P(S) * rate_up/down(S)``),
* one per ``division`` block with a positive rate: ``S`` is replaced by its two daughters
  (each daughter's nodes set by the block's ``NODE.daughter1/2`` rules evaluated on ``S``,
  the other nodes copied from ``S``),
* death: ``S`` loses one cell (rate ``P(S) * death rate(S)``).

Rates may use ``#cell(expr)``: the number of cells of ``P`` where ``expr`` holds.  The
next transition is drawn as in Gillespie's algorithm (exponential waiting time with
the total rate).  As in MaBoSS, results are time averages over windows of ``time_tick``.

The process runs in a compiled kernel (:mod:`~booleanidt.population.popkernel`; cell states have
no node limit).  Trajectory ``i`` draws its random numbers from a stream seeded by ``(seed, i)``;
trajectories are summed in fixed blocks merged in order, so results do not depend on the number
of threads.

Examples
--------
>>> from booleanidt.population.pbnd import loads_pbnd
>>> pop = loads_pbnd("node A { logic = A; rate_up = 0; rate_down = 0; }\\n"
...                  "division { rate = 1 / #cell(A); }", "A.istate = 1; max_time = 2; time_tick = 1;")
>>> result = run_popmaboss(pop, sample_count=2000, seed=1)
>>> result.population_size["Population"].round(1).tolist()   # 1 + t: one division per time unit
[1.5, 2.5]
"""
from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from ..simulation.result import NIL, SEPARATOR
from .pbnd import PopModel
from .popcompile import CompiledPopulation, compile_population
from .popkernel import Block, expand_runs, needs_compiling, run_block
from .result import PopResult

__all__ = ["run_popmaboss", "population_label", "cell_label", "COMPILING_NOTICE"]

#: trajectories per block: blocks are simulated independently (on ``threads`` threads) and merged
#: in order, so results do not depend on the number of threads
BLOCK = 10_000

#: what is said before a run that compiles the population kernel
COMPILING_NOTICE = "compiling the population kernel, once per machine (about 40 s)"


def cell_label(state: int, nodes: tuple) -> str:
    """MaBoSS label of a cell state (bit ``i`` = node ``i``): ``A -- B`` or ``<nil>``.

    >>> cell_label(5, ("A", "B", "C")), cell_label(0, ("A",))
    ('A -- C', '<nil>')
    """
    active = [n for i, n in enumerate(nodes) if state >> i & 1]
    return SEPARATOR.join(active) if active else NIL


def population_label(population: tuple, nodes: tuple, labels: dict | None = None) -> str:
    """PopMaBoSS label of a population ``((cell state, count), ...)`` (``labels``: cell state -> its
    :func:`cell_label`, for the states already labelled).

    >>> population_label(((1, 2), (5, 1)), ("A", "B", "C"))
    '[{A:2},{A -- C:1}]'
    """
    labels = {} if labels is None else labels
    for s, _ in population:
        if s not in labels:
            labels[s] = cell_label(s, nodes)
    return "[" + ",".join(f"{{{labels[s]}:{n}}}" for s, n in population) + "]"


def _states_as_ints(words: np.ndarray) -> list:
    """Cell states (rows of uint64 words, least significant first) as Python ints."""
    if words.shape[1] == 1:
        return words[:, 0].tolist()
    return [int.from_bytes(row.astype("<u8").tobytes(), "little") for row in words]


class _Totals:
    """The blocks' sums, merged in block order; populations and cell states renumbered by content.

    A block numbers the cell states and populations it meets in its own order; here each
    population gets a global index from its content (``((cell state, count), ...)`` sorted).
    """

    def __init__(self, windows: int):
        self.windows = windows
        self.populations: dict = {}
        self.size = np.zeros((windows, 2))
        self.states, self.custom = [], []

    def add(self, block: Block) -> None:
        cells = _states_as_ints(block.cell_words)
        rank = np.empty(len(cells), dtype=np.int64)
        rank[sorted(range(len(cells)), key=cells.__getitem__)] = np.arange(len(cells))
        ptr = block.pop_ptr
        pop_of = np.repeat(np.arange(len(ptr) - 1), np.diff(ptr))
        order = np.lexsort((block.pop_count, rank[block.pop_cell], pop_of))  # members by (state, count)
        states = [cells[c] for c in block.pop_cell[order].tolist()]
        members = list(zip(states, block.pop_count[order].tolist()))
        index = np.array([self.populations.setdefault(tuple(members[a:b]), len(self.populations))
                          for a, b in zip(ptr[:-1].tolist(), ptr[1:].tolist())], dtype=np.int64)
        self.states.append((index[block.state_pop], block.state_window, block.state_sum, block.state_sq))
        pop, window, count = expand_runs(block.run_pop, block.run_window, block.run_delta)
        self.states.append((index[pop], window, count, count))  # a whole window's share is 1, so is its square
        self.custom.append((block.custom_value, block.custom_window, block.custom_sum, block.custom_sq))
        value, window, count = expand_runs(block.run_value, block.run_value_window, block.run_value_delta)
        self.custom.append((value, window, count, count))
        self.size[:, 0] += block.size_sum
        self.size[:, 1] += block.size_sq

    def dense(self, parts: list, columns: int | None = None) -> tuple:
        """``(keys, sums, squares)``: the keys present (sorted), and (windows, keys) sums added in block order.

        ``parts``: ``(key, window, sum, square)`` arrays per block; with ``columns``, keys are
        already the column numbers ``0 .. columns - 1``.
        """
        key, window, sums, squares = (np.concatenate([p[k] for p in parts]) for k in range(4))
        if columns is None:
            keys, column = np.unique(key, return_inverse=True)
        else:
            keys, column = np.arange(columns), key
        dense_sums, dense_squares = np.zeros((self.windows, len(keys))), np.zeros((self.windows, len(keys)))
        cell = column * self.windows + window
        size = len(keys) * self.windows
        dense_sums.T.flat[:] = np.bincount(cell, sums, minlength=size)
        dense_squares.T.flat[:] = np.bincount(cell, squares, minlength=size)
        return keys, dense_sums, dense_squares


def run_popmaboss(pop: PopModel, settings=None, *, progress: bool = False, **overrides) -> PopResult:
    """Run a PopMaBoSS model.

    Parameters
    ----------
    pop : a :class:`~booleanidt.population.pbnd.PopModel` (``read_pbnd``)
    settings : run settings (default: the model's configuration)
    progress : show a progress bar over trajectories
    **overrides : settings by readable or .cfg name (``sample_count``, ``max_time``, ``seed``...)

    Returns
    -------
    PopResult : population size, population-state probabilities, expected cells per state
        and per active node, the custom output's distribution
    """
    settings = (settings or pop.settings).replace(**overrides)
    net = compile_population(pop)  # a model the kernel cannot run fails here, before any trajectory
    windows = max(1, settings.window_count)  # complete windows only, as MaBoSS reports them
    starts = range(0, settings.sample_count, BLOCK)

    def block(first: int) -> Block:
        return run_block(*net.kernel_arrays(), seed=settings.seed, first=first,
                         count=min(BLOCK, settings.sample_count - first), max_time=settings.max_time,
                         dt=settings.time_tick, windows=windows)

    if progress and needs_compiling():
        tqdm.write(COMPILING_NOTICE, file=sys.stderr)
    totals = _Totals(windows)
    bar = tqdm(total=settings.sample_count, disable=not progress, unit="traj", desc="population")
    workers = min(max(1, int(settings.threads)), len(starts))
    pool = ThreadPoolExecutor(max_workers=workers) if workers > 1 else None
    try:
        for first, result in zip(starts, pool.map(block, starts) if pool else map(block, starts)):
            totals.add(result)
            bar.update(min(BLOCK, settings.sample_count - first))
    finally:
        if pool:
            pool.shutdown(wait=True, cancel_futures=True)
        bar.close()
    return _result(pop, net, totals, settings)


def _error(sums, squares, n: int):
    mean = sums / n
    variance = np.maximum(squares / n - mean * mean, 0.0) * (n / (n - 1) if n > 1 else 0.0)
    return np.sqrt(variance / n)


def _table(sums, squares, n: int, labels: list, times) -> tuple:
    """``(probabilities, errors)`` DataFrames (windows x labels)."""
    return (pd.DataFrame(sums / n, index=times, columns=labels),
            pd.DataFrame(_error(sums, squares, n), index=times, columns=labels))


def _cell_counts(totals: _Totals, sums: np.ndarray) -> tuple:
    """``(cell states, (windows, cell states) sums of time-averaged counts)`` from population sums."""
    populations = list(totals.populations)
    states = sorted({s for key in populations for s, _ in key})
    column = {s: c for c, s in enumerate(states)}
    members = np.zeros((len(populations), len(states)))
    for p, key in enumerate(populations):
        for s, n in key:
            members[p, column[s]] = n
    return states, sums @ members


def _result(pop: PopModel, net: CompiledPopulation, totals: _Totals, settings) -> PopResult:
    nodes, n = net.node_ids, settings.sample_count
    times = pd.Index(np.arange(totals.windows) * settings.time_tick, name="Time")
    size = pd.DataFrame({"Population": totals.size[:, 0] / n,
                         "ErrorPopulation": _error(totals.size[:, 0], totals.size[:, 1], n)}, index=times)
    _, sums, squares = totals.dense(totals.states, len(totals.populations))
    cell_labels = {}
    labels = [population_label(key, nodes, cell_labels) for key in totals.populations]
    states, state_errors = _table(sums, squares, n, labels, times)
    custom = custom_errors = None
    if pop.custom_output is not None:
        values, custom_sums, custom_squares = totals.dense(totals.custom)
        custom, custom_errors = _table(custom_sums, custom_squares, n, [str(v) for v in values], times)
    cell_states, cell_sums = _cell_counts(totals, sums)
    cells = pd.DataFrame(cell_sums / n, index=times, columns=[cell_labels[s] for s in cell_states])
    bits = np.array([[s >> i & 1 for i in range(len(nodes))] for s in cell_states], dtype=float).reshape(-1, len(nodes))
    node_counts = pd.DataFrame(cell_sums @ bits / n, index=times, columns=list(nodes))
    return PopResult(population_size=size, state_probabilities=states, cell_counts=cells, node_counts=node_counts,
                     custom=custom, settings=settings, state_errors=state_errors, custom_errors=custom_errors)
