"""Cohorts that survive: resuming after kill -9 and SIGTERM, changed patient data, dying workers."""
from __future__ import annotations

import concurrent.futures
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from conftest import CountingExecutor

from booleanidt import cohort
from booleanidt.expr import And, Not, Var
from booleanidt.model import LogicalModel
from booleanidt.simulation.settings import SimulationSettings

OUTPUTS = ["Prolif", "Death"]
SETTINGS = SimulationSettings(max_time=4.0, time_tick=0.5, sample_count=200)
BNET = "targets, factors\nGF, GF\nRAS, GF\nP53, !RAS\nProlif, RAS & !P53\nDeath, P53\n"


@pytest.fixture(scope="module")
def model():
    return LogicalModel.from_rules({"GF": Var("GF"), "RAS": Var("GF"), "P53": Not(Var("RAS")),
                                    "Prolif": And((Var("RAS"), Not(Var("P53")))), "Death": Var("P53")})


def cohort_profiles(count: int) -> dict:
    return {f"P{i:02d}": {"continuous": {"RAS": round(i / count, 3), "P53": round(1 - i / count, 3)},
                          "discrete": {"GF": i % 2} if i % 3 == 0 else {}} for i in range(count)}


def write_cohort_inputs(folder: Path, count: int) -> Path:
    """``folder`` with model.bnet, rna.csv and mut.csv of ``count`` patients, as the command line reads them."""
    (folder / "model.bnet").write_text(BNET)
    profiles = cohort_profiles(count)
    continuous = pd.DataFrame({p: v["continuous"] for p, v in profiles.items()}).T
    discrete = pd.DataFrame({p: v["discrete"] for p, v in profiles.items()}).T.reindex(continuous.index)
    continuous.to_csv(folder / "rna.csv")
    discrete.to_csv(folder / "mut.csv")
    return folder




def test_changed_patient_data_recomputes_exactly_that_patient(tmp_path, model):
    profiles = cohort_profiles(6)
    with CountingExecutor() as pool:
        first = cohort.run(model, profiles, OUTPUTS, executor=pool, settings=SETTINGS, seed=3, results_dir=tmp_path)
    changed = {**profiles, "P04": {"continuous": {"RAS": 0.05, "P53": 0.95}, "discrete": {}}}
    with CountingExecutor() as pool:
        second = cohort.run(model, changed, OUTPUTS, executor=pool, settings=SETTINGS, seed=3, results_dir=tmp_path)
    assert pool.submitted == ["P04"]
    assert second.attrs == {"reused": 5, "computed": 1, "changed": 1}
    with CountingExecutor() as pool:
        fresh = cohort.run(model, changed, OUTPUTS, executor=pool, settings=SETTINGS, seed=3)
    pd.testing.assert_frame_equal(second, fresh)       # the new data's scores, not the old ones
    assert second.loc["P04", "Prolif"] != first.loc["P04", "Prolif"]
    pd.testing.assert_frame_equal(second.drop(index="P04"), first.drop(index="P04"))
    # the newest row of a patient is what read_scores gives
    assert cohort.read_scores(tmp_path).loc["P04", cohort.DIGEST] == cohort.profile_digest(changed["P04"])
    # NaN entries and the order of nodes are no change
    reordered = {**changed, "P01": {"discrete": {}, "continuous": {"P53": profiles["P01"]["continuous"]["P53"],
                                                                   "RAS": profiles["P01"]["continuous"]["RAS"],
                                                                   "GF": float("nan")}}}
    with CountingExecutor() as pool:
        third = cohort.run(model, reordered, OUTPUTS, executor=pool, settings=SETTINGS, seed=3, results_dir=tmp_path)
    assert pool.submitted == [] and third.attrs["reused"] == 6


def kill_own_worker_once(marker: Path, personalize):
    """A ``personalize`` that kills the worker process running it the first time it sees ``die``."""
    def wrapped(model, profile, **options):
        if profile.get("die") and not marker.exists():
            marker.touch()
            os.kill(os.getpid(), signal.SIGKILL)
        return personalize(model, {k: v for k, v in profile.items() if k != "die"}, **options)
    return wrapped


def test_worker_killed_mid_run_costs_no_patient(tmp_path, model, monkeypatch):
    profiles = cohort_profiles(8)
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        expected = cohort.run(model, profiles, OUTPUTS, executor=pool, settings=SETTINGS, seed=5)
    monkeypatch.setattr(cohort, "personalize", kill_own_worker_once(tmp_path / "died", cohort.personalize))
    dying = {**profiles, "P03": {**profiles["P03"], "die": True}}   # local pool: forked after the patch
    table = cohort.run(model, dying, OUTPUTS, settings=SETTINGS, seed=5, results_dir=tmp_path / "out")
    assert (tmp_path / "died").exists()                 # a worker did die
    assert table["error"].isna().all()
    pd.testing.assert_frame_equal(table, expected)
    assert cohort.read_scores(tmp_path / "out").index.is_unique


