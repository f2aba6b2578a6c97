"""The quick-start kernel (numba's kernel built ahead of time) starts runs without numba and changes no number.

The module is built once for this file into a temporary cache folder, by the same
command ``booleanidt simulate`` starts in the background.  Runs go through whole
processes, as a user's do: with the module (numba never imported) and with
``BOOLEANIDT_QUICK_START=0`` (numba's kernel); every file they write must be the same
byte for byte.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from booleanidt.simulation import quickstart

REPO = Path(__file__).resolve().parent.parent
MABOSS = REPO.parent / "shared" / "corpus" / "maboss"

#: runs a command line in-process, then says whether numba was ever imported
RUN_AND_REPORT = """
import sys
from booleanidt.cli import main
code = main(sys.argv[1:])
print("numba imported:", "numba" in sys.modules)
sys.exit(code)
"""

#: the same, with a run on two threads that moves from the quick-start kernel to numba's after its first chunk
RUN_SWITCHING = """
import sys
import booleanidt.simulation.api as api
api.SWITCH_SECONDS = 0.0
from booleanidt.cli import main
code = main(sys.argv[1:])
print("numba imported:", "numba" in sys.modules)
sys.exit(code)
"""

#: every MaBoSS feature whose numbers go through the kernel: a schedule, reference states (HD
#: columns), an observed graph, stationary distributions, three chunks (the last one partial)
CELLFATE_EXTRAS = """
TNF.schedule = 5: 1.0;
CASP8.refstate = 1;
RIP1.refstate = 0;
TNF.in_graph = 1;
CASP8.in_graph = 1;
statdist_traj_count = 20;
max_time = 20;
time_tick = 1;
sample_count = 1200;
"""


@pytest.fixture(scope="module")
def quick_cache(tmp_path_factory):
    folder = tmp_path_factory.mktemp("quickstart-cache")
    env = {**os.environ, "BOOLEANIDT_CACHE_DIR": str(folder)}
    done = subprocess.run([sys.executable, "-m", "booleanidt.simulation.quickstart"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "quick-start kernel built" in done.stdout
    return folder


def _run(script: str, args: list, cache: Path, out: Path, quick: bool) -> str:
    env = {**os.environ, "BOOLEANIDT_CACHE_DIR": str(cache), "BOOLEANIDT_QUICK_START": "1" if quick else "0"}
    done = subprocess.run([sys.executable, "-c", script, "simulate", *args, "-o", str(out), "--no-progress"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stdout.replace(str(out), "OUTDIR")


def _files(folder: Path) -> dict:
    files = {path.name: path.read_bytes() for path in folder.iterdir() if path.name != "run.json"}
    run = json.loads((folder / "run.json").read_text())
    run.pop("wall_seconds")
    return {**files, "run.json": run}


def _cellfate_cfg(tmp_path) -> Path:
    cfg = tmp_path / "cellfate_features.cfg"
    cfg.write_text((MABOSS / "cellfate.cfg").read_text() + CELLFATE_EXTRAS)
    return cfg


def _cases(tmp_path) -> dict:
    return {
        "cellfate, every kernel feature": [str(MABOSS / "cellfate.bnd"), "--cfg", str(_cellfate_cfg(tmp_path))],
        "cellcycle, discrete time": [str(MABOSS / "cellcycle.bnd"), "--cfg", str(MABOSS / "cellcycle_runcfg.cfg"),
                                     "--set", "discrete_time=1", "--set", "sample_count=700"],
        "th_naldi2010, multi-valued": ["th_naldi2010", "--set", "sample_count=600", "--set", "max_time=10"],
    }


def test_small_runs_start_without_numba_and_write_the_same_files(quick_cache, tmp_path):
    for name, args in _cases(tmp_path).items():
        quick_out, numba_out = tmp_path / f"{name} quick", tmp_path / f"{name} numba"
        quick_said = _run(RUN_AND_REPORT, args, quick_cache, quick_out, quick=True)
        numba_said = _run(RUN_AND_REPORT, args, quick_cache, numba_out, quick=False)
        assert "numba imported: False" in quick_said, name
        assert "numba imported: True" in numba_said, name
        assert quick_said.replace("False", "True") == numba_said, name
        assert _files(quick_out) == _files(numba_out), name


@pytest.mark.parametrize("threads, moves", [(2, True), (1, False)])
def test_a_run_that_proves_long_moves_to_numba_on_threads_only_with_the_same_numbers(quick_cache, tmp_path,
                                                                                    threads, moves):
    """Numba's kernel runs chunks on every thread; on one thread it gains nothing (as fast per chunk)."""
    args = _cases(tmp_path)["cellfate, every kernel feature"] + ["--set", f"thread_count={threads}"]
    said = _run(RUN_SWITCHING, args, quick_cache, tmp_path / "switching", quick=True)
    _run(RUN_AND_REPORT, args, quick_cache, tmp_path / "numba", quick=False)
    assert f"numba imported: {moves}" in said
    assert _files(tmp_path / "switching") == _files(tmp_path / "numba")


