"""The ziggurat's Exp(1) variates (booleanidt.simulation.exponential), which time every PopMaBoSS event:
their distribution over its whole range, the tail beyond the last layer, and the layers themselves."""
import math

import numpy as np
import pytest
from scipy import stats

from booleanidt.simulation import exponential as ziggurat

DRAWS = 2_000_000


@pytest.fixture(scope="module")
def draws():
    return ziggurat.sample(key=20261204, count=DRAWS)


def test_draws_follow_exp1_by_kolmogorov_smirnov(draws):
    assert draws.min() > 0.0
    result = stats.kstest(draws, "expon")
    assert result.pvalue > 1e-3, result
    assert abs(draws.mean() - 1.0) < 4 / math.sqrt(DRAWS)
    assert abs(draws.var() - 1.0) < 4 * math.sqrt(8 / DRAWS)   # Var of (X - 1)^2 is 8 for Exp(1)


def test_draws_fill_1000_equiprobable_bins(draws):
    """A chi-square over bins of probability 1/1000 each sees a layer or wedge that is off by a fraction of it:
    the layers are 1/256 of the mass each."""
    edges = -np.log1p(-np.arange(1, 1000) / 1000)
    counts = np.bincount(np.searchsorted(edges, draws), minlength=1000)
    result = stats.chisquare(counts)
    assert result.pvalue > 1e-3, result


def test_tail_beyond_the_last_layer_is_exponential(draws):
    """Layer 0 returns R + Exp(1) beyond R: P(X > R) = exp(-R), and past R the excess is again Exp(1)."""
    beyond = draws[draws > ziggurat.R]
    expected = DRAWS * math.exp(-ziggurat.R)
    assert abs(beyond.size - expected) < 4 * math.sqrt(expected)
    assert stats.kstest(beyond - ziggurat.R, "expon").pvalue > 1e-3


def test_layers_have_equal_area_and_cover_the_density():
    width, accept, height = ziggurat._tables()
    x = width / 2.0 ** -53
    assert x[0] == pytest.approx(ziggurat.R + 1, rel=1e-12)   # base: area v over height exp(-R), v = (R + 1) exp(-R)
    assert x[1] == ziggurat.R
    areas = x[1:] * (height[2:] - height[1:-1])   # layer i >= 1: width x_i, between heights exp(-x_i), exp(-x_(i+1))
    assert np.allclose(areas, ziggurat.LAYER_AREA, rtol=1e-9, atol=0)
    assert (np.diff(x[1:]) < 0).all() and accept[-1] == 0   # the top layer is all wedge


def test_one_draw_is_enough_almost_always():
    """A layer (picked with probability 1/256) returns its point at once below ``accept``: 97.8 % of draws;
    the layers cover 256 v = 1.011 of area 1, so 1.1 % of draws are rejected in a wedge and drawn again."""
    _, accept, _ = ziggurat._tables()
    assert 0.976 < np.mean(accept / 2.0 ** 53) < 0.980
    assert 256 * ziggurat.LAYER_AREA == pytest.approx(1.0111, abs=1e-4)
