"""The R statistics PROFILE relies on, transcribed so results match R to rounding.

PROFILE (sysbio-curie/PROFILE) classifies and normalises genes with R's
``quantile`` (type 7), ``mad`` (scaled by 1.4826), ``density`` (Gaussian kernel,
``bw.nrd0``, 512 points, FFT on a linearly binned grid), ``moments::kurtosis``
(the biased moment ratio), ``diptest::dip.test`` (p-value interpolated in the
table of critical values) and ``mclust::Mclust(x, G = 2, modelNames = "E")``
(two Gaussians with one shared variance fitted by EM).  No R is needed: each
function below follows R's definition.

Examples
--------
>>> import numpy as np
>>> x = np.array([1.0, 2.0, 3.0, 4.0, 10.0])
>>> float(quantile(x, 0.25)), mad(x)
(2.0, 1.4826)
>>> round(excess_kurtosis(x), 4)   # 5 * 1394 / 50**2 - 3
-0.212
"""
from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
from diptest import diptest

__all__ = ["quantile", "mad", "excess_kurtosis", "bw_nrd0", "density_peak", "dip_pvalue",
           "Mixture", "fit_mixture_equal_variance"]

#: R's consistency constant of ``mad`` (1 / qnorm(3/4), rounded as R writes it).
MAD_CONSTANT = 1.4826


def quantile(x, probs):
    """R's ``quantile(x, probs)`` (type 7: linear interpolation between order statistics).

    >>> float(quantile([0, 10], 0.99))
    9.9
    """
    return np.quantile(np.asarray(x, dtype=float), probs, method="linear")


def mad(x) -> float:
    """R's ``mad(x)``: 1.4826 times the median absolute deviation from the median.

    >>> mad([1.0, 1.0, 2.0])
    0.0
    """
    x = np.asarray(x, dtype=float)
    return float(MAD_CONSTANT * np.median(np.abs(x - np.median(x))))


def excess_kurtosis(x) -> float:
    """``moments::kurtosis(x) - 3``: n sum (x - mean)^4 / (sum (x - mean)^2)^2 - 3.

    >>> round(excess_kurtosis([-1.0, 1.0]), 6)
    -2.0
    """
    x = np.asarray(x, dtype=float)
    centred = x - x.mean()
    return float(len(x) * np.sum(centred ** 4) / np.sum(centred ** 2) ** 2 - 3.0)


def bw_nrd0(x) -> float:
    """R's ``bw.nrd0``: 0.9 min(sd, IQR / 1.34) n^(-1/5), with R's fallbacks for zero spread.

    >>> round(bw_nrd0([1.0, 2.0, 3.0, 4.0]), 6)   # 0.9 * (1.5 / 1.34) * 4 ** -0.2
    0.763514
    """
    x = np.asarray(x, dtype=float)
    hi = float(np.std(x, ddof=1))
    q25, q75 = quantile(x, [0.25, 0.75])
    lo = min(hi, (q75 - q25) / 1.34)
    if not lo:
        lo = hi or abs(float(x[0])) or 1.0
    return float(0.9 * lo * len(x) ** -0.2)


def _linear_binning(x, lo, up, n):
    """R's C routine ``BinDist``: linear binning of equal-weight points on 2n cells."""
    y = np.zeros(2 * n)
    delta = (up - lo) / (n - 1)
    position = (x - lo) / delta
    index = np.floor(position).astype(int)
    fraction = position - index
    weight = 1.0 / len(x)
    inside = (index >= 0) & (index <= n - 2)
    np.add.at(y, index[inside], weight * (1 - fraction[inside]))
    np.add.at(y, index[inside] + 1, weight * fraction[inside])
    left = index == -1
    np.add.at(y, np.zeros(left.sum(), dtype=int), weight * fraction[left])
    right = index == n - 1
    np.add.at(y, index[right], weight * (1 - fraction[right]))
    return y


def density_peak(x, n: int = 512, cut: float = 3.0) -> float:
    """``density(x)$x[which.max(density(x)$y)]``: where R's default kernel density peaks.

    Transcribes ``density.default``: bandwidth ``bw.nrd0``, Gaussian kernel, grid from
    ``min - 3 bw`` to ``max + 3 bw``, FFT convolution of the linearly binned data on
    2n points and linear interpolation onto the n output points.

    >>> abs(density_peak([0.0, 0.0, 0.0, 1.0, 5.0])) < 0.1
    True
    """
    x = np.asarray(x, dtype=float)
    bw = bw_nrd0(x)
    start, stop = x.min() - cut * bw, x.max() + cut * bw
    lo, up = start - 4 * bw, stop + 4 * bw
    binned = _linear_binning(x, lo, up, n)
    kernel_x = np.linspace(0, 2 * (up - lo), 2 * n)
    kernel_x[n + 1:] = -kernel_x[n - 1:0:-1]
    kernel = np.exp(-0.5 * (kernel_x / bw) ** 2) / (bw * np.sqrt(2 * np.pi))
    smoothed = np.fft.ifft(np.fft.fft(binned) * np.conj(np.fft.fft(kernel))).real[:n]
    smoothed = np.maximum(smoothed, 0.0)
    grid = np.linspace(lo, up, n)
    out_x = np.linspace(start, stop, n)
    out_y = np.interp(out_x, grid, smoothed)
    return float(out_x[np.argmax(out_y)])


def dip_pvalue(x) -> float:
    """``diptest::dip.test(x)$p.value``: Hartigan's dip, p-value interpolated in the table.

    The ``diptest`` package computes the same dip (a port of Hartigan's algorithm) and
    interpolates the same table of critical values in sqrt(n) as R's ``dip.test``.

    >>> dip_pvalue(np.r_[np.zeros(50), np.ones(50)]) < 0.05
    True
    """
    return float(diptest(np.asarray(x, dtype=float))[1])


