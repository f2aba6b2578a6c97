"""Running a simulation: :func:`simulate` and the :class:`Simulation` object.

Trajectories are cut into fixed chunks of :data:`CHUNK_SIZE` that worker threads
run through the compiled kernel (it releases the GIL); chunk results are added
in chunk order, so the tables are bit-identical for any number of threads.

Examples
--------
>>> from booleanidt.model import LogicalModel
>>> from booleanidt.expr import Var, Not
>>> model = LogicalModel.from_rules({"A": None, "B": Var("A"), "C": Not(Var("B"))})
>>> result = simulate(model.with_initial_probabilities({"A": 1.0, "B": 0.0, "C": 0.0}),
...                   max_time=5, time_tick=1, sample_count=200, seed=1)
>>> float(result.node_probabilities["A"].min())
1.0
>>> result.fixed_points["State"].tolist()
['A -- B']
"""
from __future__ import annotations

import sys
import threading
import time
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..booleanize import booleanize
from ..errors import BooleanidtError
from ..model import LogicalModel
from ..naming import labels, resolve
from . import memory
from .compile import CompiledModel, compile_model
from .engine import COMPILING_NOTICE, MAX_TRACKED_OUTPUTS, current_kernel, needs_compiling, numba_kernel
from .result import SimulationResult, standard_error, state_labels
from .settings import SimulationSettings
from .statdist import stationary_distributions
from .state_totals import StateTotals
from .statebits import unpack_bits

__all__ = ["simulate", "Simulation", "SimulationError", "CHUNK_SIZE", "WARN_OUTPUTS", "run_compiled", "run_totals",
           "result_of"]

#: trajectories per kernel call (fixed, so results do not depend on the thread count)
CHUNK_SIZE = 500

#: warn before a run when more output nodes than this are tracked (2^20 possible states)
WARN_OUTPUTS = 20

#: a run with several threads that starts on the quick-start kernel (which holds the GIL, so its chunks
#: run one at a time) moves to numba's, which runs them on every thread, as soon as its remaining chunks
#: would take longer than this on one thread (numba's kernel loads in about half a second); both give
#: the same numbers, so where a run moves changes nothing but its time
SWITCH_SECONDS = 1.0


class SimulationError(BooleanidtError):
    """A run that cannot go on: a rate that is negative or not a number, an unknown output..."""


def resolve_outputs(model: LogicalModel, outputs, original: LogicalModel | None = None) -> list | None:
    """Output node ids of a Boolean model (a multi-valued node's bits for its name); None: the default.

    Outputs are named by id or by name, names as ``original`` (the model ``model`` booleanizes) has them.
    """
    if outputs is None:
        return None
    if isinstance(outputs, str):
        outputs = [o for o in outputs.split(",") if o.strip()]
    if not outputs:
        raise SimulationError("outputs: no node named (leave outputs out for the nodes not marked internal)")
    bits = model.metadata.get("booleanized_from", {})
    resolved = []
    for text in outputs:
        node = text.strip() if text.strip() in model.nodes else resolve(original or model, text, "outputs")
        resolved.extend(bits.get(node, [node]))
    return resolved


def _warn_about_outputs(count: int, settings: SimulationSettings) -> bool:
    """Warn before the run when output states may explode; True when they are tracked."""
    if count > MAX_TRACKED_OUTPUTS:
        warnings.warn(f"{count} output nodes: output-state probabilities are not tracked (at most "
                      f"{MAX_TRACKED_OUTPUTS}); node probabilities are still computed. Choose fewer outputs "
                      "(outputs=[...] or is_internal) to get state tables.", stacklevel=3)
        return False
    if count > WARN_OUTPUTS:
        per_state = memory.readable_bytes(memory.state_bytes(100_000, settings.window_count))
        warnings.warn(f"{count} output nodes: up to 2^{count} output states; every 100,000 distinct states "
                      f"visited take {per_state} over {settings.window_count:,} windows (the run stops with an "
                      "error if they outgrow the memory). Node probabilities are computed in any case; mark "
                      "nodes internal or pass outputs=[...] to keep it small.", stacklevel=3)
    return True


