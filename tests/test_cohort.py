"""Cohorts: local processes vs a dask LocalCluster, failures, resuming, and agreement with cmaboss."""
from __future__ import annotations

import concurrent.futures
import math

import numpy as np
import pandas as pd
import pytest

from booleanidt import cohort
from booleanidt.expr import And, Const, IfThenElse, Logic, Not, Or, Param, Var
from booleanidt.model import LogicalModel
from booleanidt.personalization import Profiles
from booleanidt.personalization.apply import mark_outputs, personalize
from booleanidt.simulation.settings import SimulationSettings

from conftest import PROFILE, CountingExecutor, needs_corpus

OUTPUTS = ["Prolif", "Death"]
SETTINGS = SimulationSettings(max_time=4.0, time_tick=0.5, sample_count=300)


@pytest.fixture(scope="module")
def small_model():
    rules = {"GF": Var("GF"), "RAS": Var("GF"), "P53": Not(Var("RAS")),
             "Prolif": And((Var("RAS"), Not(Var("P53")))), "Death": Or((Var("P53"), Const(0)))}
    rates_up = {n: IfThenElse(Logic(), Param(f"u_{n}"), Const(0)) for n in rules}
    rates_down = {n: IfThenElse(Logic(), Const(0), Param(f"d_{n}")) for n in rules}
    parameters = {f"{d}_{n}": 1.0 for n in rules for d in "ud"}
    return LogicalModel.from_rules(rules, rates_up=rates_up, rates_down=rates_down, parameters=parameters)


@pytest.fixture(scope="module")
def profiles():
    return {
        "P1": {"continuous": {"RAS": 0.9, "P53": 0.2}, "discrete": {}},
        "P2": {"continuous": {"RAS": 0.1}, "discrete": {"P53": 0}},
        "P3": {"continuous": {}, "discrete": {"Prolif": 1, "P53": 1}},
        "BROKEN": {"continuous": {"RAS": 1.7}, "discrete": {}},
        "P5": {"continuous": {"GF": 0.0}, "discrete": {"GF": 0}},
    }




@pytest.fixture(scope="module")
def local_table(small_model, profiles):
    return cohort.run(small_model, profiles, OUTPUTS, settings=SETTINGS, seed=7)


def test_scores_table_shape_and_values(local_table):
    assert list(local_table.index) == ["P1", "P2", "P3", "BROKEN", "P5"]
    assert list(local_table.columns) == ["Prolif", "Death", "Prolif_se", "Death_se", "error"]
    # P3: Prolif forced on (starts at 1, rate down 0): exactly 1 with no error
    assert local_table.loc["P3", "Prolif"] == 1.0 and local_table.loc["P3", "Prolif_se"] == 0.0
    # P5: GF forced off -> RAS goes off, then P53 and Death go on (chains of unit-rate jumps;
    # Death needs up to three of them: P(Gamma(3, 1) < 3.5) = 0.68), Prolif goes off
    assert local_table.loc["P5", "Prolif"] < 0.1 and local_table.loc["P5", "Death"] > 0.6
    ok = local_table.drop(index="BROKEN")
    assert ok["error"].isna().all()
    assert ((ok[OUTPUTS] >= 0) & (ok[OUTPUTS] <= 1)).all().all()


def test_broken_patient_fails_alone_with_its_error(local_table):
    assert "continuous value of RAS is 1.7" in local_table.loc["BROKEN", "error"]
    assert math.isnan(local_table.loc["BROKEN", "Prolif"])


def test_dask_local_cluster_gives_the_same_table(small_model, profiles, local_table):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        table = cohort.run(small_model, profiles, OUTPUTS, executor=client, settings=SETTINGS, seed=7)
    pd.testing.assert_frame_equal(table, local_table)


def test_seed_changes_results_and_order_does_not(small_model, profiles, local_table):
    reordered = dict(reversed(list(profiles.items())))
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        same = cohort.run(small_model, reordered, OUTPUTS, executor=pool, settings=SETTINGS, seed=7)
        other = cohort.run(small_model, profiles, OUTPUTS, executor=pool, settings=SETTINGS, seed=8)
    pd.testing.assert_frame_equal(same.loc[local_table.index], local_table)
    # .astype(float): pandas 2 returns a row of a mixed-dtype frame as object dtype
    assert not np.allclose(other.loc["P1", OUTPUTS].astype(float), local_table.loc["P1", OUTPUTS].astype(float))


