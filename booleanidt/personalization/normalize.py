"""PROFILE's classification, normalisation to [0, 1] and binarisation of continuous omics.

Per gene, across a reference cohort (PROFILE's ``compute_criteria``,
``norm_fun_*``, ``BIMclass`` and ``OSclass``):

* ``thr`` = median over genes of their amplitude (max - min) / 10.
* **Discarded** if amplitude < thr, or more than 95 % of the values are exactly 0.
* **Bimodal** if BI > 1.5, Hartigan's dip test p < 0.05 and excess kurtosis < 1, BI being
  the bimodality index of a two-Gaussian, equal-variance mixture (mclust model ``"E"``).
* **ZeroInf** if the kernel density (R ``density()`` defaults) peaks below thr.
* **Unimodal** otherwise.

Normalised value: Bimodal -> posterior probability of the upper component; Unimodal ->
``1 / (1 + exp(-log(3) / mad * (x - median)))`` (R's scaled MAD, so median + mad maps to
0.75); ZeroInf -> ``(x - q01) / q99(x - q01)`` clipped to [0, 1].  Binarised value:
Bimodal -> 0 / 1 where the mixture is confident (uncertainty <= 0.05 on the reference
data), NA between; Unimodal and ZeroInf -> 1 above q75 + IQR, 0 below q25 - IQR, else NA.

:func:`fit_reference` stores each gene's class and parameters in a
:class:`ReferenceFit`, so one new sample can be normalised alone against it.

Rule sets: :data:`PROFILE_RULES` are the rules above (PROFILE's RNA rules, the ones
booleanidt fixes).  :data:`PROFILE_PROTEIN_RULES` are those of PROFILE's 2018 protein
script (``compute_criteria_prot``): no dropout rule, BI > 2, no ZeroInf class.  The
reference file Fumia_TCGA_prot_norm.csv was made with them: RPPA values are centred on
0, so with the RNA rules the density of 43 of the 47 model genes peaks below thr and
they would be ZeroInf, whereas that file holds the sigmoid (Unimodal) of every node.

Where we differ from PROFILE: PROFILE's ZeroInf normalisation takes q99 over the data
being normalised (not the reference), which is the same when a cohort is normalised
against itself; a fit applied to other samples uses the reference's q99, so one sample
alone gets the value it would have in the reference cohort.  A gene with mad = 0 would
give R NaN at its median; we give 0.5 there (0 below, 1 above); likewise a ZeroInf gene
with q99 = 0 gives 0 at q01 where R gives NaN.  R 4.4 changed ``density()``'s FFT grid
(``old.coords = FALSE``), which rescales the density by about 1 - 1/(2n - 2) on the same
x grid; we follow the formula PROFILE ran with, and the peak it gives does not move.

Examples
--------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(1)
>>> table = pd.DataFrame({"NORMAL": rng.normal(5, 1, 400),
...                       "BIMODAL": np.r_[rng.normal(0, 0.5, 200), rng.normal(6, 0.5, 200)]})
>>> fit = fit_reference(table)
>>> fit.categories.to_dict()
{'NORMAL': 'Unimodal', 'BIMODAL': 'Bimodal'}
>>> one = fit.normalize(pd.DataFrame({"NORMAL": [fit.genes["NORMAL"].median], "BIMODAL": [6.0]}))
>>> one.round(3).to_dict("records")
[{'NORMAL': 0.5, 'BIMODAL': 1.0}]
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace
from typing import Optional

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from ..errors import InputError
from . import rstats

__all__ = ["Rules", "PROFILE_RULES", "PROFILE_PROTEIN_RULES", "GeneFit", "ReferenceFit", "fit_reference",
           "CATEGORIES"]

CATEGORIES = ("Discarded", "Bimodal", "ZeroInf", "Unimodal")
#: mixture uncertainty (1 - max posterior) up to which a bimodal value is binarised
_CONFIDENT = 0.05


@dataclass(frozen=True)
class Rules:
    """Thresholds of PROFILE's classification.

    Attributes
    ----------
    bimodality_index : Bimodal needs BI above this
    dip_pvalue : ... and a dip test p-value below this
    kurtosis : ... and an excess kurtosis below this
    max_dropout : Discarded when the fraction of exact zeros exceeds this (None: no such rule)
    zero_inflated : use the ZeroInf class (density peak below thr)
    amplitude_fraction : thr = this times the median amplitude over genes
    """

    bimodality_index: float = 1.5
    dip_pvalue: float = 0.05
    kurtosis: float = 1.0
    max_dropout: Optional[float] = 0.95
    zero_inflated: bool = True
    amplitude_fraction: float = 0.1


#: PROFILE's rules for RNA
PROFILE_RULES = Rules()
#: PROFILE's 2018 rules for proteins (``compute_criteria_prot``), used for Fumia_TCGA_prot_norm.csv
PROFILE_PROTEIN_RULES = Rules(bimodality_index=2.0, max_dropout=None, zero_inflated=False)


@dataclass(frozen=True)
class GeneFit:
    """One gene's statistics, class and normalisation parameters on the reference cohort.

    Statistics that cannot change the class are not computed (NaN): the mixture is fitted
    only when the dip test and kurtosis allow Bimodal, the density only for ZeroInf.
    """

    gene: str
    category: str
    n: int
    amplitude: float
    dropout_rate: float = math.nan
    dip_pvalue: float = math.nan
    kurtosis: float = math.nan
    bimodality_index: float = math.nan
    density_peak: float = math.nan
    median: float = math.nan
    mad: float = math.nan
    q01: float = math.nan
    q99_shifted: float = math.nan
    q25: float = math.nan
    q75: float = math.nan
    mixture_weight_upper: float = math.nan
    mixture_mean_lower: float = math.nan
    mixture_mean_upper: float = math.nan
    mixture_variance: float = math.nan
    bimodal_low_max: float = math.nan
    bimodal_high_min: float = math.nan

    @property
    def mixture(self) -> Optional[rstats.Mixture]:
        """The fitted mixture, or None."""
        if math.isnan(self.mixture_variance):
            return None
        w = self.mixture_weight_upper
        return rstats.Mixture((1 - w, w), (self.mixture_mean_lower, self.mixture_mean_upper),
                              self.mixture_variance, math.nan)

    def normalize(self, x) -> np.ndarray:
        """Normalised values in [0, 1] (NaN for missing values and Discarded genes).

        >>> GeneFit("G", "Unimodal", 3, 2.0, median=1.0, mad=2.0).normalize([1.0, 3.0]).tolist()
        [0.5, 0.75]
        """
        x = np.asarray(x, dtype=float)
        out = np.full(x.shape, np.nan)
        present = ~np.isnan(x)
        values = x[present]
        if self.category == "Unimodal":
            if self.mad > 0:
                out[present] = 1.0 / (1.0 + np.exp(-math.log(3) / self.mad * (values - self.median)))
            else:
                out[present] = np.sign(values - self.median) * 0.5 + 0.5
        elif self.category == "ZeroInf":
            with np.errstate(divide="ignore", invalid="ignore"):
                scaled = (values - self.q01) / self.q99_shifted
            out[present] = np.clip(np.nan_to_num(scaled, nan=0.0), 0.0, 1.0)
        elif self.category == "Bimodal":
            out[present] = self.mixture.upper_posterior(values)
        return out

    def binarize(self, x) -> np.ndarray:
        """Binarised values: 0, 1 or NaN.

        >>> GeneFit("G", "Unimodal", 4, 4.0, q25=1.0, q75=2.0).binarize([-0.5, 1.5, 3.5]).tolist()
        [0.0, nan, 1.0]
        """
        x = np.asarray(x, dtype=float)
        out = np.full(x.shape, np.nan)
        if self.category == "Bimodal":
            out[x <= self.bimodal_low_max] = 0.0
            out[x >= self.bimodal_high_min] = 1.0
        elif self.category in ("Unimodal", "ZeroInf"):
            iqr = self.q75 - self.q25
            out[x > self.q75 + iqr] = 1.0
            out[x < self.q25 - iqr] = 0.0
        return out


def _classify(gene: str, x: np.ndarray, threshold: float, rules: Rules) -> GeneFit:
    n = len(x)
    amplitude = float(x.max() - x.min()) if n else -math.inf
    fit = GeneFit(gene, "Discarded", n, amplitude)
    if n == 0 or amplitude == 0:
        return fit
    dropout = float(np.mean(x == 0))
    fit = replace(fit, dropout_rate=dropout)
    if amplitude < threshold or (rules.max_dropout is not None and dropout > rules.max_dropout):
        return fit
    q01, q25, q75 = (float(q) for q in rstats.quantile(x, [0.01, 0.25, 0.75]))
    fit = replace(fit, dip_pvalue=rstats.dip_pvalue(x), kurtosis=rstats.excess_kurtosis(x),
                  median=float(np.median(x)), mad=rstats.mad(x), q01=q01,
                  q99_shifted=float(rstats.quantile(x - q01, 0.99)), q25=q25, q75=q75)
    if fit.dip_pvalue < rules.dip_pvalue and fit.kurtosis < rules.kurtosis:
        mixture = rstats.fit_mixture_equal_variance(x)
        if mixture is not None and mixture.bimodality_index > rules.bimodality_index:
            return _bimodal(fit, x, mixture)
        if mixture is not None:
            fit = replace(fit, bimodality_index=mixture.bimodality_index)
    if rules.zero_inflated:
        fit = replace(fit, density_peak=rstats.density_peak(x))
        if fit.density_peak < threshold:
            return replace(fit, category="ZeroInf")
    return replace(fit, category="Unimodal")


def _bimodal(fit: GeneFit, x: np.ndarray, mixture: rstats.Mixture) -> GeneFit:
    posteriors = mixture.posteriors(x)
    upper = posteriors[:, 1] > posteriors[:, 0]
    confident = 1.0 - posteriors.max(axis=1) <= _CONFIDENT
    low, high = x[~upper & confident], x[upper & confident]
    return replace(fit, category="Bimodal", bimodality_index=mixture.bimodality_index,
                   mixture_weight_upper=mixture.weights[1], mixture_mean_lower=mixture.means[0],
                   mixture_mean_upper=mixture.means[1], mixture_variance=mixture.variance,
                   bimodal_low_max=float(low.max()) if len(low) else -math.inf,
                   bimodal_high_min=float(high.min()) if len(high) else math.inf)


@dataclass
class ReferenceFit:
    """Per-gene classes and parameters fitted on a reference cohort.

    Attributes
    ----------
    genes : gene -> :class:`GeneFit`
    threshold : thr, a tenth of the median amplitude
    rules : the :class:`Rules` used
    """

    genes: dict
    threshold: float
    rules: Rules = PROFILE_RULES

    @property
    def categories(self) -> pd.Series:
        """Gene -> class."""
        return pd.Series({g: f.category for g, f in self.genes.items()}, dtype=object)

    def _apply(self, table: pd.DataFrame, method: str) -> pd.DataFrame:
        if not isinstance(table, pd.DataFrame):
            table = pd.DataFrame([table]) if isinstance(table, (dict, pd.Series)) else pd.DataFrame(table)
        genes = [g for g in table.columns if str(g) in self.genes]
        if not genes and len(table.columns):
            source = table.attrs.get("source", "<table>")
            raise InputError(source, "genes", f"none of its {len(table.columns)} genes is in the reference fit")
        columns = {str(g): getattr(self.genes[str(g)], method)(table[g].to_numpy(dtype=float)) for g in genes}
        return pd.DataFrame(columns, index=table.index, dtype=float)

    def normalize(self, table: pd.DataFrame) -> pd.DataFrame:
        """Normalise samples x genes to [0, 1]; genes absent from the fit are left out."""
        return self._apply(table, "normalize")

    def binarize(self, table: pd.DataFrame) -> pd.DataFrame:
        """Binarise samples x genes to 0/1/NaN; genes absent from the fit are left out."""
        return self._apply(table, "binarize")

    def to_frame(self) -> pd.DataFrame:
        """One row per gene with its class, statistics and parameters (to save the fit).

        >>> fit = ReferenceFit({"G": GeneFit("G", "Unimodal", 3, 2.0, median=1.0, mad=2.0)}, 0.2)
        >>> ReferenceFit.from_frame(fit.to_frame()).genes["G"].normalize([3.0]).tolist()
        [0.75]
        """
        frame = pd.DataFrame([asdict(f) for f in self.genes.values()]).set_index("gene")
        frame.attrs.update({"threshold": self.threshold, **asdict(self.rules)})
        frame["threshold"] = self.threshold
        return frame

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, rules: Rules = PROFILE_RULES) -> "ReferenceFit":
        """Rebuild a fit from :meth:`to_frame`'s table (read back from CSV or Parquet)."""
        names = [f.name for f in fields(GeneFit) if f.name != "gene"]
        missing = [n for n in names if n not in frame.columns]
        if missing:
            raise InputError(frame.attrs.get("source", "<reference fit>"), "columns",
                             f"missing {', '.join(missing)}")
        genes = {}
        for gene, row in frame.iterrows():
            values = {n: row[n] for n in names}
            values["n"], values["category"] = int(values["n"]), str(values["category"])
            genes[str(gene)] = GeneFit(str(gene), **values)
        threshold = float(frame["threshold"].iloc[0]) if "threshold" in frame.columns and len(frame) else math.nan
        return cls(genes, threshold, rules)