def test_patient_that_always_kills_its_worker_fails_alone(tmp_path, model, monkeypatch):
    personalize = cohort.personalize

    def always_dies(model, profile, **options):
        if profile.get("die"):
            os.kill(os.getpid(), signal.SIGKILL)
        return personalize(model, profile, **options)
    monkeypatch.setattr(cohort, "personalize", always_dies)
    profiles = cohort_profiles(4)
    profiles["P01"] = {**profiles["P01"], "die": True}
    table = cohort.run(model, profiles, OUTPUTS, settings=SETTINGS, seed=5)
    assert table.loc["P01", "error"].startswith("its worker process died")
    assert table.drop(index="P01")["error"].isna().all()


# --- the command line killed mid-run, then resumed ---------------------------------------------

CLI_PATIENTS = 30
CLI_SETTINGS = ["--set", "sample_count=6000", "--set", "max_time=10", "--set", "time_tick=1"]


@pytest.fixture(scope="module")
def cli_inputs(tmp_path_factory):
    return write_cohort_inputs(tmp_path_factory.mktemp("cohort_cli"), CLI_PATIENTS)


def _cohort_command(folder: Path, out: Path, batch_size: int) -> list:
    return [sys.executable, "-m", "booleanidt", "cohort", str(folder / "model.bnet"),
            "--continuous", str(folder / "rna.csv"), "--discrete", str(folder / "mut.csv"),
            "--outputs", ",".join(OUTPUTS), "-o", str(out), "--batch-size", str(batch_size),
            "--no-progress", *CLI_SETTINGS]


def descendants(pid: int) -> list:
    children = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return children + [d for c in children for d in descendants(c)]


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def run_until_parts(command: list, out: Path, parts: int) -> subprocess.Popen:
    """Start the command and return once ``parts`` parts are written (the run is then mid-way)."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               cwd=Path(__file__).parents[1])
    while len(list((out / "parts").glob("*.parquet"))) < parts:
        assert process.poll() is None, process.communicate()
        time.sleep(0.02)
    return process


@pytest.fixture(scope="module")
def uninterrupted(cli_inputs, tmp_path_factory):
    out = tmp_path_factory.mktemp("whole") / "run"
    run = subprocess.run(_cohort_command(cli_inputs, out, 32), capture_output=True, text=True, timeout=300,
                         cwd=Path(__file__).parents[1])
    assert run.returncode == 0, run.stderr
    return pd.read_parquet(out / cohort.SCORES_FILE)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["kill-9", "SIGTERM"])
def test_killed_cohort_leaves_no_worker_and_resumes_whole(cli_inputs, uninterrupted, tmp_path, how):
    out = tmp_path / "run"
    command = _cohort_command(cli_inputs, out, 1 if how == signal.SIGKILL else 4)
    process = run_until_parts(command, out, 2)
    workers = descendants(process.pid)
    assert workers                                       # the local pool is up
    process.send_signal(how)
    _, stderr = process.communicate(timeout=60)
    deadline = time.monotonic() + 30
    while any(map(alive, workers)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [w for w in workers if alive(w)], "workers outlived the cohort"
    assert not (out / cohort.SCORES_FILE).exists()       # stopped mid-run
    if how == signal.SIGTERM:
        assert process.returncode == 143 and "terminated" in stderr
    saved = cohort.read_scores(out)
    assert 0 < len(saved) < CLI_PATIENTS

    resumed = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=Path(__file__).parents[1])
    assert resumed.returncode == 0, resumed.stderr
    assert f"{CLI_PATIENTS} patients scored, 0 failed ({len(saved)} reused" in resumed.stdout
    table = pd.read_parquet(out / cohort.SCORES_FILE)
    assert table.index.is_unique and len(table) == CLI_PATIENTS
    pd.testing.assert_frame_equal(table, uninterrupted)
    assert cohort.read_scores(out).index.is_unique
    assert not list(out.rglob(".*.tmp"))                 # no temporary file left behind


def test_results_respect_the_umask(tmp_path):
    out = tmp_path / "run"
    old = os.umask(0o022)
    try:
        cohort.run(LogicalModel.from_rules({"A": None}), {"P": {}}, ["A"], executor=CountingExecutor(),
                   settings=SETTINGS, results_dir=out)
    finally:
        os.umask(old)
    modes = {path.name: path.stat().st_mode & 0o777 for path in out.rglob("*") if path.is_file()}
    assert modes and set(modes.values()) == {0o644}, modes


def test_resume_removes_writes_a_killed_run_left_half_done(tmp_path, model):
    profiles = cohort_profiles(4)
    with CountingExecutor() as pool:
        cohort.run(model, profiles, OUTPUTS, executor=pool, settings=SETTINGS, seed=3, results_dir=tmp_path)
    half_part = tmp_path / "parts" / ".part-00000000000000000001-dead-00000.parquet.x1y2.tmp"
    half_scores = tmp_path / ".scores.parquet.z3w4.tmp"
    half_part.write_bytes(b"PAR1 cut off by kill -9")
    half_scores.write_bytes(b"")
    with CountingExecutor() as pool:
        again = cohort.run(model, profiles, OUTPUTS, executor=pool, settings=SETTINGS, seed=3, results_dir=tmp_path)
    assert pool.submitted == []                           # everything reused
    assert list(again.index) == list(profiles) and again.attrs["reused"] == 4
    assert not list(tmp_path.rglob(".*.tmp"))