def test_rerun_skips_finished_patients(tmp_path, small_model, profiles, local_table):
    first_pool = CountingExecutor()
    with first_pool:
        first = cohort.run(small_model, profiles, OUTPUTS, executor=first_pool, settings=SETTINGS, seed=7,
                           results_dir=tmp_path, batch_size=2)
    assert sorted(first_pool.submitted) == sorted(profiles)
    assert len(list((tmp_path / "parts").glob("*.parquet"))) == 3
    pd.testing.assert_frame_equal(first, local_table)
    written = pd.read_parquet(tmp_path / cohort.SCORES_FILE)
    pd.testing.assert_frame_equal(written.drop(columns=["error", cohort.DIGEST]), first.drop(columns="error"))
    assert written[cohort.DIGEST].tolist() == [cohort.profile_digest(profiles[p]) for p in first.index]
    assert written["error"].isna().tolist() == first["error"].isna().tolist()

    second_pool = CountingExecutor()
    with second_pool:
        second = cohort.run(small_model, profiles, OUTPUTS, executor=second_pool, settings=SETTINGS, seed=7,
                            results_dir=tmp_path)
    assert second_pool.submitted == ["BROKEN"]       # only the failed patient is tried again
    pd.testing.assert_frame_equal(second, local_table)

    with pytest.raises(cohort.CohortError, match="other seed"):
        cohort.run(small_model, profiles, OUTPUTS, executor=second_pool, settings=SETTINGS, seed=8,
                   results_dir=tmp_path)


def test_empty_cohort_raises(small_model):
    with pytest.raises(cohort.CohortError, match="no patient"):
        cohort.run(small_model, {}, OUTPUTS)


# --- Fumia 2013 + TCGA: our cohort against cmaboss on the same generated .bnd/.cfg ------------

FUMIA = PROFILE / "models" / "Fumia2013"
TCGA = PROFILE / "tcga"
PHENOTYPES = ["Proliferation", "Apoptosis"]
#: 2,000 trajectories and max_time 20 as Fumia2013.cfg; windows of 0.5 instead of 0.01 (cheaper, same last window end)
FUMIA_SETTINGS = SimulationSettings(max_time=20.0, time_tick=0.5, sample_count=2000)
N_PATIENTS = 20


def cmaboss_last_window(bnd, cfg, settings):
    """Proliferation/Apoptosis probabilities and standard errors at the last window, by cmaboss.

    cmaboss gives standard errors per output *state*, not per node; for a node we use
    sqrt(p(1 - p)/S), the largest standard error a time average in [0, 1] with mean p can
    have over S trajectories (exact when trajectories do not switch within the window).
    """
    maboss = pytest.importorskip("maboss")
    sim = maboss.load(str(bnd), str(cfg), cmaboss=True)
    sim.update_parameters(sample_count=settings.sample_count, max_time=settings.max_time,
                          time_tick=settings.time_tick, use_physrandgen=0, thread_count=2,
                          seed_pseudorandom=settings.seed)
    last = sim.run().get_last_nodes_probtraj(as_series=True)
    probabilities = {n: float(last.get(n, 0.0)) for n in PHENOTYPES}
    return probabilities, {n: math.sqrt(max(p * (1 - p), 0.0) / settings.sample_count)
                           for n, p in probabilities.items()}


@pytest.fixture(scope="module")
def fumia_runs(tmp_path_factory):
    maboss_io = pytest.importorskip("booleanidt.io.maboss")
    if not (FUMIA.is_dir() and TCGA.is_dir()):
        pytest.skip(f"corpus folders {FUMIA} / {TCGA} not found")
    model = maboss_io.read(FUMIA / "Fumia2013.bnd", FUMIA / "Fumia2013.cfg")
    rna = pd.read_csv(TCGA / "Fumia_TCGA_RNA_norm.csv", index_col=0)
    mutcna = pd.read_csv(TCGA / "Fumia_TCGA_mutCNA.csv", index_col=0)
    common = [p for p in rna.index if p in set(mutcna.index)]
    profiles = Profiles(rna.loc[common], mutcna.loc[common])
    # every 40th patient: a spread of the cohort, wild type first
    chosen = {p: profiles[p] for p in list(profiles)[::40][:N_PATIENTS]}
    cohort_profiles = {"WT": {}, **chosen}
    ours = cohort.run(model, cohort_profiles, PHENOTYPES, settings=FUMIA_SETTINGS, seed=11)
    folder = tmp_path_factory.mktemp("fumia")
    reference = {}
    for patient, profile in cohort_profiles.items():
        personalised = mark_outputs(personalize(model, profile), PHENOTYPES)
        bnd, cfg = folder / f"{patient}.bnd", folder / f"{patient}.cfg"
        maboss_io.write(personalised, bnd, cfg, settings=FUMIA_SETTINGS)
        reference[patient] = cmaboss_last_window(bnd, cfg, FUMIA_SETTINGS)
    return ours, reference


@needs_corpus
def test_fumia_tcga_patients_agree_with_cmaboss(fumia_runs):
    ours, reference = fumia_runs
    assert ours["error"].isna().all(), ours["error"].dropna().to_dict()
    assert len(ours) == N_PATIENTS + 1
    far = []
    for patient, (probabilities, errors) in reference.items():
        for node in PHENOTYPES:
            combined = math.hypot(errors[node], ours.loc[patient, f"{node}_se"])
            difference = abs(probabilities[node] - ours.loc[patient, node])
            if difference > 5 * combined and difference > 1e-12:
                far.append((patient, node, probabilities[node], ours.loc[patient, node], combined))
    assert not far, far
    # the patients differ from one another: the profiles are really applied
    assert ours["Apoptosis"].max() - ours["Apoptosis"].min() > 0.2