class _MemoryGuard:
    """Refuses a run whose tables cannot fit: before it starts, and as output states accumulate."""

    def __init__(self, net: CompiledModel, settings: SimulationSettings, track_states: bool, chunks: int,
                 state_windows: int | None = None):
        self.windows = settings.window_count
        self.state_windows = state_windows or self.windows   # windows the output-state totals keep
        self.available = memory.available_bytes()
        self.fixed = memory.fixed_bytes(net.size, self.windows, min(settings.threads, chunks), track_states)
        memory.check_fits(self.fixed, f"{self.windows:,} time windows of {net.size} nodes: raise time_tick "
                          "or lower max_time", self.available)

    def check(self, states: int):
        memory.check_fits(self.fixed + memory.state_bytes(states, self.state_windows),
                          f"{states:,} distinct output states visited so far, over {self.state_windows:,} windows: "
                          "choose fewer outputs or raise time_tick", self.available)


#: chunks whose output-state tables are merged in one call (the merge's call costs more than its work)
MERGE_BATCH = 16


class _Accumulator:
    """Adds chunk results in chunk order; with ``last_window_only``, output states of the last window only.

    Output-state cells are merged :data:`MERGE_BATCH` chunks at a time, their arrays
    concatenated in chunk order (the same additions in the same order as one merge per
    chunk); :attr:`states` merges what is pending first, :attr:`state_words` gives a full
    state of each of its states.
    """

    def __init__(self, windows: int, columns: int, last_window_only: bool = False):
        self.node_sum = np.zeros((columns, windows))
        self.node_sq = np.zeros((columns, windows))
        self.last_window = windows - 1 if last_window_only else None
        self._states = StateTotals(1 if last_window_only else windows)
        self._words: list = []
        self._pending: list = []
        self.fixed: list = []
        self.final_keys: list = []
        self.graph_counts = self.graph_durations = 0
        self.jumps = 0

    def add(self, chunk):
        (node_sum, node_sq, keys, cell_state, cell_window, cell_sum, cell_sq, words, fixed, fixed_words, final_keys,
         graph_counts, graph_durations, jumps, _) = chunk
        self.node_sum += node_sum
        self.node_sq += node_sq
        self._pending.append((keys, cell_state, cell_window, cell_sum, cell_sq, words))
        if len(self._pending) >= MERGE_BATCH:
            self._merge_pending()
        self.fixed.append(fixed_words[fixed == 1])
        self.final_keys.append(final_keys)
        self.graph_counts = self.graph_counts + graph_counts
        self.graph_durations = self.graph_durations + graph_durations
        self.jumps += int(jumps)

    @property
    def states(self) -> StateTotals:
        """The output-state totals of the chunks added so far."""
        self._merge_pending()
        return self._states

    @property
    def state_words(self) -> np.ndarray:
        """``(states, ceil(n/64))`` uint64: a full state of each output state of :attr:`states` (its rows'
        order), as bits (node i is bit i % 64 of word i // 64); the state itself when every node is an output."""
        self._merge_pending()
        return np.concatenate(self._words) if self._words else np.zeros((0, 1), dtype=np.uint64)

    def _merge_pending(self):
        if not self._pending:
            return
        keys, cell_state, cell_window, cell_sum, cell_sq, words = zip(*self._pending)
        offsets = np.cumsum([0] + [len(k) for k in keys[:-1]])   # each chunk's cells index its own keys
        cell_state = np.concatenate([cells + offset for cells, offset in zip(cell_state, offsets)])
        cell_window, cell_sum, cell_sq = (np.concatenate(a) for a in (cell_window, cell_sum, cell_sq))
        if self.last_window is not None:
            last = cell_window == self.last_window
            cell_state, cell_window, cell_sum, cell_sq = (cell_state[last], np.zeros(int(last.sum()), np.int64),
                                                          cell_sum[last], cell_sq[last])
        known = len(self._states.keys)
        rows = self._states.add(np.concatenate(keys), cell_state, cell_window, cell_sum, cell_sq)
        fresh = np.flatnonzero(rows >= known)[::-1]
        first = np.empty(len(self._states.keys) - known, dtype=np.int64)
        first[rows[fresh] - known] = fresh   # written last to first: each new row's first key
        self._words.append(np.concatenate(words)[first])
        self._pending = []


def _raise_rate_error(net: CompiledModel, error: np.ndarray):
    node = net.node_ids[int(error[0])]
    which = "rate_down" if error[1] else "rate_up"
    raise SimulationError(f"node {node}: {which} evaluates to {error[2]:g}; rates must be finite numbers >= 0")


