"""Issue #11, run settings, options and outputs: each case by name, each a regression test."""
import errno
import os
import pickle
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import booleanidt
from booleanidt.cli import main
from booleanidt.errors import InputError
from booleanidt.io import _files
from booleanidt.simulation import Simulation, SimulationSettings, simulate
from booleanidt.simulation.memory import MemoryLimitError
from booleanidt.simulation.settings import SettingsError
from conftest import CORPUS, needs_corpus

REPO = Path(__file__).resolve().parents[1]
CELLCYCLE = CORPUS / "maboss" / "cellcycle.bnd"
CELLCYCLE_CFG = CORPUS / "maboss" / "cellcycle_runcfg.cfg"

BND = "node A { logic = !B; rate_up = $k; rate_down = 1; }\nnode B { logic = A; }\n"
CFG = "$k = 2;\nmax_time = 3;\ntime_tick = 1;\nsample_count = 300;\nseed_pseudorandom = 7;\n"


@pytest.fixture
def toggle(tmp_path):
    (tmp_path / "t.bnd").write_text(BND)
    (tmp_path / "t.cfg").write_text(CFG)
    return tmp_path / "t.bnd"


def cli(*args, **kwargs):
    """Run the CLI in a subprocess from this checkout: (exit code, stdout, stderr)."""
    done = subprocess.run([sys.executable, "-m", "booleanidt", *map(str, args)], capture_output=True, text=True,
                          cwd=REPO, timeout=120, **kwargs)
    return done.returncode, done.stdout, done.stderr


# --- the .cfg's run settings travel with the model ---------------------------------------

@needs_corpus
def test_api_runs_the_cfg_settings():
    model = booleanidt.read(CELLCYCLE, cfg_path=CELLCYCLE_CFG)
    result = simulate(model, sample_count=100)  # keyword arguments override the .cfg
    assert result.settings == SimulationSettings(max_time=5, time_tick=0.2, sample_count=100, seed=100,
                                                 discrete_time=True)
    assert len(result.node_probabilities) == 25


def test_settings_survive_model_operations_and_pickling(toggle):
    model = booleanidt.read(toggle)
    carried = SimulationSettings.of(model)
    assert (carried.max_time, carried.sample_count, carried.seed) == (3.0, 300, 7)
    changed = pickle.loads(pickle.dumps(model.mutate({"A": 1}).fix({"B": 0}).with_parameters({"k": 3})))
    assert SimulationSettings.of(changed) == carried
    assert Simulation(changed).settings == carried


@needs_corpus
@pytest.mark.parametrize("command", [["info"], ["validate"], ["analyze", "--fixed-points"]])
def test_inspecting_commands_take_cfg(command, tmp_path):
    bnd = tmp_path / "cc.bnd"
    bnd.write_bytes(CELLCYCLE.read_bytes())
    assert main([command[0], str(bnd), *command[1:], "--cfg", str(CELLCYCLE_CFG)]) == 0


@needs_corpus
def test_convert_takes_cfg_and_keeps_its_settings(tmp_path):
    out = tmp_path / "cc.bnd"
    assert main(["convert", str(CELLCYCLE), str(out), "--cfg", str(CELLCYCLE_CFG)]) == 0
    assert SimulationSettings.of(booleanidt.read(out)).sample_count == 1_000_000


# --- values outside their domain ----------------------------------------------------------

@pytest.mark.parametrize("change, message", [
    ({"max_time": float("inf")}, "max_time must be a finite number"),
    ({"sample_count": float("inf")}, "sample_count must be a finite whole number"),
    ({"sample_count": 1e30}, "sample_count must be at most"),
    ({"seed": 2 ** 64}, "seed_pseudorandom must be a whole number from 0 to 2^64-1"),
    ({"seed": 1e30}, "seed_pseudorandom must be a whole number from 0 to 2^64-1"),
    ({"seed": -1}, "seed_pseudorandom must be"),
    ({"threads": -1}, "threads must be >= 1"),
    ({"max_time": "nan"}, "must be a number"),
])
def test_settings_that_overflow_are_refused(change, message):
    with pytest.raises(SettingsError, match=re.escape(message)):
        SimulationSettings().replace(**change)


def test_largest_seed_runs():
    settings = SimulationSettings(max_time=1, time_tick=1, sample_count=5, seed=2 ** 64 - 1)
    assert settings.seed == 18446744073709551615  # parsed exactly, not through a float


