"""Perturbation screens on small models: perturbations, drugs, scoring methods, executors."""
from __future__ import annotations

import concurrent.futures
import math

import pytest

from booleanidt.analysis.screen import (Perturbation, ScreenError, combinations, drug_treatments, knockins,
                                        knockouts, ranked, screen)
from booleanidt.expr import And, Not, Var
from booleanidt.model import LogicalModel, Node

# Growth signal G (free input) activates K, K activates P (proliferation); D (damage) triggers A (apoptosis)
# unless K protects.
MODEL = LogicalModel.from_rules({
    "G": None, "D": None,
    "K": Var("G"),
    "P": Var("K"),
    "A": And((Var("D"), Not(Var("K")))),
})


def scores(table, output):
    return {row.perturbation: row.score for row in table[table.output == output].itertuples()}


def test_single_and_double_perturbations_by_fixed_points():
    singles = knockouts(MODEL, ["K"]) + knockins(MODEL, ["K"])
    doubles = combinations(knockouts(MODEL, ["K", "D"]))
    table = screen(MODEL, singles + doubles, ["P", "A"], method="fixed_points", inputs={"G": 1, "D": 1},
                   executor="serial")
    assert scores(table, "P") == {"wild type": 1.0, "K KO": 0.0, "K KI": 1.0, "K KO + D KO": 0.0}
    assert scores(table, "A") == {"wild type": 0.0, "K KO": 1.0, "K KI": 0.0, "K KO + D KO": 0.0}
    assert table.error.isna().all()


def test_fixed_points_averaged_over_free_inputs():
    # With G and D free there are four stable states; P is on in the two with G on.
    table = screen(MODEL, [], ["P", "A"], method="fixed_points", executor="serial")
    assert scores(table, "P") == {"wild type": 0.5}
    assert scores(table, "A") == {"wild type": 0.25}


def test_drug_blocks_its_target():
    drug = drug_treatments({"K": 1.0})
    by_points = screen(MODEL, drug, ["P"], method="fixed_points", inputs={"G": 1, "D": 0}, executor="serial")
    assert scores(by_points, "P") == {"wild type": 1.0, "anti_K 1": 0.0}
    by_simulation = screen(MODEL, drug, ["P"], inputs={"G": 1, "D": 0}, executor="serial",
                           max_time=10, time_tick=1, sample_count=300)
    assert scores(by_simulation, "P")["anti_K 1"] == 0.0
    assert scores(by_simulation, "P")["wild type"] > 0.95


def test_half_strength_drug_treats_half_of_the_cells():
    table = screen(MODEL, drug_treatments({"K": 0.5}), ["P"], inputs={"G": 1, "D": 0}, executor="serial",
                   max_time=30, time_tick=1, sample_count=2000)
    row = table[table.perturbation == "anti_K 0.5"].iloc[0]
    # anti_K is on in a fraction 0.5 of trajectories, and P then stays off: P ~ 0.5 at late times.
    assert abs(row.score - 0.5) < 5 * row.error + 1e-9
    assert math.isclose(row.effect, row.score - scores(table, "P")["wild type"])


@pytest.mark.parametrize("make_executor", [
    lambda: concurrent.futures.ThreadPoolExecutor(2),
    lambda: concurrent.futures.ProcessPoolExecutor(2),
])
def test_executors_give_the_same_table(make_executor):
    perturbations = knockouts(MODEL, exclude=["P", "A"]) + knockins(MODEL, exclude=["P", "A"])
    serial = screen(MODEL, perturbations, ["P", "A"], method="fixed_points", inputs={"G": 1, "D": 1},
                    executor="serial")
    with make_executor() as executor:
        parallel = screen(MODEL, perturbations, ["P", "A"], method="fixed_points", inputs={"G": 1, "D": 1},
                          executor=executor)
    assert parallel.equals(serial)


def test_dask_client_works_as_executor():
    distributed = pytest.importorskip("distributed")
    with distributed.Client(processes=False, n_workers=1, threads_per_worker=2, dashboard_address=None) as client:
        table = screen(MODEL, knockouts(MODEL, ["K"]), ["P"], method="fixed_points", inputs={"G": 1, "D": 0},
                       executor=client)
    assert scores(table, "P") == {"wild type": 1.0, "K KO": 0.0}


def test_ranking_orders_by_largest_effect():
    table = screen(MODEL, knockouts(MODEL, ["G", "D"]) + knockins(MODEL, ["D"]), ["P", "A"],
                   method="fixed_points", inputs={"G": 1, "D": 0}, executor="serial")
    order = ranked(table).index.tolist()
    assert order[0] == "G KO" and order[-1] in {"wild type", "D KO"}


@pytest.mark.parametrize("call, message", [
    (lambda: screen(MODEL, [], ["Z"], executor="serial"), "output node(s) not in the model: Z"),
    (lambda: screen(MODEL, [], ["P"], method="steady", executor="serial"), "unknown scoring method 'steady'"),
    (lambda: knockouts(MODEL, ["Z"]), "perturbation of unknown node(s) Z"),
    (lambda: combinations(knockouts(MODEL, ["K"]), [("K KO", "X KI")]), "no single perturbation named X KI"),
    (lambda: screen(LogicalModel(nodes={"X": Node("X", max_level=2)}, rules={"X": None}), [], ["X"]),
     "multi-valued output(s) X: score them by fixed points"),
])
def test_errors_name_what_is_wrong(call, message):
    with pytest.raises(ScreenError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call()


def test_perturbations_compose():
    double = Perturbation((("K", 0),)) + Perturbation(drugs=(("G", 0.3),))
    assert double.name == "K KO + anti_G 0.3"
    perturbed = double.apply(MODEL)
    assert perturbed.mutations == {"K": 0} and perturbed.initial_probabilities["anti_G"] == 0.3
