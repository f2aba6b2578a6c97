"""The stochastic simulator on small models built in Python: semantics, seeds, errors, files."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from booleanidt.errors import BooleanidtError
from booleanidt.expr import And, Arith, Const, IfThenElse, Logic, Not, Param, Var
from booleanidt.model import JointInitialState, LogicalModel, Node
from booleanidt.simulation import Simulation, SimulationResult, SimulationSettings, simulate
from booleanidt.simulation.settings import SettingsError


def decay_model() -> LogicalModel:
    """One node switched on at rate 1 from 0 (corpus decay_check, typed in)."""
    return LogicalModel.from_rules({"A": Const(1)}).with_initial_probabilities({"A": 0.0})


def toggle_model() -> LogicalModel:
    """A keeps flipping (rule !A), B follows A, C is an internal read-out of B."""
    nodes = {"A": Node("A"), "B": Node("B"), "C": Node("C", internal=True)}
    return LogicalModel(nodes=nodes, rules={"A": Not(Var("A")), "B": Var("A"), "C": Var("B")})


@pytest.fixture(scope="module")
def toggle_runs():
    model = toggle_model()
    run = lambda **kw: simulate(model, max_time=10, time_tick=0.5, sample_count=3000, **kw)  # noqa: E731
    return {"one": run(seed=7, threads=1), "two": run(seed=7, threads=2), "other": run(seed=8, threads=2)}


def test_decay_closed_form():
    result = simulate(decay_model(), max_time=5, time_tick=1, sample_count=400_000, seed=3, threads=2)
    expected = np.array([1 - math.exp(-k) * (1 - math.exp(-1)) for k in range(5)])
    ours = result.node_probabilities["A"].to_numpy()
    se = result.node_errors["A"].to_numpy()
    assert np.all(np.abs(ours - expected) < 5 * se + 1e-4)
    assert list(result.node_probabilities.index) == [0.0, 1.0, 2.0, 3.0, 4.0]


def test_same_seed_same_tables_for_any_thread_count(toggle_runs):
    one, two = toggle_runs["one"], toggle_runs["two"]
    pd.testing.assert_frame_equal(one.node_probabilities, two.node_probabilities, check_exact=True)
    pd.testing.assert_frame_equal(one.state_probabilities, two.state_probabilities, check_exact=True)
    pd.testing.assert_frame_equal(one.node_errors, two.node_errors, check_exact=True)
    assert one.jumps == two.jumps


def test_different_seeds_give_different_tables(toggle_runs):
    a, b = toggle_runs["two"].node_probabilities, toggle_runs["other"].node_probabilities
    assert not np.array_equal(a.to_numpy(), b.to_numpy())
    # ... but the same statistics: A flips at rate 1 forever, so P(A) -> 1/2
    assert abs(a["A"].iloc[-1] - b["A"].iloc[-1]) < 0.1


def test_outputs_and_all_node_marginals(toggle_runs):
    result = toggle_runs["one"]
    assert result.output_nodes == ("A", "B")
    assert list(result.node_probabilities.columns) == ["A", "B", "C"]  # internal C still has marginals
    assert set(result.state_probabilities.columns) <= {"<nil>", "A", "B", "A -- B"}
    # node marginals are sums of the state probabilities containing them
    states = result.state_probabilities
    p_a = states[[c for c in states.columns if "A" in c.split(" -- ")]].sum(axis=1)
    np.testing.assert_allclose(p_a.to_numpy(), result.node_probabilities["A"].to_numpy(), atol=1e-12)
    np.testing.assert_allclose(states.sum(axis=1).to_numpy(), 1.0, atol=1e-12)
    assert result.entropy.iloc[0] == pytest.approx(
        -sum(p * math.log2(p) for p in states.iloc[0] if p > 0))


def test_fix_holds_the_node_for_the_whole_run():
    model = toggle_model()
    for value in (0, 1):
        # B then C follow A at rate 1: all 500 trajectories settle by t = 10 but for ~1 in 2000
        result = simulate(model.fix({"A": value}), max_time=10, time_tick=0.5, sample_count=500, seed=1)
        assert (result.node_probabilities["A"] == value).all()
        assert result.fixed_points["A"].tolist() == [value]
        assert result.fixed_points["Proba"].iloc[0] == pytest.approx(1.0, abs=0.01)


def test_mutant_moves_to_its_value_at_rate_one_from_its_initial_state():
    """cmaboss's ``mutate``: the rule becomes the constant, explicit rates are dropped (A's rate 50
    gives way to the default rate 1) and A keeps its initial state, so it follows decay_check's
    closed form, row k = 1 - e^-k (1 - e^-1), and the mirror image for a knock-out from 1."""
    start = {"A": 0.0, "B": 0.0}
    model = LogicalModel.from_rules({"A": Var("B"), "B": None}, rates_up={"A": Const(50.0)})
    mutant = model.with_initial_probabilities(start).mutate({"A": 1})
    assert mutant.initial_probability("A") == 0.0 and "A" not in mutant.rates_up
    k = np.arange(3)
    rising = 1 - np.exp(-k) * (1 - np.exp(-1))
    for perturbed, expected in ((mutant, rising),
                                (model.with_initial_probabilities({"A": 1.0, "B": 1.0}).mutate({"A": 0}), 1 - rising)):
        result = simulate(perturbed, max_time=3, time_tick=1, sample_count=4000, seed=1)
        got, se = result.node_probabilities["A"].to_numpy(), result.node_errors["A"].to_numpy()
        assert np.all(np.abs(got - expected) <= 5 * se + 0.002), (got, expected)


def test_fixed_point_credits_the_rest_of_the_run():
    """A model that freezes within ~0.01 time units: every later window is all in the fixed point."""
    fast = LogicalModel.from_rules({"A": Const(1), "B": Var("A")},
                                   rates_up={"A": Const(500.0), "B": Const(500.0)})
    result = simulate(fast.with_initial_probabilities({"A": 0.0, "B": 0.0}), max_time=4, time_tick=1,
                      sample_count=1000, seed=2)
    assert (result.node_probabilities.iloc[1:] == 1.0).all().all()
    assert result.fixed_points["State"].tolist() == ["A -- B"]
    assert result.fixed_points["Proba"].tolist() == [1.0]
    assert result.last_state_probabilities.to_dict() == {"A -- B": 1.0}


def test_joint_initial_states_are_drawn_with_their_weights():
    model = LogicalModel.from_rules({"A": None, "B": None}, joint_initial_states=(
        JointInitialState(("A", "B"), ((1, (0, 0)), (3, (1, 1)))),))
    result = simulate(model, max_time=1, time_tick=1, sample_count=40_000, seed=4)
    states = result.state_probabilities.iloc[0]
    assert set(states[states > 0].index) == {"<nil>", "A -- B"}
    assert states["A -- B"] == pytest.approx(0.75, abs=5 * math.sqrt(0.75 * 0.25 / 40_000))


def test_rate_expressions_with_parameters_and_node_states():
    """rate_up = $k * (B ? 2 : 1): with B fixed at 1, A switches on at rate 2k."""
    rate = Arith("*", Param("k"), IfThenElse(Var("B"), Const(2), Const(1)))
    model = LogicalModel.from_rules({"A": Const(1), "B": None}, rates_up={"A": rate}, parameters={"k": 0.5},
                                    initial_probabilities={"A": 0.0, "B": 1.0})
    result = simulate(model, max_time=1, time_tick=1, sample_count=100_000, seed=5)
    expected = math.exp(-1)  # window [0, 1) average of 1 - e^-t for rate 1
    assert result.node_probabilities["A"].iloc[0] == pytest.approx(expected, abs=0.005)


def test_discrete_time_jumps_take_one_tick():
    result = simulate(decay_model(), max_time=3, time_tick=1, sample_count=100, seed=1, discrete_time=True)
    assert result.node_probabilities["A"].tolist() == [0.0, 1.0, 1.0]


def test_large_rates_do_not_stop_the_clock():
    """MaBoSS models use 1e100 rates (cellfate's $Low_ switches); the sum tree stays exact."""
    model = LogicalModel.from_rules({"A": Const(0), "B": Not(Var("B"))},
                                    rates_down={"A": IfThenElse(Logic(), Const(0), Const(1e100))},
                                    initial_probabilities={"A": 1.0, "B": 0.0})
    result = simulate(model, max_time=20, time_tick=1, sample_count=2000, seed=3)
    assert result.node_probabilities["A"].iloc[0] < 1e-90  # A leaves 1 after ~1e-100 time units
    assert (result.node_probabilities["A"].iloc[1:] == 0.0).all()
    assert result.node_probabilities["B"].iloc[-5:].mean() == pytest.approx(0.5, abs=0.05)


def test_multivalued_model_reports_levels():
    nodes = {"I": Node("I"), "X": Node("X", max_level=2)}
    model = LogicalModel(nodes=nodes, rules={"I": None, "X": IfThenElse(Var("I"), Const(2), Const(0))},
                         initial_probabilities={"I": 1.0})
    result = simulate(model, max_time=8, time_tick=1, sample_count=2000, seed=1)
    levels = result.level_probabilities()
    np.testing.assert_allclose(levels["X"].sum(axis=1).to_numpy(), 1.0, atol=1e-12)
    assert levels[("X", 2)].iloc[-1] > 0.95  # X climbs to level 2 one step at a time


def test_multivalued_outputs_read_as_levels_in_summary_and_states():
    """I random, X = I ? 2 : 1: at the end X = 2 in the half of the runs where I is on, X = 1 in the
    other half; the summary, the state labels and the fixed points speak of X's levels, not its bits."""
    nodes = {"I": Node("I"), "X": Node("X", max_level=2)}
    model = LogicalModel(nodes=nodes, rules={"I": None, "X": IfThenElse(Var("I"), Const(2), Const(1))},
                         initial_probabilities={"I": 0.5})
    result = simulate(model, max_time=12, time_tick=1, sample_count=4000, seed=5)
    lines = dict(line.split() for line in result.summary().splitlines() if line.startswith("  X="))
    levels = result.level_probabilities().iloc[-1]
    assert set(lines) == {"X=1", "X=2"}
    for level in (1, 2):
        assert float(lines[f"X={level}"]) == pytest.approx(levels[("X", level)], abs=5e-5)
        assert levels[("X", level)] == pytest.approx(0.5, abs=0.04)
    assert result.readable_state("X_b1 -- X_b2 -- I") == "X=2 -- I"
    assert result.readable_state("X_b1") == "X=1" and result.readable_state("<nil>") == "<nil>"
    assert {result.readable_state(label) for label in result.last_state_probabilities.index} == {"X=1", "I -- X=2"}
    assert "X_b" not in result.summary()


def test_simulation_object_chains_like_pymaboss():
    sim = Simulation(toggle_model()).update(max_time=2, time_tick=1, sample_count=100, seed_pseudorandom=3)
    result = sim.set_initial_state("A", 0).mutate("A", "OFF").set_outputs(["B"]).run()
    assert result.output_nodes == ("B",)
    assert result.settings.seed == 3
    assert (result.node_probabilities["A"] == 0).all()


def test_too_many_outputs_warn_before_the_run_and_keep_node_marginals():
    rules = {f"N{i}": Not(Var(f"N{i}")) for i in range(70)}
    model = LogicalModel.from_rules(rules)
    with pytest.warns(UserWarning, match="70 output nodes: output-state probabilities are not tracked"):
        result = simulate(model, max_time=2, time_tick=1, sample_count=50, seed=1)
    assert result.state_probabilities is None
    assert result.node_probabilities.shape == (2, 70)
    with pytest.warns(UserWarning, match="25 output nodes: up to 2\\^25 output states"):
        simulate(model, max_time=2, time_tick=1, sample_count=50, seed=1, outputs=[f"N{i}" for i in range(25)])


def test_save_and_load_round_trip(tmp_path, toggle_runs):
    result = toggle_runs["one"]
    result.save(tmp_path / "run")
    text = (tmp_path / "run_probtraj.csv").read_text()
    assert text.startswith("Time\tTH\tErrorTH\tH\tHD=0\tState\tProba\tErrorProba")  # HD=0: as MaBoSS writes
    assert (tmp_path / "run_fp.csv").read_text().startswith("Fixed Points (0)")
    back = SimulationResult.load(tmp_path / "run")
    cols = list(result.state_probabilities.columns)
    np.testing.assert_allclose(back.state_probabilities[cols].to_numpy(),
                               result.state_probabilities.to_numpy(), atol=1e-5)
    np.testing.assert_allclose(back.node_probabilities["A"].to_numpy(),
                               result.node_probabilities["A"].to_numpy(), atol=1e-5)


def test_fixed_point_file_round_trip(tmp_path):
    result = simulate(toggle_model().fix({"A": 1}), max_time=3, time_tick=1, sample_count=300, seed=1)
    result.save(tmp_path / "fp")
    lines = (tmp_path / "fp_fp.csv").read_text().splitlines()
    assert lines[0] == "Fixed Points (1)"
    assert lines[1].split("\t") == ["FP", "Proba", "State", "A", "B", "C"]
    back = SimulationResult.load(tmp_path / "fp")
    assert back.fixed_points["State"].tolist() == result.fixed_points["State"].tolist()


def test_plots(tmp_path, toggle_runs):
    import matplotlib
    matplotlib.use("Agg")
    result = toggle_runs["one"]
    ax = result.plot_trajectories()
    assert len(ax.lines) == 2
    ax = result.plot_final_states()
    assert len(ax.patches) == len(result.last_state_probabilities)


# --- bad input: one clear message each --------------------------------------------------

@pytest.mark.parametrize("call, message", [
    (lambda: Simulation(toggle_model()).mutate("Z", "ON"), "mutant: unknown node 'Z'"),
    (lambda: Simulation(toggle_model()).set_initial_state("Z", 1), "initial probability: unknown node 'Z'"),
    (lambda: simulate(toggle_model(), outputs=["A", "Z"], sample_count=10), "outputs: unknown node 'Z'"),
    (lambda: simulate(toggle_model(), time_tick=0), "time_tick must be > 0 and <= max_time"),
    (lambda: simulate(toggle_model(), time_tick=-1), "time_tick must be > 0 and <= max_time"),
    (lambda: simulate(toggle_model(), max_time=1, time_tick=2), "time_tick must be > 0 and <= max_time"),
    (lambda: simulate(toggle_model(), sample_count=0), "sample_count must be >= 1"),
    (lambda: JointInitialState(("A", "B"), ((0, (0, 0)), (0, (1, 1)))), "weights must be >= 0 and sum to more"),
])
def test_bad_input_messages(call, message):
    with pytest.raises(BooleanidtError, match=message.replace("(", "\\(").replace("^", "\\^")):
        call()


def test_negative_rate_is_reported_at_run_time():
    model = LogicalModel.from_rules({"A": Const(1), "B": None},
                                    rates_up={"A": IfThenElse(Var("B"), Const(-2), Const(1))},
                                    initial_probabilities={"A": 0.0, "B": 0.5})
    with pytest.raises(BooleanidtError, match="node A: rate_up evaluates to -2; rates must be finite numbers >= 0"):
        simulate(model, max_time=2, time_tick=1, sample_count=100, seed=1)


def test_non_numeric_rates_are_refused():
    model = LogicalModel.from_rules({"A": Const(1)}, rates_up={"A": Param("k")}, parameters={"k": "fast"})
    with pytest.raises(BooleanidtError, match=r"node A: rate_up: parameter \$k is not a number \('fast'\)"):
        simulate(model, sample_count=10)
    nan_rate = LogicalModel.from_rules({"A": Const(1)}, rates_up={"A": Arith("/", Const(0), Const(0))})
    with pytest.raises(BooleanidtError, match="node A: rate_up evaluates to nan"):
        simulate(nan_rate, sample_count=10, max_time=1, time_tick=1)
    missing = LogicalModel.from_rules({"A": Const(1)}, rates_up={"A": Param("u_A")})
    with pytest.raises(BooleanidtError, match=r"node A: rate_up: parameter \$u_A has no value"):
        simulate(missing, sample_count=10)


def test_settings_take_cfg_names():
    settings = SimulationSettings().replace(seed_pseudorandom=5, thread_count=2, max_time=3)
    assert (settings.seed, settings.threads, settings.max_time) == (5, 2, 3.0)
    with pytest.raises(SettingsError, match="unknown setting 'maxtime'"):
        SimulationSettings().replace(maxtime=3)


def test_many_fixed_points_are_summarised_by_their_output_nodes():
    """Five random inputs, O = I1 & I2: up to 32 fixed points, grouped in the summary by O's value
    (O on in a quarter of the runs), the group probabilities summing to the fixed points'."""
    rules = {f"I{k}": None for k in range(1, 6)}
    rules["O"] = And((Var("I1"), Var("I2")))
    model = LogicalModel.from_rules(rules)
    result = simulate(model, max_time=20, time_tick=1, sample_count=4000, seed=2, outputs=["O"])
    assert len(result.fixed_points) > 10
    grouped = result.fixed_points_by_outputs()
    assert set(grouped.index) == {"O", "<nil>"}
    assert grouped.sum() == pytest.approx(result.fixed_points["Proba"].sum(), abs=1e-12)
    assert grouped["O"] == pytest.approx(0.25, abs=0.03)
    summary = result.summary()
    assert "by their output nodes (2 groups)" in summary and "I3" not in summary.split("fixed points")[1]
