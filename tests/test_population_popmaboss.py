"""PopMaBoSS semantics: our own small population models against closed forms and cmaboss's
PopMaBoSSSim, and (when BOOLEANIDT_MABOSS_TESTS points at a MaBoSS checkout's engine/tests/maboss)
the MaBoSS engine's own PopMaBoSS tests against their reference outputs (popmaboss/refer/).

Ours runs with other random numbers, so every comparison is statistical: an expected population
size or a probability agrees when the difference is within 4 standard errors (ours; combined with
the other side's where it has one), plus 0.003 for probabilities, whose error is 0 when a rare state
was never seen.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from booleanidt.cli import main
from booleanidt.population import run
from booleanidt.population.pbnd import read_pbnd
from booleanidt.population.popmaboss import run_popmaboss

MABOSS_TESTS = Path(os.environ.get("BOOLEANIDT_MABOSS_TESTS", "/nonexistent"))
needs_maboss_tests = pytest.mark.skipif(
    not (MABOSS_TESTS / "popmaboss").is_dir(),
    reason="set BOOLEANIDT_MABOSS_TESTS to MaBoSS's engine/tests/maboss to run MaBoSS's own PopMaBoSS tests")

# Models written for these tests: each has a closed form for its expected population size.
#: Three cells choose B or C (each at rate 1; the first one on blocks the other); size stays 3,
#: the expected number of undecided cells is 3 exp(-2t).
FORK = ("node B { logic = !C; rate_up = @logic ? 1 : 0; rate_down = 0; }\n"
        "node C { logic = !B; rate_up = @logic ? 1 : 0; rate_down = 0; }\n",
        "[B,C].pop_istate = 1[{[0,0]:3}];\nmax_time = 3; time_tick = 0.5; sample_count = 20000; thread_count = 1;\n")
#: One stem cell (S) divides at rate 1 into a B daughter and a C daughter, which never divide:
#: the size is 2 - exp(-t).
SPLIT = ("node S { logic = S; rate_up = 0; rate_down = 0; }\n"
         "node B { logic = B; rate_up = 0; rate_down = 0; }\n"
         "node C { logic = C; rate_up = 0; rate_down = 0; }\n"
         "division { rate = S ? 1 : 0; S.daughter1 = 0; B.daughter1 = 1; S.daughter2 = 0; C.daughter2 = 1; }\n",
         "S.istate = 1; B.istate = 0; C.istate = 0; init_pop = 1;\n"
         "max_time = 3; time_tick = 0.5; sample_count = 20000; thread_count = 1;\n")
#: Every cell divides at rate 1 (a Yule process): the size is exp(t), geometric with P(1 cell) = exp(-t).
GROWTH = ("node A { logic = A; rate_up = 0; rate_down = 0; }\ndivision { rate = 1; }\n",
          "A.istate = 1; init_pop = 1;\nmax_time = 2; time_tick = 0.5; sample_count = 20000; thread_count = 1;\n")
#: Four cells each die at rate 1: the size is 4 exp(-t).
DEATH = ("node A { logic = A; rate_up = 0; rate_down = 0; }\ndeath { rate = A ? 1 : 0; }\n",
         "A.istate = 1; init_pop = 4;\nmax_time = 2; time_tick = 0.5; sample_count = 20000; thread_count = 1;\n")


def window_mean(primitive, times: np.ndarray, tick: float) -> np.ndarray:
    """Mean of a function over each window [t, t + tick), from its primitive."""
    return (primitive(times + tick) - primitive(times)) / tick


#: name: (model, samples of our run, primitive of the expected size E[N](t))
OWN = {
    "fork": (FORK, 3000, lambda t: 3 * t),
    "split": (SPLIT, 4000, lambda t: 2 * t + np.exp(-t)),
    "growth": (GROWTH, 4000, np.exp),
    "death": (DEATH, 4000, lambda t: -4 * np.exp(-t)),
}


def write_model(folder: Path, name: str) -> tuple:
    """Write one of our models as ``name.pbnd`` and ``name.cfg``; return both paths."""
    (bnd, cfg), *_ = OWN[name]
    paths = folder / f"{name}.pbnd", folder / f"{name}.cfg"
    paths[0].write_text(bnd)
    paths[1].write_text(cfg)
    return paths


@pytest.fixture(scope="module", params=list(OWN))
def own(request, tmp_path_factory):
    paths = write_model(tmp_path_factory.mktemp(request.param), request.param)
    pop = read_pbnd(*paths)
    return request.param, paths, run_popmaboss(pop, sample_count=OWN[request.param][1], seed=3)


def test_expected_population_size_matches_the_closed_form(own):
    name, _, ours = own
    times = ours.population_size.index.to_numpy()
    expected = window_mean(OWN[name][2], times, times[1] - times[0])
    mine = ours.population_size["Population"].to_numpy()
    error = ours.population_size["ErrorPopulation"].to_numpy()
    assert np.all(np.abs(mine - expected) <= 4 * error + 1e-9), (name, mine, expected)
    assert np.allclose(population_sizes(ours.state_probabilities), mine)  # two ways of counting agree


def test_cell_states_match_the_closed_forms(own):
    name, _, ours = own
    times = ours.population_size.index.to_numpy()
    tick = times[1] - times[0]
    states = ours.state_probabilities
    errors = ours.state_errors
    if name == "fork":  # each cell is undecided with probability exp(-2t), independently of the others
        p = window_mean(lambda t: -np.exp(-6 * t) / 6, times, tick)
        label = "[{<nil>:3}]"
    elif name == "split":  # the stem cell is still there with probability exp(-t)
        p = window_mean(lambda t: -np.exp(-t), times, tick)
        label = "[{S:1}]"
    elif name == "growth":  # P(still one cell) = exp(-t)
        p = window_mean(lambda t: -np.exp(-t), times, tick)
        label = "[{A:1}]"
    else:  # P(all four dead) = (1 - exp(-t))^4
        p = window_mean(lambda t: t - 4 * (-np.exp(-t)) + 6 * (-np.exp(-2 * t) / 2) - 4 * (-np.exp(-3 * t) / 3)
                        + (-np.exp(-4 * t) / 4), times, tick)
        label = "[]"
    mine = states[label].to_numpy()
    assert np.all(np.abs(mine - p) <= 4 * errors[label].to_numpy() + 0.003), (name, mine, p)
    if name == "split":  # the daughters carry the rules of their side
        counts = ours.cell_counts
        assert np.allclose(counts["B"], counts["C"]) and np.allclose(counts["B"] + counts["S"], 1.0)
        assert "B -- C" not in counts and "S -- B" not in counts


def test_cmaboss_popmaboss_agrees(own):
    cmaboss = pytest.importorskip("cmaboss")
    if not hasattr(cmaboss, "PopMaBoSSSim"):
        pytest.skip("this cmaboss has no PopMaBoSSSim")
    name, (bnd, cfg), ours = own
    simple, times, columns, _ = cmaboss.PopMaBoSSSim(str(bnd), str(cfg)).run().get_simple_probtraj()
    assert np.allclose(times, ours.population_size.index)
    theirs = pd.DataFrame(simple, columns=columns, index=times)
    error = ours.population_size["ErrorPopulation"].to_numpy()
    # cmaboss's 20,000 trajectories have a smaller error than ours: sqrt(2) x ours bounds the combined one
    assert np.all(np.abs(theirs["Population"].to_numpy() - ours.population_size["Population"].to_numpy())
                  <= 4 * np.sqrt(2) * error + 1e-9), (name, theirs["Population"].to_numpy())
    if name == "fork":  # constant size: the fraction of cells per state is the expected count / 3
        for label in ("<nil>", "B", "C"):
            assert np.allclose(theirs[label], ours.cell_counts[label] / 3, atol=0.04), label


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


#: The MaBoSS engine's PopMaBoSS tests (files in MABOSS_TESTS / "popmaboss", read at run time):
#: (model, configuration, reference in refer/, sample count of our run: the configured one, or fewer
#: for speed, windows whose state distribution is compared)
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


@pytest.fixture(scope="module", params=list(CASES))
def case(request):
    folder = MABOSS_TESTS / "popmaboss"
    model, cfg, reference, samples, _ = CASES[request.param]
    pop = read_pbnd(folder / model, folder / cfg)
    ours = run_popmaboss(pop, sample_count=samples, seed=3)
    return request.param, ours, read_pop_probtraj(folder / "refer" / reference)


@needs_maboss_tests
def test_state_probabilities_match_the_maboss_reference(case):
    name, ours, (reference, reference_errors) = case
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


@needs_maboss_tests
def test_expected_population_size_matches_the_maboss_reference(case):
    name, ours, (reference, _) = case
    expected = population_sizes(reference).to_numpy()
    mine = ours.population_size["Population"].to_numpy()
    error = ours.population_size["ErrorPopulation"].to_numpy()
    rounding = 1e-3 * mine  # the reference's probabilities have 6 decimals
    assert np.all(np.abs(mine - expected) <= 4 * np.sqrt(2) * error + rounding), (name, mine, expected)
    assert np.allclose(population_sizes(ours.state_probabilities), mine)  # two ways of counting agree


def test_results_do_not_depend_on_the_number_of_workers(monkeypatch, tmp_path):
    import booleanidt.population.popmaboss as engine
    monkeypatch.setattr(engine, "BLOCK", 40)  # several blocks with few trajectories
    pop = read_pbnd(*write_model(tmp_path, "split"))
    one = run_popmaboss(pop, sample_count=150, seed=9, threads=1)
    two = run_popmaboss(pop, sample_count=150, seed=9, threads=2)
    other = run_popmaboss(pop, sample_count=150, seed=10, threads=1)
    pd.testing.assert_frame_equal(one.state_probabilities, two.state_probabilities, check_exact=True)
    pd.testing.assert_frame_equal(one.population_size, two.population_size, check_exact=True)
    assert not one.population_size.equals(other.population_size)


def test_cli_writes_pop_probtraj_in_popmaboss_format(tmp_path, capsys):
    bnd, cfg = write_model(tmp_path, "fork")
    out = tmp_path / "out"
    code = main(["population", str(bnd), "--cfg", str(cfg), "--set", "sample_count=500", "-o", str(out)])
    assert code == 0, capsys.readouterr().err
    header = (out / "pop_probtraj.csv").read_text().splitlines()[0].split("\t")
    assert header[:5] == ["Time", "TH", "ErrorTH", "H", "HD=0"] and header[5:8] == ["State", "Proba", "ErrorProba"]
    table, _ = read_pop_probtraj(out / "pop_probtraj.csv")
    assert np.allclose(table.sum(axis=1), 1.0)
    assert np.allclose(population_sizes(table), 3.0, atol=1e-4)  # probabilities are written with 6 decimals
    counts = pd.read_csv(out / "cell_counts.csv", index_col=0)
    assert np.allclose(counts.sum(axis=1), 3.0)
    nodes = pd.read_csv(out / "node_counts.csv", index_col=0)
    assert np.allclose(nodes["B"] + nodes["C"], counts["B"] + counts["C"])  # B and C never both on
    assert nodes["B"].iloc[-1] > 1.2 and nodes["C"].iloc[-1] > 1.2  # both sides of the fork are taken
    assert (out / "population.png").stat().st_size > 0
    assert not (out / "custom_pop_probtraj.csv").exists()


def test_custom_pop_output(tmp_path):
    bnd, cfg = write_model(tmp_path, "growth")
    cfg.write_text(cfg.read_text() + "custom_pop_output = #cell(A) > 2 ? #cell(A) : 2;\n")
    result = run(bnd, cfg=cfg, sample_count=300)
    # the custom output is max(#cell(A), 2): its expectation follows from the population states
    states = result.state_probabilities
    sizes = np.array([int(re.search(r":(\d+)", c).group(1)) for c in states.columns])
    expected = states.to_numpy() @ np.maximum(sizes, 2)
    values = result.custom.columns.astype(int).to_numpy()
    assert np.allclose(result.custom.to_numpy() @ values, expected)
    assert result.custom.columns.astype(int).min() == 2
    out = tmp_path / "out"
    assert main(["population", str(bnd), "--cfg", str(cfg), "--set", "sample_count=50", "-o", str(out)]) == 0
    assert (out / "custom_pop_probtraj.csv").read_text().startswith("Time\tTH\tErrorTH\tH\tHD=0\tState")


def wide_model(nodes: int = 70) -> tuple:
    """A stem cell marked by the last node divides at rate #cell(stem) = 1 into a B daughter (node nodes - 5)
    and a C daughter (node 1); B cells turn node nodes - 3 on at rate 2.  Nodes 64 and up sit in the second
    word of a cell state, where a 64-bit state would lose them or fold them onto nodes 0 and up."""
    names = [f"P{i}" for i in range(nodes)]
    stem, b, c, marker = names[-1], names[-5], names[1], names[-3]
    bnd = "".join(f"node {n} {{ logic = {n}; rate_up = {f'{b} ? 2 : 0' if n == marker else '0'}; rate_down = 0; }}\n"
                  for n in names)
    bnd += (f"division {{ rate = {stem} ? #cell({stem}) : 0; {stem}.daughter1 = 0; {b}.daughter1 = 1; "
            f"{stem}.daughter2 = 0; {c}.daughter2 = 1; }}\n")
    cfg = "".join(f"{n}.istate = {int(n == stem)};\n" for n in names)
    return bnd, cfg + "max_time = 3; time_tick = 0.5;\n", (stem, b, c, marker)


def test_cell_states_beyond_64_nodes_match_the_closed_form():
    from booleanidt.population.pbnd import loads_pbnd
    bnd, cfg, (stem, b, c, marker) = wide_model()
    ours = run_popmaboss(loads_pbnd(bnd, cfg), sample_count=4000, seed=5)
    times = ours.population_size.index.to_numpy()
    size, error = ours.population_size["Population"].to_numpy(), ours.population_size["ErrorPopulation"].to_numpy()
    assert np.all(np.abs(size - window_mean(lambda t: 2 * t + np.exp(-t), times, 0.5)) <= 4 * error + 1e-9), size
    counts = ours.cell_counts
    assert sorted(counts.columns) == sorted([stem, b, c, f"{b} -- {marker}"])
    assert np.allclose(counts[stem] + counts[c], 1.0)  # the stem cell, or its C daughter once it divided
    assert np.allclose(counts[b] + counts[f"{b} -- {marker}"], counts[c])  # one B daughter per C daughter
    # a B daughter born at Exp(1) turns the marker on after Exp(2): P(on by t) = 1 - 2 exp(-t) + exp(-2t)
    expected = window_mean(lambda t: t + 2 * np.exp(-t) - np.exp(-2 * t) / 2, times, 0.5)
    label = f"[{{{c}:1}},{{{b} -- {marker}:1}}]"
    mine, errors = ours.state_probabilities[label].to_numpy(), ours.state_errors[label].to_numpy()
    assert np.all(np.abs(mine - expected) <= 4 * errors + 0.003), (mine, expected)


def test_rates_dividing_by_the_population_size_are_accepted():
    """``#cell(A) / #cell(1)`` (the ICD model's form) is read as a rate: the reader's check must not take
    #cell(1) as 0.  Two A cells turn B on at rate #cell(A) / #cell(1) = 1: E[#B] = 2 (1 - exp(-t))."""
    from booleanidt.population.pbnd import loads_pbnd
    pop = loads_pbnd("node A { logic = A; rate_up = 0; rate_down = 0; }\n"
                     "node B { logic = B; rate_up = #cell(A) / #cell(1); rate_down = 0; }\n",
                     "A.istate = 1; B.istate = 0; init_pop = 2; max_time = 2; time_tick = 0.5;")
    ours = run_popmaboss(pop, sample_count=3000, seed=2)
    times = ours.node_counts.index.to_numpy()
    expected = window_mean(lambda t: 2 * (t + np.exp(-t)), times, 0.5)
    assert np.allclose(ours.node_counts["B"], expected, atol=0.05), ours.node_counts["B"].to_numpy()


