"""Treatment screens that survive, as cohorts do: a dying local worker costs no patient, and kill -9 or
SIGTERM of ``booleanidt treat`` leaves no worker and a rerun resumes to the table of an uninterrupted run."""
from __future__ import annotations

import concurrent.futures
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from booleanidt.cli import main
from booleanidt.treatment import patient, read_screen, treat
from booleanidt.simulation.settings import SimulationSettings
from booleanidt.treatment.screen import TREATMENTS_FILE

from test_cohort_resume import (alive, cohort_profiles, descendants, kill_own_worker_once,  # noqa: F401
                                model, run_until_parts, write_cohort_inputs)  # (model is a fixture)

SETTINGS = SimulationSettings(max_time=4.0, time_tick=0.5, sample_count=200)
SCREEN = dict(targets=["RAS", "P53"], objective="Death - Prolif", strengths=[0.5, 1.0], seed=5, settings=SETTINGS)


def test_worker_killed_mid_screen_costs_no_patient(tmp_path, model, monkeypatch):
    profiles = cohort_profiles(6)
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        expected = treat(model, profiles, executor=pool, **SCREEN)
    monkeypatch.setattr(patient, "personalize", kill_own_worker_once(tmp_path / "died", patient.personalize))
    dying = {**profiles, "P03": {**profiles["P03"], "die": True}}   # local pool: forked after the patch
    table = treat(model, dying, results_dir=tmp_path / "out", batch_size=1, **SCREEN)
    assert (tmp_path / "died").exists()                 # a worker did die
    assert table["error"].isna().all()
    pd.testing.assert_frame_equal(table, expected)
    assert not read_screen(tmp_path / "out").duplicated(["patient", "treatment", "strength"]).any()


# --- the command line killed mid-screen, then resumed ----------------------------------------------

CLI_PATIENTS = 12
#: enough trajectories that a patient takes tens of milliseconds: the screen must still be running when the
#: test's signal lands (with 1,000, workers that start on the quick-start kernel wrote a part every 2-10 ms,
#: and a killed rerun could finish all 12 patients before its SIGKILL)
CLI_SETTINGS = ["--set", "sample_count=50000", "--set", "max_time=8", "--set", "time_tick=1"]


@pytest.fixture(scope="module")
def cli_inputs(tmp_path_factory):
    return write_cohort_inputs(tmp_path_factory.mktemp("treat_cli"), CLI_PATIENTS)


def _treat_arguments(folder: Path, out: Path) -> list:
    return ["treat", str(folder / "model.bnet"), "--continuous", str(folder / "rna.csv"),
            "--discrete", str(folder / "mut.csv"), "--targets", "RAS,P53", "--objective", "Death - Prolif",
            "-o", str(out), "--batch-size", "1", "--no-progress", *CLI_SETTINGS]


def _stop_mid_run(command: list, out: Path, how: signal.Signals) -> subprocess.CompletedProcess:
    """Run ``command`` until two more parts are written, send ``how``, and check that no worker outlives it."""
    process = run_until_parts(command, out, len(list((out / "parts").glob("*.parquet"))) + 2)
    workers = descendants(process.pid)
    assert workers                                       # the local pool is up
    process.send_signal(how)
    stdout, stderr = process.communicate(timeout=60)
    deadline = time.monotonic() + 30
    while any(map(alive, workers)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [w for w in workers if alive(w)], f"workers outlived the screen ({how.name})"
    assert not (out / TREATMENTS_FILE).exists()          # stopped mid-run
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_terminated_and_killed_screen_leave_no_worker_and_resume_whole(cli_inputs, tmp_path):
    assert main(_treat_arguments(cli_inputs, tmp_path / "whole")) == 0
    uninterrupted = pd.read_parquet(tmp_path / "whole" / TREATMENTS_FILE)

    out = tmp_path / "run"
    command = [sys.executable, "-m", "booleanidt", *_treat_arguments(cli_inputs, out)]
    terminated = _stop_mid_run(command, out, signal.SIGTERM)
    assert terminated.returncode == 143 and "booleanidt treat: terminated" in terminated.stderr, terminated.stderr
    saved = read_screen(out)["patient"].nunique()
    assert 0 < saved < CLI_PATIENTS
    _stop_mid_run(command, out, signal.SIGKILL)          # the rerun resumes, and is killed in turn
    assert saved < read_screen(out)["patient"].nunique() < CLI_PATIENTS

    resumed = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=Path(__file__).parents[1])
    assert resumed.returncode == 0, resumed.stderr
    assert f"{CLI_PATIENTS} patients screened over 3 conditions, 0 failed" in resumed.stdout
    pd.testing.assert_frame_equal(pd.read_parquet(out / TREATMENTS_FILE), uninterrupted)
    assert not read_screen(out).duplicated(["patient", "treatment", "strength"]).any()