def test_a_call_with_other_types_is_refused_not_misread(quick_cache, monkeypatch):
    monkeypatch.setenv("BOOLEANIDT_CACHE_DIR", str(quick_cache))
    module = quickstart.load(quick_cache)
    assert module is not None
    workspace = module.new_workspace(3, 2, True, 0)
    assert [a.shape for a in workspace[0]] == [(5, 3, 4), (5,), (5,)]
    with pytest.raises(quickstart.QuickStartError, match=r"argument 0 is \['float'\], built for \['int'\]"):
        module.new_workspace(3.0, 2, True, 0)
    with pytest.raises(quickstart.QuickStartError, match=r"argument 0 is \['array', '<i4', 1\]"):
        module.new_table(np.zeros(3, dtype=np.int32))


def test_a_broken_module_is_not_used_and_is_built_again(tmp_path, monkeypatch):
    monkeypatch.setenv("BOOLEANIDT_CACHE_DIR", str(tmp_path))
    path = quickstart.module_path(tmp_path)
    path.write_bytes(b"not a shared library")
    path.with_suffix(".json").write_text("{}")
    assert quickstart.load(tmp_path) is None
    started = []
    monkeypatch.setattr(quickstart.subprocess, "Popen", lambda command, **kwargs: started.append(command))
    assert quickstart.start_background_build() is True and len(started) == 1


def test_a_failed_build_is_recorded_and_not_started_again(tmp_path, monkeypatch):
    monkeypatch.setenv("BOOLEANIDT_CACHE_DIR", str(tmp_path))

    def no_compiler(folder=None):
        raise quickstart.QuickStartError("numba's ahead-of-time compiler failed: no C compiler")

    started = []
    monkeypatch.setattr(quickstart, "build", no_compiler)
    monkeypatch.setattr(quickstart.subprocess, "Popen", lambda *a, **k: started.append(a))
    assert quickstart.main(["--background"]) == 1
    failed = tmp_path / f"{quickstart.module_name()}.failed"
    assert failed.read_text() == "QuickStartError: numba's ahead-of-time compiler failed: no C compiler\n"
    assert not (tmp_path / f"{quickstart.module_name()}.building").exists()
    assert quickstart.start_background_build() is False and started == []


def test_the_background_build_starts_once(tmp_path, monkeypatch):
    monkeypatch.setenv("BOOLEANIDT_CACHE_DIR", str(tmp_path))
    started = []
    monkeypatch.setattr(quickstart.subprocess, "Popen", lambda command, **kwargs: started.append(command))
    assert quickstart.start_background_build() is True
    assert started == [[sys.executable, "-m", "booleanidt.simulation.quickstart", "--background"]]
    assert quickstart.start_background_build() is False          # one is under way
    building = tmp_path / f"{quickstart.module_name()}.building"
    old = building.stat().st_mtime - quickstart.BUILD_TIMEOUT_SECONDS - 1
    os.utime(building, (old, old))
    assert quickstart.start_background_build() is True           # that one died long ago
    assert len(started) == 2


def test_a_cache_folder_that_cannot_be_used_leaves_runs_on_numba(tmp_path):
    """``BOOLEANIDT_CACHE_DIR`` naming a file: runs go on (numba's kernel), the build says why in one line."""
    blocked = tmp_path / "a file"
    blocked.write_text("")
    env = {**os.environ, "BOOLEANIDT_CACHE_DIR": str(blocked)}
    done = subprocess.run([sys.executable, "-m", "booleanidt.simulation.quickstart"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 1
    assert done.stderr.startswith(f"quick-start kernel not built in {blocked}: FileExistsError")
    assert done.stderr.count("\n") == 1
    ran = subprocess.run([sys.executable, "-c", RUN_AND_REPORT, "simulate", "th_naldi2010", "--set",
                          "sample_count=20", "-o", str(tmp_path / "out"), "--no-progress"], cwd=REPO, env=env,
                         capture_output=True, text=True, timeout=600)
    assert ran.returncode == 0 and ran.stderr == ""
    assert "numba imported: True" in ran.stdout
