"""README.md stays true: its Python tour runs as written, on a shipped map."""
from __future__ import annotations

import re
from pathlib import Path

import matplotlib

README = Path(__file__).resolve().parent.parent / "README.md"


def python_tour() -> str:
    section = README.read_text().split("## A tour of the Python API", 1)[1]
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
