"""Per-patient tasks of a cohort or a treatment screen: run, retried, saved in parts, resumed.

What :func:`booleanidt.cohort.run` and :func:`booleanidt.treatment.treat` share:

* :func:`run_tasks` runs one picklable function per task on an executor, or on local
  processes bound to this one (they die with it, SIGTERM and kill -9 included); tasks
  lost with a local worker that died are retried on a fresh pool, and a task that
  kills its worker every time fails alone.
* :class:`PartWriter` writes finished tasks' rows as whole Parquet parts under
  ``results_dir/parts/``; :func:`read_parts` reads them back, oldest part first.
* :func:`run_manifest` and :func:`check_manifest` keep a results folder to one run's
  model, settings and options.
* :func:`terminate_on_sigterm` turns SIGTERM into :class:`CohortTerminated`, so that the
  pool stops and the rows already finished are written.
* :func:`run_saving_parts` is all of it together, with a progress bar.

Examples
--------
>>> import concurrent.futures
>>> with concurrent.futures.ThreadPoolExecutor(2) as pool:
...     sorted(run_tasks(abs, [-2, 1], executor=pool, failed=lambda task, message: None))
[1, 2]
"""
from __future__ import annotations

import concurrent.futures
import contextlib
import ctypes
import dataclasses
import hashlib
import io
import json
import os
import signal
import sys
import threading
import time
import uuid
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Callable, Optional

import pandas as pd
from tqdm import tqdm as tqdm_base
from tqdm.auto import tqdm

from .errors import BooleanidtError
from .io._files import atomic_write_bytes, atomic_write_text

__all__ = ["run_tasks", "run_saving_parts", "PartWriter", "read_parts", "run_manifest", "check_manifest",
           "terminate_on_sigterm", "CohortError", "CohortTerminated", "PARTS", "MANIFEST_FILE"]

#: folder of the parts in ``results_dir``
PARTS = "parts"
#: the run's manifest in ``results_dir``
MANIFEST_FILE = "cohort.json"


class CohortError(BooleanidtError):
    """A cohort that cannot run (no patients, results folder of another run...)."""


class CohortTerminated(SystemExit):
    """The cohort process received SIGTERM: finished patients are saved, workers stopped (exit code 143)."""

    def __init__(self):
        super().__init__(128 + signal.SIGTERM)


# --- results folders -----------------------------------------------------------------------------

def run_manifest(model, outputs, settings, seed, options) -> dict:
    """What makes two runs' rows interchangeable: the model, outputs, settings (seed and threads
    aside), the run seed and the options, as JSON-ready data.

    >>> from booleanidt.model import LogicalModel
    >>> from booleanidt.simulation.settings import SimulationSettings
    >>> m = LogicalModel.from_rules({"A": None})
    >>> manifest = run_manifest(m, ["A"], SimulationSettings(threads=4), 0, {"factor": 100})
    >>> manifest == run_manifest(m, ["A"], SimulationSettings(threads=1), 0, {"factor": 100})
    True
    >>> manifest == run_manifest(m, ["A"], SimulationSettings(), 1, {"factor": 100})
    False
    """
    model_key = repr((model.rules, model.rates_up, model.rates_down, model.parameters,
                      model.initial_probabilities, model.fixed, model.mutations))
    run_settings = {k: v for k, v in dataclasses.asdict(settings).items() if k not in ("seed", "threads")}
    return {"outputs": list(outputs), "seed": int(seed), "settings": run_settings,
            "options": {k: v for k, v in sorted(options.items())},
            "model_sha256": hashlib.sha256(model_key.encode("utf-8")).hexdigest()}


def check_manifest(results_dir: Path, manifest: dict):
    """Write ``manifest`` into a new results folder; refuse a folder that holds another run's.

    Raises
    ------
    CohortError
        naming the folder and what differs.
    """
    path = Path(results_dir) / MANIFEST_FILE
    as_json = json.loads(json.dumps(manifest))
    if path.exists():
        previous = json.loads(path.read_text(encoding="utf-8"))
        if previous != as_json:
            changed = sorted(k for k in manifest if previous.get(k) != as_json.get(k))
            raise CohortError(f"{results_dir}: holds results of a run with other {', '.join(changed)}; "
                              "use another results folder or delete it")
    else:
        atomic_write_text(path, json.dumps(manifest, indent=1, sort_keys=True))


def read_parts(results_dir) -> pd.DataFrame:
    """Every row of every part, oldest part first (an empty table when there is none)."""
    parts = sorted((Path(results_dir) / PARTS).glob("*.parquet"))
    if not parts:
        return pd.DataFrame()
    return pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)


def _remove_unfinished_writes(results_dir):
    """Delete the temporary files of writes that a killed earlier run left half done.

    Every file here is written to a hidden ``.NAME.*.tmp`` sibling and renamed when whole, so
    such a file is never a result; a resumed run removes them (one run writes a folder at a time).
    """
    for leftover in Path(results_dir).rglob(".*.tmp"):
        leftover.unlink(missing_ok=True)


