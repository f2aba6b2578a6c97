"""MaBoSS's stationary distributions: each of the first trajectories' own state distribution, and clusters.

For each of the first ``statdist_traj_count`` trajectories of a run, its
distribution is the fraction of [0, max_time) it spends in each full network
state (every node, internal ones too).  Two trajectories are similar to degree
``(sum of P1 over the states both visit) x (sum of P2 over them)``; a cluster
is a set of trajectories linked by similarities >= ``statdist_cluster_threshold``
(MaBoSS grows a cluster from its first trajectory until no other one is that
similar to a member: the connected components, numbered by their first
trajectory).  A cluster's stationary distribution is its members' mean, with
MaBoSS's error ``sqrt((mean of squares - mean^2) / (size - 1))``.

Where we differ from MaBoSS (2.6): it accumulates each trajectory's distribution
over ``state & refnode_mask`` (the nodes with a ``refstate``), so without
reference nodes every trajectory's distribution is the single state ``<nil>``
and there is one cluster; we use the full state, as its code names it
("fullstate") and as it behaves when every node has a ``refstate``.  Models with
more than 63 nodes get distributions over their output nodes only (none, with a
warning, when those are more than 63 too).

The trajectories are the run's own: trajectory j's random stream depends only
on (seed, j), so each is simulated again alone, with one window over [0, max_time).

Examples
--------
>>> from booleanidt.model import LogicalModel
>>> from booleanidt.expr import Var
>>> from booleanidt.simulation import simulate
>>> model = LogicalModel.from_rules({"A": None, "B": Var("A")}).with_initial_probabilities({"B": 0.0})
>>> result = simulate(model, max_time=20, time_tick=1, sample_count=40, seed=3, statdist_traj_count=40,
...                   statdist_cluster_threshold=0.5)
>>> [len(c) for c in result.stationary.clusters]  # trajectory 1 has A = 1 (B turns on); then A = 0
[15, 25]
>>> float(result.node_probabilities["A"].iloc[0])  # the same trajectories: 15 of 40 have A = 1
0.375
"""
from __future__ import annotations

import dataclasses
import io
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .compile import CompiledModel
from .engine import MAX_TRACKED_OUTPUTS, current_kernel
from .result import state_labels
from .settings import SimulationSettings

__all__ = ["StationaryDistributions", "stationary_distributions", "clusters_of"]


@dataclass
class StationaryDistributions:
    """Per-trajectory distributions, their clusters and each cluster's mean distribution.

    Attributes
    ----------
    trajectories : DataFrame, one row per trajectory (0 .. count - 1), one column per state
        label: the fraction of the run spent in it
    clusters : list of lists of trajectory numbers (0-based), in MaBoSS's order
    distributions : list of DataFrames (index state label; columns ``Proba``, ``ErrorProba``),
        one per cluster, most probable state first
    """

    trajectories: pd.DataFrame
    clusters: list
    distributions: list

    def summary(self) -> pd.DataFrame:
        """One row per cluster: size and fraction of the trajectories, most probable state and its probability."""
        count = len(self.trajectories)
        return pd.DataFrame(
            [{"cluster": k + 1, "size": len(members), "fraction": len(members) / count,
              "top_state": table.index[0], "top_proba": float(table["Proba"].iloc[0])}
             for k, (members, table) in enumerate(zip(self.clusters, self.distributions))]).set_index("cluster")

    def statdist_text(self) -> str:
        """The ``_statdist.csv`` file as MaBoSS writes it (tab-separated)."""
        out = io.StringIO()
        rows = [row[row > 0] for _, row in self.trajectories.iterrows()]
        out.write("Trajectory" + "\tState\tProba" * max((len(r) for r in rows), default=0) + "\n")
        for j, row in enumerate(rows):
            out.write(f"#{j + 1}" + "".join(f"\t{s}\t{p:.10g}" for s, p in row.items()) + "\n")
        for k, members in enumerate(self.clusters):
            out.write(f"\nTrajectory[cluster=#{k + 1},size={len(members)}]" + "\tState\tProba" * 4 + " ...\n")
            for j in members:
                out.write(f"#{j + 1}" + "".join(f"\t{s}\t{p:.10g}" for s, p in rows[j].items()) + "\n")
        out.write("\nCluster" + "\tState\tProba\tErrorProba" * 4 + "...\n")
        for k, table in enumerate(self.distributions):
            out.write(f"#{k + 1}" + "".join(f"\t{s}\t{p:.10g}\t{e:.10g}"
                                          for s, (p, e) in zip(table.index, table.to_numpy())) + "\n")
        return out.getvalue()


