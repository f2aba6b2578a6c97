"""Treatment screens: objective parsing, conditions and seeds, the compile-once runs, ranks, Bliss,
resuming, Dask, the CLI's outputs and bad input, and agreement with cmaboss on Fumia + TCGA."""
from __future__ import annotations

import concurrent.futures
import math
import re

import numpy as np
import pandas as pd
import pytest

import booleanidt
from booleanidt.cli import main
from booleanidt.cohort import CohortError
from booleanidt.expr import And, Not, Or, Var
from booleanidt.model import LogicalModel
from booleanidt.personalization import Profiles
from booleanidt.personalization.apply import mark_outputs, personalize
from booleanidt.simulation import simulate
from booleanidt.simulation.settings import SimulationSettings
from booleanidt.treatment import (Condition, Objective, ObjectiveError, TreatmentError, best_treatments,
                                  screen_conditions, treat)
from booleanidt.treatment.conditions import condition_seed
from booleanidt.treatment.inhibition import CompiledScreen, knock_down
from booleanidt.treatment.patient import screen_patient
from booleanidt.treatment.ranking import bliss_expected

from conftest import PROFILE, CountingExecutor, needs_corpus

SETTINGS = SimulationSettings(max_time=6.0, time_tick=0.5, sample_count=400)
OBJECTIVE = "Death - Prolif"


@pytest.fixture(scope="module")
def model():
    rules = {"GF": None, "RAS": Var("GF"), "PI3K": Var("GF"), "P53": Not(Var("RAS")),
             "Prolif": And((Var("RAS"), Var("PI3K"))), "Death": Or((Var("P53"), Not(Var("PI3K"))))}
    return LogicalModel.from_rules(rules)


@pytest.fixture(scope="module")
def profiles():
    return {"P1": {"continuous": {"GF": 1.0}}, "P2": {"continuous": {"GF": 1.0}, "discrete": {"RAS": 1}},
            "BROKEN": {"continuous": {"RAS": 3.0}}}


@pytest.fixture(scope="module")
def screen(model, profiles):
    return treat(model, profiles, ["RAS", "PI3K"], OBJECTIVE, pairs=True, strengths=[0.5, 1.0], settings=SETTINGS,
                 seed=5)


# --- objective ---------------------------------------------------------------------------------

def test_objective_arithmetic_and_names():
    objective = Objective.parse("(Apoptosis + 1) / (2 * Proliferation - -1) - 0.5", nodes=["Apoptosis", "Proliferation"])
    assert objective.names == ("Apoptosis", "Proliferation")
    assert objective({"Apoptosis": 0.5, "Proliferation": 0.25}) == pytest.approx(1.5 / 1.5 - 0.5)
    assert math.isnan(Objective.parse("A / B")({"A": 1.0, "B": 0.0}))
    assert Objective.parse("A / B").gradient({"A": 0.5, "B": 0.5}) == pytest.approx({"A": 2.0, "B": -2.0})


@pytest.mark.parametrize("text, message", [
    ("Apoptosis - Growth", "Growth is not a node of the model"),
    ("__import__('os').system('true')", "a call is not allowed"),
    ("Apoptosis.real", "an attribute is not allowed"),
    ("Apoptosis ** 2", r"\*\* is not allowed"),
    ("Apoptosis > 0.5", "a comparison is not allowed"),
    ("'Apoptosis'", "the constant 'Apoptosis' is not allowed"),
    ("Apoptosis -", "not an arithmetic expression"),
    ("1 + 2", "names no output node"),
])
def test_objective_refuses_anything_but_arithmetic_over_nodes(text, message):
    with pytest.raises(ObjectiveError, match=message):
        Objective.parse(text, nodes=["Apoptosis", "Proliferation"])


