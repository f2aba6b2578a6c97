"""UPMaBoSS semantics against pyMaBoSS's own published test values (colomoto/pyMaBoSS test/test_uppmaboss.py)
and against pyMaBoSS's cmaboss-backed UpdatePopulation itself, run here on a model of our own.

The CellFate files are pyMaBoSS's, not ours: point BOOLEANIDT_PYMABOSS_TESTS at a pyMaBoSS checkout's test/
folder (CellFateModel.bnd, CellFateModel_1h.cfg, CellFate_1h.upp) to run those tests; the other tests use toy
models written for this suite (tests/data/population and below).
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

import reference_upmaboss

from booleanidt.io import maboss
from booleanidt.model import JointInitialState, LogicalModel
from booleanidt.expr import Var
from booleanidt.population import run
from booleanidt.population.upmaboss import StateDistribution
from booleanidt.population.upp import parse_upp, read_upp

DATA = Path(__file__).parent / "data" / "population"
PYMABOSS_TESTS = Path(os.environ.get("BOOLEANIDT_PYMABOSS_TESTS", "/nonexistent"))
needs_pymaboss_tests = pytest.mark.skipif(not (PYMABOSS_TESTS / "CellFate_1h.upp").is_file(),
                                          reason="set BOOLEANIDT_PYMABOSS_TESTS to pyMaBoSS's test/ folder")

# pyMaBoSS test_uppmaboss.py: MaBoSS with 100,000 trajectories, max_time 1 (and 2) per step
PYMABOSS_1H = [1.0, 0.6817469999999883, 0.6307373259659714, 0.611569849367168, 0.5975759080738972,
               0.5761277135812584, 0.5432025908777551, 0.5028866377853486, 0.460771390530693,
               0.4201875679954881, 0.38478088276588096, 0.35500692283830454, 0.3300712365781111]
PYMABOSS_2H = [1.0, 0.6290939999999912, 0.5951210367179476, 0.5367509703155656, 0.45236674001930355,
               0.3774244993004896, 0.3253316150580102, 0.28897222842748704, 0.26132018691701203,
               0.23839378295820296, 0.21932847855988485, 0.2033278080634895, 0.18987482697076252]


def cellfate(**overrides):
    bnd, cfg = PYMABOSS_TESTS / "CellFateModel.bnd", PYMABOSS_TESTS / "CellFateModel_1h.cfg"
    model = maboss.read(bnd, cfg)
    settings = maboss.read_settings(cfg).replace(**overrides)
    return run(model, settings, upp=PYMABOSS_TESTS / "CellFate_1h.upp")


@needs_pymaboss_tests
@pytest.mark.parametrize("max_time, expected", [(1, PYMABOSS_1H), (2, PYMABOSS_2H)])
def test_cellfate_population_ratios_match_pymaboss(max_time, expected):
    # 100,000 trajectories as pyMaBoSS (with 15,000 the ratios wander by up to 0.012 from its values)
    result = cellfate(max_time=max_time, sample_count=100_000, threads=2)
    ratios = result.population["ratio"].to_numpy()
    assert len(ratios) == 13
    assert result.population["time"].tolist() == [float(max_time * k) for k in range(13)]
    np.testing.assert_allclose(ratios, expected, atol=0.01, rtol=0)


@needs_pymaboss_tests
def test_cellfate_tnf_node_probability_in_first_step_matches_exponential_decay():
    # TNF starts at 1 and decays at 1/6 per hour: the last window [0.9, 1) averages exp(-t/6)
    result = cellfate(sample_count=4000, threads=2)
    expected = np.mean(np.exp(-np.linspace(0.9, 1.0, 101) / 6))
    assert abs(result.node_probabilities["TNF"].iloc[0] - expected) < 0.02


def test_results_do_not_depend_on_thread_count():
    model = maboss.read(DATA / "growth_signal.bnd", DATA / "growth_signal.cfg")
    settings = maboss.read_settings(DATA / "growth_signal.cfg").replace(sample_count=3000)
    one = run(model, settings, upp=DATA / "growth_signal.upp", threads=1)
    two = run(model, settings, upp=DATA / "growth_signal.upp", threads=2)
    assert one.population.equals(two.population)
    assert one.final_ratio != run(model, settings, upp=DATA / "growth_signal.upp", seed=4).final_ratio


def test_node_formula_sets_next_initial_probability():
    # @Signal u= 1.5 * p[(Growth,Stress) = (1,0)]: Signal's P at t = 0 of step k+1 comes from step k's cells
    model = maboss.read(DATA / "growth_signal.bnd", DATA / "growth_signal.cfg")
    result = run(model, maboss.read_settings(DATA / "growth_signal.cfg"), upp=DATA / "growth_signal.upp",
                 sample_count=3000)
    first, second = result.runs[0], result.runs[1]
    assert first.node_probabilities["Signal"].iloc[0] < 0.2        # Signal.istate = 0, rate 1 up
    assert second.node_probabilities["Signal"].iloc[0] > first.node_probabilities["Signal"].iloc[0] + 0.1


def test_joint_distribution_is_carried_not_marginals():
    # A and B start equal (50/50 [0,0] / [1,1]) and never move: with per-node marginals,
    # the next step would start with A != B half of the time.
    model = LogicalModel.from_rules({"A": Var("A"), "B": Var("B"), "Division": None})
    model = model.replace(joint_initial_states=(JointInitialState(("A", "B"), ((1, (0, 0)), (1, (1, 1)))),),
                          initial_probabilities={"Division": 0.0})
    result = run(model, upp="division = Division; steps = 2;", max_time=1, time_tick=0.5, sample_count=2000)
    states = result.state_probabilities
    mixed = [c for c in states.columns if ("A" in c.split(" -- ")) != ("B" in c.split(" -- "))]
    assert mixed == [] or states[mixed].to_numpy().max() == 0
    assert abs(states.iloc[-1].filter(like="A -- B").sum() - 0.5) < 0.05


def test_death_and_division_update_ratio_and_distribution():
    dist = StateDistribution.from_labels(("X", "Division", "Death"),
                                         __import__("pandas").Series({"X": 0.5, "Division": 0.25, "Death": 0.25}))
    growth, survivors = dist.growth_and_survivors("Death", "Division")
    assert growth == pytest.approx(0.5 + 2 * 0.25)
    assert survivors.probability({"X": 1}) == pytest.approx(0.5)
    assert survivors.probability({"Division": 1}) == 0.0      # division reset in the daughters
    assert dist.growth_and_survivors("Death", None)[0] == pytest.approx(0.75)


def test_extinct_population_stops_with_ratio_zero():
    model = LogicalModel.from_rules({"Death": None}).with_initial_probabilities({"Death": 1.0})
    result = run(model, upp="death = Death; steps = 4;", max_time=1, time_tick=1, sample_count=100)
    assert result.population["ratio"].tolist() == [1.0, 0.0]


def test_parse_upp_reads_all_forms():
    spec = parse_upp("// comment\ndeath = D;\ndivision = V ;\n$x u= #rand * p[(A,B) = (1,0)] + #pop_ratio;\n"
                     "@A u= p[A = 1];\nsteps = 3;\nMaBoSS = MaBoSS\n")
    assert (spec.death, spec.division, spec.steps) == ("D", "V", 3)
    assert spec.parameters == {"x": "#rand * p[(A,B) = (1,0)] + #pop_ratio"}
    assert spec.node_formulas == {"A": "p[A = 1]"}


# A tissue of our own: proliferating cells secrete a ligand ($ligand, set after every step from the
# fraction of cycling, unstressed cells), the ligand drives the cycle, stress without ligand kills.
# ($gain comes before $ligand: pyMaBoSS writes the updated "$ligand = $gain * ..." in the .cfg's order, and
# MaBoSS needs a parameter defined before it is used.)
TISSUE_BND = """
node Ligand { rate_up = $ligand; rate_down = 1; }
node Receptor { logic = Ligand; rate_up = @logic ? 2 : 0; rate_down = @logic ? 0 : 1; }
node Stress { rate_up = 0.3; rate_down = 0.5; }
node Cycle { logic = Receptor & !Stress; rate_up = @logic ? 1.5 : 0; rate_down = @logic ? 0 : 1; }
node Division { rate_up = Cycle ? 0.8 : 0; rate_down = 0; }
node Death { rate_up = Stress & !Receptor ? 0.6 : 0; rate_down = 0; }
"""
TISSUE_CFG = """
$gain = 3;
$ligand = 0.2;
Ligand.istate = 0; Receptor.istate = 0; Stress.istate = 0; Cycle.istate = 0; Division.istate = 0; Death.istate = 0;
sample_count = 20000; max_time = 1; time_tick = 0.2; seed_pseudorandom = 1; use_physrandgen = 0; thread_count = 1;
"""
TISSUE_UPP = """death = Death;
division = Division;
$ligand u= $gain * p[(Cycle,Stress) = (1,0)] + 0.05 * #pop_ratio;
@Stress u= 0.8 * p[Stress = 1];
steps = 6;
"""


@pytest.mark.skipif(not reference_upmaboss.available(), reason="pyMaBoSS and cmaboss are not installed")
def test_population_agrees_with_pymaboss_update_population_on_own_model(tmp_path):
    bnd, cfg, upp = tmp_path / "tissue.bnd", tmp_path / "tissue.cfg", tmp_path / "tissue.upp"
    bnd.write_text(TISSUE_BND)
    cfg.write_text(TISSUE_CFG)
    upp.write_text(TISSUE_UPP)
    nodes = ["Ligand", "Cycle", "Stress"]
    theirs, their_nodes = reference_upmaboss.update_population(bnd, cfg, upp, nodes=nodes)
    assert len(theirs) == 7
    # the population first shrinks (stress kills, little ligand), then the ligand feedback makes it grow again
    assert theirs.iloc[2] < 1.0 < theirs.iloc[-1]
    # The statistical error of a run of 20,000 trajectories per step, from 8 of ours with independent seeds
    # (the ligand feedback amplifies the sampling noise from step to step, so the spread of whole runs is
    # what measures it); theirs is one more such run: 4 standard errors of its difference from our mean.
    model, settings, spec = maboss.read(bnd, cfg), maboss.read_settings(cfg), read_upp(upp)
    ours = [run(model, settings, upp=spec, seed=seed) for seed in range(8)]
    for name, their_values, our_runs in [("ratio", theirs.to_numpy(), [r.population["ratio"] for r in ours])] + [
            (node, their_nodes[node].to_numpy(), [r.node_probabilities[node] for r in ours]) for node in nodes]:
        our_runs = np.array(our_runs)
        tolerance = 4 * our_runs.std(axis=0, ddof=1) * np.sqrt(1 + 1 / len(our_runs)) + 1e-12
        np.testing.assert_array_less(np.abs(our_runs.mean(axis=0) - their_values), tolerance, err_msg=name)


def test_plot_takes_nodes_by_name_and_labels_them_by_name():
    """A map's nodes are named (CD40LG is S_22 in CellCollective files): the population plot speaks in names."""
    import matplotlib
    matplotlib.use("Agg")
    from booleanidt.model import Node
    from booleanidt.naming import NodeNameError
    model = LogicalModel.from_rules({"S_22": Var("S_22"), "S_23": None},
                                    nodes={"S_22": Node("S_22", name="CD40LG"), "S_23": Node("S_23", name="Division")})
    model = model.with_initial_probabilities({"S_22": 0.5, "S_23": 0.0})
    result = run(model, upp="division = S_23; steps = 1;", max_time=1, time_tick=1, sample_count=100)
    figure = result.plot(nodes=["cd40lg"])
    assert [t.get_text() for t in figure.axes[1].get_legend().get_texts()] == ["CD40LG"]
    with pytest.raises(NodeNameError, match="unknown node 'CD40LGG'"):
        result.plot(nodes=["CD40LGG"])
    matplotlib.pyplot.close("all")