# cmaboss 2.x runs "sample_count = 10.7;" (10 trajectories) and "discrete_time = 2;" (discrete):
# MaBoSS reads settings as doubles and truncates / tests for non-zero.  We do the same, with a warning.
@pytest.mark.parametrize("change, field, value, warning", [
    ({"sample_count": 10.7}, "sample_count", 10, "not a whole number; using 10"),
    ({"discrete_time": 2}, "discrete_time", True, "not 0 or 1; reading it as 1"),
])
def test_values_maboss_accepts_warn(change, field, value, warning):
    with pytest.warns(UserWarning, match=warning):
        settings = SimulationSettings().replace(**change)
    assert getattr(settings, field) == value


def test_time_tick_that_needs_terabytes_is_refused_before_work(toggle):
    with pytest.raises(MemoryLimitError, match=r"TB of memory \(3,000,000,000,000 time windows.*raise time_tick"):
        simulate(booleanidt.read(toggle), time_tick=1e-12)


@pytest.mark.parametrize("option, message", [
    (["--param", "kk=3"], "--param: $kk: is not a parameter of the model (its parameters: $k)"),
    (["--outputs", ","], "outputs: no node named"),
    (["--set", "sample_count=inf"], "sample_count must be a finite whole number"),
    (["--set", "time_tick=1e-12"], "time windows"),
])
def test_simulate_options_outside_their_domain(toggle, tmp_path, capsys, option, message):
    out = tmp_path / "out"
    assert main(["simulate", str(toggle), *option, "-o", str(out), "--no-progress"]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("args", [["screen", "th_differentiation", "--knockouts", "--workers", "-1"],
                                  ["screen", "th_differentiation", "--knockouts", "--outputs", ","]])
def test_screen_counts_and_lists_checked(args):
    with pytest.raises(SystemExit) as stop:
        main(args)
    assert stop.value.code == 2


# --- Ctrl-C -----------------------------------------------------------------------------------

def test_ctrl_c_prints_interrupted_and_exits_130(toggle):
    process = subprocess.Popen([sys.executable, "-m", "booleanidt", "simulate", str(toggle), "--set",
                                "sample_count=100000000", "--set", "max_time=1000", "-o", str(toggle.parent / "o")],
                               cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    time.sleep(6)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert err.strip().splitlines()[-1] == "booleanidt: interrupted"   # after a compiling notice, if any
    assert "Traceback" not in err and "SystemError" not in err
    assert not (toggle.parent / "o").exists()


# --- output safety ----------------------------------------------------------------------------

@pytest.fixture
def run_args(toggle):
    return ["simulate", str(toggle), "--no-progress", "-o"]


@pytest.mark.parametrize("where, message", [
    ("file", "is a file; name a folder for the results"),
    ("file/sub", "is a file, not a folder"),
    ("/proc/booleanidt_cannot_write_here", "cannot write"),
])
def test_simulate_output_that_cannot_be_written(run_args, tmp_path, capsys, where, message):
    (tmp_path / "file").write_text("mine\n")
    target = where if where.startswith("/") else tmp_path / where
    assert main([*run_args, str(target)]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert (tmp_path / "file").read_text() == "mine\n"


def test_folder_of_other_files_is_refused_not_replaced(run_args, tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("keep me\n")
    assert main([*run_args, str(tmp_path)]) == 2
    assert "holds notes.txt" in capsys.readouterr().err
    assert (tmp_path / "notes.txt").read_text() == "keep me\n"


def test_rerun_leaves_no_stale_file(run_args, tmp_path):
    out = tmp_path / "out"
    assert main([*run_args, str(out), "--plot"]) == 0
    assert (out / "trajectories.png").is_file()
    assert main([*run_args, str(out)]) == 0
    names = {p.name for p in out.iterdir()}
    assert "trajectories.png" not in names and {"nodes.csv", "run.json"} <= names
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "t.bnd", "t.cfg"]  # no staging folder left


def test_full_disk_leaves_nothing(run_args, tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    assert main([*run_args, str(out)]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def full(path, data):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))
    monkeypatch.setattr(Path, "write_bytes", full)
    assert main([*run_args, str(out), "--set", "seed_pseudorandom=9"]) == 2
    assert "No space left on device" in capsys.readouterr().err
    monkeypatch.undo()
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "t.bnd", "t.cfg"]


def test_kill_during_simulate_leaves_old_or_new_set_never_a_mix(toggle, tmp_path):
    out = tmp_path / "out"
    base = ["simulate", toggle, "--set", "sample_count=2000", "--no-progress", "-o", out]
    assert cli(*base)[0] == 0
    old = {p.name: p.read_bytes() for p in out.iterdir()}
    for seed, delay in enumerate((2.0, 3.0, 4.0, 5.0), start=11):   # kill -9 at different points of later runs
        # each run its own seed: a run that finishes is told from the one before by its tables
        process = subprocess.Popen([sys.executable, "-m", "booleanidt", *map(str, base), "--set",
                                    f"seed_pseudorandom={seed}", "--plot"], cwd=REPO,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        process.kill()
        process.wait()
        now = {p.name: p.read_bytes() for p in out.iterdir()}
        if now != old:   # the run finished: all of it is new
            assert "trajectories.png" in now and all(now[name] != old[name] for name in ("nodes.csv", "run.json"))
            old = now


def test_convert_writes_bnd_and_cfg_together_and_says_it_replaces_the_cfg(toggle, tmp_path, capsys, monkeypatch):
    out = tmp_path / "m.bnd"
    (tmp_path / "m.cfg").write_text("old\n")
    real = os.replace
    calls = []

    def second_rename_fails(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(errno.EIO, "Input/output error", str(dst))
        return real(src, dst)
    assert main(["convert", str(toggle), str(out)]) == 0
    assert "warning: replacing" in capsys.readouterr().err
    monkeypatch.setattr(os, "replace", second_rename_fails)
    with pytest.raises(InputError, match="cannot write"):
        _files.atomic_write_files({tmp_path / "x.bnd": "x", tmp_path / "x.cfg": "y"})
    assert not any(p.name.endswith(".tmp") for p in tmp_path.iterdir())


KILL_AT_SECOND_RENAME = """
import os, signal, sys
from booleanidt.cli import main
real, calls = os.replace, []
def replace(src, dst):
    calls.append(dst)
    if len(calls) == 2:                      # the .bnd is in place, the .cfg not yet
        os.kill(os.getpid(), signal.SIGKILL)
    return real(src, dst)
os.replace = replace
main(sys.argv[1:])
"""


def test_convert_killed_between_the_two_renames_is_refused_on_reading(toggle, tmp_path):
    out = tmp_path / "m.bnd"
    assert main(["convert", str(toggle), str(out)]) == 0
    old_cfg = (tmp_path / "m.cfg").read_text()
    assert booleanidt.read(out).rules                      # a pair written together reads
    (tmp_path / "other.cfg").write_text(CFG.replace("$k = 2", "$k = 5"))     # a second conversion, other rates
    killed = subprocess.run([sys.executable, "-c", KILL_AT_SECOND_RENAME, "convert", str(toggle), str(out),
                             "--cfg", str(tmp_path / "other.cfg")], cwd=REPO, capture_output=True, text=True)
    assert killed.returncode == -signal.SIGKILL
    assert (tmp_path / "m.cfg").read_text() == old_cfg and out.read_text() != (tmp_path / "m.cfg").read_text()
    with pytest.raises(InputError, match=r"m\.cfg: line 1: was not written with .*m\.bnd \(pair stamp"):
        booleanidt.read(out)
    code, _, err = cli("simulate", out, "--no-progress", "-o", tmp_path / "run")
    assert code == 2 and err.count("\n") == 1 and "write the model again" in err
    assert not (tmp_path / "run").exists()
    assert main(["convert", str(toggle), str(out)]) == 0 and booleanidt.read(out).rules   # writing again repairs


def test_output_files_respect_the_umask(run_args, tmp_path):
    old = os.umask(0o027)
    try:
        assert main([*run_args, str(tmp_path / "out")]) == 0
        _files.atomic_write_text(tmp_path / "single.txt", "x")
    finally:
        os.umask(old)
    assert oct((tmp_path / "out" / "nodes.csv").stat().st_mode & 0o777) == oct(0o640)
    assert oct((tmp_path / "out").stat().st_mode & 0o777) == oct(0o750)
    assert oct((tmp_path / "single.txt").stat().st_mode & 0o777) == oct(0o640)