def _fixed_point_table(words_list, node_ids: tuple, count: int) -> pd.DataFrame:
    words = np.concatenate(words_list) if words_list else np.zeros((0, 1), dtype=np.uint64)
    if len(words) == 0:
        return pd.DataFrame(columns=["State", "Proba", *node_ids])
    unique, counts = np.unique(words, axis=0, return_counts=True)
    order = np.argsort(-counts, kind="stable")
    unique, counts = unique[order], counts[order]
    table = pd.DataFrame(unpack_bits(unique, len(node_ids)).astype(np.int64), columns=list(node_ids))
    table.insert(0, "Proba", counts / count)
    table.insert(0, "State", state_labels(node_ids, unique))
    return table


class _NoBar:
    """What a run without progress updates instead of a tqdm bar."""

    def update(self, count):
        pass

    def close(self):
        pass


def _progress_bar(total: int, progress: bool):
    """A tqdm bar over ``total`` trajectories, or :class:`_NoBar` (tqdm, even disabled, would cost a small
    run its import, asyncio's among others, and a multiprocessing lock)."""
    if not progress:
        return _NoBar()
    from tqdm.auto import tqdm
    return tqdm(total=total, unit="traj", desc="simulating")


def _thread_pool(threads: int):
    from concurrent.futures import ThreadPoolExecutor   # here: a small run uses no thread
    return ThreadPoolExecutor(max_workers=threads)


def run_totals(net: CompiledModel, settings: SimulationSettings, track_states: bool = True,
               progress: bool = False, last_window_only: bool = False, chunk_size: int = CHUNK_SIZE) -> _Accumulator:
    """Run a compiled model and return its summed chunk results (the tables before any DataFrame).

    ``last_window_only`` keeps the output states of the last time window only (node
    probabilities cover every window in any case): what a caller that needs only the
    final distribution (a population step) pays for, instead of windows x states; the
    kernel then tabulates no state before that window starts.  ``chunk_size`` trajectories
    go to each kernel call (a caller that runs many short runs takes larger chunks: each
    call costs some tens of microseconds); the same chunks whatever the thread count.
    """
    windows = settings.window_count
    starts = list(range(0, settings.sample_count, chunk_size))
    args = net.kernel_arrays()
    states_from = (windows - 1) * float(settings.time_tick) if last_window_only else 0.0
    kernel = current_kernel()

    reused = threading.local()  # each worker thread's accumulators, reused from chunk to chunk

    def chunk(first):
        count = min(chunk_size, settings.sample_count - first)
        workspace = getattr(reused, "workspace", None) or kernel.new_workspace(net.size, windows, track_states,
                                                                               net.reference_count)
        *result, reused.workspace = kernel.run_chunk(*args, workspace, track_states, settings.seed, first, count,
                                                     float(settings.max_time), float(settings.time_tick), windows,
                                                     settings.discrete_time, states_from)
        return result

    guard = _MemoryGuard(net, settings, track_states, len(starts), 1 if last_window_only else None)
    total = _Accumulator(windows, net.size + 2 + net.reference_count, last_window_only)
    bar = _progress_bar(settings.sample_count, progress)

    def take(k, first, result):
        if result[-1][0] >= 0:
            _raise_rate_error(net, result[-1])
        total.add(result)
        if k % MERGE_BATCH == MERGE_BATCH - 1:
            guard.check(len(total.states.keys))
        bar.update(min(chunk_size, settings.sample_count - first))

    done = 0
    if kernel.is_quick_start:  # here, chunk by chunk, until the rest of the run proves long enough for threads
        started = time.perf_counter()
        while done < len(starts):
            take(done, starts[done], chunk(starts[done]))
            done += 1
            finished = min(done * chunk_size, settings.sample_count)
            remaining = (time.perf_counter() - started) / finished * (settings.sample_count - finished)
            if settings.threads > 1 and remaining > SWITCH_SECONDS:
                kernel = numba_kernel()
                break
    rest = starts[done:]
    # one thread: the chunks run here, in turn (a worker thread would cost a hand-over per chunk)
    pool = _thread_pool(settings.threads) if settings.threads > 1 and len(rest) > 1 else None
    try:
        for k, (first, result) in enumerate(zip(rest, pool.map(chunk, rest) if pool else map(chunk, rest)), done):
            take(k, first, result)
        guard.check(len(total.states.keys))
    finally:  # on Ctrl-C or an error, the chunks not started are dropped, not run
        if pool:
            pool.shutdown(wait=True, cancel_futures=True)
    bar.close()
    return total