# More than 63 nodes: the joint state is carried as bits in several 64-bit words.  Frozen pad nodes come first,
# so Death, Division and the moving nodes are bits of the second word.
def padded_bnd(pads: int) -> str:
    """``pads`` frozen nodes P0, P1, ... (rates 0), to put before a model's own nodes."""
    return "".join(f"node P{k} {{ rate_up = 0; rate_down = 0; }}\n" for k in range(pads))


def padded_istates(pads: int) -> str:
    """P_k starts at k % 2 (the pattern must come through every step bit for bit)."""
    return "".join(f"P{k}.istate = {k % 2};\n" for k in range(pads))


def window_mean(values, times):
    return np.trapezoid(values, times) / (times[-1] - times[0])


def test_more_than_63_nodes_population_and_carried_state_follow_closed_form(tmp_path):
    # Death (rate 0.3) and Division (rate 0.5) switch on independently; X flips 0 -> 1 at 1 and 1 -> 0 at 2;
    # A and B start equal (50/50 both 0 or both 1) and never move.  66 pads: 71 nodes.
    pads = 66
    bnd, cfg = tmp_path / "padded.bnd", tmp_path / "padded.cfg"
    bnd.write_text(padded_bnd(pads) + "node Death { rate_up = 0.3; rate_down = 0; }\n"
                   "node Division { rate_up = 0.5; rate_down = 0; }\nnode X { rate_up = 1; rate_down = 2; }\n"
                   "node A { rate_up = 0; rate_down = 0; }\nnode B { rate_up = 0; rate_down = 0; }\n")
    cfg.write_text(padded_istates(pads) + "Death.istate = 0; Division.istate = 0; X.istate = 0;\n"
                   "[A, B].istate = 0.5 [0, 0], 0.5 [1, 1];\n"
                   "max_time = 1; time_tick = 0.1; sample_count = 20000; seed_pseudorandom = 3;\n")
    model = maboss.read(bnd, cfg)
    assert len(model.node_ids) == 71 and model.node_ids.index("Death") == 66
    steps = 4
    result = run(model, maboss.read_settings(cfg), upp=f"death = Death; division = Division; steps = {steps};")
    # closed forms over the last window [0.9, 1): survivors restart with Death = Division = 0, so every step
    # grows the population by g = mean of E[weight(t)] = exp(-0.3 t) (2 - exp(-0.5 t)) (dead 0, dividing 2)
    times = np.linspace(0.9, 1.0, 2001)
    weight = np.exp(-0.3 * times) * (2 - np.exp(-0.5 * times))
    growth = window_mean(weight, times)
    standard_error = 0.6 / np.sqrt(20000)
    ratios = result.population["ratio"].to_numpy()
    np.testing.assert_array_less(np.abs(ratios - growth ** np.arange(steps + 1)),
                                 5 * standard_error * np.sqrt(np.arange(steps + 1)) + 1e-12)
    # X is independent of Death and Division at every instant, so the survivors' X is X weighted by weight(t)
    # over the window: P(X = 1) starts each step at that weighted mean and relaxes to 1/3 at rate 3
    start, expected = 0.0, []
    for _ in range(steps + 1):
        x = 1 / 3 + (start - 1 / 3) * np.exp(-3 * times)
        expected.append(window_mean(x, times))
        start = window_mean(weight * x, times) / growth
    np.testing.assert_allclose(result.node_probabilities["X"], expected, atol=4 * standard_error)
    np.testing.assert_allclose(result.node_probabilities["Death"], 1 - window_mean(np.exp(-0.3 * times), times),
                               atol=4 * standard_error)
    # the pads' pattern and the A = B correlation come through every step: a joint state, bit for bit
    pattern = result.node_probabilities[[f"P{k}" for k in range(pads)]].to_numpy()
    assert (pattern == np.arange(pads) % 2).all()
    states = result.state_probabilities
    mixed = [c for c in states.columns if ("A" in c.split(" -- ")) != ("B" in c.split(" -- "))]
    assert mixed == [] or states[mixed].to_numpy().max() == 0
    assert abs(result.node_probabilities["A"].iloc[-1] - 0.5) < 0.03
    np.testing.assert_allclose(states.sum(axis=1), 1.0)


