"""What a simulation returns: probabilities per time window, their errors, fixed points; saving and plots.

Output states are labelled as MaBoSS does: the active output nodes in model
order joined by ``" -- "``, and ``"<nil>"`` when none is active.

Examples
--------
>>> state_label(("A", "B", "C"), 0b101)
'A -- C'
>>> state_label(("A", "B"), 0)
'<nil>'
"""
from __future__ import annotations

import functools
import io
from dataclasses import dataclass, field
from itertools import compress

import numpy as np
import pandas as pd

from ..errors import InputError
from ..naming import NamedNodes, resolve_many, wrap_label
from ..io._files import atomic_write_text, read_text
from .pymaboss_names import PyMaBoSSNames
from .settings import SimulationSettings

__all__ = ["SimulationResult", "state_label", "state_labels", "standard_error"]

NIL = "<nil>"

#: at most this many trajectories in a plot
MAX_LINES = 12
SEPARATOR = " -- "


def state_label(names, mask: int) -> str:
    """MaBoSS's label of the state whose bit ``p`` is set when ``names[p]`` is active."""
    active = [name for p, name in enumerate(names) if (int(mask) >> p) & 1]
    return SEPARATOR.join(active) if active else NIL


def state_labels(names, codes: np.ndarray) -> np.ndarray:
    """Labels of many states at once, as an object array (vectorised over the states).

    ``codes`` holds bit masks over ``names``: shape (states,), or (states, words) for
    more than 64 names (name ``p`` is bit ``p % 64`` of word ``p // 64``).  Labels are
    assembled from the labels of each group of 8 names, looked up by byte.

    >>> state_labels(("A", "B"), np.array([3, 0, 2])).tolist()
    ['A -- B', '<nil>', 'B']
    """
    names = tuple(names)
    codes = np.asarray(codes).astype(np.uint64).reshape(len(codes), -1)
    labels = np.full(len(codes), "", dtype=object)
    for start in range(0, len(names), 8):
        byte = (codes[:, start // 64] >> np.uint64(start % 64)) & np.uint64(255)
        part = _byte_labels(names[start:start + 8])[byte.astype(np.intp)]
        both = (labels != "") & (part != "")
        joined = np.where(labels == "", part, labels)
        joined[both] = labels[both] + SEPARATOR + part[both]
        labels = joined
    labels[labels == ""] = NIL
    return labels


@functools.lru_cache(maxsize=1024)   # a cohort labels the same nodes for every patient
def _byte_labels(names: tuple) -> np.ndarray:
    """The labels (without ``<nil>``) of the 256 values of a byte over up to 8 names (read-only)."""
    labels = np.array([SEPARATOR.join(compress(names, [(value >> b) & 1 for b in range(len(names))]))
                       for value in range(256)], dtype=object)
    labels.flags.writeable = False
    return labels


def _short_state(label: str, limit: int = 8) -> str:
    """A state label naming at most ``limit`` active nodes, then how many more are on.

    >>> _short_state("A -- B -- C", limit=2)
    'A -- B -- ... and 1 more'
    """
    parts = label.split(SEPARATOR)
    return label if len(parts) <= limit else SEPARATOR.join(parts[:limit] + [f"... and {len(parts) - limit} more"])


def standard_error(sums: np.ndarray, squares: np.ndarray, count: int) -> np.ndarray:
    """Standard error of the mean of ``count`` values given their sum and sum of squares.

    >>> standard_error(np.array([2.0]), np.array([2.0]), 4).round(4).tolist()
    [0.2887]
    """
    if count < 2:
        return np.zeros_like(sums)
    mean = sums / count
    spread = squares / count
    spread -= mean * mean  # in place from here: state tables can take hundreds of megabytes
    np.maximum(spread, 0.0, out=spread)
    spread *= count
    spread /= count - 1  # the variance
    spread /= count
    return np.sqrt(spread, out=spread)


def _entropy(probabilities: pd.DataFrame) -> pd.Series:
    p = probabilities.to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, -p * np.log2(np.where(p > 0, p, 1.0)), 0.0)
    return pd.Series(terms.sum(axis=1), index=probabilities.index, name="H")


@dataclass
class SimulationResult(PyMaBoSSNames):
    """Results of a stochastic simulation (MaBoSS's tables, by node id; shown by name).

    Attributes
    ----------
    settings : the :class:`SimulationSettings` of the run
    node_probabilities : DataFrame, index = window start, one column per node (all nodes):
        time-averaged probability that the node is active
    node_errors : their standard errors
    state_probabilities : DataFrame, one column per output state visited (MaBoSS labels),
        or None when output states were not tracked (too many outputs)
    state_errors : their standard errors (or None)
    transition_entropy, transition_entropy_error : Series per window (MaBoSS's TH, ErrorTH)
    fixed_points : DataFrame with columns ``State``, ``Proba`` and one 0/1 column per node:
        the fixed points trajectories reached and the fraction that reached each
    output_nodes : output node ids, in model order
    jumps : number of transitions simulated
    levels : for a booleanized model, original node -> its bit nodes (see :meth:`level_probabilities`)
    hamming_distances : DataFrame, columns ``HD=0`` .. ``HD=r``: probability per window that the
        state differs from the reference state (MaBoSS ``refstate``) on that many of the r
        reference nodes (without reference nodes, ``HD=0`` is 1); None when not known
    final_states : Series, output state label -> fraction of trajectories in it at max_time (a
        snapshot, MaBoSS's ``--final``), largest first; None when not known
    stationary : :class:`~booleanidt.simulation.statdist.StationaryDistributions` of the first
        ``statdist_traj_count`` trajectories, or None
    observed_graph : DataFrame, origin x destination state of the ``in_graph`` nodes: the number of
        transitions between them over all trajectories (MaBoSS's observed graph); None without such nodes
    observed_durations : the mean time spent in the origin state before each of those transitions
    names : node id -> the label shown in printouts and plots (:func:`booleanidt.naming.labels`);
        ids missing from it are shown as they are.  Tables and MaBoSS files keep the ids.
    """

    settings: SimulationSettings
    node_probabilities: pd.DataFrame
    node_errors: pd.DataFrame
    state_probabilities: pd.DataFrame | None
    state_errors: pd.DataFrame | None
    transition_entropy: pd.Series
    transition_entropy_error: pd.Series
    fixed_points: pd.DataFrame
    output_nodes: tuple
    jumps: int = 0
    levels: dict = field(default_factory=dict)
    hamming_distances: pd.DataFrame | None = None
    final_states: pd.Series | None = None
    stationary: object = None
    observed_graph: pd.DataFrame | None = None
    observed_durations: pd.DataFrame | None = None
    names: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        return (f"<SimulationResult: {self.settings.sample_count} trajectories, {len(self.times)} windows, "
                f"{len(self.node_probabilities.columns)} nodes, {len(self.output_nodes)} outputs, "
                f"{len(self.fixed_points)} fixed points>")

    def _repr_html_(self) -> str:
        from html import escape
        return f"<pre>{escape(self.summary())}</pre>"

    def label(self, node: str) -> str:
        """The label shown for a node id (or a Van Ham bit ``X_bk``, shown ``X>=k``)."""
        bit = self._bit_levels().get(node)
        if bit is not None:
            return f"{self.names.get(bit[0], bit[0])}>={bit[1]}"
        return self.names.get(node, node)

    # --- views -----------------------------------------------------------------------

    @property
    def times(self) -> np.ndarray:
        """Window starts."""
        return self.node_probabilities.index.to_numpy()

    @property
    def entropy(self) -> pd.Series | None:
        """H per window: -sum P log2 P over output states (None when states were not tracked)."""
        return None if self.state_probabilities is None else _entropy(self.state_probabilities)

    @property
    def last_node_probabilities(self) -> pd.Series:
        """Node probabilities in the last window."""
        return self.node_probabilities.iloc[-1]

    @property
    def last_state_probabilities(self) -> pd.Series | None:
        """Output-state distribution in the last window, most probable first, states of probability 0 left out."""
        if self.state_probabilities is None:
            return None
        last = self.state_probabilities.iloc[-1]
        return last[last > 0].sort_values(ascending=False, kind="stable")

    def level_probabilities(self) -> pd.DataFrame:
        """Per original multi-valued node and level, P(node = level) per window.

        Van Ham bits: ``X_bk = 1`` means level >= k, so P(X = l) = P(X_bl) - P(X_b(l+1))
        on consistent states.  Boolean nodes appear with their levels 0 and 1.
        """
        columns = {}
        bits_of = dict(self.levels)
        for node in self.node_probabilities.columns:
            if not any(node in bits for bits in bits_of.values()):
                bits_of[node] = (node,)
        for node, bits in bits_of.items():
            at_least = [np.ones(len(self.times))] + [self.node_probabilities[b].to_numpy() for b in bits]
            at_least.append(np.zeros(len(self.times)))
            for level in range(len(bits) + 1):
                columns[(node, level)] = at_least[level] - at_least[level + 1]
        frame = pd.DataFrame(columns, index=self.node_probabilities.index)
        frame.columns = pd.MultiIndex.from_tuples(frame.columns, names=["node", "level"])
        return frame

    def _bit_levels(self) -> dict:
        """Van Ham bit node -> (original node, the level k that ``bit = 1`` says is reached)."""
        return {bit: (node, k) for node, bits in self.levels.items() for k, bit in enumerate(bits, start=1)}

    def readable_state(self, label: str) -> str:
        """An output-state label with each multi-valued node's bits read as its level.

        ``"STAT5_b1 -- STAT5_b2 -- TBET"`` -> ``"STAT5=2 -- TBET"``; node ids are shown by
        their :attr:`names`.
        """
        bit_levels = self._bit_levels()
        if label == NIL:
            return label
        if not bit_levels:
            return SEPARATOR.join(self.names.get(part, part) for part in label.split(SEPARATOR))
        parts, reached = [], {}
        for name in label.split(SEPARATOR):
            if name in bit_levels:
                node, level = bit_levels[name]
                if node not in reached:
                    parts.append(node)
                reached[node] = max(level, reached.get(node, 0))
            else:
                parts.append(name)
        return SEPARATOR.join(f"{self.names.get(p, p)}={reached[p]}" if p in reached else self.names.get(p, p)
                              for p in parts)

    def _last_output_lines(self) -> list:
        """``name value`` lines of the output nodes at the last window, one per level for multi-valued nodes."""
        last, bit_levels = self.last_node_probabilities, self._bit_levels()
        levels = self.level_probabilities().iloc[-1] if bit_levels else None
        pairs, shown = [], set()
        for name in self.output_nodes:
            if name not in bit_levels:
                pairs.append((self.label(name), last[name]))
            elif bit_levels[name][0] not in shown:
                node = bit_levels[name][0]
                shown.add(node)
                pairs += [(f"{self.names.get(node, node)}={level}", levels[(node, level)])
                          for level in range(1, len(self.levels[node]) + 1)]
        width = max([24] + [len(label) for label, _ in pairs])
        return [f"  {label:<{width}} {value:.4f}" for label, value in pairs]

    # --- MaBoSS files ----------------------------------------------------------------

    def probtraj_text(self, exact: bool = False) -> str:
        """The ``_probtraj.csv`` table as MaBoSS writes it (tab-separated).

        ``exact``: probabilities and errors written with all their digits (the
        shortest decimal that reads back as the same double) instead of 6.
        """
        if self.state_probabilities is None:
            raise InputError("probtraj", None, "output states were not tracked (too many outputs); "
                             "choose fewer outputs to write a probtraj table")
        out = io.StringIO()
        width = int((self.state_probabilities.to_numpy() > 0).sum(axis=1).max())
        hamming = self.hamming_distances
        hd_columns = list(hamming.columns) if hamming is not None else []
        out.write("\t".join(["Time", "TH", "ErrorTH", "H"] + hd_columns) + "\tState\tProba\tErrorProba" * width + "\n")
        entropy = self.entropy
        labels = list(self.state_probabilities.columns)
        for k, time in enumerate(self.times):
            row = [f"{time:g}", f"{self.transition_entropy.iloc[k]:.6f}",
                   f"{self.transition_entropy_error.iloc[k]:.6f}", f"{entropy.iloc[k]:.6f}"]
            row += [_number(p, exact) for p in (hamming.iloc[k] if hamming is not None else ())]
            probabilities = self.state_probabilities.iloc[k].to_numpy()
            errors = self.state_errors.iloc[k].to_numpy()
            for c in np.argsort(-probabilities, kind="stable"):
                if probabilities[c] > 0:
                    row += [labels[c], _number(probabilities[c], exact), _number(errors[c], exact)]
            out.write("\t".join(row) + "\n")
        return out.getvalue()

    def fp_text(self, exact: bool = False) -> str:
        """The ``_fp.csv`` table as MaBoSS writes it (tab-separated); ``exact`` as in :meth:`probtraj_text`."""
        nodes = [c for c in self.fixed_points.columns if c not in ("State", "Proba")]
        lines = [f"Fixed Points ({len(self.fixed_points)})"]
        if len(self.fixed_points):
            lines.append("\t".join(["FP", "Proba", "State"] + nodes))
            for k, row in enumerate(self.fixed_points.itertuples(index=False)):
                values = [str(int(v)) for v in row[2:]]
                lines.append("\t".join([f"#{k + 1}", _number(row[1], exact), row[0]] + values))
        return "\n".join(lines) + "\n"

    def finalprob_text(self, exact: bool = False) -> str:
        """The ``_finalprob.csv`` table of MaBoSS's ``--final``: ``probability<TAB>state`` lines, no header.

        >>> from booleanidt.model import LogicalModel
        >>> from booleanidt.expr import Const
        >>> from booleanidt.simulation import simulate
        >>> model = LogicalModel.from_rules({"A": Const(1)}).with_initial_probabilities({"A": 1.0})
        >>> simulate(model, max_time=1, time_tick=1, sample_count=10).finalprob_text()
        '1\\tA\\n'
        """
        if self.final_states is None:
            raise InputError("finalprob", None, "final states were not tracked (too many outputs)")
        return "".join(f"{_number(p, exact)}\t{label}\n" for label, p in self.final_states.items())

    def save(self, prefix, exact: bool = False) -> None:
        """Write ``PREFIX_probtraj.csv`` and ``PREFIX_fp.csv`` (MaBoSS formats), atomically.

        pyMaBoSS reads them back: ``maboss.results.storedresult.StoredResult(folder, prefix)``.
        """
        prefix = str(prefix)
        probtraj, fp = self.probtraj_text(exact), self.fp_text(exact)
        atomic_write_text(prefix + "_probtraj.csv", probtraj)
        atomic_write_text(prefix + "_fp.csv", fp)

    @classmethod
    def load(cls, prefix) -> "SimulationResult":
        """Read back ``PREFIX_probtraj.csv`` and ``PREFIX_fp.csv`` (ours or MaBoSS's).

        Node probabilities are rebuilt from the output states, so only output nodes appear;
        node errors are not stored in these files and come back as NaN.
        """
        prefix = str(prefix)
        states, errors, th, th_error, hamming = _parse_probtraj(prefix + "_probtraj.csv")
        fixed = _parse_fp(prefix + "_fp.csv")
        outputs = _nodes_of(states.columns)
        nodes = pd.DataFrame({n: states[[c for c in states.columns if n in c.split(SEPARATOR)]].sum(axis=1)
                              for n in outputs}, index=states.index)
        times = states.index.to_numpy()
        dt = float(times[1] - times[0]) if len(times) > 1 else 1.0
        settings = SimulationSettings(max_time=dt * len(times), time_tick=dt, sample_count=1)
        return cls(settings=settings, node_probabilities=nodes, node_errors=nodes * np.nan,
                   state_probabilities=states, state_errors=errors, transition_entropy=th,
                   transition_entropy_error=th_error, fixed_points=fixed, output_nodes=tuple(outputs),
                   hamming_distances=hamming)

    # --- plots ---------------------------------------------------------------------

    def node_ids(self, nodes) -> list:
        """The ids of ``nodes`` (ids or names, a list or one comma-separated string) among the nodes of
        :attr:`node_probabilities`; an unknown or ambiguous name is a
        :class:`~booleanidt.naming.NodeNameError` with suggestions or candidates."""
        return resolve_many(NamedNodes(self.names, self.node_probabilities.columns), nodes, "nodes")

    def plotted_nodes(self, nodes=None, limit: int = MAX_LINES) -> list:
        """The nodes :meth:`plot_trajectories` draws: ``nodes`` (ids or names; default: the outputs), at most
        ``limit`` of them, those whose probability changes most over time first when there are more (model
        order kept)."""
        nodes = self.node_ids(nodes) if nodes is not None else list(self.output_nodes)
        if len(nodes) <= limit:
            return nodes
        probabilities = self.node_probabilities[nodes]
        change = (probabilities.max() - probabilities.min()).to_numpy()
        keep = set(np.array(nodes, dtype=object)[np.argsort(-change, kind="stable")[:limit]])
        return [n for n in nodes if n in keep]

    def plot_trajectories(self, nodes=None, ax=None, limit: int = MAX_LINES):
        """Node probabilities over time with +-2 standard error bands; returns the axes.

        Draws at most ``limit`` nodes (see :meth:`plotted_nodes`; the title says how many were left
        out), labelled by name in a legend beside the plot.  A bit ``X_bk`` of a multi-valued node is
        drawn as ``X>=k``: P(X >= k), with its own error.
        """
        import matplotlib.pyplot as plt

        ax = ax or plt.subplots(figsize=(9, 4.5))[1]
        wanted = self.node_ids(nodes) if nodes is not None else list(self.output_nodes)
        shown = self.plotted_nodes(wanted, limit)
        for k, node in enumerate(shown):
            p = self.node_probabilities[node]
            line, = ax.plot(self.times, p, label=wrap_label(self.label(node)), color=f"C{k % 10}",
                            linestyle=("-", "--", ":")[k // 10 % 3])
            band = 2 * self.node_errors[node].fillna(0)
            ax.fill_between(self.times, p - band, p + band, color=line.get_color(), alpha=0.2, linewidth=0)
        ax.set_xlabel("time")
        ax.set_ylabel("probability")
        ax.set_ylim(-0.02, 1.02)
        if len(shown) < len(wanted):
            ax.set_title(f"the {len(shown)} of {len(wanted)} nodes that change most (all in nodes.csv)",
                         fontsize="small")
        if shown:
            ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
        return ax

    def _final_bars(self, top: int):
        """The last window's ``top`` output states (or output nodes when states were not tracked),
        their wrapped labels by name, and how many there are in all."""
        last = self.last_state_probabilities
        if last is None:
            last = self.last_node_probabilities[list(self.output_nodes)].sort_values(ascending=False, kind="stable")
            labels = [self.label(node) for node in last.index[:top]]
        else:
            labels = [self.readable_state(label) for label in last.index[:top]]
        return last.head(top), [wrap_label(label, 44) for label in labels], len(last)

    def final_states_height(self, top: int = 15) -> float:
        """Inches a bar chart of :meth:`plot_final_states` needs so its wrapped labels do not overlap."""
        labels = self._final_bars(top)[1]
        tallest = max((label.count("\n") + 1 for label in labels), default=1)
        return max(4.5, 1.4 + 0.18 * tallest * len(labels))

    def plot_final_states(self, top: int = 15, ax=None):
        """Bar chart of the last window's output-state distribution (``top`` states), by name; returns the axes."""
        import matplotlib.pyplot as plt

        ax = ax or plt.subplots(figsize=(8, self.final_states_height(top)))[1]
        shown, labels, total = self._final_bars(top)
        ax.barh(range(len(shown)), shown.to_numpy())
        ax.set_yticks(range(len(shown)), labels, fontsize="small")
        ax.invert_yaxis()
        more = f" ({len(shown)} of {total})" if total > len(shown) else ""
        ax.set_xlabel(f"probability in the last window{more}")
        return ax

    def summary(self, top: int = 10, nodes_at: str = "node_probabilities",
                fixed_points_at: str = "fixed_point_summary()") -> str:
        """A few lines: last-window output probabilities (per level for multi-valued nodes) and the
        fixed points reached, nodes by name; shortened lists say how many more there are and where
        they are (``nodes_at``, ``fixed_points_at``)."""
        lines = [f"{self.settings.sample_count} trajectories, {len(self.times)} windows of "
                 f"{self.settings.time_tick:g} up to t = {self.settings.max_time:g}",
                 "output nodes, last window:"]
        outputs = self._last_output_lines()
        lines += outputs[:top * 3]
        if len(outputs) > top * 3:
            lines.append(f"  ... and {len(outputs) - top * 3} more, see {nodes_at}")
        fixed = self.fixed_points
        if not len(fixed):
            lines.append("no fixed point reached")
        elif len(fixed) <= top or not self.output_nodes:
            lines.append(f"fixed points reached ({len(fixed)}):")
            lines += [f"  {probability:.4f}  {_short_state(self.readable_state(label))}"
                      for label, probability in zip(fixed["State"].head(top), fixed["Proba"].head(top))]
        else:
            by_outputs = self.fixed_points_by_outputs()
            lines.append(f"fixed points reached ({len(fixed)}), by their output nodes ({len(by_outputs)} groups):")
            lines += [f"  {probability:.4f}  {_short_state(label)}" for label, probability in by_outputs.head(top).items()]
            if len(by_outputs) > top:
                lines.append(f"  ... and {len(by_outputs) - top} more groups, see {fixed_points_at}")
        return "\n".join(lines)

    def fixed_point_summary(self) -> pd.DataFrame:
        """Fixed points reached, grouped by the values of the output nodes: ``Proba`` then one column per
        output node (by id), most probable first.  The compact form of :attr:`fixed_points` at map scale."""
        outputs = list(self.output_nodes)
        if not len(self.fixed_points):
            return pd.DataFrame(columns=["Proba", *outputs])
        grouped = self.fixed_points.groupby(outputs, sort=False)["Proba"].sum().reset_index() if outputs else \
            pd.DataFrame({"Proba": [self.fixed_points["Proba"].sum()]})
        grouped = grouped[["Proba", *outputs]]
        return grouped.sort_values("Proba", ascending=False, kind="stable").reset_index(drop=True)

    def fixed_points_by_outputs(self) -> pd.Series:
        """Probability of reaching a fixed point, summed over fixed points with the same output nodes on
        (labels as :meth:`readable_state`), largest first."""
        outputs = list(self.output_nodes)
        active = self.fixed_points[outputs].to_numpy(dtype=bool)
        labels = [self.readable_state(SEPARATOR.join(o for o, on in zip(outputs, row) if on) or NIL)
                  for row in active]
        grouped = self.fixed_points["Proba"].groupby(pd.Index(labels, name="outputs")).sum()
        return grouped.sort_values(ascending=False, kind="stable")


def _number(value: float, exact: bool) -> str:
    """A probability as text: 6 significant digits, or every digit (``repr``) when ``exact``."""
    return repr(float(value)) if exact else f"{value:.6g}"


def _parse_probtraj(path) -> tuple:
    text = read_text(path)
    lines = text.splitlines()
    header = lines[0].split("\t")
    if header[:1] != ["Time"]:
        raise InputError(path, "line 1", "not a probtraj table (first column is not Time)")
    first_state = header.index("State") if "State" in header else len(header)
    hd_columns = [c for c in range(first_state) if header[c].startswith("HD=")]
    rows, times, th, th_error, hamming = [], [], [], [], []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cells = line.split("\t")
        try:
            times.append(float(cells[0]))
            th.append(float(cells[header.index("TH")]) if "TH" in header else np.nan)
            th_error.append(float(cells[header.index("ErrorTH")]) if "ErrorTH" in header else np.nan)
            hamming.append([float(cells[c]) for c in hd_columns])
            triples = cells[first_state:]
            rows.append({triples[c]: (float(triples[c + 1]), float(triples[c + 2]))
                         for c in range(0, len(triples) - 2, 3)})
        except (ValueError, IndexError):
            raise InputError(path, f"line {number}", "malformed probtraj row") from None
    labels = list(dict.fromkeys(label for row in rows for label in row))
    probabilities = pd.DataFrame([[row.get(s, (0.0, 0.0))[0] for s in labels] for row in rows],
                                 index=pd.Index(times, name="Time"), columns=labels)
    errors = pd.DataFrame([[row.get(s, (0.0, 0.0))[1] for s in labels] for row in rows],
                          index=probabilities.index, columns=labels)
    hd_table = pd.DataFrame(hamming, index=probabilities.index, columns=[header[c] for c in hd_columns]) \
        if hd_columns else None
    return (probabilities, errors, pd.Series(th, index=probabilities.index, name="TH"),
            pd.Series(th_error, index=probabilities.index, name="ErrorTH"), hd_table)


def _parse_fp(path) -> pd.DataFrame:
    lines = [line for line in read_text(path).splitlines() if line.strip()]
    if not lines or not lines[0].startswith("Fixed Points"):
        raise InputError(path, "line 1", "not a fixed-point table (expected 'Fixed Points (N)')")
    if len(lines) == 1:
        return pd.DataFrame(columns=["State", "Proba"])
    table = pd.read_csv(io.StringIO("\n".join(lines[1:])), sep="\t")
    nodes = [c for c in table.columns if c not in ("FP", "State", "Proba")]
    return table[["State", "Proba"] + nodes]


def _nodes_of(labels) -> list:
    return list(dict.fromkeys(n for label in labels if label != NIL for n in label.split(SEPARATOR)))
