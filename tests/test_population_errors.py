"""Bad .upp files give one clear line (InputError; CLI exit 2) and no output folder."""
from __future__ import annotations

from pathlib import Path

import pytest

from booleanidt.cli import main
from booleanidt.errors import InputError
from booleanidt.population.upp import parse_upp

DATA = Path(__file__).parent / "data" / "population"


@pytest.mark.parametrize("text, message", [
    ("death = D;", "no 'steps = N;' line"),
    ("steps = two;", "line 1: steps must be a whole number"),
    ("steps = 1;\nsteps = 2;", "line 2: steps is defined twice"),
    ("steps = 1;\n$x u= p[(A,B) = (1)];", "line 2: p[(A,B) = (1)]: expected"),
    ("steps = 1;\n$x u= p[(A) = (2)];", "line 2: p[(A) = (2)]: expected"),
    ("steps = 1;\nkill = D;", "line 2: cannot read 'kill = D'"),
    ("steps = 1;\n$x u= 1;\n$x u= 2;", "line 3: $x is updated twice"),
])
def test_parse_errors_name_file_and_line(text, message):
    with pytest.raises(InputError, match="^bad.upp: " + message.replace("(", r"\(").replace(")", r"\)")
                       .replace("[", r"\[").replace("]", r"\]").replace("$", r"\$")):
        parse_upp(text, "bad.upp")


@pytest.mark.parametrize("upp, message", [
    ("death = Dead;\nsteps = 1;", "death: node 'Dead' is not in the model"),
    ("steps = 1;\n$nope u= 1;", "$nope: no such parameter in the model"),
    ("steps = 1;\n$signal_level u= p[(Growth,Ghost) = (1,0)];", "unknown node(s) Ghost"),
    ("steps = 1;\n@Ghost u= 0.5;", "@Ghost: no such node in the model"),
])
def test_cli_rejects_upp_that_does_not_fit_the_model(tmp_path, capsys, upp, message):
    path = tmp_path / "bad.upp"
    path.write_text(upp)
    out = tmp_path / "out"
    code = main(["population", str(DATA / "growth_signal.bnd"), "--cfg", str(DATA / "growth_signal.cfg"),
                 "--upp", str(path), "--set", "sample_count=10", "-o", str(out)])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.startswith("booleanidt population: error: ") and message in err and "\n" not in err
    assert not out.exists()


@pytest.mark.parametrize("pbnd, cfg, message", [
    ("node A { logic = A; }\ndivision {\n  rate = 1;\n  A.mother = 0;\n}", "",
     "bad.pbnd: line 4: division block: unknown attribute 'A.mother'"),
    ("node A { logic = A; }\ndeath { A.daughter1 = 0; }", "", "bad.pbnd: line 2: death block: unknown attribute"),
    ("node A { logic = A; }\ndivision { A.daughter1 = 0; }", "", "bad.pbnd: line 2: division block has no rate"),
    ("node A { logic = A; }\ndivision { rate = 1; Z.daughter2 = 1; }", "", "daughter rule for unknown node 'Z'"),
    ("node A { logic = A; rate_up = #cell(Q); }", "", "bad.pbnd: #cell(Q): unknown node(s) Q"),
    ("node A { logic = A; rate_up = #foo; }", "", "bad.pbnd: line 1: '#' is only allowed in #cell(expression)"),
    ("node A { logic = A; }", "\ninit_pop = -1;", "bad.pcfg: line 2: init_pop must be a whole number >= 1"),
    ("node A { logic = A; }", "[A].pop_istate = 1 [{[1,0]: 2}];", "bad.pcfg: line 1: pop_istate: bad cell"),
    ("node A { logic = A; }", "[Z].pop_istate = 1 [{[1]: 2}];", "bad.pcfg: pop_istate: unknown node(s) Z"),
    ("node A { logic = A; }", "A.istate = 1;\nbogus = 2;", "bad.pcfg: line 2, column 1: unknown setting 'bogus'"),
    # the column counts from the start of the rate's expression
    ("node A { logic = A; }\ndeath {\n rate = -log(1 - #cell(A) / #cell(1), 2, 3);\n}", "",
     "bad.pbnd: line 3, column 3: log() takes one or two arguments, not 3"),
    # MaBoSS's configuration grammar only counts cell states (names joined by ' -- ') in a custom output
    ("node A { logic = A; }", "A.istate = 1;\ncustom_pop_output = #cell(1);",
     "bad.pcfg: line 2: custom_pop_output: #cell(1) is not a cell state (node names joined by ' -- ', as MaBoSS "
     "reads it)"),
])
def test_cli_rejects_bad_pbnd_in_one_line(tmp_path, capsys, pbnd, cfg, message):
    (tmp_path / "bad.pbnd").write_text(pbnd)
    (tmp_path / "bad.pcfg").write_text(cfg + "\nmax_time = 1;")
    out = tmp_path / "out"
    code = main(["population", str(tmp_path / "bad.pbnd"), "--cfg", str(tmp_path / "bad.pcfg"), "-o", str(out)])
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert err.startswith("booleanidt population: error: ") and message in err and "\n" not in err, err
    assert not out.exists()


def test_cli_runs_a_bnd_without_upp_as_a_one_cell_population(tmp_path, capsys):
    """Without --upp the model is a PopMaBoSS population: a .bnd with no population part is one cell."""
    import pandas as pd
    out = tmp_path / "out"
    code = main(["population", str(DATA / "growth_signal.bnd"), "--set", "sample_count=50", "-o", str(out)])
    assert code == 0, capsys.readouterr().err
    sizes = pd.read_csv(out / "population.csv")["Population"]
    assert len(sizes) > 1 and (sizes == 1.0).all()


def test_cli_writes_population_tables(tmp_path, capsys):
    import pandas as pd
    out = tmp_path / "out"
    code = main(["population", str(DATA / "growth_signal.bnd"), "--cfg", str(DATA / "growth_signal.cfg"),
                 "--upp", str(DATA / "growth_signal.upp"), "--set", "sample_count=2000", "-o", str(out)])
    assert code == 0
    population = pd.read_csv(out / "population.csv")
    assert list(population.columns) == ["step", "time", "ratio"]
    assert population["step"].tolist() == list(range(6)) and population["ratio"].iloc[0] == 1.0
    assert population["ratio"].iloc[-1] > 1.05          # growth wins: Division outpaces Death
    nodes = pd.read_csv(out / "nodes.csv", index_col="step")
    states = pd.read_csv(out / "states.csv", index_col="step")
    assert len(nodes) == len(states) == 6
    assert states.sum(axis=1).round(6).eq(1.0).all()
    assert (out / "population.png").stat().st_size > 1000
