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
* With ``results_dir``, finished patients are written as Parquet parts while the screen
  runs (``results_dir/parts/``); a rerun with the same settings skips them, a folder of
  another screen is refused, and the whole table is written to
  ``results_dir/treatments.parquet``.
"""
from __future__ import annotations

import concurrent.futures
import io
import os
import uuid
from pathlib import Path
from typing import Mapping, Optional, Sequence

import pandas as pd
from tqdm.auto import tqdm

from ..cohort import CohortError, _check_manifest, _manifest
from ..io._files import atomic_write_bytes
from ..model import LogicalModel
from ..personalization.apply import mark_outputs
from ..simulation.settings import SimulationSettings
from .conditions import INHIBITIONS, TreatmentError, screen_conditions, screen_problem
from .objective import Objective
from .patient import ERROR, failed_rows, screen_patient
from .ranking import rank_screen

__all__ = ["treat", "read_screen", "TREATMENTS_FILE"]

#: name of the whole table in ``results_dir``
TREATMENTS_FILE = "treatments.parquet"
_PARTS = "parts"
_KEY = ["patient", "treatment", "strength"]


def read_screen(results_dir) -> pd.DataFrame:
    """Every condition row written under ``results_dir/parts`` (successful patients win over failed ones).

    Returns an empty table when there is none.
    """
    parts = sorted((Path(results_dir) / _PARTS).glob("*.parquet"))
    if not parts:
        return pd.DataFrame()
    table = pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)
    table["_ok"] = table[ERROR].isna()
    table = table.sort_values("_ok", kind="stable").drop_duplicates(_KEY, keep="last")
    return table.drop(columns="_ok")


def _write_part(results_dir: Path, run_id: str, number: int, rows: list):
    buffer = io.BytesIO()
    pd.DataFrame(rows).to_parquet(buffer, index=False)
    atomic_write_bytes(results_dir / _PARTS / f"part-{run_id}-{number:05d}.parquet", buffer.getvalue())


def _submit(executor, task):
    if type(executor).__module__.split(".")[0] == "distributed":
        return executor.submit(screen_patient, task, pure=False)
    return executor.submit(screen_patient, task)


def _completed(executor, futures):
    if type(executor).__module__.split(".")[0] == "distributed":
        from distributed import as_completed
        return as_completed(futures)
    return concurrent.futures.as_completed(futures)


def _run_tasks(tasks: list, executor, results_dir, batch_size: int, progress, already_done: int) -> list:
    if not tasks:
        return []
    own_executor = executor is None
    if own_executor:
        executor = concurrent.futures.ProcessPoolExecutor(max_workers=min(os.cpu_count() or 1, len(tasks)))
    run_id, part_number, pending, rows = uuid.uuid4().hex[:8], 0, [], []
    try:
        futures = {_submit(executor, task): task for task in tasks}
        with tqdm(total=already_done + len(tasks), initial=already_done, unit="patient", desc="treat",
                  disable=(not progress) if progress is not None else None) as bar:
            for future in _completed(executor, list(futures)):
                try:
                    patient_rows = future.result()
                except Exception as exc:  # the worker itself died
                    patient_rows = failed_rows(futures[future], f"{type(exc).__name__}: {exc}")
                rows += patient_rows
                pending += patient_rows
                bar.update(1)
                if results_dir is not None and len({r["patient"] for r in pending}) >= batch_size:
                    _write_part(results_dir, run_id, part_number, pending)
                    part_number, pending = part_number + 1, []
    finally:
        if results_dir is not None and pending:
            _write_part(results_dir, run_id, part_number, pending)
        if own_executor:
            executor.shutdown(cancel_futures=True)
    return rows


def _checked(model: LogicalModel, targets, strengths, pairs, objective) -> Objective:
    problem = screen_problem(model, list(targets), list(strengths), pairs)
    if problem:
        raise TreatmentError(problem)
    if not isinstance(objective, Objective):
        objective = Objective.parse(objective, nodes=model.nodes)
    else:
        Objective.parse(objective.text, nodes=model.nodes)
    return objective


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
    targets : nodes to inhibit
    objective : text such as ``"Apoptosis - Proliferation"`` (arithmetic over output
        probabilities at the last window) or an :class:`~booleanidt.treatment.objective.Objective`
    strengths : inhibition strengths in (0, 1]
    pairs : also screen every pair of targets (both at the same strength)
    inhibition : ``"drug"`` (PROFILE's drug nodes ``anti_X``; strength = probability the drug
        node is on) or ``"rates"`` (X's activation rate times ``1 - strength``); see
        :mod:`~booleanidt.treatment.inhibition`
    maximize : rank by decreasing objective (False: increasing)
    executor : concurrent.futures.Executor or dask.distributed.Client; None = local processes
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

    Examples
    --------
    >>> from booleanidt.expr import Var, Not
    >>> m = LogicalModel.from_rules({"GF": None, "RAS": Var("GF"), "Prolif": Var("RAS")})
    >>> treat(m, {"P1": {}}, ["RAS"], "-Prolif", settings=SimulationSettings(max_time=5))  # doctest: +SKIP
    """
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
        _check_manifest(results_dir, _manifest(model, objective.names, settings, seed, {**options, **screen}))
        previous = read_screen(results_dir)
        if not previous.empty:
            done_rows = previous[previous[ERROR].isna()].to_dict("records")
    done = {row["patient"] for row in done_rows}
    by_key = {str(k): v for k, v in profiles.items()}
    tasks = [{"patient": p, "model": model, "profile": by_key[p], "options": options, "conditions": conditions,
              "objective": objective, "settings": settings, "seed": seed, "inhibition": inhibition}
             for p in patients if p not in done]
    rows = _run_tasks(tasks, executor, results_dir, batch_size, progress, len(done))

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
