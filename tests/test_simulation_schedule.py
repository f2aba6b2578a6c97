"""Scheduled perturbations (MaBoSS ``X.schedule = t1: p1, t2: p2;``) against cmaboss and closed forms.

MaBoSS's semantics (engines/MaBEstEngine.cc, ProbTrajEngine.cc): at a scheduled
time the node is set to 1 with probability p (evaluated on the state then) and
to 0 otherwise; a jump that would pass a scheduled time is cut there and the node
drawn for it flips there.  One difference, on purpose: on a fixed point MaBoSS
waits for the scheduled time and then flips the model's last node (its node draw
with a total rate of 0 falls through to the last index); we only wait.  The
cmaboss comparisons therefore use models that never sit on a fixed point (a
free-running ``Clock`` node), and the fixed-point case is checked against its
closed form.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from conftest import MABOSS, needs_corpus

from booleanidt.cli import main
from booleanidt.errors import InputError
from booleanidt.io import maboss as maboss_io
from booleanidt.simulation import simulate

cmaboss = pytest.importorskip("cmaboss")

TOY_BND = """
Node A { logic = A; rate_up = 0; rate_down = 0; }
Node B { logic = A; rate_up = @logic ? 1 : 0; rate_down = @logic ? 0 : 1; }
Node Clock { logic = !Clock; }
"""
TOY_CFG = """
A.istate = 0; B.istate = 0; Clock.istate = 0;
A.schedule = 2: 0.3, 5: 0.6 + 0.3;
max_time = 8; time_tick = 1; sample_count = 20000; seed_pseudorandom = 1; use_physrandgen = 0;
"""


def _cmaboss_nodes(bnd_text, cfg_text, tmp_path):
    (tmp_path / "m.bnd").write_text(bnd_text)
    (tmp_path / "m.cfg").write_text(cfg_text)
    sim = cmaboss.MaBoSSSim(network=str(tmp_path / "m.bnd"), config=str(tmp_path / "m.cfg"))
    probabilities, times, nodes, _ = sim.run().get_nodes_probtraj()
    return {node: probabilities[:, k] for k, node in enumerate(nodes)}, np.asarray(times)


def _assert_close(ours, reference, nodes, rows):
    """Within 5 combined standard errors + 0.002 (the reference's SE taken equal to ours: same estimator)."""
    for node in nodes:
        for row in rows:
            p, q = ours.node_probabilities[node].iloc[row], reference[node][row]
            se = ours.node_errors[node].iloc[row]
            assert abs(p - q) <= 5 * math.sqrt(2) * se + 0.002, (node, row, p, q, se)


def test_cfg_schedule_reads_and_writes_back():
    model = maboss_io.loads(TOY_BND, TOY_CFG)
    assert [t for t, _ in model.schedules["A"]] == [2.0, 5.0]
    assert model.schedules["A"][0][1].value == 0.3
    bnd, cfg = maboss_io.dumps(model)
    assert "A.schedule = 2: 0.3, 5: 0.8999999999999999;" in cfg  # 0.6 + 0.3, folded
    stateful = maboss_io.loads(TOY_BND, "A.schedule = 3: Clock ? 0.9 : 0.6;")
    assert "A.schedule = 3: Clock ? 0.9 : 0.6;" in maboss_io.dumps(stateful)[1]
    assert maboss_io.loads(bnd, cfg) == model


@pytest.mark.parametrize("cfg, message", [
    ("A.schedule = 2: 1.5;", "probability 1.5 is not in [0, 1]"),
    ("A.schedule = 2: 0.1, 2: 0.3;", "times must be distinct"),
    ("Z.schedule = 2: 0.1;", "schedule of Z names unknown node(s) Z"),
    ("A.schedule = 2: Q ? 1 : 0;", "unknown node(s) Q"),
])
def test_bad_schedules_name_the_problem(cfg, message):
    with pytest.raises(InputError, match=".*" + message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")
                       .replace("]", r"\]")):
        maboss_io.loads(TOY_BND, cfg, source="m.cfg")


def test_toy_model_matches_cmaboss_before_between_and_after_switches(tmp_path):
    """A set at 2 (p 0.3) and 5 (p 0.9); B follows A; windows 0-1, 2-4 and 5-7."""
    reference, times = _cmaboss_nodes(TOY_BND, TOY_CFG, tmp_path)
    ours = simulate(maboss_io.loads(TOY_BND, TOY_CFG), max_time=8, time_tick=1, sample_count=20_000, seed=3)
    assert np.allclose(ours.node_probabilities.index, times)
    assert ours.node_probabilities["A"].iloc[1] == 0.0
    assert 0.28 < ours.node_probabilities["A"].iloc[3] < 0.32
    _assert_close(ours, reference, ["A", "B", "Clock"], range(8))


def test_fixed_point_waits_for_the_scheduled_time():
    """A = B = 0 is a fixed point; A is set at 2 with p 0.3, then B rises at rate 1: a closed form."""
    bnd = TOY_BND.replace("Node Clock { logic = !Clock; }", "")
    model = maboss_io.loads(bnd, "A.istate = 0; B.istate = 0; A.schedule = 2: 0.3;")
    result = simulate(model, max_time=8, time_tick=1, sample_count=20_000, seed=4)
    for k in range(8):
        # window [k, k+1): mean of 0.3 (1 - exp(-(t - 2))) over t >= 2
        expected_a = 0.3 if k >= 2 else 0.0
        expected_b = 0.3 * (1 - (math.exp(-(k - 2)) - math.exp(-(k - 1)))) if k >= 2 else 0.0
        for node, expected in (("A", expected_a), ("B", expected_b)):
            p, se = result.node_probabilities[node].iloc[k], result.node_errors[node].iloc[k]
            assert abs(p - expected) <= 5 * se + 0.002, (node, k, p, expected)
    # counted once per trajectory, at its end (MaBoSS counts each wait): all but those with A = 1 and B still 0
    assert result.fixed_points["Proba"].sum() == pytest.approx(1 - 0.3 * math.exp(-6), abs=0.002)


def test_probability_of_the_state_and_the_cut_jump():
    """``A.schedule = 2: Clock``: A is set to Clock's value at 2.  Clock (from 0, flipping at rate 1) is 1 at
    t with probability (1 - exp(-2t)) / 2, but the jump that passes 2 is cut there and Clock, the only node
    that moves, flips at 2 first (MaBoSS's semantics), so A = 1 with probability (1 + exp(-4)) / 2, not
    (1 - exp(-4)) / 2.  (cmaboss 1.0.0b34 accepts only constant probabilities, so this is checked here.)"""
    model = maboss_io.loads("Node A { logic = A; rate_up = 0; rate_down = 0; }\nNode Clock { logic = !Clock; }",
                            "A.istate = 0; Clock.istate = 0; A.schedule = 2: Clock;")
    result = simulate(model, max_time=4, time_tick=1, sample_count=40_000, seed=5)
    p, se = result.node_probabilities["A"].iloc[3], result.node_errors["A"].iloc[3]
    assert abs(p - (1 + math.exp(-4)) / 2) <= 5 * se + 0.002
    assert abs(p - (1 - math.exp(-4)) / 2) > 3 * se


@needs_corpus
def test_cellfate_tnf_pulses_match_cmaboss(tmp_path):
    """MaBoSS's own schedule test (engine/tests/maboss/cellfate_schedule.cfg: TNF at 20, 40, 60 with p 0.1,
    0.9, 0.1) on the corpus cellfate model, with a free-running Clock node so that no trajectory sits on a
    fixed point (see the module docstring)."""
    bnd = (MABOSS / "cellfate.bnd").read_text() + "\nNode Clock { logic = !Clock; }\n"
    cfg = (MABOSS / "cellfate_TNF.cfg").read_text() + (
        "\nTNF.schedule = 20: 0.1, 40: 0.9, 60: 0.1;\nmax_time = 70; time_tick = 1; sample_count = 10000;"
        "\nuse_physrandgen = 0; seed_pseudorandom = 7; Clock.istate = 0;\n")
    reference, _ = _cmaboss_nodes(bnd, cfg, tmp_path)
    ours = simulate(maboss_io.loads(bnd, cfg), max_time=70, time_tick=1, sample_count=10_000, seed=8,
                    outputs=["TNF", "Survival", "Apoptosis", "NonACD"])
    assert ours.node_probabilities["TNF"].iloc[30] == pytest.approx(0.1, abs=0.02)
    assert ours.node_probabilities["TNF"].iloc[50] == pytest.approx(0.9, abs=0.02)
    _assert_close(ours, reference, ["TNF", "NFkB", "CASP3", "Survival", "Apoptosis", "NonACD"],
                  [5, 15, 19, 20, 21, 25, 39, 40, 41, 45, 59, 60, 61, 69])


def test_api_and_cli_schedule(tmp_path, capsys):
    bnd = tmp_path / "m.bnd"
    bnd.write_text(TOY_BND)
    (tmp_path / "m.cfg").write_text("A.istate = 0; B.istate = 0; Clock.istate = 0;")
    model = maboss_io.read(bnd).schedule({"A": [(2, 1.0), (5, 0.0)]})
    result = simulate(model, max_time=8, time_tick=1, sample_count=200, seed=1)
    assert result.node_probabilities["A"].tolist() == [0, 0, 1, 1, 1, 0, 0, 0]
    out = tmp_path / "out"
    assert main(["simulate", str(bnd), "--schedule", "A=2:1,5:0", "--set", "max_time=8", "--set", "time_tick=1",
                 "--set", "sample_count=200", "-o", str(out), "--no-progress"]) == 0
    nodes = (out / "nodes.csv").read_text().splitlines()
    assert [line.split("\t")[1] for line in nodes[1:]] == ["0", "0", "1", "1", "1", "0", "0", "0"]
    assert main(["simulate", str(bnd), "--schedule", "A=2-0.5", "-o", str(tmp_path / "bad"),
                 "--no-progress"]) == 2
    assert "--schedule: A: '2-0.5' is not TIME:PROBABILITY" in capsys.readouterr().err
    assert not (tmp_path / "bad").exists()
