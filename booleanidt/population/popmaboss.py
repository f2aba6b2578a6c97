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

Trajectory ``i`` draws its random numbers from a stream seeded by ``(seed, i)``; trajectories
are summed in fixed blocks merged in order, so results do not depend on the number of
worker processes (``threads``).

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

import concurrent.futures
import math
import random
from collections import defaultdict

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from ..errors import BooleanidtError
from ..expr import evaluate
from ..simulation.result import NIL, SEPARATOR
from .pbnd import CELL_PARAMETER, PopModel
from .result import PopResult

__all__ = ["run_popmaboss", "population_label", "trajectory_rng"]


def trajectory_rng(seed: int, index: int) -> random.Random:
    """The random stream of trajectory ``index``: a Mersenne Twister seeded with the pair
    ``(seed, index)`` packed in one integer (scalar draws from it are several times cheaper
    than from a numpy Generator, and this loop draws scalars).

    >>> trajectory_rng(0, 3).random() == trajectory_rng(0, 3).random() != trajectory_rng(1, 3).random()
    True
    """
    return random.Random(((int(seed) & 0xFFFFFFFFFFFFFFFF) << 64) | int(index))


def cell_label(state: int, nodes: tuple) -> str:
    """MaBoSS label of a cell state (bit ``i`` = node ``i``): ``A -- B`` or ``<nil>``."""
    active = [n for i, n in enumerate(nodes) if state >> i & 1]
    return SEPARATOR.join(active) if active else NIL


def population_label(population: tuple, nodes: tuple) -> str:
    """PopMaBoSS label of a population ``((cell state, count), ...)``.

    >>> population_label(((1, 2), (5, 1)), ("A", "B", "C"))
    '[{A:2},{A -- C:1}]'
    """
    return "[" + ",".join(f"{{{cell_label(s, nodes)}:{n}}}" for s, n in population) + "]"


class _CellRules:
    """Rates and daughters of a cell state, evaluated from the model's expressions and cached."""

    def __init__(self, pop: PopModel):
        model = pop.model
        if not model.is_boolean:
            raise BooleanidtError("PopMaBoSS needs a Boolean model (multi-valued nodes: "
                                  f"{', '.join(model.multivalued_nodes)})")
        self.pop, self.nodes = pop, model.node_ids
        self.params = dict(model.parameters)
        self.rates = [(model.rules[n], model.rate_up(n), model.rate_down(n)) for n in self.nodes]
        self._terms, self._events = {}, {}

    def state_dict(self, state: int) -> dict:
        return {n: state >> i & 1 for i, n in enumerate(self.nodes)}

    def terms(self, state: int) -> tuple:
        """Value (0/1) of each ``#cell`` expression in a cell state."""
        if state not in self._terms:
            values = self.state_dict(state)
            self._terms[state] = tuple(int(bool(evaluate(t, values, self.params))) for t in self.pop.cell_terms)
        return self._terms[state]

    def params_with(self, counts: tuple) -> dict:
        params = dict(self.params)
        params.update({f"{CELL_PARAMETER}{k}": float(c) for k, c in enumerate(counts)})
        return params

    def events(self, state: int, counts: tuple) -> list:
        """``[(rate, kind, payload)]`` for one cell in ``state``, given the ``#cell`` counts."""
        key = (state, counts)
        if key not in self._events:
            self._events[key] = self._compute(state, self.params_with(counts))
        return self._events[key]

    def _daughter(self, state: int, rules: dict, values: dict, params: dict) -> int:
        for node, expr in rules.items():
            bit = 1 << self.nodes.index(node)
            state = state | bit if evaluate(expr, values, params) else state & ~bit
        return state

    def _compute(self, state: int, params: dict) -> list:
        values, events = self.state_dict(state), []
        for i, (rule, up, down) in enumerate(self.rates):
            on = state >> i & 1
            logic = on if rule is None else int(bool(evaluate(rule, values, params)))
            rate = float(evaluate(down if on else up, values, params, logic))
            if rate > 0:
                events.append((rate, "flip", state ^ (1 << i)))
        for rule in self.pop.divisions:
            rate = float(evaluate(rule.rate, values, params))
            if rate > 0:
                events.append((rate, "divide", (self._daughter(state, rule.daughter1, values, params),
                                                self._daughter(state, rule.daughter2, values, params))))
        if self.pop.death is not None:
            rate = float(evaluate(self.pop.death, values, params))
            if rate > 0:
                events.append((rate, "die", None))
        return events


