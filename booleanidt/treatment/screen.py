"""Treatment screens over a cohort, on any ``concurrent.futures.Executor``: :func:`treat`.

For every patient, the personalised model (PROFILE's method, as in
:func:`booleanidt.cohort.run`) runs untreated and under each single and, with
``pairs``, pairwise inhibition of the targets at each strength; each run is scored by
the objective.  The patient's model is compiled once and the conditions change only
the initial state of the drug nodes, or the targets' activation rates
(:mod:`~booleanidt.treatment.inhibition`).

* ``executor=None`` runs on local processes over all cores; any
  ``concurrent.futures.Executor`` works, and so does a ``dask.distributed.Client``;
  a task is one patient with all its conditions.
* Each (patient, condition) run has its own seed, derived by a seed sequence from the
  screen seed, the patient id and the condition, so results do not depend on the
  executor, the number of workers or the order of completion.
* A failing patient is reported in the ``error`` column; the rest of the screen completes.
* Local worker processes die with the screen (SIGTERM, kill -9), and patients lost with a
  worker that died are retried on a fresh pool, as in cohorts
  (:func:`booleanidt._batch.run_tasks`).
* With ``results_dir``, finished patients are written as Parquet parts while the screen
  runs (``results_dir/parts/``); a rerun with the same settings skips them, a folder of
  another screen is refused, and the whole table is written to
  ``results_dir/treatments.parquet``.
"""
from __future__ import annotations

import io
from pathlib import Path
from typing import Mapping, Optional, Sequence

import pandas as pd

from .._batch import CohortError, check_manifest, read_parts, run_manifest, run_saving_parts
from ..io._files import atomic_write_bytes
from ..model import LogicalModel
from ..naming import resolve_known
from ..personalization.apply import mark_outputs
from ..simulation.settings import SimulationSettings
from .conditions import INHIBITIONS, TreatmentError, screen_conditions, screen_problem
from .objective import Objective
from .patient import ERROR, failed_rows, screen_patient
from .ranking import rank_screen

__all__ = ["treat", "read_screen", "TREATMENTS_FILE"]

#: name of the whole table in ``results_dir``
TREATMENTS_FILE = "treatments.parquet"
_KEY = ["patient", "treatment", "strength"]


def read_screen(results_dir) -> pd.DataFrame:
    """Every condition row written under ``results_dir/parts`` (successful patients win over failed ones).

    Returns an empty table when there is none.
    """
    table = read_parts(results_dir)
    if table.empty:
        return table
    table["_ok"] = table[ERROR].isna()
    table = table.sort_values("_ok", kind="stable").drop_duplicates(_KEY, keep="last")
    return table.drop(columns="_ok")


def _checked(model: LogicalModel, targets, strengths, pairs, objective) -> Objective:
    problem = screen_problem(model, list(targets), list(strengths), pairs)
    if problem:
        raise TreatmentError(problem)
    return Objective.parse(objective.text if isinstance(objective, Objective) else objective, model=model)