def read_custom_pop_probtraj(path) -> tuple:
    """``(probabilities, errors)`` of a custom_pop_probtraj file: one column per custom output value."""
    probabilities, errors = {}, {}
    for line in Path(path).read_text().splitlines()[1:]:
        cells = line.split("\t")
        probabilities[float(cells[0])] = {int(cells[k]): float(cells[k + 1]) for k in range(5, len(cells), 3)}
        errors[float(cells[0])] = {int(cells[k]): float(cells[k + 2]) for k in range(5, len(cells), 3)}
    table = pd.DataFrame.from_dict(probabilities, orient="index").fillna(0.0)
    return table, pd.DataFrame.from_dict(errors, orient="index").reindex(columns=table.columns).fillna(0.0)


@needs_maboss_tests
def test_icd_custom_output_matches_the_maboss_reference():
    """MaBoSS's ICD model: its death rate is -log(1 - #cell(CTL)/#cell(1)) and its custom output
    (#cell(DC -- TCell) + #cell(TCell)) / #cell(DC) counts cell states over DC and TCell (DC alone is 2 of
    the 20 cells at t = 0, so the output starts at 0; reading DC -- TCell as DC - (-TCell) would give 1)."""
    folder = MABOSS_TESTS / "popmaboss"
    pop = read_pbnd(folder / "ICD_phenomenologicalPM.pbnd", folder / "ICD_phenomenological_TDC_ratio.cfg")
    ours = run_popmaboss(pop, sample_count=1000, seed=3)
    reference, reference_errors = read_custom_pop_probtraj(folder / "refer" / "res_icd_custom_pop_probtraj.csv")
    values = sorted(set(ours.custom.columns.astype(int)) | set(reference.columns))
    mine, my_errors = (t.set_axis(t.columns.astype(int), axis=1).reindex(columns=values, fill_value=0.0).to_numpy()
                       for t in (ours.custom, ours.custom_errors))
    theirs, their_errors = (t.reindex(columns=values, fill_value=0.0).to_numpy() for t in (reference, reference_errors))
    assert np.allclose(ours.custom.index, reference.index)
    assert mine[0, values.index(0)] == 1.0
    tolerance = 4 * np.sqrt(my_errors ** 2 + their_errors ** 2) + 0.003
    worst = np.unravel_index(np.argmax(np.abs(mine - theirs) - tolerance), mine.shape)
    assert np.all(np.abs(mine - theirs) <= tolerance), (reference.index[worst[0]], values[worst[1]], mine[worst],
                                                        theirs[worst])
    # the output is 0 most of the time; when it is not, the TCells have expanded clonally, which the death
    # rate's log term then curbs: P(output = 0) falls to about 0.7 by t = 100 and comes back above 0.9
    zero = values.index(0)
    assert theirs[100, zero] == pytest.approx(mine[100, zero], abs=0.06) and mine[100, zero] < 0.8
    assert mine[-1, zero] > 0.9