def _pick(probabilities: list, rng) -> int:
    """Index drawn with the given probabilities (summing to 1)."""
    if len(probabilities) == 1:
        return 0
    draw = rng.random()
    for index, probability in enumerate(probabilities):
        draw -= probability
        if draw < 0:
            return index
    return len(probabilities) - 1


def _initial_state(pop: PopModel, rng) -> int:
    model, state = pop.model, 0
    joint = {n for j in model.joint_initial_states for n in j.nodes}
    for i, node in enumerate(model.node_ids):
        if node not in joint and rng.random() < model.initial_probability(node):
            state |= 1 << i
    for group in model.joint_initial_states:
        choices = group.probabilities()
        pick = _pick([p for p, _ in choices], rng)
        for node, level in zip(group.nodes, choices[pick][1]):
            if level:
                state |= 1 << model.node_ids.index(node)
    return state


def _initial_population(pop: PopModel, rng) -> dict:
    """A population at t = 0: from ``pop_istate``, else ``init_pop`` copies of one drawn state (as MaBoSS)."""
    if pop.pop_istate is None:
        return {_initial_state(pop, rng): pop.init_pop}
    nodes, groups = pop.pop_istate
    cells = groups[_pick([p for p, _ in groups], rng)][1]
    population = defaultdict(int)
    for values, count in cells:
        state = _initial_state(pop, rng)
        for node, value in zip(nodes, values):
            bit = 1 << pop.model.node_ids.index(node)
            state = state | bit if value else state & ~bit
        population[state] += count
    return dict(population)