def treat(model: LogicalModel, profiles: Mapping, targets: Sequence[str], objective, *,
          strengths: Sequence[float] = (1.0,), pairs: bool = False, inhibition: str = "drug",
          maximize: bool = True, executor=None,
          settings: Optional[SimulationSettings] = None, seed: int = 0, results_dir=None, batch_size: int = 8,
          progress: Optional[bool] = None, **options) -> pd.DataFrame:
    """Screen single (and pairwise) inhibitions of ``targets`` on every patient of a cohort.

    Parameters
    ----------
    model : LogicalModel
    profiles : mapping patient id -> profile (``{"continuous": {...}, "discrete": {...}}``),
        e.g. a :class:`booleanidt.personalization.Profiles`
    targets : nodes to inhibit, by id or name
    objective : text such as ``"Apoptosis - Proliferation"`` (arithmetic over output
        probabilities at the last window; nodes by id or name) or an
        :class:`~booleanidt.treatment.objective.Objective`
    strengths : inhibition strengths in (0, 1]
    pairs : also screen every pair of targets (both at the same strength)
    inhibition : ``"drug"`` (PROFILE's drug nodes ``anti_X``; strength = probability the drug
        node is on) or ``"rates"`` (X's activation rate times ``1 - strength``); see
        :mod:`~booleanidt.treatment.inhibition`
    maximize : rank by decreasing objective (False: increasing)
    executor : concurrent.futures.Executor or dask.distributed.Client; None = local processes
        (patients lost with a dying worker are retried on a fresh pool)
    settings : SimulationSettings (threads are set to 1 per run)
    seed : screen seed; each (patient, condition) seed derives from it
    results_dir : folder for resumable Parquet parts and ``treatments.parquet``, or None
    batch_size : patients per Parquet part
    progress : show a progress bar (None: when on a terminal)
    **options : keyword arguments of ``personalize`` (factor, continuous_as, discrete_as, ...)

    Returns
    -------
    pandas.DataFrame
        one row per patient x condition (``patient``, ``treatment``: ``untreated``, ``X``
        or ``X+Y``; ``strength``, 0 for untreated), in the order of ``profiles``: each
        output's probability and ``<output>_se``, ``objective``, ``objective_se``,
        ``seed``, Bliss excess for pairs, ``rank``, ``z_next``, ``significant``,
        ``z_untreated`` (see :mod:`~booleanidt.treatment.ranking`) and ``error``.

    Raises
    ------
    TreatmentError
        bad targets or strengths; ObjectiveError: bad objective; CohortError: no patient,
        results folder of another run.
    CohortTerminated
        on SIGTERM (in the main thread): finished patients are written, workers stopped.

    Examples
    --------
    >>> from booleanidt.expr import Var, Not
    >>> m = LogicalModel.from_rules({"GF": None, "RAS": Var("GF"), "Prolif": Var("RAS")})
    >>> treat(m, {"P1": {}}, ["RAS"], "-Prolif", settings=SimulationSettings(max_time=5))  # doctest: +SKIP
    """
    targets = [resolve_known(model, target) for target in targets]   # by id or name
    objective = _checked(model, targets, strengths, pairs, objective)
    if inhibition not in INHIBITIONS:
        raise TreatmentError(f"inhibition must be one of {', '.join(INHIBITIONS)} (got {inhibition!r})")
    patients = [str(p) for p in profiles]
    if not patients:
        raise CohortError("the cohort has no patient")
    if len(set(patients)) != len(patients):
        raise CohortError("duplicated patient ids in the cohort")
    settings = settings or SimulationSettings()
    model = mark_outputs(model, objective.names)
    conditions = screen_conditions(list(targets), list(strengths), pairs)

    done_rows = []
    if results_dir is not None:
        results_dir = Path(results_dir)
        screen = {"targets": list(targets), "strengths": [float(s) for s in strengths], "pairs": bool(pairs),
                  "objective": objective.text, "inhibition": inhibition}
        check_manifest(results_dir, run_manifest(model, objective.names, settings, seed, {**options, **screen}))
        previous = read_screen(results_dir)
        if not previous.empty:
            done_rows = previous[previous[ERROR].isna()].to_dict("records")
    done = {row["patient"] for row in done_rows}
    by_key = {str(k): v for k, v in profiles.items()}
    tasks = [{"patient": p, "model": model, "profile": by_key[p], "options": options, "conditions": conditions,
              "objective": objective, "settings": settings, "seed": seed, "inhibition": inhibition}
             for p in patients if p not in done]
    rows = [row for patient_rows in run_saving_parts(screen_patient, tasks, executor=executor, failed=failed_rows,
                                                     rows=list, results_dir=results_dir, batch_size=batch_size,
                                                     progress=progress, desc="treat", done_before=len(done))
            for row in patient_rows]

    names = list(objective.names)
    columns = _KEY + names + [f"{n}_se" for n in names] + ["objective", "objective_se", "seed", ERROR]
    table = pd.DataFrame(done_rows + rows, columns=columns)
    order = {(c.label, c.strength): i for i, c in enumerate(conditions)}
    table["_order"] = [patients.index(p) * len(order) + order[(t, s)]
                       for p, t, s in zip(table["patient"], table["treatment"], table["strength"])]
    table = table.sort_values("_order").drop(columns="_order").reset_index(drop=True)
    table[ERROR] = table[ERROR].astype(object).where(table[ERROR].notna(), None)
    ranked = rank_screen(table, objective, maximize)
    if results_dir is not None:
        buffer = io.BytesIO()
        ranked.to_parquet(buffer, index=False)
        atomic_write_bytes(results_dir / TREATMENTS_FILE, buffer.getvalue())
    return ranked