def run_compiled(net: CompiledModel, settings: SimulationSettings, track_states: bool = True,
                 progress: bool = False, last_window_only: bool = False) -> SimulationResult:
    """Run a compiled model; see :func:`simulate` and, for ``last_window_only``, :func:`run_totals`."""
    total = run_totals(net, settings, track_states, progress, last_window_only)
    result = result_of(net, settings, total, track_states)
    result.stationary = stationary_distributions(net, settings)
    return result


def result_of(net: CompiledModel, settings: SimulationSettings, total: _Accumulator,
              track_states: bool) -> SimulationResult:
    """The :class:`SimulationResult` of a run's totals (:func:`run_totals`); no stationary distributions."""
    count = settings.sample_count
    index = pd.Index(np.arange(settings.window_count) * settings.time_tick, name="Time")
    state_index = index if total.last_window is None else index[-1:]
    n = net.size
    node_sum, node_sq = total.node_sum.T, total.node_sq.T
    probabilities = pd.DataFrame(node_sum[:, :n] / count, index=index, columns=list(net.node_ids))
    errors = pd.DataFrame(standard_error(node_sum[:, :n], node_sq[:, :n], count),
                          index=index, columns=list(net.node_ids))
    th = pd.Series(node_sum[:, n] / count, index=index, name="TH")
    th_error = pd.Series(standard_error(node_sum[:, n], node_sq[:, n], count), index=index,
                         name="ErrorTH")
    hamming = pd.DataFrame(node_sum[:, n + 1:] / count, index=index,
                           columns=[f"HD={d}" for d in range(net.reference_count + 1)])
    states = state_errors = final = None
    if track_states:
        keys, counts = np.unique(np.concatenate(total.final_keys), return_counts=True)
        final = pd.Series(counts / count, index=state_labels(net.output_ids, keys), name="Proba")
        final = final.sort_values(ascending=False, kind="stable")
        labels = state_labels(net.output_ids, total.states.keys)
        order = np.argsort(labels, kind="stable")
        labels = labels[order]
        state_sum, state_sq = total.states.dense(order)
        if total.last_window is not None:   # states seen only in earlier windows have no column
            seen = state_sum[0] > 0
            labels, state_sum, state_sq = labels[seen], state_sum[:, seen], state_sq[:, seen]
        state_errors = pd.DataFrame(standard_error(state_sum, state_sq, count), index=state_index, columns=labels)
        state_sum /= count  # in place: these tables take windows x states x 8 bytes each
        states = pd.DataFrame(state_sum, index=state_index, columns=labels)
    graph = durations = None
    if net.graph_ids:
        labels = state_labels(net.graph_ids, np.arange(len(total.graph_counts), dtype=np.int64))
        graph = pd.DataFrame(total.graph_counts, index=pd.Index(labels, name="State"), columns=labels)
        mean = np.divide(total.graph_durations, total.graph_counts, out=np.zeros(total.graph_counts.shape),
                         where=total.graph_counts > 0)
        durations = pd.DataFrame(mean, index=graph.index, columns=labels)
    return SimulationResult(settings=settings, node_probabilities=probabilities, node_errors=errors,
                            state_probabilities=states, state_errors=state_errors, transition_entropy=th,
                            transition_entropy_error=th_error,
                            fixed_points=_fixed_point_table(total.fixed, net.node_ids, count),
                            output_nodes=net.output_ids, jumps=total.jumps, hamming_distances=hamming,
                            final_states=final, observed_graph=graph, observed_durations=durations)


def _foreign_model(simulation, settings: SimulationSettings | None) -> tuple:
    """``(model, settings)`` of a pyMaBoSS simulation; a TypeError for anything else."""
    from ..interop import pymaboss  # imported here: pyMaBoSS is needed only for its objects
    if not pymaboss.is_pymaboss_simulation(simulation):
        raise TypeError(f"simulate takes a LogicalModel or a pyMaBoSS simulation, not {type(simulation).__name__}")
    return pymaboss.model_and_settings(simulation, settings)


