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

import numpy as np
import pandas as pd

from ..naming import NamedNodes, resolve_many

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
    ax.legend(fontsize=7, ncol=2, loc="best")


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


@dataclass
class PopResult:
    """A PopMaBoSS run.

    Attributes
    ----------
    population_size : DataFrame indexed by time (window start): ``Population`` (expected
        number of cells) and ``ErrorPopulation`` (its standard error)
    state_probabilities : DataFrame indexed by time, one column per population state
        (PopMaBoSS labels such as ``[{A -- B:2},{C:1}]``): probability of that population
    cell_counts : DataFrame indexed by time: expected number of cells in each cell state
    node_counts : DataFrame indexed by time: expected number of cells with each node active
    custom : DataFrame indexed by time with one column per value of the custom output
        (its probability), or None
    settings : the run settings
    state_errors, custom_errors : standard errors of ``state_probabilities`` and ``custom``
    """

    population_size: pd.DataFrame
    state_probabilities: pd.DataFrame
    cell_counts: pd.DataFrame
    node_counts: pd.DataFrame
    custom: pd.DataFrame | None = None
    settings: object = None
    state_errors: pd.DataFrame | None = None
    custom_errors: pd.DataFrame | None = None

    def pop_probtraj_text(self, custom: bool = False) -> str:
        """PopMaBoSS's ``pop_probtraj.csv`` (or, with ``custom``, ``custom_pop_probtraj.csv``) text.

        Tab-separated: ``Time TH ErrorTH H HD=0`` then ``State Proba ErrorProba`` per state
        present, most probable first.  ``TH`` and ``ErrorTH`` are 0 (PopMaBoSS does not
        compute them either) and ``HD=0`` is 1 (no reference state).
        """
        table, errors = (self.custom, self.custom_errors) if custom else (self.state_probabilities,
                                                                           self.state_errors)
        values = table.to_numpy()
        width = int((values > 0).sum(axis=1).max()) if values.size else 0
        lines = ["Time\tTH\tErrorTH\tH\tHD=0" + "\tState\tProba\tErrorProba" * width]
        labels = list(table.columns)
        for k, time in enumerate(table.index):
            row, present = values[k], values[k] > 0
            entropy = float(-(row[present] * np.log2(row[present])).sum())
            cells = [f"{time:.4f}", "0.0000", "0.0000", f"{entropy:.4f}", "1.0000"]
            for c in np.argsort(-row, kind="stable"):
                if row[c] > 0:
                    cells += [labels[c], f"{row[c]:.6f}", f"{errors.iat[k, c]:.6f}"]
            lines.append("\t".join(cells))
        return "\n".join(lines) + "\n"

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