def test_objective_standard_error_counts_the_correlation_of_outputs():
    """A and B exclusive (each trajectory in one of them): Var(A - B) = 1 - (pA - pB)^2, not pA qA + pB qB."""
    objective = Objective.parse("A - B")
    states = {(1, 0): 0.3, (0, 1): 0.5, (0, 0): 0.2}
    se = objective.standard_error({"A": 0.3, "B": 0.5}, states, 1001)
    assert se == pytest.approx(math.sqrt((0.8 - 0.04) * 1001 / 1000 / 1001))
    independent = math.sqrt((0.3 * 0.7 + 0.5 * 0.5) / 1000)
    assert se > independent * 1.2


# --- conditions and seeds ------------------------------------------------------------------------

def test_conditions_singles_pairs_strengths():
    conditions = screen_conditions([f"T{i}" for i in range(10)], [1.0], pairs=True)
    assert len(conditions) == 56 and conditions[0] == Condition((), 0.0)
    assert sum(len(c.targets) == 2 for c in conditions) == 45
    two = screen_conditions(["A", "B"], [0.5, 1.0])
    assert [(c.label, c.strength) for c in two] == [("untreated", 0.0), ("A", 0.5), ("B", 0.5), ("A", 1.0),
                                                    ("B", 1.0)]


def test_seeds_are_distinct_and_positional_free():
    conditions = screen_conditions(["A", "B", "C"], [0.5, 1.0], pairs=True)
    seeds = {condition_seed(3, p, c) for p in ("P1", "P2") for c in conditions}
    assert len(seeds) == 2 * len(conditions)
    assert condition_seed(3, "P1", conditions[4]) != condition_seed(4, "P1", conditions[4])


# --- the screen ----------------------------------------------------------------------------------

def test_screen_table_values(screen):
    assert len(screen) == 3 * (1 + 2 * 3)
    p1 = screen[screen["patient"] == "P1"].set_index(["treatment", "strength"])
    # untreated P1: GF on, RAS and PI3K on -> Prolif ~ 1, Death ~ 0; PI3K fully inhibited: Death on, Prolif off
    assert p1.loc[("untreated", 0.0), "Prolif"] > 0.9 and p1.loc[("untreated", 0.0), "Death"] < 0.1
    assert p1.loc[("PI3K", 1.0), "Prolif"] < 0.05 and p1.loc[("PI3K", 1.0), "Death"] > 0.9
    # half strength: about half of the cells carry the drug
    assert 0.35 < p1.loc[("PI3K", 0.5), "Death"] < 0.65
    assert p1.loc[("PI3K", 1.0), "rank"] in (1, 2) and p1.loc[("untreated", 0.0), "rank"] == 7
    assert p1["objective"].to_numpy() == pytest.approx((p1["Death"] - p1["Prolif"]).to_numpy())
    # P2: RAS forced on by its profile, so the RAS drug cannot act (as PROFILE's drugs after -m)
    p2 = screen[screen["patient"] == "P2"].set_index(["treatment", "strength"])
    assert abs(p2.loc[("RAS", 1.0), "objective"] - p2.loc[("untreated", 0.0), "objective"]) < \
        5 * math.hypot(p2.loc[("RAS", 1.0), "objective_se"], p2.loc[("untreated", 0.0), "objective_se"]) + 0.01
    broken = screen[screen["patient"] == "BROKEN"]
    assert broken["error"].str.contains("continuous value of RAS is 3.0").all() and (broken["rank"] == 0).all()


def test_ranks_and_their_significance(screen):
    for _, group in screen[screen["error"].isna()].groupby("patient"):
        ordered = group.sort_values("rank")
        assert ordered["rank"].tolist() == list(range(1, 8))
        assert (np.diff(ordered["objective"]) <= 1e-12).all()
        gap = ordered["objective"].to_numpy()[:-1] - ordered["objective"].to_numpy()[1:]
        se = np.hypot(ordered["objective_se"].to_numpy()[:-1], ordered["objective_se"].to_numpy()[1:])
        with np.errstate(divide="ignore", invalid="ignore"):
            expected = np.where(gap == 0, 0.0, gap / se)
        np.testing.assert_allclose(ordered["z_next"].to_numpy()[:-1], expected)
        assert ordered["significant"].tolist()[:-1] == (expected > 1.96).tolist()
    best = best_treatments(screen)
    assert list(best.index) == ["P1", "P2"]
    assert best.loc["P1", "treatment"] in ("PI3K", "RAS+PI3K") and best.loc["P1", "gain"] > 1.5