def clusters_of(distributions: np.ndarray, threshold: float) -> list:
    """Trajectories (rows of a trajectory x state matrix) linked by similarity >= ``threshold``.

    >>> clusters_of(np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0]]), 0.8)
    [[0, 1], [2]]
    """
    from scipy import sparse  # only here: most runs ask for no stationary distributions
    from scipy.sparse.csgraph import connected_components

    d = sparse.csr_matrix(distributions)
    visited = (d > 0).astype(np.float64)
    shared = (d @ visited.T).toarray()  # shared[i, j]: P_i summed over the states j visits too
    similar = shared * shared.T >= threshold
    _, labels = connected_components(sparse.csr_matrix(similar), directed=False)
    first_of = {}
    for j, label in enumerate(labels):
        first_of.setdefault(label, []).append(j)
    return sorted(first_of.values(), key=lambda members: members[0])


def _cluster_distribution(rows: np.ndarray, labels: np.ndarray) -> pd.DataFrame:
    size = len(rows)
    mean = rows.mean(axis=0)
    squares = (rows ** 2).mean(axis=0)
    error = np.sqrt(np.maximum(squares - mean ** 2, 0.0) / (size - 1)) if size > 1 else np.zeros_like(mean)
    keep = mean > 0
    table = pd.DataFrame({"Proba": mean[keep], "ErrorProba": error[keep]}, index=pd.Index(labels[keep], name="State"))
    return table.sort_values("Proba", ascending=False, kind="stable")


def stationary_distributions(net: CompiledModel, settings: SimulationSettings) -> StationaryDistributions | None:
    """The first ``settings.statdist_traj_count`` trajectories' distributions and their clusters.

    None when no trajectory is asked for.
    """
    count = min(settings.statdist_traj_count, settings.sample_count)
    if count == 0:
        return None
    if net.size <= MAX_TRACKED_OUTPUTS:
        net = dataclasses.replace(net, output_index=np.arange(net.size, dtype=np.int64))
    elif len(net.output_index) > MAX_TRACKED_OUTPUTS:
        warnings.warn(f"statdist_traj_count: {net.size} nodes and {len(net.output_index)} outputs, more than "
                      f"{MAX_TRACKED_OUTPUTS}: no stationary distributions (choose fewer outputs)", stacklevel=4)
        return None
    args = net.kernel_arrays()
    kernel = current_kernel()
    workspace = kernel.new_workspace(net.size, 1, True, net.reference_count)
    max_time = float(settings.max_time)
    per_trajectory = []
    for j in range(count):  # one window over [0, max_time): the state table is the trajectory's distribution
        keys, cell_state, _, cell_sum, *_, workspace = kernel.run_chunk(*args, workspace, True, settings.seed, j,
                                                                        1, max_time, max_time, 1,
                                                                        settings.discrete_time, 0.0)[2:]
        per_trajectory.append(dict(zip(keys[cell_state].tolist(), cell_sum.tolist())))
    keys = np.array(sorted({k for d in per_trajectory for k in d}), dtype=np.int64)
    column = {k: c for c, k in enumerate(keys.tolist())}
    matrix = np.zeros((count, len(keys)))
    for j, d in enumerate(per_trajectory):
        for k, p in d.items():
            matrix[j, column[k]] = p
    labels = state_labels(net.output_ids, keys)
    clusters = clusters_of(matrix, settings.statdist_cluster_threshold)
    return StationaryDistributions(
        trajectories=pd.DataFrame(matrix, columns=labels),
        clusters=clusters,
        distributions=[_cluster_distribution(matrix[members], labels) for members in clusters])
