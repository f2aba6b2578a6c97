"""README.md stays true: its Python tour runs as written, on a shipped map."""
from __future__ import annotations

import re
from pathlib import Path

import matplotlib

README = Path(__file__).resolve().parent.parent / "README.md"


def python_tour(heading: str = "## A tour of the Python API") -> str:
    section = README.read_text().split(heading, 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)


def test_python_tour_runs_as_written(tmp_path, monkeypatch):
    matplotlib.use("Agg")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(python_tour(), "README.md (tour)", "exec"), namespace)
    # what the tour's comments promise
    assert len(namespace["fixed_points"](namespace["model"], inputs=namespace["joint"])) >= 1
    last = namespace["result"].node_probabilities.iloc[-1]
    assert last["Apoptosis"] > 0.95 and last["Proliferation"] < 0.05   # NF-kB blocked: TNF kills the cell
    assert (tmp_path / "run" / "ra_probtraj.csv").is_file()
    assert (tmp_path / "patient.bnd").is_file() and (tmp_path / "patient.cfg").is_file()
    assert namespace["patient"].fixed == {"CASP8": 0}


def test_interop_example_runs_as_written():
    namespace: dict = {}
    exec(compile(python_tour("## Interop"), "README.md (interop)", "exec"), namespace)
    model, back = namespace["model"], namespace["back"]
    assert back.rules == model.rules and back.metadata["simulation_settings"].sample_count == 1000
    assert set(namespace["last"].columns) == set(model.nodes) - {n for n, node in model.nodes.items() if node.internal}
    assert list(namespace["ours"].output_nodes) == ["TBET", "GATA3"]
    assert len(namespace["minimal"]) >= 1 and all(set(t) <= set(model.nodes) for t in namespace["minimal"])
    assert namespace["graph"].nodes["TBET"]["rule"]


def test_every_guarantee_names_tests_that_exist():
    section = README.read_text().split("## What booleanidt guarantees", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"`(test_\w+?)(?:\.py)?`", section))
    defined = {name for path in README.parent.joinpath("tests").glob("test_*.py")
               for name in re.findall(r"^def (test_\w+)", path.read_text(), re.MULTILINE)}
    files = {path.stem for path in README.parent.joinpath("tests").glob("test_*.py")}
    assert len(named) >= 20
    assert named - defined - files == set()