def test_bliss_excess_of_pairs(screen):
    assert bliss_expected(0.8, 0.4, 0.5) == pytest.approx(0.25)        # both lower it: P_A P_B / P_0
    assert bliss_expected(0.2, 0.6, 0.4) == pytest.approx(1 - 0.4 * 0.6 / 0.8)   # both raise it
    rows = screen[(screen["patient"] == "P1")].set_index(["treatment", "strength"])
    pair, a, b, base = (rows.loc[(t, s)] for t, s in [("RAS+PI3K", 0.5), ("RAS", 0.5), ("PI3K", 0.5),
                                                       ("untreated", 0.0)])
    expected = bliss_expected(base["Prolif"], a["Prolif"], b["Prolif"])
    assert pair["Prolif_bliss_excess"] == pytest.approx(pair["Prolif"] - expected)
    assert math.isnan(a["bliss_excess"]) and not math.isnan(pair["bliss_excess"])


def test_compiled_once_runs_equal_the_personalised_model_with_those_drugs(model):
    """The screen's run of a condition is bit-identical to simulating personalize(drugs=...) with the drug
    nodes of the other targets off, with the same seed."""
    conditions = screen_conditions(["RAS", "PI3K"], [0.7], pairs=True)
    task = {"patient": "P1", "model": mark_outputs(model, ["Death", "Prolif"]), "profile": {"continuous": {"GF": 0.8}},
            "options": {}, "conditions": conditions, "objective": Objective.parse(OBJECTIVE), "settings": SETTINGS,
            "seed": 2}
    rows = screen_patient(task)
    for condition, row in zip(conditions, rows):
        drugs = {t: condition.strength if t in condition.targets else 0.0 for t in ("RAS", "PI3K")}
        alone = personalize(task["model"], task["profile"], drugs=drugs)
        result = simulate(alone, SETTINGS.replace(seed=row["seed"]), outputs=["Death", "Prolif"])
        assert row["Prolif"] == result.node_probabilities["Prolif"].iloc[-1]
        assert row["Death_se"] == result.node_errors["Death"].iloc[-1]


def test_rate_knock_down_compiled_once_equals_the_knocked_down_model(model):
    """--inhibition rates: each condition's run is bit-identical to simulating the model whose targets'
    activation rates are multiplied by 1 - strength, on the table path and on the recompiling path."""
    conditions = screen_conditions(["RAS", "PI3K"], [0.7], pairs=True)
    outputs = ["Death", "Prolif"]
    personalised = personalize(mark_outputs(model, outputs), {"continuous": {"GF": 0.8, "PI3K": 0.6}})
    screen = CompiledScreen(personalised, ["RAS", "PI3K"], outputs, "rates")
    recompiling = CompiledScreen(personalised, ["RAS", "PI3K"], outputs, "rates")
    recompiling.entries.pop("PI3K")          # as for a target too big for a rate table
    from booleanidt.simulation.api import run_compiled
    for condition in conditions:
        settings = SETTINGS.replace(seed=condition_seed(0, "P", condition), threads=1)
        expected = simulate(knock_down(personalised, condition.drugs), settings, outputs=outputs)
        for compiled in (screen, recompiling):
            result = run_compiled(compiled.for_condition(condition), settings)
            pd.testing.assert_frame_equal(result.node_probabilities, expected.node_probabilities)


