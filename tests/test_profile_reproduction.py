"""PROFILE's published METABRIC results (corpus profile/metabric-dev), reproduced patient by patient.

The full check over the 300 development patients is benchmarks/profile_reproduction.py; here a few
patients, every one of the 98 Fumia nodes, within 4 combined standard errors + 0.002.
"""
from __future__ import annotations

import concurrent.futures
import os
import warnings
from pathlib import Path

import pandas as pd
import pytest

from booleanidt import cohort, read
from booleanidt.io import maboss as maboss_io
from booleanidt.personalization import Profiles

from conftest import PROFILE

FUMIA = PROFILE / "models" / "Fumia2013"
DEV = PROFILE / "metabric-dev"
#: PROFILE's Results/Profiles/Fumia_META_mutations.csv (what the published run gave to -m; not in the corpus yet)
MUTATIONS = Path(os.environ.get("BOOLEANIDT_PROFILE_MUTATIONS", DEV / "Fumia_META_mutations_dev.csv"))

pytestmark = pytest.mark.skipif(not DEV.is_dir(), reason=f"corpus folder {DEV} not found")


@pytest.fixture(scope="module")
def study():
    published = pd.read_csv(DEV / "PROFILE_results_dev.csv", index_col=0)
    rna = pd.read_csv(DEV / "Fumia_META_RNA_norm_dev.csv", index_col=0)
    calls = pd.read_csv(DEV / "Fumia_META_mutCNA_dev.csv", index_col=0)
    return read(FUMIA / "Fumia2013.bnd"), maboss_io.read_settings(FUMIA / "Fumia2013.cfg"), published, rna, calls


def _agreement(study, patients, compat, calls=None):
    model, settings, published, rna, dev_calls = study
    calls = dev_calls if calls is None else calls
    profiles = Profiles(rna.loc[patients], calls.loc[patients])
    with warnings.catch_warnings(), concurrent.futures.ThreadPoolExecutor(2) as pool:
        warnings.simplefilter("ignore")   # 98 outputs: node probabilities only
        table = cohort.run(model, profiles, list(published.columns), executor=pool, settings=settings,
                           compat=compat)
    assert table["error"].isna().all()
    return cohort.agreement(table, published.loc[patients], reference_samples=1000)


@pytest.mark.parametrize("compat", [None, "profile-scripts"], ids=["default", "profile-scripts"])
def test_patients_without_forced_nodes_agree_on_every_node(study, compat):
    """RNA as rates, inputs at 0.5, constants at their value: both modes give PROFILE's numbers."""
    calls = study[4]
    patients = list(calls.index[calls.notna().sum(axis=1) == 0][:4])
    agree = _agreement(study, patients, compat)
    assert agree.shape == (4, 98)
    assert agree.all().all(), agree.columns[~agree.all()].tolist()


@pytest.mark.skipif(not MUTATIONS.is_file(), reason=f"{MUTATIONS} not found (PROFILE's mutation-only profiles)")
def test_published_results_are_mutations_forced_both_ways(study):
    """The published run forced the mutation calls (ON and OFF: the default semantics), not the CNA calls."""
    calls = pd.read_csv(MUTATIONS, index_col=0).reindex(study[2].index)
    patients = list(calls.index[(calls == 1).any(axis=1) & (calls == 0).any(axis=1)][:4])
    assert len(patients) == 4
    assert _agreement(study, patients, None, calls).all().all()
    assert not _agreement(study, patients, "profile-scripts", calls).all().all()
