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

import concurrent.futures
import contextlib
import ctypes
import dataclasses
import hashlib
import io
import json
import math
import os
import signal
import sys
import threading
import time
import uuid
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Mapping, Optional

import pandas as pd
from tqdm import tqdm as tqdm_base
from tqdm.auto import tqdm

from .errors import BooleanidtError
from .io._files import atomic_write_bytes, atomic_write_text
from .model import LogicalModel
from .personalization.apply import mark_outputs, personalize, profile_values
from .simulation.settings import SimulationSettings

__all__ = ["run", "patient_seed", "profile_digest", "agreement", "simulate_patient", "read_scores",
           "CohortError", "CohortTerminated", "SCORES_FILE", "DIGEST"]

#: name of the whole table in ``results_dir``
SCORES_FILE = "scores.parquet"
_PARTS = "parts"
_MANIFEST = "cohort.json"
_ERROR = "error"
#: column of the parts and of ``scores.parquet``: digest of the patient's applied profile
DIGEST = "profile_sha256"


class CohortError(BooleanidtError):
    """A cohort that cannot run (no patients, results folder of another run...)."""


class CohortTerminated(SystemExit):
    """The cohort process received SIGTERM: finished patients are saved, workers stopped (exit code 143)."""

    def __init__(self):
        super().__init__(128 + signal.SIGTERM)


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


def _read_parts(results_dir) -> pd.DataFrame:
    """Every row of every part, oldest part first (an empty table when there is none)."""
    parts = sorted((Path(results_dir) / _PARTS).glob("*.parquet"))
    if not parts:
        return pd.DataFrame()
    return pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)


def read_scores(results_dir) -> pd.DataFrame:
    """Every patient written under ``results_dir/parts``, once (successful rows win over failed ones,
    newer over older).

    Returns an empty table when there is none.
    """
    table = _read_parts(results_dir)
    if table.empty:
        return table
    table["_ok"] = table[_ERROR].isna()
    table = table.sort_values("_ok", kind="stable").drop_duplicates("patient", keep="last")
    return table.drop(columns="_ok").set_index("patient")


def _reusable_rows(results_dir: Path, digests: Mapping[str, str]) -> tuple:
    """Earlier successful rows whose profile digest is today's, and the patients whose data changed."""
    table = _read_parts(results_dir)
    if table.empty:
        return [], set()
    ok = table[table[_ERROR].isna()]
    if DIGEST not in ok.columns:      # results of a version that recorded no digest: recompute all
        ok = ok.assign(**{DIGEST: None})
    current = ok["patient"].map(digests)
    reused = ok[ok[DIGEST] == current].drop_duplicates("patient", keep="last")
    changed = set(ok.loc[current.notna(), "patient"]) - set(reused["patient"])
    return reused.to_dict("records"), changed


def _part_name(run_id: str, number: int) -> str:
    """Parts sort by the time they were started, so that newer rows come last."""
    return f"part-{time.time_ns():020d}-{run_id}-{number:05d}.parquet"


def _write_part(results_dir: Path, run_id: str, number: int, rows: list):
    buffer = io.BytesIO()
    pd.DataFrame(rows).to_parquet(buffer, index=False)
    atomic_write_bytes(results_dir / _PARTS / _part_name(run_id, number), buffer.getvalue())


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
    outputs = list(outputs)
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
        _check_manifest(results_dir, _manifest(model, outputs, settings, seed, options))
        done_rows, changed = _reusable_rows(results_dir, digests)
    done = {row["patient"] for row in done_rows}
    tasks = [{"patient": p, "model": model, "profile": by_key[p], "options": options, "settings": settings,
              "outputs": outputs, "seed": seed, DIGEST: digests[p]} for p in patients if p not in done]

    runner = _Runner(executor, results_dir, batch_size)
    with _terminate_on_sigterm(), tqdm(total=len(patients), initial=len(done), unit="patient", desc="cohort",
                                       disable=(not progress) if progress is not None else None) as bar:
        rows = runner.run(tasks, bar)
    table = _table(done_rows + rows, patients, outputs)
    if results_dir is not None:
        buffer = io.BytesIO()
        table.assign(**{DIGEST: [digests[p] for p in table.index]}).to_parquet(buffer)
        atomic_write_bytes(results_dir / SCORES_FILE, buffer.getvalue())
    table.attrs.update(reused=len(done), computed=len(rows), changed=len(changed & {r["patient"] for r in rows}))
    return table


