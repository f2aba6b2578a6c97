"""Cohorts: one personalised simulation per patient, on any ``concurrent.futures.Executor``.

:func:`run` personalises the model for every patient (PROFILE's method,
:func:`booleanidt.personalization.apply.personalize`), simulates it and returns one
tidy table: one row per patient, the probability of each output node at the last
time window, its standard error, and the error of the patients that failed.

* ``executor=None`` runs on local processes over all cores; any
  ``concurrent.futures.Executor`` works, and so does a ``dask.distributed.Client``
  (LocalCluster, scheduler address, dask-jobqueue): tasks take and return plain
  picklable data.
* Each patient's seed is derived from ``(seed, patient id)``, so results do not
  depend on the executor, the number of workers or the order of completion.
* A failing patient (broken profile, ...) is reported with its error in the
  ``error`` column; the rest of the cohort completes.
* With ``results_dir``, finished patients are written as Parquet parts while the
  cohort runs (``results_dir/parts/``); a rerun with the same settings skips them,
  and the whole table is written to ``results_dir/scores.parquet``.

Examples
--------
>>> patient_seed(0, "TCGA-A1-A0SB-01") == patient_seed(0, "TCGA-A1-A0SB-01")
True
>>> patient_seed(0, "P1") != patient_seed(1, "P1")
True
"""
from __future__ import annotations

import concurrent.futures
import dataclasses
import hashlib
import io
import json
import math
import os
import uuid
from pathlib import Path
from typing import Mapping, Optional

import pandas as pd
from tqdm.auto import tqdm

from .errors import BooleanidtError
from .io._files import atomic_write_bytes, atomic_write_text
from .model import LogicalModel
from .personalization.apply import mark_outputs, personalize
from .simulation.settings import SimulationSettings

__all__ = ["run", "patient_seed", "simulate_patient", "read_scores",
           "CohortError", "SCORES_FILE"]

#: name of the whole table in ``results_dir``
SCORES_FILE = "scores.parquet"
_PARTS = "parts"
_MANIFEST = "cohort.json"
_ERROR = "error"


class CohortError(BooleanidtError):
    """A cohort that cannot run (no patients, results folder of another run...)."""


def patient_seed(seed: int, patient: str) -> int:
    """The seed of one patient's simulation, derived from the cohort seed and the patient id.

    A hash (not ``seed + index``), so it does not depend on the patient's position,
    and seeds of two cohorts do not overlap.

    >>> 0 <= patient_seed(42, "P7") < 2**31
    True
    """
    digest = hashlib.sha256(f"{int(seed)}\x00{patient}".encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "little") & 0x7FFFFFFF


def _last_window_scores(result, outputs) -> dict:
    last, errors = result.node_probabilities.iloc[-1], result.node_errors.iloc[-1]
    row = {}
    for node in outputs:
        row[node], row[f"{node}_se"] = float(last[node]), float(errors[node])
    return row


def simulate_patient(task: Mapping) -> dict:
    """Personalise and simulate one patient; the task and the answer are plain data.

    Parameters
    ----------
    task : mapping with ``patient``, ``model`` (LogicalModel), ``profile``,
        ``options`` (keyword arguments of ``personalize``), ``settings``
        (SimulationSettings), ``outputs`` (node ids) and ``seed`` (the cohort seed)

    Returns
    -------
    dict
        ``patient``, one probability and one ``<output>_se`` per output, and
        ``error`` (None, or the message of the failure).
    """
    from .simulation import simulate

    patient, outputs = task["patient"], list(task["outputs"])
    row = {"patient": patient}
    try:
        model = personalize(task["model"], task["profile"], **task["options"])
        settings = task["settings"].replace(seed=patient_seed(task["seed"], patient), threads=1)
        result = simulate(model, settings, outputs=outputs)
        row.update(_last_window_scores(result, outputs))
        row[_ERROR] = None
    except Exception as exc:  # one broken patient must not stop the cohort
        row.update({name: math.nan for node in outputs for name in (node, f"{node}_se")})
        row[_ERROR] = f"{type(exc).__name__}: {exc}" if not isinstance(exc, BooleanidtError) else str(exc)
    return row


class _Submitter:
    """One interface over concurrent.futures executors and dask.distributed clients."""

    def __init__(self, executor):
        self.executor = executor
        self.is_dask = type(executor).__module__.split(".")[0] == "distributed"

    def submit(self, task):
        if self.is_dask:
            return self.executor.submit(simulate_patient, task, pure=False)
        return self.executor.submit(simulate_patient, task)

    def as_completed(self, futures):
        if self.is_dask:
            from distributed import as_completed
            return as_completed(futures)
        return concurrent.futures.as_completed(futures)


def _manifest(model: LogicalModel, outputs, settings, seed, options) -> dict:
    model_key = repr((model.rules, model.rates_up, model.rates_down, model.parameters,
                      model.initial_probabilities, model.fixed, model.mutations))
    run_settings = {k: v for k, v in dataclasses.asdict(settings).items() if k not in ("seed", "threads")}
    return {"outputs": list(outputs), "seed": int(seed), "settings": run_settings,
            "options": {k: v for k, v in sorted(options.items())},
            "model_sha256": hashlib.sha256(model_key.encode("utf-8")).hexdigest()}


def _check_manifest(results_dir: Path, manifest: dict):
    path = results_dir / _MANIFEST
    if path.exists():
        previous = json.loads(path.read_text(encoding="utf-8"))
        if previous != json.loads(json.dumps(manifest)):
            changed = sorted(k for k in manifest if previous.get(k) != json.loads(json.dumps(manifest)).get(k))
            raise CohortError(f"{results_dir}: holds results of a run with other {', '.join(changed)}; "
                              "use another results folder or delete it")
    else:
        atomic_write_text(path, json.dumps(manifest, indent=1, sort_keys=True))


