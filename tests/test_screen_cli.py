"""The ``analyze`` and ``screen`` commands on a small .bnet model (no corpus needed)."""
from __future__ import annotations

import pandas as pd
import pytest

from booleanidt.cli import main

# S is a free input; A follows S; P (phenotype) needs A without S; Q oscillates with R when S is on.
BNET = """targets, factors
S, S
A, S
P, A & !S
Q, S & !R
R, Q
"""


@pytest.fixture
def model_file(tmp_path):
    path = tmp_path / "small.bnet"
    path.write_text(BNET)
    return path


def test_analyze_fixed_points_with_inputs(model_file, capsys):
    assert main(["analyze", str(model_file), "--fixed-points", "--inputs", "S=0"]) == 0
    lines = capsys.readouterr().out.split("\n")
    # outputs first (P is the only node that regulates nothing), then model order
    assert lines[0].split() == ["P", "S", "A", "Q", "R"]
    assert lines[1].split() == ["0", "0", "0", "0", "0"]


def test_analyze_trap_spaces_csv(model_file, tmp_path):
    out = tmp_path / "traps.csv"
    assert main(["analyze", str(model_file), "--trap-spaces", "--inputs", "S=1", "-o", str(out)]) == 0
    table = pd.read_csv(out, dtype=str)
    assert table.values.tolist() == [["0", "1", "1", "*", "*"]]


def test_analyze_attractors_reports_the_cycle(model_file, capsys):
    assert main(["analyze", str(model_file), "--attractors", "--inputs", "S=1"]) == 0
    assert capsys.readouterr().out.split("\n")[1].split() == ["0", "1", "1", "*", "*", "4"]


@pytest.mark.parametrize("argv, message", [
    (["--fixed-points", "--inputs", "X=1"], "--inputs: unknown node 'X'"),
    (["--fixed-points", "--inputs", "S=2"], "--inputs: S=2 is above its maximum level 1"),
    (["--attractors", "--max-bdd-nodes", "1"], "attractor search gave up: 5 nodes remain"),
    (["--trap-spaces", "--limit", "1"], "more than 1 minimal trap spaces; fix some inputs or raise the limit"),
])
def test_analyze_errors_are_one_line(model_file, capsys, argv, message):
    assert main(["analyze", str(model_file)] + argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_analyze_attractors_has_a_default_time_limit(model_file, capsys, monkeypatch):
    """Without --time-limit the command line still gives up (after ATTRACTOR_TIME_LIMIT seconds)."""
    from booleanidt.cli import analyze
    monkeypatch.setattr(analyze, "ATTRACTOR_TIME_LIMIT", 0.0)
    assert main(["analyze", str(model_file), "--attractors"]) == 2
    err = capsys.readouterr().err
    assert "time_limit=0 s" in err and err.count("\n") == 1


def test_screen_by_fixed_points(model_file, tmp_path, capsys):
    out, plot = tmp_path / "screen.csv", tmp_path / "screen.png"
    assert main(["screen", str(model_file), "--knockouts", "--knockins", "--nodes", "A", "--outputs", "P",
                 "--method", "fixed-points", "--inputs", "S=0", "--workers", "1",
                 "-o", str(out), "--plot", str(plot)]) == 0
    table = pd.read_csv(out)
    assert dict(zip(table.perturbation, table.score)) == {"wild type": 0.0, "A KO": 0.0, "A KI": 1.0}
    assert plot.read_bytes()[:4] == b"\x89PNG"
    assert capsys.readouterr().out.split("\n")[2].split()[:2] == ["A", "KI"]


def test_screen_by_simulation_with_a_drug(model_file, tmp_path):
    out = tmp_path / "screen.csv"
    assert main(["screen", str(model_file), "--drugs", "A=1", "--double", "A=1+S=0", "--outputs", "P",
                 "--inputs", "S=0", "--set", "sample_count=200", "--set", "max_time=20", "--workers", "1",
                 "-o", str(out)]) == 0
    scores = dict(zip(*pd.read_csv(out)[["perturbation", "score"]].T.values))
    # A is off without S; the drug keeps it off; forcing A on (S off) switches P on for good.
    assert scores["wild type"] == 0.0 and scores["anti_A 1"] == 0.0
    assert scores["A KI + S KO"] > 0.9


def test_screen_needs_something_to_run(model_file, capsys):
    assert main(["screen", str(model_file), "--outputs", "P"]) == 2
    assert "nothing to screen" in capsys.readouterr().err