@contextlib.contextmanager
def _terminate_on_sigterm():
    """SIGTERM raises :class:`CohortTerminated` (so that pools shut down and parts are written)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum, frame):
        raise CohortTerminated()

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


_PR_SET_PDEATHSIG = 1


def _watch_parent(parent: int):
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _die_with_parent(parent: int):
    """Initializer of local workers: end when the cohort process ends, however it ends.

    On Linux the kernel sends SIGKILL when the parent dies (``PR_SET_PDEATHSIG``);
    everywhere a daemon thread watches the parent id.  Ctrl-C and SIGTERM are the
    parent's business (it stops the pool).  Workers forked while the parent draws its
    progress bar get a fresh progress-bar lock.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # a fork copies the progress bars' lock as it was: held, if the parent was drawing a bar
    tqdm_base.set_lock(threading.RLock())
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):   # no prctl: the watch below still ends the worker
            pass
    if os.getppid() != parent:   # the parent died before the signal was armed
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True, name="watch-parent").start()


def _local_pool(workers: int) -> concurrent.futures.ProcessPoolExecutor:
    return concurrent.futures.ProcessPoolExecutor(max_workers=workers, initializer=_die_with_parent,
                                                  initargs=(os.getpid(),))


def _stop_pool(pool: concurrent.futures.ProcessPoolExecutor, finished: bool):
    """Shut a local pool down; unless it finished, kill its workers rather than wait for their tasks."""
    if not finished:
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.kill()
    pool.shutdown(wait=finished, cancel_futures=True)


class _Runner:
    """Runs patient tasks, writes their rows in parts, retries patients lost with a dead local worker."""

    def __init__(self, executor, results_dir, batch_size: int):
        self.executor, self.results_dir, self.batch_size = executor, results_dir, batch_size
        self.run_id, self.part_number, self.pending = uuid.uuid4().hex[:8], 0, []

    def run(self, tasks: list, bar) -> list:
        rows = []
        try:
            if self.executor is not None:
                rows += self._round(self.executor, tasks, bar, retry=False)[0]
            else:
                rows += self._local_rounds(tasks, bar)
        finally:
            self._flush()
        return rows

    def _local_rounds(self, tasks: list, bar) -> list:
        """Fresh pools until every task has a row; a round that finishes nobody isolates one task,
        so that a patient that kills its worker fails alone."""
        rows, queue, isolate = [], list(tasks), False
        while queue:
            batch, queue = (queue[:1], queue[1:]) if isolate else (queue, [])
            pool, finished = _local_pool(min(os.cpu_count() or 1, len(batch))), False
            try:
                done, lost = self._round(pool, batch, bar, retry=not isolate)
                finished = True
            finally:
                _stop_pool(pool, finished)
            rows += done
            isolate = bool(lost) and not done
            queue = lost + queue
        return rows

    def _round(self, executor, tasks: list, bar, retry: bool) -> tuple:
        """Rows of the tasks that ran, and (when ``retry``) the tasks lost with a broken pool."""
        submitter = _Submitter(executor)
        futures = {submitter.submit(task): task for task in tasks}
        rows, lost = [], []
        for future in submitter.as_completed(list(futures)):
            task = futures[future]
            try:
                row = future.result()
            except BrokenProcessPool as exc:
                if retry:
                    lost.append(task)
                    continue
                row = {"patient": task["patient"], _ERROR: f"its worker process died ({exc})"}
            except Exception as exc:  # the worker itself failed
                row = {"patient": task["patient"], _ERROR: f"{type(exc).__name__}: {exc}"}
            row[DIGEST] = task[DIGEST]
            rows.append(row)
            self._add(row)
            bar.update(1)
        return rows, lost

    def _add(self, row: dict):
        self.pending.append(row)
        if len(self.pending) >= self.batch_size:
            self._flush()

    def _flush(self):
        if self.results_dir is not None and self.pending:
            _write_part(self.results_dir, self.run_id, self.part_number, self.pending)
            self.part_number, self.pending = self.part_number + 1, []