def read_scores(results_dir) -> pd.DataFrame:
    """Every row written under ``results_dir/parts`` (successful rows win over failed ones).

    Returns an empty table when there is none.
    """
    parts = sorted((Path(results_dir) / _PARTS).glob("*.parquet"))
    if not parts:
        return pd.DataFrame()
    table = pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)
    table["_ok"] = table[_ERROR].isna()
    table = table.sort_values("_ok", kind="stable").drop_duplicates("patient", keep="last")
    return table.drop(columns="_ok").set_index("patient")


def _write_part(results_dir: Path, run_id: str, number: int, rows: list):
    buffer = io.BytesIO()
    pd.DataFrame(rows).to_parquet(buffer, index=False)
    atomic_write_bytes(results_dir / _PARTS / f"part-{run_id}-{number:05d}.parquet", buffer.getvalue())


def _table(rows: list, patients: list, outputs) -> pd.DataFrame:
    columns = list(outputs) + [f"{node}_se" for node in outputs] + [_ERROR]
    table = pd.DataFrame(rows, columns=["patient"] + columns).set_index("patient")
    table = table.loc[[p for p in patients if p in table.index]]
    table[_ERROR] = table[_ERROR].astype(object).where(table[_ERROR].notna(), None)
    return table


def run(model: LogicalModel, profiles: Mapping, outputs, *, executor=None,
        settings: Optional[SimulationSettings] = None, seed: int = 0, results_dir=None,
        batch_size: int = 32, progress: Optional[bool] = None, **options) -> pd.DataFrame:
    """Simulate every patient of a cohort and return their scores.

    Parameters
    ----------
    model : LogicalModel
    profiles : mapping patient id -> profile (``{"continuous": {...}, "discrete": {...}}``),
        e.g. a :class:`booleanidt.personalization.Profiles`
    outputs : output (phenotype) node ids whose last-window probability is the score
    executor : concurrent.futures.Executor or dask.distributed.Client; None = local processes
    settings : SimulationSettings (threads are set to 1 per patient)
    seed : cohort seed; patient seeds are derived from it and the patient id
    results_dir : folder for resumable Parquet parts and ``scores.parquet``, or None
    batch_size : patients per Parquet part
    progress : show a progress bar (None: when on a terminal)
    **options : keyword arguments of ``personalize`` (factor, continuous_as, discrete_as, ...)

    Returns
    -------
    pandas.DataFrame
        index ``patient`` (in the order of ``profiles``), one column per output, one
        ``<output>_se`` per output, and ``error`` (None for patients that ran).

    Examples
    --------
    >>> from booleanidt.expr import Var
    >>> m = LogicalModel.from_rules({"A": None, "B": Var("A")})
    >>> table = run(m, {"P1": {"continuous": {"A": 1.0}}}, ["B"],
    ...             settings=SimulationSettings(max_time=5, time_tick=1, sample_count=100))  # doctest: +SKIP
    """
    outputs = list(outputs)
    patients = [str(p) for p in profiles]
    if not patients:
        raise CohortError("the cohort has no patient")
    if len(set(patients)) != len(patients):
        raise CohortError("duplicated patient ids in the cohort")
    settings = settings or SimulationSettings()
    model = mark_outputs(model, outputs)

    done_rows = []
    if results_dir is not None:
        results_dir = Path(results_dir)
        _check_manifest(results_dir, _manifest(model, outputs, settings, seed, options))
        previous = read_scores(results_dir)
        if not previous.empty:
            finished = previous[previous[_ERROR].isna()]
            done_rows = finished.reset_index().to_dict("records")
    done = {row["patient"] for row in done_rows}
    todo = [p for p in patients if p not in done]

    rows = _run_tasks(model, profiles, todo, outputs, executor, settings, seed, results_dir,
                      batch_size, progress, options, len(done))
    table = _table(done_rows + rows, patients, outputs)
    if results_dir is not None:
        buffer = io.BytesIO()
        table.to_parquet(buffer)
        atomic_write_bytes(results_dir / SCORES_FILE, buffer.getvalue())
    return table


def _run_tasks(model, profiles, todo, outputs, executor, settings, seed, results_dir,
               batch_size, progress, options, already_done) -> list:
    if not todo:
        return []
    own_executor = executor is None
    if own_executor:
        executor = concurrent.futures.ProcessPoolExecutor(max_workers=min(os.cpu_count() or 1, len(todo)))
    submitter = _Submitter(executor)
    by_key = {str(k): v for k, v in profiles.items()}
    run_id, part_number, pending, rows = uuid.uuid4().hex[:8], 0, [], []
    futures = {}
    try:
        for patient in todo:
            task = {"patient": patient, "model": model, "profile": by_key[patient], "options": options,
                    "settings": settings, "outputs": outputs, "seed": seed}
            futures[submitter.submit(task)] = patient
        bar = tqdm(total=already_done + len(todo), initial=already_done, unit="patient",
                   disable=(not progress) if progress is not None else None, desc="cohort")
        with bar:
            for future in submitter.as_completed(list(futures)):
                try:
                    row = future.result()
                except Exception as exc:  # the worker itself died
                    row = {"patient": futures[future], _ERROR: f"{type(exc).__name__}: {exc}"}
                rows.append(row)
                pending.append(row)
                bar.update(1)
                if results_dir is not None and len(pending) >= batch_size:
                    _write_part(results_dir, run_id, part_number, pending)
                    part_number, pending = part_number + 1, []
    finally:
        if results_dir is not None and pending:
            _write_part(results_dir, run_id, part_number, pending)
        if own_executor:
            executor.shutdown(cancel_futures=True)
    return rows