class _Windows:
    """Time averages over windows: sums over trajectories of each quantity's per-window fraction.

    ``states`` / ``custom`` (and their ``*_squares``): ``(window, population key or custom
    value)`` -> sum of the fraction of the window spent there; ``size``: per window, sums of the
    time-averaged size and of its square.  Expected cells per state follow from ``states``.
    """

    def __init__(self, max_time: float, tick: float):
        self.max_time, self.tick = max_time, tick
        self.count = max(1, math.ceil(max_time / tick - 1e-9))
        self.states, self.state_squares = defaultdict(float), defaultdict(float)
        self.custom, self.custom_squares = defaultdict(float), defaultdict(float)
        self.size = np.zeros((self.count, 2))

    def add_trajectory(self, intervals: list) -> None:
        """``intervals``: ``(start, end, population key, custom value or None)`` in order."""
        states, custom, size = defaultdict(float), defaultdict(float), [0.0] * self.count
        tick, count = self.tick, self.count
        for start, end, key, value in intervals:
            cells = sum(n for _, n in key)
            window = int(start // tick)
            while window < count and window * tick < end:
                share = (min(end, (window + 1) * tick, self.max_time) - max(start, window * tick)) / tick
                if share > 0:
                    states[window, key] += share
                    if value is not None:
                        custom[window, value] += share
                    size[window] += cells * share
                window += 1
        for mine, sums, squares in ((states, self.states, self.state_squares),
                                    (custom, self.custom, self.custom_squares)):
            for entry, share in mine.items():
                sums[entry] += share
                squares[entry] += share * share
        size = np.array(size)
        self.size[:, 0] += size
        self.size[:, 1] += size * size

    def merge(self, other: "_Windows") -> None:
        """Add another block's sums (blocks are merged in trajectory order)."""
        for mine, theirs in ((self.states, other.states), (self.state_squares, other.state_squares),
                             (self.custom, other.custom), (self.custom_squares, other.custom_squares)):
            for entry, value in theirs.items():
                mine[entry] += value
        self.size += other.size

    def per_window(self, table: dict) -> list:
        """``table`` split by window: a list of dicts key -> value."""
        windows = [{} for _ in range(self.count)]
        for (window, key), value in table.items():
            windows[window][key] = value
        return windows

    def cells(self) -> list:
        """Per window, cell state -> sum over trajectories of its time-averaged count."""
        windows = [defaultdict(float) for _ in range(self.count)]
        for (window, key), share in self.states.items():
            for state, n in key:
                windows[window][state] += n * share
        return windows


def _error(sums, squares, n: int):
    mean = sums / n
    variance = np.maximum(squares / n - mean * mean, 0.0) * (n / (n - 1) if n > 1 else 0.0)
    return np.sqrt(variance / n)


def _population_key(population: dict) -> tuple:
    return tuple(sorted((s, n) for s, n in population.items() if n > 0))


def _trajectory(rules: _CellRules, pop: PopModel, rng, max_time: float) -> list:
    population = _initial_population(pop, rng)
    custom = pop.custom_output
    intervals, time = [], 0.0
    while True:
        counts = tuple(sum(n * rules.terms(s)[k] for s, n in population.items())
                       for k in range(len(pop.cell_terms)))
        transitions, total = [], 0.0
        for state, n in population.items():
            for rate, kind, payload in rules.events(state, counts):
                transitions.append((n * rate, state, kind, payload))
                total += n * rate
        end = max_time if total == 0 else min(max_time, time - math.log(1.0 - rng.random()) / total)
        value = None
        if custom is not None:
            value = evaluate(custom, {}, rules.params_with(counts))
            value = int(value) if value >= 0 else None  # MaBoSS leaves negative values out
        intervals.append((time, end, _population_key(population), value))
        if end >= max_time:
            return intervals
        time = end
        pick, chosen = rng.random() * total, transitions[-1]
        for transition in transitions:
            pick -= transition[0]
            if pick < 0:
                chosen = transition
                break
        _, state, kind, payload = chosen
        population[state] -= 1
        if population[state] == 0:
            del population[state]
        if kind == "flip":
            population[payload] = population.get(payload, 0) + 1
        elif kind == "divide":
            for daughter in payload:
                population[daughter] = population.get(daughter, 0) + 1


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
    _CellRules(pop)  # a model the simulator cannot run fails here, before any worker starts
    blocks = [(start, min(start + BLOCK, settings.sample_count)) for start in range(0, settings.sample_count, BLOCK)]
    windows = _Windows(settings.max_time, settings.time_tick)
    workers = min(max(1, int(settings.threads)), len(blocks))
    bar = tqdm(total=settings.sample_count, disable=not progress, unit="traj", desc="population")
    if workers == 1:
        results = (_run_block(pop, settings, block) for block in blocks)
    else:
        pool = concurrent.futures.ProcessPoolExecutor(max_workers=workers)
        results = pool.map(_run_block, [pop] * len(blocks), [settings] * len(blocks), blocks)
    try:
        for (start, stop), block in zip(blocks, results):
            windows.merge(block)
            bar.update(stop - start)
    finally:
        bar.close()
        if workers > 1:
            pool.shutdown(cancel_futures=True)
    return _result(pop, windows, settings.sample_count, settings)


#: trajectories per block: blocks are simulated independently (in worker processes when
#: ``threads`` > 1) and merged in order, so results do not depend on the number of workers
BLOCK = 2000


def _run_block(pop: PopModel, settings, block: tuple) -> _Windows:
    """Sums over trajectories ``block[0]`` to ``block[1] - 1``."""
    rules, windows = _CellRules(pop), _Windows(settings.max_time, settings.time_tick)
    for index in range(*block):
        windows.add_trajectory(_trajectory(rules, pop, trajectory_rng(settings.seed, index), settings.max_time))
    return windows


def _distribution(sums: list, squares: list, n: int, label, times) -> tuple:
    """``(probabilities, errors)`` DataFrames (windows x labels) from per-window sums."""
    probabilities, errors = [], []
    for window_sums, window_squares in zip(sums, squares):
        keys = list(window_sums)
        values = np.array([window_sums[k] for k in keys])
        probabilities.append(dict(zip(map(label, keys), values / n)))
        errors.append(dict(zip(map(label, keys), _error(values, np.array([window_squares[k] for k in keys]), n))))
    table = pd.DataFrame(probabilities, index=times).fillna(0.0)
    return table, pd.DataFrame(errors, index=times).reindex(columns=table.columns).fillna(0.0)


def _result(pop: PopModel, windows: _Windows, n: int, settings) -> PopResult:
    nodes = pop.model.node_ids
    times = pd.Index(np.arange(windows.count) * windows.tick, name="Time")
    size = pd.DataFrame({"Population": windows.size[:, 0] / n,
                         "ErrorPopulation": _error(windows.size[:, 0], windows.size[:, 1], n)}, index=times)
    states, state_errors = _distribution(windows.per_window(windows.states),
                                         windows.per_window(windows.state_squares), n,
                                         lambda key: population_label(key, nodes), times)
    custom = custom_errors = None
    if pop.custom_output is not None:
        custom, custom_errors = _distribution(windows.per_window(windows.custom),
                                              windows.per_window(windows.custom_squares), n, str, times)
    per_window = windows.cells()
    cells = pd.DataFrame([{cell_label(s, nodes): v / n for s, v in w.items()} for w in per_window],
                         index=times).fillna(0.0)
    node_counts = pd.DataFrame({node: [sum(v for s, v in w.items() if s >> i & 1) / n for w in per_window]
                                for i, node in enumerate(nodes)}, index=times)
    return PopResult(population_size=size, state_probabilities=states, cell_counts=cells, node_counts=node_counts,
                     custom=custom, settings=settings, state_errors=state_errors, custom_errors=custom_errors)