def test_rate_knock_down_screen_values(model):
    """PI3K's activation knocked down fully: cells where PI3K starts off (half) never proliferate, the others
    keep PI3K on (GF on: no inactivation)."""
    table = treat(model, {"P1": {"continuous": {"GF": 1.0}}}, ["PI3K"], OBJECTIVE, inhibition="rates",
                  settings=SETTINGS, seed=5, executor=concurrent.futures.ThreadPoolExecutor(1))
    rows = table.set_index("treatment")
    assert rows.loc["untreated", "Prolif"] > 0.9
    assert 0.4 < rows.loc["PI3K", "Prolif"] < 0.6 and 0.4 < rows.loc["PI3K", "Death"] < 0.6
    with pytest.raises(TreatmentError, match="inhibition must be one of drug, rates"):
        treat(model, {"P1": {}}, ["PI3K"], OBJECTIVE, inhibition="knockout")


def test_order_and_executor_do_not_change_the_table(model, profiles, screen):
    reordered = dict(reversed(list(profiles.items())))
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        same = treat(model, reordered, ["RAS", "PI3K"], OBJECTIVE, pairs=True, strengths=[0.5, 1.0],
                     settings=SETTINGS, seed=5, executor=pool)
    key = ["patient", "treatment", "strength"]
    pd.testing.assert_frame_equal(same.set_index(key).loc[screen.set_index(key).index].reset_index(), screen)


def test_dask_local_cluster_gives_the_same_table(model, profiles, screen):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        table = treat(model, profiles, ["RAS", "PI3K"], OBJECTIVE, pairs=True, strengths=[0.5, 1.0],
                      settings=SETTINGS, seed=5, executor=client)
    pd.testing.assert_frame_equal(table, screen)




def test_rerun_skips_finished_patients(tmp_path, model, profiles, screen):
    arguments = dict(pairs=True, strengths=[0.5, 1.0], settings=SETTINGS, seed=5, results_dir=tmp_path)
    with CountingExecutor() as first_pool:
        first = treat(model, profiles, ["RAS", "PI3K"], OBJECTIVE, executor=first_pool, batch_size=1, **arguments)
    assert sorted(first_pool.submitted) == sorted(profiles)
    assert len(list((tmp_path / "parts").glob("*.parquet"))) == 3
    pd.testing.assert_frame_equal(first, screen)
    with CountingExecutor() as second_pool:
        second = treat(model, profiles, ["RAS", "PI3K"], OBJECTIVE, executor=second_pool, **arguments)
    assert second_pool.submitted == ["BROKEN"]
    pd.testing.assert_frame_equal(second, screen)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "treatments.parquet").drop(columns="error"),
                                  screen.drop(columns="error"))
    with pytest.raises(CohortError, match="other options"):
        treat(model, profiles, ["RAS", "GF"], OBJECTIVE, **arguments)


@pytest.mark.parametrize("targets, strengths, pairs, message", [
    (["RAS", "Nope"], [1.0], False, "drug target\\(s\\) not in the model: Nope"),
    (["RAS"], [1.5], False, "strengths must lie in \\(0, 1\\], got 1.5"),
    (["RAS"], [0.0], False, "strengths must lie in \\(0, 1\\], got 0"),
    (["RAS"], [1.0], True, "pairs need at least two targets"),
    (["RAS", "RAS"], [1.0], False, "target\\(s\\) given twice: RAS"),
    ([], [1.0], False, "no target given"),
])
def test_bad_screens_raise(model, targets, strengths, pairs, message):
    with pytest.raises(TreatmentError, match=message):
        treat(model, {"P": {}}, targets, OBJECTIVE, strengths=strengths, pairs=pairs, settings=SETTINGS)


def test_top_level_treat_is_the_screen():
    assert booleanidt.treat is treat


# --- command line ----------------------------------------------------------------------------------

FUMIA = PROFILE / "models" / "Fumia2013"
TCGA = PROFILE / "tcga"
BND = FUMIA / "Fumia2013.bnd"
FUMIA_SETTINGS = SimulationSettings(max_time=20.0, time_tick=0.5, sample_count=1000)


