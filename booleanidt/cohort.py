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
  cohort runs (``results_dir/parts/``), each row with the digest of the patient's
  applied profile (``profile_sha256``); a rerun with the same settings reuses the
  patients whose digest is unchanged and recomputes exactly the others, and the
  whole table is written to ``results_dir/scores.parquet``.  Every file is
  written whole (temporary file and rename), so a killed run leaves no half table.
* Local worker processes die with the cohort (SIGTERM, kill -9: Linux parent-death
  signal, and a watch on the parent elsewhere); patients lost with a worker that
  died are retried on a fresh pool.

Examples
--------
>>> patient_seed(0, "TCGA-A1-A0SB-01") == patient_seed(0, "TCGA-A1-A0SB-01")
True
>>> patient_seed(0, "P1") != patient_seed(1, "P1")
True
"""
from __future__ import annotations

import hashlib
import io
import json
import math
from pathlib import Path
from typing import Mapping, Optional

import pandas as pd

from ._batch import CohortError, CohortTerminated, check_manifest, read_parts, run_manifest, run_saving_parts
from .errors import BooleanidtError
from .io._files import atomic_write_bytes
from .model import LogicalModel
from .naming import resolve_many
from .personalization.apply import mark_outputs, personalize, profile_values
from .simulation.settings import SimulationSettings

__all__ = ["run", "patient_seed", "profile_digest", "agreement", "simulate_patient", "read_scores",
           "CohortError", "CohortTerminated", "SCORES_FILE", "DIGEST"]

#: name of the whole table in ``results_dir``
SCORES_FILE = "scores.parquet"
_ERROR = "error"
#: column of the parts and of ``scores.parquet``: digest of the patient's applied profile
DIGEST = "profile_sha256"


def patient_seed(seed: int, patient: str) -> int:
    """The seed of one patient's simulation, derived from the cohort seed and the patient id.

    A hash (not ``seed + index``), so it does not depend on the patient's position,
    and seeds of two cohorts do not overlap.

    >>> 0 <= patient_seed(42, "P7") < 2**31
    True
    """
    digest = hashlib.sha256(f"{int(seed)}\x00{patient}".encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "little") & 0x7FFFFFFF


def profile_digest(profile) -> str:
    """SHA-256 of what a profile puts into the model: its node values that carry data.

    NaN/None entries and the order of nodes do not count; every value counts exactly.

    >>> a = profile_digest({"continuous": {"A": 0.25, "B": float("nan")}, "discrete": {"C": 1}})
    >>> a == profile_digest({"discrete": {"C": 1}, "continuous": {"A": 0.25}})
    True
    >>> a == profile_digest({"continuous": {"A": 0.2500001}, "discrete": {"C": 1}})
    False
    """
    continuous, discrete = profile_values(profile)
    applied = {"continuous": sorted((str(k), repr(float(v))) for k, v in continuous.items()),
               "discrete": sorted((str(k), repr(float(v))) for k, v in discrete.items())}
    return hashlib.sha256(json.dumps(applied).encode("utf-8")).hexdigest()


def agreement(table: pd.DataFrame, reference: pd.DataFrame, reference_samples: int,
              sigmas: float = 4.0, tolerance: float = 0.002) -> pd.DataFrame:
    """Which scores agree with a reference Monte Carlo estimate, patient by patient and node by node.

    A score agrees when ``|ours - theirs| <= sigmas * sqrt(se_ours**2 + se_theirs**2) + tolerance``,
    with ``se_theirs = sqrt(p (1 - p) / reference_samples)`` from the reference probability ``p``.

    Parameters
    ----------
    table : a :func:`run` table (``X`` and ``X_se`` columns)
    reference : patients x nodes probabilities (e.g. PROFILE's published results)
    reference_samples : trajectories behind each reference value

    Returns
    -------
    pandas.DataFrame
        booleans, the patients and nodes both tables hold.

    >>> ours = pd.DataFrame({"A": [0.50, 0.10], "A_se": [0.01, 0.01]}, index=["P1", "P2"])
    >>> theirs = pd.DataFrame({"A": [0.52, 0.30]}, index=["P1", "P2"])
    >>> agreement(ours, theirs, 1000)["A"].tolist()
    [True, False]
    """
    patients = [p for p in reference.index if p in table.index]
    nodes = [n for n in reference.columns if n in table.columns and f"{n}_se" in table.columns]
    theirs = reference.loc[patients, nodes].astype(float)
    ours = table.loc[patients, nodes].astype(float)
    ours_se = table.loc[patients, [f"{n}_se" for n in nodes]].astype(float).set_axis(nodes, axis=1)
    theirs_se = (theirs * (1 - theirs) / reference_samples).clip(lower=0) ** 0.5
    return (ours - theirs).abs() <= sigmas * (ours_se ** 2 + theirs_se ** 2) ** 0.5 + tolerance


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


def read_scores(results_dir) -> pd.DataFrame:
    """Every patient written under ``results_dir/parts``, once (successful rows win over failed ones,
    newer over older).

    Returns an empty table when there is none.
    """
    table = read_parts(results_dir)
    if table.empty:
        return table
    table["_ok"] = table[_ERROR].isna()
    table = table.sort_values("_ok", kind="stable").drop_duplicates("patient", keep="last")
    return table.drop(columns="_ok").set_index("patient")


def _reusable_rows(results_dir: Path, digests: Mapping[str, str]) -> tuple:
    """Earlier successful rows whose profile digest is today's, and the patients whose data changed."""
    table = read_parts(results_dir)
    if table.empty:
        return [], set()
    ok = table[table[_ERROR].isna()]
    if DIGEST not in ok.columns:      # results of a version that recorded no digest: recompute all
        ok = ok.assign(**{DIGEST: None})
    current = ok["patient"].map(digests)
    reused = ok[ok[DIGEST] == current].drop_duplicates("patient", keep="last")
    changed = set(ok.loc[current.notna(), "patient"]) - set(reused["patient"])
    return reused.to_dict("records"), changed


def _failed_row(task: Mapping, message: str) -> dict:
    """The row of a patient whose worker raised or died."""
    return {"patient": task["patient"], _ERROR: message}


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
    outputs : output (phenotype) nodes, by id or name, whose last-window probability is the score
    executor : concurrent.futures.Executor or dask.distributed.Client; None = local processes
        (patients lost with a dying worker are retried on a fresh pool)
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
        ``table.attrs`` counts the patients ``reused`` from ``results_dir``, those
        ``computed`` now, and among these the ones ``changed`` (their profile digest
        differs from the earlier run's).

    Raises
    ------
    CohortTerminated
        on SIGTERM (in the main thread): finished patients are written, workers stopped.

    Examples
    --------
    >>> from booleanidt.expr import Var
    >>> m = LogicalModel.from_rules({"A": None, "B": Var("A")})
    >>> table = run(m, {"P1": {"continuous": {"A": 1.0}}}, ["B"],
    ...             settings=SimulationSettings(max_time=5, time_tick=1, sample_count=100))  # doctest: +SKIP
    """
    outputs = resolve_many(model, list(outputs), "outputs")
    patients = [str(p) for p in profiles]
    if not patients:
        raise CohortError("the cohort has no patient")
    if len(set(patients)) != len(patients):
        raise CohortError("duplicated patient ids in the cohort")
    if batch_size < 1:
        raise CohortError(f"batch size must be at least 1 (got {batch_size})")
    settings = settings or SimulationSettings()
    model = mark_outputs(model, outputs)
    by_key = {str(k): v for k, v in profiles.items()}
    digests = {patient: profile_digest(by_key[patient]) for patient in patients}

    done_rows, changed = [], set()
    if results_dir is not None:
        results_dir = Path(results_dir)
        check_manifest(results_dir, run_manifest(model, outputs, settings, seed, options))
        done_rows, changed = _reusable_rows(results_dir, digests)
    done = {row["patient"] for row in done_rows}
    tasks = [{"patient": p, "model": model, "profile": by_key[p], "options": options, "settings": settings,
              "outputs": outputs, "seed": seed} for p in patients if p not in done]

    rows = run_saving_parts(simulate_patient, tasks, executor=executor, failed=_failed_row,
                            rows=lambda row: [{**row, DIGEST: digests[row["patient"]]}], results_dir=results_dir,
                            batch_size=batch_size, progress=progress, desc="cohort", done_before=len(done))
    table = _table(done_rows + rows, patients, outputs)
    if results_dir is not None:
        buffer = io.BytesIO()
        table.assign(**{DIGEST: [digests[p] for p in table.index]}).to_parquet(buffer)
        atomic_write_bytes(results_dir / SCORES_FILE, buffer.getvalue())
    table.attrs.update(reused=len(done), computed=len(rows), changed=len(changed & {r["patient"] for r in rows}))
    return table