class PartWriter:
    """Collects finished tasks' rows and writes them, ``batch_size`` tasks a part, under ``results_dir/parts``.

    With ``results_dir=None`` it writes nothing.  Parts are named by the time they were
    started, so newer rows sort last; each is written whole (temporary file and rename).
    Use it as a context manager: what is pending is written on the way out, however the
    run ends.
    """

    def __init__(self, results_dir, batch_size: int):
        self.results_dir, self.batch_size = results_dir, batch_size
        self.run_id, self.number, self.pending, self.tasks = uuid.uuid4().hex[:8], 0, [], 0

    def add(self, rows: list):
        """The rows of one finished task."""
        self.pending += rows
        self.tasks += 1
        if self.tasks >= self.batch_size:
            self.flush()

    def flush(self):
        if self.results_dir is not None and self.pending:
            buffer = io.BytesIO()
            pd.DataFrame(self.pending).to_parquet(buffer, index=False)
            name = f"part-{time.time_ns():020d}-{self.run_id}-{self.number:05d}.parquet"
            atomic_write_bytes(Path(self.results_dir) / PARTS / name, buffer.getvalue())
            self.number += 1
        self.pending, self.tasks = [], 0

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.flush()


# --- SIGTERM and local workers bound to this process ---------------------------------------------

@contextlib.contextmanager
def terminate_on_sigterm():
    """SIGTERM raises :class:`CohortTerminated` (so that pools shut down and parts are written).

    Only in the main thread (elsewhere signals cannot be handled); the previous handler is
    restored on the way out.
    """
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
    """Initializer of local workers: end when the parent process ends, however it ends.

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


# --- running the tasks ---------------------------------------------------------------------------

def _submit(executor, work, task):
    if type(executor).__module__.split(".")[0] == "distributed":   # a dask.distributed Client
        return executor.submit(work, task, pure=False)
    return executor.submit(work, task)


def _completed(executor, futures):
    if type(executor).__module__.split(".")[0] == "distributed":
        from distributed import as_completed
        return as_completed(futures)
    return concurrent.futures.as_completed(futures)


def _round(work, executor, tasks: list, failed, done, retry: bool) -> tuple:
    """Results of the tasks that ran, and (when ``retry``) the tasks lost with a broken pool."""
    futures = {_submit(executor, work, task): task for task in tasks}
    results, lost = [], []
    for future in _completed(executor, list(futures)):
        task = futures[future]
        try:
            result = future.result()
        except BrokenProcessPool as exc:
            if retry:
                lost.append(task)
                continue
            result = failed(task, f"its worker process died ({exc})")
        except Exception as exc:  # the worker itself failed
            result = failed(task, f"{type(exc).__name__}: {exc}")
        results.append(result)
        done(result)
    return results, lost


def _local_rounds(work, tasks: list, failed, done) -> list:
    """Fresh pools until every task has a result; a round that finishes nobody isolates one task,
    so that a task that kills its worker fails alone."""
    results, queue, isolate = [], list(tasks), False
    while queue:
        batch, queue = (queue[:1], queue[1:]) if isolate else (queue, [])
        pool, finished = _local_pool(min(os.cpu_count() or 1, len(batch))), False
        try:
            ran, lost = _round(work, pool, batch, failed, done, retry=not isolate)
            finished = True
        finally:
            _stop_pool(pool, finished)
        results += ran
        isolate = bool(lost) and not ran
        queue = lost + queue
    return results


def run_tasks(work: Callable, tasks: list, *, executor=None, failed: Callable,
              done: Optional[Callable] = None) -> list:
    """``work(task)`` for every task, on ``executor`` or on local processes; results in completion order.

    Parameters
    ----------
    work : picklable function of one task (plain data) returning its result
    tasks : the tasks
    executor : concurrent.futures.Executor or dask.distributed.Client; None = local
        processes over all cores, which die with this process, and tasks lost with a
        worker that died are retried on a fresh pool (one that kills its worker every
        time ends as ``failed(task, "its worker process died (...)")``)
    failed : ``failed(task, message)``: the result of a task whose worker raised or died
    done : called with each result as it arrives (to save it, to advance a progress bar)

    Returns
    -------
    list
        one result per task.
    """
    done = done or (lambda result: None)
    if executor is not None:
        return _round(work, executor, list(tasks), failed, done, retry=False)[0]
    return _local_rounds(work, list(tasks), failed, done)


def run_saving_parts(work: Callable, tasks: list, *, executor, failed: Callable, rows: Callable, results_dir,
                     batch_size: int, progress: Optional[bool], desc: str, done_before: int = 0) -> list:
    """:func:`run_tasks`, saving each result's ``rows(result)`` as it arrives (:class:`PartWriter`),
    with a progress bar, and SIGTERM raising :class:`CohortTerminated` once the parts are written.

    ``progress`` None shows the bar on a terminal; ``done_before`` tasks are counted as done
    already (reused from ``results_dir``).
    """
    if results_dir is not None:
        _remove_unfinished_writes(results_dir)
    with terminate_on_sigterm(), PartWriter(results_dir, batch_size) as parts, \
            tqdm(total=done_before + len(tasks), initial=done_before, unit="patient", desc=desc,
                 disable=(not progress) if progress is not None else None) as bar:
        def finished(result):
            parts.add(rows(result))
            bar.update(1)
        return run_tasks(work, tasks, executor=executor, failed=failed, done=finished)