@pytest.fixture(scope="module")
def tcga_tables(tmp_path_factory):
    if not TCGA.is_dir():
        pytest.skip(f"corpus folder {TCGA} not found")
    folder = tmp_path_factory.mktemp("tcga")
    rna = pd.read_csv(TCGA / "Fumia_TCGA_RNA_norm.csv", index_col=0)
    mutcna = pd.read_csv(TCGA / "Fumia_TCGA_mutCNA.csv", index_col=0)
    patients = [p for p in rna.index if p in set(mutcna.index)][:3]
    rna.loc[patients].to_csv(folder / "rna_norm.csv")
    mutcna.loc[patients].to_csv(folder / "mutcna.csv")
    return folder, Profiles(rna.loc[patients], mutcna.loc[patients])


@needs_corpus
def test_cli_writes_table_best_and_plots(tmp_path, tcga_tables, capsys):
    folder, profiles = tcga_tables
    out = tmp_path / "screen"
    args = ["treat", str(BND), "--continuous", str(folder / "rna_norm.csv"), "--discrete", str(folder / "mutcna.csv"),
            "--targets", "AKT,BCL2", "--pairs", "--strengths", "0.5,1", "--objective", "Apoptosis - Proliferation",
            "--set", "sample_count=100", "--set", "max_time=5", "--set", "time_tick=0.5", "-o", str(out),
            "--no-progress"]
    assert main(args) == 0
    table = pd.read_parquet(out / "treatments.parquet")
    assert len(table) == 3 * 7 and table["error"].isna().all()
    assert {"Apoptosis", "Proliferation", "Apoptosis_se", "objective", "objective_se", "bliss_excess", "rank",
            "z_next", "significant", "z_untreated"} <= set(table.columns)
    best = pd.read_csv(out / "best.csv", index_col="patient")
    assert list(best.index) == list(profiles)
    for name in ("heatmap.png", "ranking.png", "response.png"):
        assert (out / name).stat().st_size > 5000
    assert "3 patients screened over 7 conditions, 0 failed" in capsys.readouterr().out


@needs_corpus
@pytest.mark.parametrize("options, message", [
    (["--targets", "AKT,NotANode"], r"--targets/--strengths: drug target\(s\) not in the model: NotANode"),
    (["--targets", "AKT", "--strengths", "0.5,2"], r"strengths must lie in \(0, 1\], got 2"),
    (["--targets", "AKT", "--pairs"], "pairs need at least two targets"),
    (["--targets", "AKT", "--objective", "Apoptosis - Growth"], "--objective: objective \"Apoptosis - Growth\": "
                                                                 "Growth is not a node of the model"),
    (["--targets", "AKT", "--objective", "open('x')"], "a call is not allowed"),
    (["--targets", "AKT", "--drugs", "BCL2"], "--drugs: treat screens drugs itself"),
    (["--targets", "AKT", "--strengths", "half"], "argument --strengths: expected numbers separated by commas"),
])
def test_cli_bad_input_exit_2_nothing_written(tmp_path, tcga_tables, capsys, options, message):
    folder, _ = tcga_tables
    args = ["treat", str(BND), "--continuous", str(folder / "rna_norm.csv"), "-o", str(tmp_path / "out")]
    if "--objective" not in options:
        options = options + ["--objective", "Apoptosis - Proliferation"]
    capsys.readouterr()
    if "half" in options:
        with pytest.raises(SystemExit) as exit_info:
            main(args + options)
        assert exit_info.value.code == 2
    else:
        assert main(args + options) == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert re.search(message, err), err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


# --- statistics: the same generated .bnd/.cfg in cmaboss --------------------------------------------

def cmaboss_last_window(bnd, cfg, settings, outputs):
    """Output probabilities at the last window by cmaboss, with sqrt(p(1 - p)/S) as their standard error
    (cmaboss gives errors per output state, not per node; this is the largest a time average can have)."""
    maboss = pytest.importorskip("maboss")
    sim = maboss.load(str(bnd), str(cfg), cmaboss=True)
    sim.update_parameters(use_physrandgen=0, thread_count=1, seed_pseudorandom=settings.seed)
    last = sim.run().get_last_nodes_probtraj(as_series=True)
    probabilities = {n: float(last.get(n, 0.0)) for n in outputs}
    return probabilities, {n: math.sqrt(max(p * (1 - p), 0.0) / settings.sample_count)
                           for n, p in probabilities.items()}


