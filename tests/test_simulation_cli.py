"""``booleanidt simulate``: files written, MaBoSS settings carried over, one-line errors, nothing half-written."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from booleanidt import maps
from booleanidt.cli import main
from booleanidt.simulation import SimulationResult
from conftest import MABOSS, REPO, needs_corpus

TOGGLE = "targets, factors\nA, !A\nB, A\n"


@pytest.fixture()
def toggle_file(tmp_path):
    path = tmp_path / "toggle.bnet"
    path.write_text(TOGGLE)
    return path


def test_writes_every_file_and_a_summary(toggle_file, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["simulate", str(toggle_file), "--set", "max_time=4", "--set", "time_tick=1",
                 "--set", "sample_count=500", "--set", "seed_pseudorandom=9", "--fix", "B=1", "-o", str(out),
                 "--plot", "--no-progress"])
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == ["fixed_points.csv", "names.csv", "nodes.csv", "probtraj.csv",
                                                     "run.json", "trajectories.png"]
    nodes = pd.read_csv(out / "nodes.csv", sep="\t", index_col=0)
    assert list(nodes.columns) == ["A", "B", "SE_A", "SE_B"]
    assert (nodes["B"] == 1).all()
    run = json.loads((out / "run.json").read_text())
    assert run["seed"] == 9 and run["settings"]["max_time"] == 4 and run["fixed"] == {"B": 1}
    assert len(run["model_sha256"]) == 64 and "numba" in run["versions"]
    assert "output nodes, last window:" in capsys.readouterr().out


def test_a_whole_process_ends_early_with_every_file_and_its_printout(toggle_file, tmp_path, capsys, monkeypatch):
    """``python -m booleanidt simulate`` skips Python's teardown: nothing written or printed is lost
    (stdout to a pipe is block-buffered, as it is without PYTHONUNBUFFERED)."""
    buffered = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}
    options = ["--set", "max_time=4", "--set", "sample_count=300", "--set", "seed_pseudorandom=2", "--no-progress"]
    assert main(["simulate", str(toggle_file), *options, "-o", str(tmp_path / "in_process")]) == 0
    printed = capsys.readouterr().out
    monkeypatch.setattr(sys, "argv", ["booleanidt", "simulate", str(toggle_file), *options, "-o", str(tmp_path / "a")])
    assert main() == 0      # main() called from Python returns, whatever its command line: only the script exits
    done = subprocess.run([sys.executable, "-m", "booleanidt", "simulate", str(toggle_file), *options,
                           "-o", str(tmp_path / "process")], capture_output=True, text=True, cwd=REPO, timeout=120,
                          env=buffered)
    assert done.returncode == 0
    assert done.stdout == printed.replace("in_process/", "process/")
    files = {p.name: p.read_bytes() for p in (tmp_path / "process").iterdir()}
    expected = {p.name: p.read_bytes() for p in (tmp_path / "in_process").iterdir()}
    assert files.keys() == expected.keys()
    assert all(files[name] == expected[name] for name in files if name != "run.json")
    failed = subprocess.run([sys.executable, "-m", "booleanidt", "simulate", str(toggle_file), "--mutant", "A=2",
                             "-o", str(tmp_path / "bad")], capture_output=True, text=True, cwd=REPO, timeout=120,
                            env=buffered)
    assert failed.returncode == 2
    assert failed.stderr == "booleanidt simulate: error: --mutant: A: value '2' is not ON or OFF\n"


def test_probtraj_reads_back(toggle_file, tmp_path):
    out = tmp_path / "o"
    main(["simulate", str(toggle_file), "--set", "max_time=3", "--set", "time_tick=1", "--set",
          "sample_count=200", "--outputs", "A,B", "-o", str(out), "--no-progress", "--full-fp"])
    (out / "probtraj.csv").rename(out / "x_probtraj.csv")
    (out / "fp.csv").rename(out / "x_fp.csv")
    back = SimulationResult.load(out / "x")
    nodes = pd.read_csv(out / "nodes.csv", sep="\t", index_col=0)
    assert back.node_probabilities["A"].to_numpy() == pytest.approx(nodes["A"].to_numpy(), abs=1e-5)


@pytest.mark.parametrize("extra, message", [
    (["--mutant", "Z=ON"], "mutant: unknown node 'Z'"),
    (["--mutant", "A=MAYBE"], "--mutant: A: value 'MAYBE' is not ON or OFF"),
    (["--outputs", "A,Q"], "outputs: unknown node 'Q'"),
    (["--set", "time_tick=0"], "time_tick must be > 0 and <= max_time"),
    (["--set", "time_tick=50"], "time_tick must be > 0 and <= max_time"),
    (["--set", "sample_count=0"], "sample_count must be >= 1"),
    (["--set", "max_tme=3"], "unknown setting 'max_tme'"),
    (["--param", "k=fast"], "--param: k: value 'fast' is not a number"),
    (["--set", "max_time"], "--set: max_time: expected NAME=VALUE"),
])
def test_bad_input_one_line_exit_2_nothing_written(toggle_file, tmp_path, capsys, extra, message):
    out = tmp_path / "never"
    code = main(["simulate", str(toggle_file), "-o", str(out), "--no-progress"] + extra)
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and err.count("\n") == 1
    assert not out.exists()


def test_negative_rate_fails_cleanly(tmp_path, capsys):
    bnd = tmp_path / "neg.bnd"
    bnd.write_text("node A { logic = 1; rate_up = $k; rate_down = 0; }\n")
    cfg = tmp_path / "neg.cfg"
    cfg.write_text("$k = 1;\nA.istate = 0;\nmax_time = 2;\ntime_tick = 1;\nsample_count = 50;\n")
    out = tmp_path / "o"
    code = main(["simulate", str(bnd), "--param", "k=-3", "-o", str(out), "--no-progress"])
    assert code == 2
    assert "node A: rate_up evaluates to -3" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("cfg_text, message", [
    ("Z.istate = 1;\n", "m.cfg: line 1: initial state of unknown node Z"),
    ("[A].istate = 0 [0], 0 [1];\n", "weights must be >= 0 and sum to more than 0"),
])
def test_bad_initial_states_in_the_cfg(tmp_path, capsys, cfg_text, message):
    bnd = tmp_path / "m.bnd"
    bnd.write_text("node A { logic = 1; }\n")
    cfg = tmp_path / "m.cfg"
    cfg.write_text(cfg_text)
    out = tmp_path / "o"
    code = main(["simulate", str(bnd), "--cfg", str(cfg), "-o", str(out), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2 and message in err and err.count("\n") == 1
    assert not out.exists()


def test_cfg_syntax_error_names_its_line(tmp_path, capsys):
    bnd = tmp_path / "m.bnd"
    bnd.write_text("node A { logic = 1; }\n")
    cfg = tmp_path / "m.cfg"
    cfg.write_text("max_time = 2;\ntime_tick = = 1;\n")
    code = main(["simulate", str(bnd), "--cfg", str(cfg), "-o", str(tmp_path / "o"), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2 and "m.cfg" in err and "line 2" in err


@needs_corpus
def test_maboss_settings_carry_over(tmp_path):
    out = tmp_path / "cellfate"
    code = main(["simulate", str(MABOSS / "cellfate.bnd"), "--cfg", str(MABOSS / "cellfate_TNF.cfg"),
                 "--set", "max_time=5", "--set", "time_tick=1", "--set", "sample_count=300",
                 "--mutant", "CASP8=OFF", "--outputs", "Survival,Apoptosis,NonACD", "-o", str(out), "--no-progress"])
    assert code == 0
    run = json.loads((out / "run.json").read_text())
    assert run["settings"]["seed_pseudorandom"] == 233814379  # from the .cfg
    assert run["mutants"] == {"CASP8": 0}
    nodes = pd.read_csv(out / "nodes.csv", sep="\t", index_col=0)
    assert (nodes["CASP8"] == 0).all() and (nodes["TNF"] == 1).all()
    header = (out / "probtraj.csv").read_text().splitlines()[0].split("\t")
    assert header[:6] == ["Time", "TH", "ErrorTH", "H", "HD=0", "State"]  # refstate -1 everywhere: HD=0 only


@needs_corpus
def test_multivalued_model_gets_levels_per_original_node(tmp_path):
    from conftest import SBML_QUAL
    model = SBML_QUAL / "155_CONTROL-OF-TH1-TH2-TH17-TREG-DIFFERENTATION__source.multivalued.sbml"
    out = tmp_path / "mv"
    assert main(["simulate", str(model), "--set", "max_time=3", "--set", "time_tick=1", "--set", "sample_count=200",
                 "-o", str(out), "--no-progress"]) == 0
    levels = pd.read_csv(out / "levels.csv", sep="\t", index_col=0)
    assert {"STAT5=0", "STAT5=1", "STAT5=2"} <= set(levels.columns)
    stat5 = levels[["STAT5=0", "STAT5=1", "STAT5=2"]].sum(axis=1)
    assert stat5.to_numpy() == pytest.approx(1.0)


def test_run_json_hashes_the_shipped_map_file(tmp_path):
    """MODEL given as a shipped map name: run.json names and hashes the map's file (not an empty input)."""
    out = tmp_path / "th"
    assert main(["simulate", "th_differentiation", "--set", "max_time=2", "--set", "sample_count=20",
                 "-o", str(out), "--no-progress"]) == 0
    run = json.loads((out / "run.json").read_text())
    assert run["model"] == "th_differentiation" and run["model_file"] == str(maps.path("th_differentiation"))
    assert run["model_sha256"] == hashlib.sha256(maps.path("th_differentiation").read_bytes()).hexdigest()


def test_output_piped_into_head_stops_quietly():
    """``booleanidt info MODEL | head -1``: the closed pipe is no error message."""
    done = subprocess.run(f"{sys.executable} -m booleanidt info th_naldi2010 | head -1", shell=True, cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert done.stdout.startswith("model ") and done.stdout.count("\n") == 1
    assert done.stderr == ""
