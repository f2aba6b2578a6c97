"""One simulation over an ensemble of models (MaBoSS ``--ensemble``, pyMaBoSS ``Ensemble``).

The models share their nodes (the rules differ, e.g. the models a synthesis tool
returns).  As MaBoSS does by default, the ``sample_count`` trajectories are split
evenly, the first model taking the remainder; each model runs with its own seed
drawn from the run's seed.  The pooled result is the ensemble's: every table is
the trajectory-weighted mean of the models' tables, with standard errors
``sqrt(sum w_i^2 se_i^2)`` (``w_i``: model i's share of the trajectories).

Examples
--------
>>> from booleanidt.model import LogicalModel
>>> from booleanidt.expr import Const, Var
>>> on = LogicalModel.from_rules({"A": Const(1), "B": Var("A")}).with_initial_probabilities({"A": 1.0, "B": 1.0})
>>> off = on.mutate({"A": 0}).with_initial_probabilities({"A": 0.0, "B": 0.0})
>>> ensemble = simulate_ensemble([on, off], max_time=2, time_tick=1, sample_count=101, seed=1)
>>> [r.settings.sample_count for r in ensemble.models]
[51, 50]
>>> round(float(ensemble.pooled.node_probabilities["A"].iloc[0]), 4)  # 51 of 101 trajectories have A = 1
0.505
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..model import LogicalModel
from .api import SimulationError, simulate
from .result import SimulationResult
from .settings import SimulationSettings

__all__ = ["EnsembleResult", "simulate_ensemble"]


@dataclass
class EnsembleResult:
    """Per-model results (in the order given) and the pooled result of the whole ensemble."""

    models: list
    pooled: SimulationResult


def _shares(sample_count: int, models: int) -> list:
    return [sample_count // models + (sample_count % models if i == 0 else 0) for i in range(models)]


def _mean(tables, weights) -> pd.DataFrame:
    columns = list(dict.fromkeys(c for t in tables for c in t.columns))
    return sum(w * t.reindex(columns=columns, fill_value=0.0) for t, w in zip(tables, weights))


def _error(tables, weights) -> pd.DataFrame:
    columns = list(dict.fromkeys(c for t in tables for c in t.columns))
    return np.sqrt(sum((w * t.reindex(columns=columns, fill_value=0.0)) ** 2 for t, w in zip(tables, weights)))


def _pooled_fixed_points(results, weights) -> pd.DataFrame:
    tables = [r.fixed_points.assign(Proba=r.fixed_points["Proba"] * w) for r, w in zip(results, weights)]
    table = pd.concat([t for t in tables if len(t)], ignore_index=True) if any(len(t) for t in tables) \
        else results[0].fixed_points
    nodes = [c for c in table.columns if c not in ("State", "Proba")]
    pooled = table.groupby("State", sort=False).agg({"Proba": "sum", **{n: "first" for n in nodes}}).reset_index()
    return pooled.sort_values("Proba", ascending=False, kind="stable").reset_index(drop=True)


def _pool(results, weights, settings: SimulationSettings) -> SimulationResult:
    with_states = all(r.state_probabilities is not None for r in results)
    finals = [r.final_states for r in results]
    return SimulationResult(
        settings=settings,
        node_probabilities=_mean([r.node_probabilities for r in results], weights),
        node_errors=_error([r.node_errors for r in results], weights),
        state_probabilities=_mean([r.state_probabilities for r in results], weights) if with_states else None,
        state_errors=_error([r.state_errors for r in results], weights) if with_states else None,
        transition_entropy=sum(w * r.transition_entropy for r, w in zip(results, weights)),
        transition_entropy_error=np.sqrt(sum((w * r.transition_entropy_error) ** 2 for r, w in zip(results, weights))),
        fixed_points=_pooled_fixed_points(results, weights),
        output_nodes=results[0].output_nodes,
        jumps=sum(r.jumps for r in results),
        hamming_distances=_mean([r.hamming_distances for r in results], weights),
        final_states=None if any(f is None for f in finals) else
        _mean([f.to_frame().T for f in finals], weights).iloc[0].sort_values(ascending=False, kind="stable"))


def simulate_ensemble(models, settings: SimulationSettings | None = None, *, outputs=None, progress: bool = False,
                      **overrides) -> EnsembleResult:
    """Simulate every model of an ensemble with its share of the trajectories; see the module docstring.

    Parameters
    ----------
    models : LogicalModels with the same node ids
    settings, outputs, progress, **overrides : as for :func:`~booleanidt.simulation.simulate`
    """
    models = list(models)
    if not models:
        raise SimulationError("ensemble: no model given")
    for k, model in enumerate(models):
        if not isinstance(model, LogicalModel) or model.node_ids != models[0].node_ids:
            raise SimulationError(f"ensemble: model {k + 1} does not have the nodes of model 1")
    settings = (settings or SimulationSettings()).replace(**overrides)
    shares = _shares(settings.sample_count, len(models))
    if min(shares) < 1:
        raise SimulationError(f"ensemble: {settings.sample_count} trajectories for {len(models)} models")
    seeds = np.random.SeedSequence(settings.seed).generate_state(len(models), dtype=np.uint32)
    results = [simulate(model, settings.replace(sample_count=share, seed=int(seed)), outputs=outputs,
                        progress=progress) for model, share, seed in zip(models, shares, seeds)]
    weights = [share / settings.sample_count for share in shares]
    return EnsembleResult(models=results, pooled=_pool(results, weights, settings))
