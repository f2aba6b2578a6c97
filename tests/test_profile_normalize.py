"""PROFILE's classification, normalisation and binarisation (booleanidt.personalization.normalize).

Synthetic distributions have known answers; the corpus check reproduces PROFILE's
Fumia_TCGA_prot_norm.csv from data_rppa.txt.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from booleanidt.errors import InputError
from booleanidt.personalization import (PROFILE_PROTEIN_RULES, ReferenceFit, fit_reference, genes_to_nodes,
                                        read_mapping, read_rppa)
from booleanidt.personalization import rstats

from conftest import PROFILE, needs_corpus

TCGA = PROFILE / "tcga"


# --- R statistics -----------------------------------------------------------------------

def test_quantile_is_r_type_7():
    # R: quantile(1:10, c(0.01, 0.25, 0.99)) -> 1.09 3.25 9.91
    assert rstats.quantile(np.arange(1, 11), [0.01, 0.25, 0.99]).tolist() == pytest.approx([1.09, 3.25, 9.91])


def test_mad_is_scaled_like_r():
    # R: mad(c(1, 2, 3, 4, 100)) -> 1.4826 (median 3, absolute deviations 2 1 0 1 97)
    assert rstats.mad([1, 2, 3, 4, 100]) == pytest.approx(1.4826)


def test_kurtosis_is_the_biased_moment_ratio_minus_3():
    x = np.random.default_rng(3).gamma(2.0, size=500)
    assert rstats.excess_kurtosis(x) == pytest.approx(stats.kurtosis(x, fisher=True, bias=True))


def test_density_peak_matches_an_exact_gaussian_kde_on_r_grid():
    rng = np.random.default_rng(4)
    x = np.r_[rng.normal(0, 1, 300), rng.normal(4, 0.5, 200)]
    bw = rstats.bw_nrd0(x)
    # bw.nrd0 by hand: 0.9 * min(sd, IQR / 1.34) * n^-0.2
    q25, q75 = np.percentile(x, [25, 75])
    assert bw == pytest.approx(0.9 * min(x.std(ddof=1), (q75 - q25) / 1.34) * len(x) ** -0.2)
    grid = np.linspace(x.min() - 3 * bw, x.max() + 3 * bw, 512)
    exact = stats.norm.pdf((grid[:, None] - x[None, :]) / bw).sum(axis=1)
    # R's FFT on binned data is an approximation: the peak is within one grid step
    assert abs(rstats.density_peak(x) - grid[np.argmax(exact)]) <= grid[1] - grid[0] + 1e-12


#: R diptest's example data set ``statfaculty`` (63 values)
STATFACULTY = [30, 33, 35, 36, 37, 37, 39, 39, 39, 39, 39, 40, 40, 40, 40, 41, 42, 43, 43, 43, 44, 44, 45, 45, 46,
               46, 47, 47, 48, 48, 48, 49, 50, 50, 51, 52, 52, 53, 53, 53, 53, 53, 54, 54, 57, 57, 59, 60, 60, 60,
               61, 61, 61, 61, 62, 62, 62, 62, 63, 66, 70, 72, 72]


def test_dip_statistic_and_p_value_match_r_diptest_outputs():
    from diptest import diptest
    # R diptest's saved test output (tests/ex1.Rout.save-64b): dip(statfaculty) prints 0.0595
    assert diptest(np.asarray(STATFACULTY, dtype=float))[0] == pytest.approx(0.0595, abs=5e-5)
    # R's ?dip.test: dip.test(c(0, 0, 1, 1)) "perfect bi-modal for n = 4" has p-value 0
    assert rstats.dip_pvalue([0.0, 0.0, 1.0, 1.0]) == 0.0


def test_dip_test_separates_unimodal_from_bimodal():
    rng = np.random.default_rng(5)
    assert rstats.dip_pvalue(rng.normal(size=400)) > 0.05
    assert rstats.dip_pvalue(np.r_[rng.normal(0, 1, 200), rng.normal(6, 1, 200)]) < 0.05


def test_equal_variance_mixture_matches_sklearn_tied_gaussian_mixture():
    from sklearn.mixture import GaussianMixture
    rng = np.random.default_rng(6)
    x = np.r_[rng.normal(1, 0.7, 350), rng.normal(4, 0.7, 150)]
    ours = rstats.fit_mixture_equal_variance(x)
    theirs = GaussianMixture(2, covariance_type="tied", tol=1e-12, max_iter=10000, n_init=5, reg_covar=0,
                             random_state=0).fit(x[:, None])
    order = np.argsort(theirs.means_[:, 0])
    assert ours.means == pytest.approx(theirs.means_[order, 0], abs=1e-6)
    assert ours.weights == pytest.approx(theirs.weights_[order], abs=1e-6)
    assert ours.variance == pytest.approx(theirs.covariances_[0, 0], rel=1e-5)
    # BI = |mu1 - mu2| / sigma * sqrt(pi (1 - pi))
    w = theirs.weights_[0]
    expected_bi = abs(np.diff(theirs.means_[:, 0])[0]) / math.sqrt(theirs.covariances_[0, 0]) * math.sqrt(w * (1 - w))
    assert ours.bimodality_index == pytest.approx(expected_bi, rel=1e-5)


# --- classes on synthetic cohorts ----------------------------------------------------------

@pytest.fixture(scope="module")
def cohort():
    rng = np.random.default_rng(42)
    n = 600
    zero_inflated = np.where(rng.random(n) < 0.7, 0.0, rng.lognormal(1.5, 0.4, n))
    mostly_zero = np.where(rng.random(n) < 0.97, 0.0, rng.normal(5, 1, n))
    table = pd.DataFrame({
        "NORMAL": rng.normal(8, 1.5, n),
        "BIMODAL": np.r_[rng.normal(2, 0.6, n // 2), rng.normal(9, 0.6, n - n // 2)],
        "ZEROINF": zero_inflated,
        "CONSTANT": np.full(n, 3.0),
        "TINY": rng.normal(5, 0.001, n),
        "MOSTLY_ZERO": mostly_zero,
    }, index=[f"S{i}" for i in range(n)])
    table.iloc[5, 0] = np.nan  # a missing value is ignored by the fit
    return table, fit_reference(table, progress=False)


def test_each_synthetic_distribution_gets_its_class(cohort):
    _, fit = cohort
    assert fit.categories.to_dict() == {"NORMAL": "Unimodal", "BIMODAL": "Bimodal", "ZEROINF": "ZeroInf",
                                        "CONSTANT": "Discarded", "TINY": "Discarded", "MOSTLY_ZERO": "Discarded"}


def test_threshold_is_a_tenth_of_the_median_amplitude(cohort):
    table, fit = cohort
    assert fit.threshold == pytest.approx(np.median(table.max() - table.min()) / 10)


def test_a_gene_without_values_is_discarded_and_counts_as_minus_infinity_in_the_threshold():
    # R: max(numeric(0)) - min(numeric(0)) is -Inf, so the median amplitude moves down
    table = pd.DataFrame({"A": [0.0, 1, 2, 3], "B": [0.0, 2, 4, 6], "EMPTY": [np.nan] * 4})
    fit = fit_reference(table, progress=False)
    assert fit.threshold == pytest.approx(0.3)  # median(3, 6, -Inf) / 10
    assert fit.categories["EMPTY"] == "Discarded"


def test_unimodal_sigmoid_is_half_at_the_median_and_three_quarters_at_median_plus_mad(cohort):
    table, fit = cohort
    x = table["NORMAL"].dropna().to_numpy()
    median = np.median(x)
    scaled_mad = 1.4826 * np.median(np.abs(x - median))
    values = fit.genes["NORMAL"].normalize([median, median + scaled_mad, median - scaled_mad])
    assert values.tolist() == pytest.approx([0.5, 0.75, 0.25])


def test_bimodal_posterior_is_zero_and_one_at_the_modes(cohort):
    _, fit = cohort
    gene = fit.genes["BIMODAL"]
    low, high = gene.normalize([2.0, 9.0])
    assert low < 1e-6 and high > 1 - 1e-6
    assert gene.binarize([2.0, 9.0, 5.5]).tolist()[:2] == [0.0, 1.0]
    assert math.isnan(gene.binarize([5.5])[0])  # between the modes the mixture is unsure


def test_zero_inflated_is_scaled_by_the_first_and_99th_percentiles(cohort):
    table, fit = cohort
    x = table["ZEROINF"].to_numpy()
    q01 = np.percentile(x, 1)
    q99 = np.percentile(x - q01, 99)
    values = fit.normalize(table)["ZEROINF"].to_numpy()
    assert values == pytest.approx(np.clip((x - q01) / q99, 0, 1))
    assert values.min() == 0.0 and values.max() == 1.0


def test_unimodal_binarisation_uses_the_interquartile_fences(cohort):
    table, fit = cohort
    x = table["NORMAL"].dropna()
    q25, q75 = np.percentile(x, [25, 75])
    iqr = q75 - q25
    binary = fit.binarize(table)["NORMAL"]
    assert (binary[table["NORMAL"] > q75 + iqr] == 1).all()
    assert (binary[table["NORMAL"] < q25 - iqr] == 0).all()
    inside = table["NORMAL"].between(q25 - iqr, q75 + iqr)
    assert binary[inside].isna().all()
    assert binary.notna().sum() > 0


def test_discarded_genes_are_nan(cohort):
    table, fit = cohort
    normalised = fit.normalize(table)
    assert normalised[["CONSTANT", "TINY", "MOSTLY_ZERO"]].isna().all().all()
    assert math.isnan(normalised.loc["S5", "NORMAL"])  # missing stays missing


def test_one_new_sample_alone_gets_its_value_in_the_cohort(cohort):
    table, fit = cohort
    whole = fit.normalize(table)
    for sample in ("S1", "S400"):
        alone = fit.normalize(table.loc[[sample]])
        assert alone.loc[sample].to_numpy() == pytest.approx(whole.loc[sample].to_numpy(), nan_ok=True)


def test_a_saved_fit_normalises_like_the_original(cohort, tmp_path):
    table, fit = cohort
    path = tmp_path / "fit.csv"
    fit.to_frame().to_csv(path)
    again = ReferenceFit.from_frame(pd.read_csv(path, index_col=0))
    assert again.categories.to_dict() == fit.categories.to_dict()
    assert again.normalize(table).to_numpy() == pytest.approx(fit.normalize(table).to_numpy(), nan_ok=True)
    assert again.binarize(table).equals(fit.binarize(table))


def test_a_sample_with_no_gene_of_the_fit_is_refused(cohort):
    _, fit = cohort
    unrelated = pd.DataFrame({"XIST": [1.0]})
    unrelated.attrs["source"] = "new.csv"
    with pytest.raises(InputError, match=r"^new\.csv: genes: none of its 1 genes is in the reference fit$"):
        fit.normalize(unrelated)


# --- the PROFILE reference ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def rppa_genes_fit_mapping():
    """data_rppa.txt at gene level (raw antibodies averaged), its protein-rules fit, the Fumia mapping."""
    if not TCGA.is_dir():
        pytest.skip(f"PROFILE corpus not found at {TCGA}")
    protein = read_rppa(TCGA / "data_rppa.txt", TCGA / "RPPA_corres_TCGA.xlsx", sample_id_length=15)
    genes = protein.gene_level()
    fit = fit_reference(genes, PROFILE_PROTEIN_RULES, progress=False)
    mapping = read_mapping(PROFILE / "models" / "Fumia2013" / "Fumia_namesToHugo_curated.txt")
    return genes, fit, mapping


def _same(ours: pd.DataFrame, expected: pd.DataFrame, tolerance: float):
    assert sorted(ours.columns) == sorted(expected.columns)
    assert sorted(ours.index) == sorted(expected.index)
    ours = ours.loc[expected.index, expected.columns]
    assert (ours.isna() == expected.isna()).all().all()
    assert np.nanmax(np.abs(ours.to_numpy() - expected.to_numpy())) <= tolerance


@needs_corpus
def test_rppa_normalisation_reproduces_profile_prot_norm(rppa_genes_fit_mapping):
    """data_rppa.txt + RPPA_corres_TCGA.xlsx -> Fumia_TCGA_prot_norm.csv within 1e-6.

    That file was written by PROFILE's 2018 script: the raw antibodies of a gene (as the
    data file's ``GENES|antibody`` labels name them) are averaged first, then each gene is
    classified with the protein rules (no ZeroInf, BI > 2) and normalised; phospho
    antibodies are not flipped.  With the RNA rules most RPPA genes (centred on 0) would
    be ZeroInf, and the file holds sigmoids: see normalize.py.
    """
    genes, fit, mapping = rppa_genes_fit_mapping
    expected = pd.read_csv(TCGA / "Fumia_TCGA_prot_norm.csv", index_col=0)
    assert expected.shape == (673, 41)
    _same(genes_to_nodes(fit.normalize(genes), mapping), expected, 1e-6)


@needs_corpus
def test_rppa_binarisation_reproduces_profile_prot(rppa_genes_fit_mapping):
    """The same pipeline binarised (q25 - IQR / q75 + IQR fences) gives Fumia_TCGA_prot.csv exactly.

    A node's binary value is kept only where its genes agree (PROFILE's inverse_mapping).
    """
    genes, fit, mapping = rppa_genes_fit_mapping
    expected = pd.read_csv(TCGA / "Fumia_TCGA_prot.csv", index_col=0)
    assert expected.notna().sum().sum() == 2044
    _same(genes_to_nodes(fit.binarize(genes), mapping, "discrete"), expected, 0.0)