def simulate(model: LogicalModel, settings: SimulationSettings | None = None, *, outputs=None,
             progress: bool = False, **overrides) -> SimulationResult:
    """Simulate ``model`` with MaBoSS semantics.

    Parameters
    ----------
    model : LogicalModel (multi-valued models run through their Van Ham booleanization), or a
        pyMaBoSS simulation (``maboss.load(...)``), read by :func:`booleanidt.interop.from_pymaboss`
    settings : SimulationSettings; default: a pyMaBoSS simulation's own, or those ``model`` carries
        from its .cfg (``booleanidt.read("m.bnd")`` reads the .cfg beside it), else the defaults
    outputs : nodes, by id or name (or one comma-separated string), whose joint states are tabulated;
        default: the nodes not marked internal.  Node probabilities cover all nodes anyway.
    progress : show a progress bar
    **overrides : settings by readable or .cfg name (``max_time=50``, ``seed_pseudorandom=3``...)

    Returns
    -------
    SimulationResult

    Examples
    --------
    >>> from booleanidt.model import LogicalModel
    >>> from booleanidt.expr import Const
    >>> model = LogicalModel.from_rules({"A": Const(1)}).with_initial_probabilities({"A": 0.0})
    >>> result = simulate(model, max_time=2, time_tick=1, sample_count=20000, seed=5)
    >>> bool(abs(result.node_probabilities["A"].iloc[0] - 0.36788) < 0.01)
    True
    """
    if not isinstance(model, LogicalModel):
        model, settings = _foreign_model(model, settings)
    settings = (settings or SimulationSettings.of(model)).replace(**overrides)
    boolean = booleanize(model)
    chosen = resolve_outputs(boolean, outputs, model)
    net = compile_model(boolean, chosen)
    track_states = _warn_about_outputs(len(net.output_index), settings)
    if progress and needs_compiling():
        from tqdm.auto import tqdm
        tqdm.write(COMPILING_NOTICE, file=sys.stderr)
    result = run_compiled(net, settings, track_states, progress)
    result.levels = dict(boolean.metadata.get("booleanized_from", {}))
    result.names = labels(model)
    return result


@dataclass
class Simulation:
    """A model with its run settings, perturbations and outputs, in pyMaBoSS's style.

    Each method returns ``self`` so calls chain; :meth:`run` simulates.

    Examples
    --------
    >>> from booleanidt.model import LogicalModel
    >>> from booleanidt.expr import Var
    >>> sim = Simulation(LogicalModel.from_rules({"A": None, "B": Var("A")}))
    >>> r = sim.update(max_time=3, time_tick=1, sample_count=100).set_initial_state("A", 1).mutate("B", "OFF").run()
    >>> bool(r.node_probabilities["B"].iloc[-1] < 0.2)  # B starts at random, decays at rate 1 despite A
    True
    """

    model: LogicalModel
    settings: SimulationSettings | None = None   # None: the model's .cfg settings, else the defaults
    outputs: list | None = None

    def __post_init__(self):
        self.settings = self.settings or SimulationSettings.of(self.model)

    def update(self, **settings) -> "Simulation":
        """Change run settings (readable or .cfg names)."""
        self.settings = self.settings.replace(**settings)
        return self

    def mutate(self, node: str, value) -> "Simulation":
        """MaBoSS mutant, as cmaboss's ``mutate``: ``value`` is ``"ON"``/``"OFF"`` (or 1/0).

        The rule becomes the constant with the default rates; the initial state is kept.
        """
        level = {"ON": 1, "OFF": 0}.get(str(value).upper(), value)
        if level not in (0, 1):
            raise SimulationError(f"mutant {node}: value must be ON or OFF (got {value!r})")
        self.model = self.model.mutate({node: int(level)})
        return self

    def fix(self, node: str, value: int) -> "Simulation":
        """PROFILE's forced node: starts at ``value`` and never leaves it."""
        self.model = self.model.fix({node: int(value)})
        return self

    def schedule(self, schedules) -> "Simulation":
        """Scheduled perturbations, ``{"TNF": [(20, 0.1), (40, 0.9)]}``: see :meth:`LogicalModel.schedule`."""
        self.model = self.model.schedule(schedules)
        return self

    def set_initial_state(self, node: str, probability: float) -> "Simulation":
        """P(node = 1) at t = 0."""
        self.model = self.model.with_initial_probabilities({node: float(probability)})
        return self

    def set_parameters(self, **values) -> "Simulation":
        """Set ``$parameters`` (names without ``$``)."""
        self.model = self.model.with_parameters(values)
        return self

    def set_outputs(self, nodes) -> "Simulation":
        """The output nodes (the others become internal)."""
        self.outputs = list(nodes)
        return self

    def run(self, progress: bool = False) -> SimulationResult:
        """Simulate; see :func:`simulate`."""
        return simulate(self.model, self.settings, outputs=self.outputs, progress=progress)
