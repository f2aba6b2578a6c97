"""Results of population runs: tables (pandas) and plots (matplotlib); no file I/O here.

Examples
--------
>>> r = UpPopulationResult(population=pd.DataFrame({"step": [0, 1], "time": [0.0, 1.0], "ratio": [1.0, 1.5]}),
...                        node_probabilities=pd.DataFrame({"A": [0.2, 0.4]}),
...                        state_probabilities=pd.DataFrame({"A": [0.2, 0.4], "<nil>": [0.8, 0.6]}))
>>> r.final_ratio
1.5
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from ..naming import NamedNodes, resolve_many
from ..simulation.result import standard_error

__all__ = ["UpPopulationResult", "PopResult"]


def _figure(rows: int, height: float = 3.0):
    import matplotlib.pyplot as plt
    figure, axes = plt.subplots(rows, 1, figsize=(7.5, height * rows), squeeze=False)
    return figure, axes[:, 0]


def _composition(ax, table: pd.DataFrame, x, top: int, ylabel: str):
    """Lines for the ``top`` columns with the largest maximum."""
    chosen = table.max().sort_values(ascending=False).index[:top]
    for column in chosen:
        ax.plot(x, table[column].to_numpy(), label=str(column))
    ax.set_ylabel(ylabel)
    # below the axes: cell-state labels of real models are long, and inside the axes they hid the curves
    ax.legend(fontsize=7, ncol=2, loc="upper center", bbox_to_anchor=(0.5, -0.2), frameon=False)


@dataclass
class UpPopulationResult:
    """An UPMaBoSS run.

    Attributes
    ----------
    population : DataFrame with columns ``step``, ``time``, ``ratio`` (population size
        relative to the start)
    node_probabilities : per step (index), P(node = 1) in the last window of that step's run
    state_probabilities : per step, the probability of each state in that last window
    runs : the :class:`~booleanidt.simulation.SimulationResult` of every step (node probabilities
        over every window; its state distribution is the step's row of ``state_probabilities``)
    spec, settings : the ``.upp`` content and the run settings of each step
    names : node id -> the label shown in plots (:func:`booleanidt.naming.labels`)
    """

    population: pd.DataFrame
    node_probabilities: pd.DataFrame
    state_probabilities: pd.DataFrame
    runs: list = field(default_factory=list, repr=False)
    spec: object = None
    settings: object = None
    names: dict = field(default_factory=dict, repr=False)

    @property
    def final_ratio(self) -> float:
        """Population ratio after the last step."""
        return float(self.population["ratio"].iloc[-1])

    def plot(self, nodes=None, top: int = 8):
        """Population ratio over time, and node probabilities per step (``nodes``, ids or names, or the ``top``
        most active), labelled by name."""
        figure, (size, composition) = _figure(2)
        size.plot(self.population["time"], self.population["ratio"], marker="o")
        size.set_ylabel("population ratio")
        size.set_title("UPMaBoSS population")
        table = self.node_probabilities
        if nodes is not None:
            table = table[resolve_many(NamedNodes(self.names, table.columns), nodes, "nodes")]
        table = table.rename(columns=self.names)
        times = self.population["time"].iloc[:len(table)]
        _composition(composition, table, times, top, "P(node = 1), last window")
        composition.set_xlabel("time")
        figure.tight_layout()
        return figure


def _wide(entries, values: np.ndarray, columns: pd.Index, times: pd.Index) -> pd.DataFrame:
    """DataFrame (windows x columns) of ``values``, one per sparse entry (``window``, ``column``), 0 elsewhere."""
    dense = np.zeros((len(times), len(columns)))
    dense[entries.window, entries.column] = values
    return pd.DataFrame(dense, index=times, columns=columns, copy=False)


def _probtraj_text(entries, n: int, labels: list, times: pd.Index) -> str:
    """PopMaBoSS's probtraj text from sparse sums sorted by window then column (see
    :meth:`PopResult.pop_probtraj_text`)."""
    probabilities = entries.sums / n
    errors = standard_error(entries.sums, entries.squares, n)
    bounds = np.searchsorted(entries.window, np.arange(len(times) + 1))
    present = probabilities > 0
    width = int(np.bincount(entries.window[present]).max()) if present.any() else 0
    lines = ["Time\tTH\tErrorTH\tH\tHD=0" + "\tState\tProba\tErrorProba" * width]
    for k, time in enumerate(times):
        a, b = bounds[k], bounds[k + 1]
        keep = np.flatnonzero(present[a:b]) + a
        row = probabilities[keep]
        entropy = float(-(row * np.log2(row)).sum())
        cells = [f"{time:.4f}", "0.0000", "0.0000", f"{entropy:.4f}", "1.0000"]
        for e in keep[np.argsort(-row, kind="stable")].tolist():
            cells += [labels[entries.column[e]], f"{probabilities[e]:.6f}", f"{errors[e]:.6f}"]
        lines.append("\t".join(cells))
    return "\n".join(lines) + "\n"


class PopResult:
    """A PopMaBoSS run.  Its tables are built from the run's sparse sums when first read (and kept).

    Attributes
    ----------
    population_size : DataFrame indexed by time (window start): ``Population`` (expected
        number of cells) and ``ErrorPopulation`` (its standard error)
    state_table : DataFrame with one row per (window, population state) visited: ``Time``, ``State``
        (PopMaBoSS labels such as ``[{A -- B:2},{C:1}]``), ``Proba`` and ``ErrorProba``; its size is
        that of the visited cells, not windows x states
    state_probabilities : DataFrame indexed by time, one column per population state: probability
        of that population (dense, windows x states: prefer ``state_table`` for runs with many states)
    cell_counts : DataFrame indexed by time: expected number of cells in each cell state
    node_counts : DataFrame indexed by time: expected number of cells with each node active
    custom : DataFrame indexed by time with one column per value of the custom output
        (its probability), or None
    settings : the run settings
    state_errors, custom_errors : standard errors of ``state_probabilities`` and ``custom``
    sums : the run's sparse sums (:class:`~booleanidt.population.popstates.PopulationSums`)
    """

    def __init__(self, sums, settings, has_custom: bool = False):
        self.sums, self.settings, self._has_custom = sums, settings, has_custom

    @cached_property
    def _times(self) -> pd.Index:
        return pd.Index(np.arange(self.sums.windows) * self.settings.time_tick, name="Time")

    @cached_property
    def _labels(self) -> list:
        return self.sums.labels()

    @cached_property
    def _label_index(self) -> pd.Index:
        return pd.Index(self._labels)

    @cached_property
    def _states(self):
        return self.sums.states()

    @cached_property
    def _custom(self):
        return self.sums.custom() if self._has_custom else None

    @cached_property
    def population_size(self) -> pd.DataFrame:
        n, size = self.settings.sample_count, self.sums.size
        return pd.DataFrame(np.column_stack([size[:, 0] / n, standard_error(size[:, 0], size[:, 1], n)]),
                            index=self._times, columns=pd.Index(["Population", "ErrorPopulation"]), copy=False)

    @cached_property
    def state_table(self) -> pd.DataFrame:
        entries, n = self._states, self.settings.sample_count
        return pd.DataFrame({"Time": self._times.to_numpy()[entries.window],
                             "State": np.array(self._labels, dtype=object)[entries.column],
                             "Proba": entries.sums / n,
                             "ErrorProba": standard_error(entries.sums, entries.squares, n)})

    def _table(self, entries, columns: pd.Index, errors: bool) -> pd.DataFrame:
        """Probabilities (or, with ``errors``, their standard errors) of sparse sums, windows x ``columns``."""
        n = self.settings.sample_count
        values = standard_error(entries.sums, entries.squares, n) if errors else entries.sums / n
        return _wide(entries, values, columns, self._times)

    @cached_property
    def state_probabilities(self) -> pd.DataFrame:
        return self._table(self._states, self._label_index, errors=False)

    @cached_property
    def state_errors(self) -> pd.DataFrame:
        return self._table(self._states, self._label_index, errors=True)

    @cached_property
    def _custom_index(self) -> pd.Index:
        return pd.Index([str(v) for v in self._custom[0].tolist()])

    @cached_property
    def custom(self) -> pd.DataFrame | None:
        return None if self._custom is None else self._table(self._custom[1], self._custom_index, errors=False)

    @cached_property
    def custom_errors(self) -> pd.DataFrame | None:
        return None if self._custom is None else self._table(self._custom[1], self._custom_index, errors=True)

    @cached_property
    def _cell_sums(self) -> tuple:
        return self.sums.cell_sums(self._states)

    @cached_property
    def cell_counts(self) -> pd.DataFrame:
        states, sums = self._cell_sums
        names = self.sums.cell_names
        return pd.DataFrame(sums / self.settings.sample_count, index=self._times, columns=[names[s] for s in states])

    @cached_property
    def node_counts(self) -> pd.DataFrame:
        states, sums = self._cell_sums
        nodes = self.sums.nodes
        bits = np.array([[s >> i & 1 for i in range(len(nodes))] for s in states], dtype=float).reshape(-1, len(nodes))
        return pd.DataFrame(sums @ bits / self.settings.sample_count, index=self._times, columns=list(nodes))

    def pop_probtraj_text(self, custom: bool = False) -> str:
        """PopMaBoSS's ``pop_probtraj.csv`` (or, with ``custom``, ``custom_pop_probtraj.csv``) text.

        Tab-separated: ``Time TH ErrorTH H HD=0`` then ``State Proba ErrorProba`` per state
        present, most probable first.  ``TH`` and ``ErrorTH`` are 0 (PopMaBoSS does not
        compute them either) and ``HD=0`` is 1 (no reference state).  Written from the sparse sums.
        """
        if custom:
            values, entries = self._custom
            labels = [str(v) for v in values.tolist()]
        else:
            entries, labels = self._states, self._labels
        return _probtraj_text(entries, self.settings.sample_count, labels, self._times)

    def plot(self, top: int = 8):
        """Expected population size over time, and the expected count of each cell state."""
        figure, (size, composition) = _figure(2)
        times = self.population_size.index.to_numpy()
        mean, error = self.population_size["Population"], self.population_size["ErrorPopulation"]
        size.plot(times, mean, label="expected cells")
        size.fill_between(times, mean - 2 * error, mean + 2 * error, alpha=0.3, label="±2 s.e.")
        size.set_ylabel("cells")
        size.set_title("PopMaBoSS population")
        size.legend(fontsize=8)
        _composition(composition, self.cell_counts, times, top, "expected cells per state")
        composition.set_xlabel("time")
        figure.tight_layout()
        return figure