def fit_reference(table: pd.DataFrame, rules: Rules = PROFILE_RULES, progress: Optional[bool] = None) -> ReferenceFit:
    """Classify every gene of a reference cohort and store its normalisation parameters.

    Parameters
    ----------
    table : samples x genes (NaN = missing; each gene uses its non-missing values)
    rules : :data:`PROFILE_RULES` (RNA) or :data:`PROFILE_PROTEIN_RULES`
    progress : show a progress bar (default: when on a terminal)

    Examples
    --------
    >>> import pandas as pd
    >>> fit_reference(pd.DataFrame({"FLAT": [1.0] * 5, "G": [0.0, 1, 2, 3, 4]})).categories.to_dict()
    {'FLAT': 'Discarded', 'G': 'Unimodal'}
    """
    values = {str(g): table[g].to_numpy(dtype=float) for g in table.columns}
    values = {g: x[~np.isnan(x)] for g, x in values.items()}
    # a gene with no value has amplitude max() - min() = -Inf in R, and counts in the median
    amplitudes = [float(x.max() - x.min()) if len(x) else -math.inf for x in values.values()]
    threshold = float(np.median(amplitudes)) * rules.amplitude_fraction if amplitudes else math.nan
    genes = {}
    for gene, x in tqdm(values.items(), desc="classifying genes", unit="gene",
                        disable=None if progress is None else not progress):
        genes[gene] = _classify(gene, x, threshold, rules)
    return ReferenceFit(genes, threshold, rules)
