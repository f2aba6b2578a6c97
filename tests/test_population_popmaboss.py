"""PopMaBoSS semantics against the MaBoSS engine's reference runs and cmaboss's PopMaBoSSSim.

The models and reference outputs (refer/res_*_pop_probtraj.csv) are the MaBoSS engine's own
PopMaBoSS tests (tests/data/population/popmaboss/SOURCES.md).  Ours runs with other random
numbers, so every comparison is statistical: a population-state probability or an expected
population size agrees when the difference is within 4 combined standard errors (plus 0.003
for probabilities, whose error is 0 when a rare state was never seen).
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from booleanidt.cli import main
from booleanidt.population import run
from booleanidt.population.pbnd import read_pbnd
from booleanidt.population.popmaboss import run_popmaboss

DATA = Path(__file__).parent / "data" / "population" / "popmaboss"

#: (model, configuration, reference, sample count of our run: the configured one, or fewer for speed,
#: windows whose state distribution is compared)
#: Assymetric: after t = 1 the reference differs from the Markov process the model defines, by design of
#: MaBoSS's engine, not ours: PopMaBEstEngine::runThread (engine/src/engines/PopMaBEstEngine.cc) stores the
#: transitions in a std::map keyed by the population they lead to, so a second transition to the same
#: population (in Assymetric: a B cell and a C cell both dividing by the second rule give {B, C, 2 B -- C})
#: is dropped by map::insert while its rate stays in the total, and getTargetNode gives that share to the
#: last map entry.  Ours adds such rates.  Emulating the map in our loop brings P([{B -- C:2},{B:1},{C:1}])
#: at t = 2.5 from 0.035 to 0.005 (reference 0.004).  Population sizes are unaffected (every transition of
#: this model is a division) and are compared at every window.
CASES = {
    "Fork": ("Fork.bnd", "Fork.pcfg", "res_fork_pop_probtraj.csv", 20_000, slice(None)),
    "Log_Growth": ("Log_Growth.pbnd", "Log_Growth.cfg", "res_log_growth_pop_probtraj.csv", 1000, slice(None)),
    "Assymetric": ("Assymetric.pbnd", "Assymetric.cfg", "res_assymetric_pop_probtraj.csv", 1000, slice(0, 2)),
}


def canonical(label: str) -> str:
    """A population label with its cells sorted (MaBoSS orders them by its internal node index,
    which follows the first mention of each node in the file)."""
    return "[" + ",".join(sorted(re.findall(r"\{[^}]*\}", label))) + "]"


def read_pop_probtraj(path) -> tuple:
    """``(probabilities, errors)``: DataFrames indexed by time, one column per population state."""
    probabilities, errors = {}, {}
    for line in Path(path).read_text().splitlines()[1:]:
        cells = line.split("\t")
        time = float(cells[0])
        probabilities[time] = {canonical(cells[k]): float(cells[k + 1]) for k in range(5, len(cells), 3)}
        errors[time] = {canonical(cells[k]): float(cells[k + 2]) for k in range(5, len(cells), 3)}
    table = pd.DataFrame.from_dict(probabilities, orient="index").fillna(0.0)
    return table, pd.DataFrame.from_dict(errors, orient="index").reindex(columns=table.columns).fillna(0.0)


def population_sizes(table: pd.DataFrame) -> pd.Series:
    """Expected number of cells per window from population-state probabilities."""
    sizes = np.array([sum(int(n) for n in re.findall(r":(\d+)\}", label)) for label in table.columns])
    return pd.Series(table.to_numpy() @ sizes, index=table.index)


@pytest.fixture(scope="module", params=list(CASES))
def case(request):
    model, cfg, reference, samples, _ = CASES[request.param]
    pop = read_pbnd(DATA / model, DATA / cfg)
    ours = run_popmaboss(pop, sample_count=samples, seed=3)
    return request.param, pop, ours, read_pop_probtraj(DATA / reference)


def test_state_probabilities_match_the_maboss_reference(case):
    name, _, ours, (reference, reference_errors) = case
    ours.state_probabilities.columns = ours.state_errors.columns = [
        canonical(c) for c in ours.state_probabilities.columns]
    labels = sorted(set(ours.state_probabilities.columns) | set(reference.columns))
    mine = ours.state_probabilities.reindex(columns=labels, fill_value=0.0).to_numpy()
    my_errors = ours.state_errors.reindex(columns=labels, fill_value=0.0).to_numpy()
    theirs = reference.reindex(columns=labels, fill_value=0.0).to_numpy()
    their_errors = reference_errors.reindex(columns=labels, fill_value=0.0).to_numpy()
    assert np.allclose(ours.state_probabilities.index, reference.index)
    windows = CASES[name][4]
    mine, my_errors, theirs, their_errors = (a[windows] for a in (mine, my_errors, theirs, their_errors))
    tolerance = 4 * np.sqrt(my_errors ** 2 + their_errors ** 2) + 0.003
    worst = np.unravel_index(np.argmax(np.abs(mine - theirs) - tolerance), mine.shape)
    assert np.all(np.abs(mine - theirs) <= tolerance), (name, reference.index[worst[0]], labels[worst[1]],
                                                        mine[worst], theirs[worst])


def test_expected_population_size_matches_the_maboss_reference(case):
    name, _, ours, (reference, _) = case
    expected = population_sizes(reference).to_numpy()
    mine = ours.population_size["Population"].to_numpy()
    error = ours.population_size["ErrorPopulation"].to_numpy()
    rounding = 1e-3 * mine  # the reference's probabilities have 6 decimals
    assert np.all(np.abs(mine - expected) <= 4 * np.sqrt(2) * error + rounding), (name, mine, expected)
    assert np.allclose(population_sizes(ours.state_probabilities), mine)  # two ways of counting agree


def test_known_values():
    """Log_Growth: one division per unit of time (rate 1/#cell(A) per cell), so the size is 1 + t,
    1 + t + 0.25 averaged over the window [t, t + 0.5)."""
    ours = run_popmaboss(read_pbnd(DATA / "Log_Growth.pbnd"), sample_count=4000, seed=5)
    windows = ours.population_size.index.to_numpy()
    assert np.allclose(ours.population_size["Population"], 1 + windows + 0.25, atol=0.1)
    # the time-averaged P(one cell) in [0, 0.5) is 2 (1 - exp(-1/2)) = 0.787
    assert ours.state_probabilities.loc[0.0, "[{A:1}]"] == pytest.approx(2 * (1 - np.exp(-0.5)), abs=0.02)


def test_cmaboss_popmaboss_agrees(case):
    cmaboss = pytest.importorskip("cmaboss")
    if not hasattr(cmaboss, "PopMaBoSSSim"):
        pytest.skip("this cmaboss has no PopMaBoSSSim")
    name, pop, ours, _ = case
    model, cfg, _, _, _ = CASES[name]
    simple, times, columns, _ = cmaboss.PopMaBoSSSim(str(DATA / model), str(DATA / cfg)).run().get_simple_probtraj()
    assert np.allclose(times, ours.population_size.index)
    theirs = pd.DataFrame(simple, columns=columns, index=times)
    error = ours.population_size["ErrorPopulation"].to_numpy()
    assert np.all(np.abs(theirs["Population"].to_numpy() - ours.population_size["Population"].to_numpy())
                  <= 4 * np.sqrt(2) * error + 1e-9)
    if name == "Fork":  # constant size: the fraction of cells per state is the expected count / 3
        for label in ("A", "A -- B", "A -- C"):
            assert np.allclose(theirs[label], ours.cell_counts[label] / 3, atol=0.02), label


def test_results_do_not_depend_on_the_number_of_workers(monkeypatch):
    import booleanidt.population.popmaboss as engine
    monkeypatch.setattr(engine, "BLOCK", 40)  # several blocks with few trajectories
    pop = read_pbnd(DATA / "Assymetric.pbnd")
    one = run_popmaboss(pop, sample_count=150, seed=9, threads=1)
    two = run_popmaboss(pop, sample_count=150, seed=9, threads=2)
    other = run_popmaboss(pop, sample_count=150, seed=10, threads=1)
    pd.testing.assert_frame_equal(one.state_probabilities, two.state_probabilities, check_exact=True)
    pd.testing.assert_frame_equal(one.population_size, two.population_size, check_exact=True)
    assert not one.population_size.equals(other.population_size)


def test_cli_writes_pop_probtraj_in_popmaboss_format(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["population", str(DATA / "Fork.bnd"), "--cfg", str(DATA / "Fork.pcfg"),
                 "--set", "sample_count=500", "-o", str(out)])
    assert code == 0, capsys.readouterr().err
    header = (out / "pop_probtraj.csv").read_text().splitlines()[0].split("\t")
    assert header[:5] == ["Time", "TH", "ErrorTH", "H", "HD=0"] and header[5:8] == ["State", "Proba", "ErrorProba"]
    table, _ = read_pop_probtraj(out / "pop_probtraj.csv")
    assert np.allclose(table.sum(axis=1), 1.0)
    assert np.allclose(population_sizes(table), 3.0, atol=1e-4)  # probabilities are written with 6 decimals
    counts = pd.read_csv(out / "cell_counts.csv", index_col=0)
    assert np.allclose(counts.sum(axis=1), 3.0)
    nodes = pd.read_csv(out / "node_counts.csv", index_col=0)
    assert np.allclose(nodes["A"], 3.0)  # A stays on in every cell
    assert (out / "population.png").stat().st_size > 0
    assert not (out / "custom_pop_probtraj.csv").exists()


def test_custom_pop_output(tmp_path):
    cfg = tmp_path / "Log_Growth.cfg"
    cfg.write_text((DATA / "Log_Growth.cfg").read_text() + "custom_pop_output = #cell(A) > 2 ? #cell(A) : 2;\n")
    result = run(DATA / "Log_Growth.pbnd", cfg=cfg, sample_count=300)
    # the custom output is max(#cell(A), 2): its expectation follows from the population states
    states = result.state_probabilities
    sizes = np.array([int(re.search(r":(\d+)", c).group(1)) for c in states.columns])
    expected = states.to_numpy() @ np.maximum(sizes, 2)
    values = result.custom.columns.astype(int).to_numpy()
    assert np.allclose(result.custom.to_numpy() @ values, expected)
    assert result.custom.columns.astype(int).min() == 2
    out = tmp_path / "out"
    assert main(["population", str(DATA / "Log_Growth.pbnd"), "--cfg", str(cfg), "--set", "sample_count=50",
                 "-o", str(out)]) == 0
    assert (out / "custom_pop_probtraj.csv").read_text().startswith("Time\tTH\tErrorTH\tH\tHD=0\tState")


def test_death_removes_cells():
    from booleanidt.population.pbnd import loads_pbnd
    pop = loads_pbnd("node A { logic = A; rate_up = 0; rate_down = 0; }\ndeath { rate = A ? 1 : 0; }",
                     "A.istate = 1; init_pop = 4; max_time = 2; time_tick = 1;")
    result = run_popmaboss(pop, sample_count=3000, seed=2)
    # each of 4 cells dies at rate 1: E[size](t) = 4 exp(-t), averaged over [0,1) and [1,2)
    expected = [4 * (1 - np.exp(-1)), 4 * (np.exp(-1) - np.exp(-2))]
    assert np.allclose(result.population_size["Population"], expected, atol=0.06)
    assert result.state_probabilities.loc[1.0, "[]"] > 0.1  # extinct populations are states too