@dataclass(frozen=True)
class Mixture:
    """A two-component Gaussian mixture with a shared variance (mclust model ``"E"``).

    Components are ordered by mean (``means[0] <= means[1]``).

    >>> m = Mixture(weights=(0.5, 0.5), means=(0.0, 4.0), variance=1.0, loglik=0.0)
    >>> round(float(m.upper_posterior(np.array([2.0]))[0]), 6)
    0.5
    """

    weights: tuple
    means: tuple
    variance: float
    loglik: float

    def posteriors(self, x) -> np.ndarray:
        """P(component | x), shape (len(x), 2), as ``predict.Mclust(...)$z``."""
        x = np.asarray(x, dtype=float)[:, None]
        log_density = (np.log(np.asarray(self.weights)) - 0.5 * np.log(2 * np.pi * self.variance)
                       - 0.5 * (x - np.asarray(self.means)) ** 2 / self.variance)
        log_density -= log_density.max(axis=1, keepdims=True)
        z = np.exp(log_density)
        return z / z.sum(axis=1, keepdims=True)

    def upper_posterior(self, x) -> np.ndarray:
        """P(upper component | x): PROFILE's normalised value of a bimodal gene."""
        return self.posteriors(x)[:, 1]

    @property
    def bimodality_index(self) -> float:
        """Wang et al. (2009): |mu1 - mu2| / sigma * sqrt(pi (1 - pi))."""
        delta = abs(self.means[1] - self.means[0]) / np.sqrt(self.variance)
        return float(delta * np.sqrt(self.weights[0] * (1 - self.weights[0])))


#: mclust's EM stopping rule: relative change of the log-likelihood.
MCLUST_TOLERANCE = 1e-5


@numba.njit(cache=True)
def _em_kernel(x, upper, tol, max_iter):  # pragma: no cover - compiled
    """EM for two Gaussians with one variance, from P(upper | x) ``upper`` (updated in place).

    Returns (w0, w1, m0, m1, variance, loglik, ok).
    """
    n = x.shape[0]
    loglik = -np.inf
    w0 = w1 = m0 = m1 = variance = 0.0
    for _ in range(max_iter):
        n1 = 0.0
        s1 = 0.0
        s0 = 0.0
        for i in range(n):
            n1 += upper[i]
            s1 += upper[i] * x[i]
            s0 += (1.0 - upper[i]) * x[i]
        n0 = n - n1
        if n0 <= 0.0 or n1 <= 0.0:
            return w0, w1, m0, m1, variance, loglik, False
        w0, w1, m0, m1 = n0 / n, n1 / n, s0 / n0, s1 / n1
        variance = 0.0
        for i in range(n):
            variance += (1.0 - upper[i]) * (x[i] - m0) ** 2 + upper[i] * (x[i] - m1) ** 2
        variance /= n
        if variance <= 0.0:
            return w0, w1, m0, m1, variance, loglik, False
        const = -0.5 * np.log(2.0 * np.pi * variance)
        total = 0.0
        for i in range(n):
            a = np.log(w0) + const - 0.5 * (x[i] - m0) ** 2 / variance
            b = np.log(w1) + const - 0.5 * (x[i] - m1) ** 2 / variance
            top = max(a, b)
            log_sum = top + np.log(np.exp(a - top) + np.exp(b - top))
            upper[i] = np.exp(b - log_sum)
            total += log_sum
        converged = abs(total - loglik) <= tol * (1.0 + abs(total))
        loglik = total
        if converged:
            break
    return w0, w1, m0, m1, variance, loglik, True


def _em(x, upper, tol, max_iter):
    """Run EM from P(upper | x); the fitted Mixture (components ordered by mean) or None."""
    w0, w1, m0, m1, variance, loglik, ok = _em_kernel(x, upper, tol, max_iter)
    if not ok:
        return None
    if m0 <= m1:
        return Mixture((w0, w1), (m0, m1), variance, loglik)
    return Mixture((w1, w0), (m1, m0), variance, loglik)


def fit_mixture_equal_variance(x, tol: float = 1e-13, max_iter: int = 5000) -> Mixture | None:
    """Fit two Gaussians with one shared variance by EM (``Mclust(x, G = 2, modelNames = "E")``).

    EM starts from several hard splits of the sorted data (at the 10th...90th
    percentiles and at the widest gap), each run to mclust's own stopping rule
    (relative log-likelihood change below 1e-5); the most likely is then run on to
    a relative change below ``tol``.  mclust starts from a hierarchical clustering and
    stops at 1e-5: on clearly separated data both reach the same optimum, ours
    converged further.  None when no split gives two components.

    >>> rng = np.random.default_rng(0)
    >>> fit = fit_mixture_equal_variance(np.r_[rng.normal(0, 1, 300), rng.normal(6, 1, 200)])
    >>> [round(m) for m in fit.means], round(fit.weights[1], 1)
    ([0, 6], 0.4)
    """
    x = np.sort(np.asarray(x, dtype=float))
    n = len(x)
    if n < 2 or x[0] == x[-1]:
        return None
    cuts = {int(round(p * n)) for p in np.linspace(0.1, 0.9, 9)}
    cuts.add(int(np.argmax(np.diff(x))) + 1)
    best, best_upper = None, None
    for cut in sorted(c for c in cuts if 0 < c < n):
        upper = np.zeros(n)
        upper[cut:] = 1.0
        fit = _em(x, upper, MCLUST_TOLERANCE, max_iter)
        if fit is not None and (best is None or fit.loglik > best.loglik):
            best, best_upper = fit, upper
    if best is None:
        return None
    return _em(x, best_upper, tol, max_iter)