@needs_corpus
@pytest.mark.parametrize("inhibition, chosen_patients, strength", [("drug", slice(0, 2), 0.7),
                                                                   ("rates", slice(1, 2), 1.0)])
def test_fumia_screen_agrees_with_cmaboss(tmp_path, tcga_tables, inhibition, chosen_patients, strength):
    maboss_io = pytest.importorskip("booleanidt.io.maboss")
    _, all_profiles = tcga_tables
    profiles = {p: all_profiles[p] for p in list(all_profiles)[chosen_patients]}
    model = maboss_io.read(BND, FUMIA / "Fumia2013.cfg")
    outputs = ["Apoptosis", "Proliferation"]
    table = treat(model, profiles, ["AKT", "BCL2"], "Apoptosis - Proliferation", pairs=True, strengths=[strength],
                  inhibition=inhibition, settings=FUMIA_SETTINGS, seed=9, progress=False)
    chosen = [("untreated", ()), ("BCL2", ("BCL2",)), ("AKT+BCL2", ("AKT", "BCL2"))]
    far, compared = [], 0
    for patient in profiles:
        for label, targets in chosen:
            row = table[(table["patient"] == patient) & (table["treatment"] == label)].iloc[0]
            strengths = {t: strength for t in targets}
            if inhibition == "drug":
                personalised = personalize(model, profiles[patient], drugs=strengths)
            else:
                personalised = knock_down(personalize(model, profiles[patient]), strengths)
            personalised = mark_outputs(personalised, outputs)
            bnd, cfg = tmp_path / f"{patient}_{label}.bnd", tmp_path / f"{patient}_{label}.cfg"
            maboss_io.write(personalised, bnd, cfg, settings=FUMIA_SETTINGS.replace(seed=3))
            probabilities, errors = cmaboss_last_window(bnd, cfg, FUMIA_SETTINGS.replace(seed=3), outputs)
            for node in outputs:
                combined = math.hypot(errors[node], row[f"{node}_se"])
                compared += 1
                if abs(probabilities[node] - row[node]) > 5 * combined + 0.002:
                    far.append((patient, label, node, probabilities[node], row[node], combined))
    assert compared == len(profiles) * 3 * 2
    assert not far, far
    # the drugs matter: the pair moves the objective of some patient by more than 0.1
    gains = table.pivot(index="patient", columns="treatment", values="objective")
    assert (gains["AKT+BCL2"] - gains["untreated"]).abs().max() > 0.1, gains


def test_objective_standard_error_matches_the_spread_of_replicate_runs(model):
    """60 identical patients are 60 independent replicates of each condition: the spread of their objectives
    is what objective_se estimates (the outputs' own errors added as if independent fall short of it)."""
    replicates = {f"R{i}": {"continuous": {"GF": 0.8}} for i in range(60)}
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        table = treat(model, replicates, ["PI3K"], OBJECTIVE, strengths=[0.5], executor=pool, seed=1,
                      settings=SimulationSettings(max_time=3.0, time_tick=0.5, sample_count=200))
    for _, runs in table.groupby("treatment"):
        spread, estimate = runs["objective"].std(), runs["objective_se"].mean()
        assert 0.8 < spread / estimate < 1.25, (spread, estimate)
        assert np.hypot(runs["Death_se"], runs["Prolif_se"]).mean() < 0.85 * estimate


def test_batch_size_below_one_is_refused(tmp_path, capsys):
    from booleanidt.cli import main
    with pytest.raises(SystemExit) as stop:
        main(["treat", "model.bnd", "--targets", "A", "--objective", "A", "-o", str(tmp_path / "out"),
              "--batch-size", "0"])
    assert stop.value.code == 2 and "--batch-size" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
