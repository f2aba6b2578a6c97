"""Fuzzing of run settings and command-line options (issue #11).

Hostile and extreme values for every setting (``--set KEY=VALUE``) and option (``--param``,
``--outputs``, ``--mutant``, ``--fix``, ``-o``, ``--workers``, ``--batch-size``...).  The
contract: exit 0, or exactly one ``booleanidt ...: error:`` line with exit 2 (argparse's
usage errors are two lines: usage and message); never a traceback or a signal; no output
left behind by a failed run; bounded time and memory (the blow-up settings run in
subprocesses under RLIMIT_AS and a timeout; the fuzzed examples run in this process, for speed).

The default profile runs a few dozen examples; ``BOOLEANIDT_SLOW_TESTS=1`` runs many more.
Examples are derandomized, so every run tries the same values.
"""
import contextlib
import io
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from booleanidt.cli import main
from booleanidt.simulation import SimulationSettings
from booleanidt.simulation.settings import SettingsError

REPO = Path(__file__).resolve().parents[1]
SLOW = os.environ.get("BOOLEANIDT_SLOW_TESTS") == "1"
MEMORY_LIMIT = 3 * 2 ** 30   # address space of each CLI run
TIME_LIMIT = 60

BND = "node A { logic = !B; rate_up = $k; rate_down = 1; }\nnode B { logic = A; }\n"
CFG = "$k = 2;\nmax_time = 2;\ntime_tick = 1;\nsample_count = 50;\n"

SETTING_NAMES = ["max_time", "time_tick", "sample_count", "seed_pseudorandom", "thread_count", "discrete_time"]

numbers = st.one_of(
    st.sampled_from(["inf", "-inf", "nan", "1e30", "1e308", "1e-12", "1e-300", "0", "-0", "-1", "10.7", "2",
                     str(2 ** 64), str(2 ** 64 - 1), str(2 ** 63), "18446744073709551617", "0x10", "1_000",
                     "", " ", "1e", "--1", "٣", "1,5", "true"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-2 ** 70, max_value=2 ** 70).map(str),
    st.text(max_size=12),
)
names = st.one_of(st.sampled_from(["A", "B", "k", "$k", "", ",", "A,", ",A", "A,,B", " A ", "Z", "A=B", "ä"]),
                  st.text(max_size=8))
paths = st.sampled_from(["FILE", "FILE/sub", "/proc/no_such_dir/out", "", ".", "DIR_WITH_OTHERS", "out/../out2",
                         "a" * 300, "/dev/null", "out\nx"])


def fuzz_settings(examples: int):
    return settings(max_examples=examples * (10 if SLOW else 1), deadline=None, derandomize=True,
                    suppress_health_check=list(HealthCheck), database=None)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "t.bnd").write_text(BND)
    (folder / "t.cfg").write_text(CFG)
    return folder


def _limits():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_main(args, cwd):
    """The CLI in this process (fast): (exit code, stderr)."""
    err = io.StringIO()
    here = os.getcwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            try:
                code = main(args)
            except SystemExit as stop:   # argparse's usage errors
                code = stop.code
    finally:
        os.chdir(here)
    return code, err.getvalue()


def feasible(key: str, value: str) -> bool:
    """False for valid values that only make a run long (a million trajectories is not an error)."""
    try:
        number = float(value)
    except ValueError:
        return True
    return not (key == "sample_count" and 1e4 < number <= 1e12 or key == "max_time" and 1e4 < number < 1e300)


