"""pyMaBoSS's result methods under their own names, for scripts written against pyMaBoSS.

:class:`~booleanidt.simulation.result.SimulationResult` inherits these; each
returns what pyMaBoSS's result returns (same shapes, columns and index), read
from our tables: ``get_nodes_probtraj``, ``get_states_probtraj`` (with
``prob_cutoff``; ``with_errors=True`` also gives the standard errors, which
pyMaBoSS does not have), ``get_last_nodes_probtraj``, ``get_last_states_probtraj``,
``get_fptable``, ``get_entropy_trajectory`` and ``plot_piechart`` (the last
window's states as a pie, states under ``prob_cutoff`` grouped as "Others").

Examples
--------
>>> from booleanidt.model import LogicalModel
>>> from booleanidt.expr import Var
>>> from booleanidt.simulation import simulate
>>> model = LogicalModel.from_rules({"A": None, "B": Var("A")}).with_initial_probabilities({"A": 1.0, "B": 0.0})
>>> result = simulate(model, max_time=3, time_tick=1, sample_count=100, seed=1)
>>> result.get_last_states_probtraj().columns.tolist(), result.get_entropy_trajectory().columns.tolist()
(['A', 'A -- B'], ['TH', 'H'])
"""
from __future__ import annotations

import pandas as pd

__all__ = ["PyMaBoSSNames"]


def _cut(table: pd.DataFrame, prob_cutoff) -> pd.DataFrame:
    return table if prob_cutoff is None else table.loc[:, (table > prob_cutoff).any(axis=0)]


class PyMaBoSSNames:
    """Methods named as pyMaBoSS's results name them (see the module docstring)."""

    def get_nodes_probtraj(self, nodes=None, prob_cutoff=None, with_errors: bool = False):
        """Output nodes' probabilities per window (``nodes``: a subset, ids or names); with errors as a
        second table."""
        columns = self.node_ids(nodes) if nodes is not None else list(self.output_nodes)
        table = _cut(self.node_probabilities[columns], prob_cutoff)
        return (table, self.node_errors[table.columns]) if with_errors else table

    def get_states_probtraj(self, prob_cutoff=None, with_errors: bool = False):
        """Output states' probabilities per window, states in label order; with errors as a second table."""
        table = _cut(self.state_probabilities.sort_index(axis=1), prob_cutoff)
        return (table, self.state_errors[table.columns]) if with_errors else table

    def _last_row(self, table: pd.DataFrame, as_series: bool):
        last = table.iloc[[-1]]
        last = last.loc[:, last.iloc[0] > 0].sort_index(axis=1)
        return last.iloc[0] if as_series else last

    def get_last_nodes_probtraj(self, as_series: bool = False):
        """The last window's output-node probabilities (a one-row table indexed by its time)."""
        return self._last_row(self.node_probabilities[list(self.output_nodes)], as_series)

    def get_last_states_probtraj(self, as_series: bool = False):
        """The last window's output-state probabilities, states in label order, zeros left out."""
        return self._last_row(self.state_probabilities, as_series)

    def get_fptable(self) -> pd.DataFrame:
        """The fixed points as pyMaBoSS reads ``fp.csv``: columns FP (``#1``...), Proba, State, one per node."""
        table = self.fixed_points[["Proba", "State"] + [c for c in self.fixed_points.columns
                                                          if c not in ("State", "Proba")]].copy()
        table.insert(0, "FP", [f"#{k + 1}" for k in range(len(table))])
        return table

    def get_entropy_trajectory(self) -> pd.DataFrame:
        """Transition entropy TH and state entropy H per window."""
        return pd.DataFrame({"TH": self.transition_entropy, "H": self.entropy})

    def plot_piechart(self, prob_cutoff: float = 0.01, autopct: float = 4, axes=None):
        """Pie of the last window's output states; those under ``prob_cutoff`` grouped as Others."""
        import matplotlib.pyplot as plt

        axes = axes or plt.subplots(figsize=(6, 6))[1]
        last = self.get_last_states_probtraj(as_series=True).sort_values(ascending=False)
        shown = last[last >= prob_cutoff]
        if last[last < prob_cutoff].sum() > 0:
            shown = pd.concat([shown, pd.Series({"Others": last[last < prob_cutoff].sum()})])
        axes.pie(shown.to_numpy(), labels=[self.readable_state(s) if s != "Others" else s for s in shown.index],
                 autopct=lambda p: f"{p:.0f}%" if p >= autopct else "", textprops={"fontsize": "small"})
        start = self.times[-1]
        axes.set_title(f"output states, last window [{start:g}, {start + self.settings.time_tick:g})")
        return axes