def test_custom_output_counts_cell_states_over_the_nodes_it_names():
    """As MaBoSS reads custom_pop_output: #cell(A -- B) counts cells with A and B on, #cell(A) cells with A
    on and B off (B is named in the output); C is named nowhere, so it does not matter.  Population at
    t = 0 (nothing changes): 1 cell A, 2 cells A B, 4 cells A C, 8 cells B C."""
    from booleanidt.errors import InputError
    from booleanidt.population.pbnd import loads_pbnd
    bnd = "".join(f"node {n} {{ logic = {n}; rate_up = 0; rate_down = 0; }}\n" for n in "ABC")
    cfg = ("[A,B,C].pop_istate = 1 [{[1,0,0]:1}, {[1,1,0]:2}, {[1,0,1]:4}, {[0,1,1]:8}];\n"
           "max_time = 1; time_tick = 1; custom_pop_output = #cell(A -- B) * 100 + #cell(A) * 10 + #cell(B);\n")
    ours = run_popmaboss(loads_pbnd(bnd, cfg), sample_count=10, seed=1)
    assert ours.custom.columns.tolist() == ["258"] and ours.custom["258"].tolist() == [1.0]
    with pytest.raises(InputError, match=r"#cell\(A \| B\) is not a cell state"):
        loads_pbnd(bnd, cfg.replace("#cell(A -- B)", "#cell(A | B)"))