def run_cli(args, cwd):
    done = subprocess.run([sys.executable, "-m", "booleanidt", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=TIME_LIMIT, preexec_fn=_limits,
                          env={**os.environ, "PYTHONPATH": str(REPO), "NUMBA_NUM_THREADS": "1"})
    return done.returncode, done.stderr


def assert_contract(code, err, args):
    assert code in (0, 2), f"exit {code} for {args}: {err[-2000:]}"
    assert "Traceback" not in err, f"traceback for {args}: {err[-2000:]}"
    if code == 2:
        lines = [line for line in err.strip().splitlines() if "warning:" not in line]
        if lines and lines[0].startswith("usage:"):   # argparse: the usage (indented lines), then the error
            lines = [line for line in lines if not line.startswith(("usage:", " "))]
        assert len(lines) == 1 and lines[0].startswith("booleanidt") and "error:" in lines[0], f"{args}: {err}"


# --- the settings object: in-process, many examples -------------------------------------------

@fuzz_settings(300)
@given(st.dictionaries(st.sampled_from(SETTING_NAMES), numbers, min_size=1, max_size=4))
def test_settings_accept_or_refuse_cleanly(values):
    try:
        result = SimulationSettings().replace(**values)
    except SettingsError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert 0 < result.time_tick <= result.max_time < float("inf")
    assert 1 <= result.sample_count <= 10 ** 12 and 0 <= result.seed < 2 ** 64 and result.threads >= 1


# --- the command line: subprocesses under a memory limit ---------------------------------------

@fuzz_settings(40)
@given(st.lists(st.tuples(st.sampled_from(SETTING_NAMES + ["max_tme", "", "use_physrandgen"]), numbers),
                min_size=1, max_size=3))
def test_simulate_set_values(workdir, pairs):
    assume(all(feasible(key, value) for key, value in pairs))
    out = workdir / "set_out"
    args = ["simulate", "t.bnd", "--no-progress", "-o", str(out)]
    for key, value in pairs:
        args += ["--set", f"{key}={value}"]
    code, err = run_main(args, workdir)
    assert_contract(code, err, args)
    if code != 0:
        assert not out.exists()
    _clean(out)


@fuzz_settings(40)
@given(st.sampled_from(["--param", "--mutant", "--fix", "--outputs"]), names, numbers)
def test_simulate_options(workdir, option, name, value):
    out = workdir / "opt_out"
    item = name if option == "--outputs" else f"{name}={value}"
    args = ["simulate", "t.bnd", "--no-progress", "--set", "sample_count=20", option, item, "-o", str(out)]
    code, err = run_main(args, workdir)
    assert_contract(code, err, args)
    if code != 0:
        assert not out.exists()
    _clean(out)


@fuzz_settings(10)
@given(paths)
def test_output_paths(workdir, target):
    (workdir / "FILE").write_text("mine\n")
    (workdir / "DIR_WITH_OTHERS").mkdir(exist_ok=True)
    (workdir / "DIR_WITH_OTHERS" / "notes.txt").write_text("keep\n")
    args = ["simulate", "t.bnd", "--no-progress", "--set", "sample_count=20", "-o", target]
    code, err = run_main(args, workdir)
    assert_contract(code, err, args)
    assert (workdir / "FILE").read_text() == "mine\n"
    assert (workdir / "DIR_WITH_OTHERS" / "notes.txt").read_text() == "keep\n"
    assert not [p for p in workdir.iterdir() if p.name.endswith(".tmp")]
    for name in ("out", "out2", "a" * 300, "out\nx"):
        _clean(workdir / name)


@fuzz_settings(10)
@given(st.sampled_from(["--workers", "--top"]), numbers)
def test_screen_counts(workdir, option, value):
    args = ["screen", "t.bnd", "--knockouts", "--set", "sample_count=20", option, value]
    code, err = run_main(args, workdir)
    assert_contract(code, err, args)


def _clean(path: Path):
    try:
        folder = path.is_dir()
    except OSError:   # a name too long for the system
        return
    if folder:
        for child in path.iterdir():
            child.unlink()
        path.rmdir()


@pytest.mark.parametrize("setting", ["time_tick=1e-12", "max_time=1e300"])
def test_blow_ups_refused_under_a_memory_limit(workdir, setting):
    """In a subprocess limited to 3 GiB of address space and a minute: refused or run, never killed."""
    args = ["simulate", "t.bnd", "--no-progress", "--set", setting, "-o", str(workdir / "limited")]
    code, err = run_cli(args, workdir)
    assert_contract(code, err, args)
    _clean(workdir / "limited")