@needs_pymaboss_tests
def test_cellfate_padded_past_63_nodes_matches_pymaboss(tmp_path):
    # CellFate behind 40 pad nodes (73 nodes: its own are bits 40-72, across two words) gives pyMaBoSS's ratios
    pads = 40
    bnd, cfg = tmp_path / "padded.bnd", tmp_path / "padded.cfg"
    bnd.write_text(padded_bnd(pads) + (PYMABOSS_TESTS / "CellFateModel.bnd").read_text())
    cfg.write_text(padded_istates(pads) + (PYMABOSS_TESTS / "CellFateModel_1h.cfg").read_text())
    model = maboss.read(bnd, cfg)
    assert len(model.node_ids) == 73
    # its 73 nodes are all outputs: no stationary distributions (statdist_traj_count = 1), said once, not per step
    with pytest.warns(UserWarning, match="no stationary distributions") as caught:
        result = run(model, maboss.read_settings(cfg).replace(sample_count=100_000, threads=2),
                     upp=PYMABOSS_TESTS / "CellFate_1h.upp")
    assert len(caught) == 1
    np.testing.assert_allclose(result.population["ratio"], PYMABOSS_1H, atol=0.01, rtol=0)
    assert (result.node_probabilities[[f"P{k}" for k in range(pads)]].to_numpy() == np.arange(pads) % 2).all()