def test_tables_of_a_run_with_many_population_states_stay_sparse():
    """A growing population of cells whose nodes A and B flip (rate 1 each way) meets a new population state
    at almost every event: 300 trajectories visit tens of thousands of states over 200 windows.  The run keeps
    one entry per (window, state) visited, and its tables (the long state table, pop_probtraj.csv, sizes, cell
    and node counts) are built from those entries with less memory than one dense windows x states table
    (building the dense ones, as booleanidt did before, takes several of them).  Values: every cell divides
    at rate 1 (E[size] = exp(t)); a cell's A is on with probability (1 - exp(-2t)) / 2 whatever its divisions,
    so E[#cells with A on] = sinh(t)."""
    import tracemalloc
    from booleanidt.population.pbnd import loads_pbnd
    flip = "logic = !{0}; rate_up = @logic ? 1 : 0; rate_down = @logic ? 0 : 1;"
    pop = loads_pbnd(f"node A {{ {flip.format('A')} }}\nnode B {{ {flip.format('B')} }}\ndivision {{ rate = 1; }}\n",
                     "A.istate = 0; B.istate = 0; init_pop = 1; max_time = 4; time_tick = 0.02;")
    ours = run_popmaboss(pop, sample_count=300, seed=1)
    windows, states = ours.sums.windows, ours.sums.populations
    entries = ours.sums.states()
    assert states > 20_000 and len(entries.window) < states * windows / 50
    tracemalloc.start()
    table, text = ours.state_table, ours.pop_probtraj_text()
    times, size, nodes = ours.population_size.index.to_numpy(), ours.population_size, ours.node_counts
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < states * windows * 8, (peak, states * windows * 8)
    assert len(table) == (entries.sums > 0).sum() and len(text.splitlines()) == windows + 1
    assert np.allclose(table.groupby("Time")["Proba"].sum(), 1.0)
    cells = table["State"].map(lambda label: sum(int(n) for n in re.findall(r":(\d+)\}", label)))
    assert np.allclose((table["Proba"] * cells).groupby(table["Time"]).sum(), size["Population"])
    # the standard error is itself estimated: in the first windows a handful of trajectories have divided
    error = size["ErrorPopulation"].to_numpy() * 4 + 0.01 * np.exp(times)
    assert np.all(np.abs(size["Population"] - window_mean(np.exp, times, 0.02)) <= error)
    assert np.all(np.abs(nodes["A"] - window_mean(np.cosh, times, 0.02)) <= error)


def test_a_rerun_reuses_the_compiled_model_until_the_model_changes():
    """Runs of the same PopModel compile it once; a change made in place (a rate, a parameter) is seen."""
    from booleanidt.expr import Const
    from booleanidt.population.pbnd import loads_pbnd
    from booleanidt.population.popmaboss import compiled
    pop = loads_pbnd("node A { logic = A; rate_up = 0; rate_down = $d; }\n", "A.istate = 1; $d = 0; init_pop = 2;")
    first = compiled(pop)
    assert compiled(pop) is first
    assert run_popmaboss(pop, sample_count=10, max_time=1, time_tick=1).node_counts["A"].tolist() == [2.0]
    pop.model.parameters["d"] = 1e9  # every A turns off at once
    assert compiled(pop) is not first
    assert run_popmaboss(pop, sample_count=10, max_time=1, time_tick=1).node_counts["A"].iloc[0] < 1e-6
    pop.model.rates_down["A"] = Const(0)
    assert run_popmaboss(pop, sample_count=10, max_time=1, time_tick=1).node_counts["A"].tolist() == [2.0]
