"""Exponential waiting times without a logarithm: Marsaglia and Tsang's ziggurat on the xoshiro256** stream.

A Gillespie step needs one Exp(1) variate.  ``-log(u)`` costs a call into the maths library, and
around that call the compiled loop saves and restores its vector registers: in the population
kernel this was a third of the time per event.  The ziggurat (G. Marsaglia and W. W. Tsang, "The
ziggurat method for generating random variables", J. Stat. Softw. 5(8), 2000) covers the density
``exp(-x)`` with :data:`LAYERS` layers of equal area ``v``: layer 0 is the rectangle
``[0, r] x [0, exp(-r)]`` with the tail beyond ``r``, layer ``i >= 1`` the rectangle of width
``x_i`` between the heights ``exp(-x_i)`` and ``exp(-x_(i+1))``.  A draw picks a layer and a point
``x`` in its width from one 64-bit number; 97.8 % of draws fall where the layer lies wholly
under the curve and are returned at once.  The others take a second uniform for the wedge test
(``exp`` once; 1.1 % of all draws are rejected there and drawn again) or, in layer 0 beyond ``r``,
return ``r + Exp(1)`` (the exponential forgets its past) by ``-log``.

The layer index comes from the low 8 bits of the 64-bit number and the point from its high 53
bits: they never share a bit, unlike the original 32-bit form.

Examples
--------
>>> draws = sample(key=7, count=200_000)
>>> bool(abs(draws.mean() - 1.0) < 0.01), bool((draws > 0.0).all())
(True, True)
"""
from __future__ import annotations

import math

import numba
import numpy as np

from .kernel import _next_bits, _seed_stream, _uniform
from ._numba_cache import refresh as _refresh_numba_cache

_refresh_numba_cache()   # before any function below is decorated: see _numba_cache

__all__ = ["exponential", "sample", "LAYERS", "R", "LAYER_AREA"]

#: layers of the ziggurat (the index is 8 bits of the draw)
LAYERS = 256
#: where the tail begins, and the area of each layer, for 256 layers of exp(-x) (Marsaglia and Tsang's constants)
R = 7.69711747013104972
LAYER_AREA = 0.0039496598225815571993
_SCALE = 2.0 ** -53


def _tables() -> tuple:
    """``(width, accept, height)``: per layer ``i``, its width ``x_i`` times 2^-53 (a 53-bit integer ``j``
    gives the point ``j * width[i]``), the integer below which that point lies under the curve in every
    layer above (``x_(i+1) / x_i`` times 2^53), and the height ``exp(-x_i)`` (``height[LAYERS]`` = 1)."""
    x = np.empty(LAYERS + 1)
    x[0] = LAYER_AREA / math.exp(-R)   # the base layer's width: its area over its height
    x[1] = R
    for i in range(1, LAYERS - 1):
        x[i + 1] = -math.log(math.exp(-x[i]) + LAYER_AREA / x[i])
    x[LAYERS] = 0.0
    width = x[:LAYERS] * _SCALE
    accept = np.array([int(x[i + 1] / x[i] * 2.0 ** 53) for i in range(LAYERS)], dtype=np.uint64)
    height = np.exp(-x)
    height[LAYERS] = 1.0
    return width, accept, height


_WIDTH, _ACCEPT, _HEIGHT = _tables()
_INDEX = np.uint64(LAYERS - 1)
_POINT = np.uint64(11)


# inlined where it is called (numba's inlining): as a called function, the loop around it saved and restored its
# registers at every call, as around a call of ``log``
@numba.njit(cache=True, nogil=True, error_model="numpy", _nrt=False, inline="always")
def exponential(rng):
    """An Exp(1) variate from the xoshiro256** stream ``rng`` (one 64-bit draw 97.8 % of the time)."""
    while True:
        bits = _next_bits(rng)
        i = np.int64(bits & _INDEX)
        j = bits >> _POINT
        x = float(j) * _WIDTH[i]
        if j < _ACCEPT[i]:
            return x
        if i == 0:
            return R - np.log(_uniform(rng))
        if _HEIGHT[i] + _uniform(rng) * (_HEIGHT[i + 1] - _HEIGHT[i]) < np.exp(-x):
            return x


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _sample(key, count):
    rng = np.zeros(4, dtype=np.uint64)
    _seed_stream(key, rng)
    draws = np.empty(count)
    for k in range(count):
        draws[k] = exponential(rng)
    return draws


def sample(key: int, count: int) -> np.ndarray:
    """``count`` draws of :func:`exponential` from the xoshiro256** stream seeded by ``key``.

    >>> sample(key=1, count=3).shape
    (3,)
    """
    return _sample(np.uint64(key & 0xFFFFFFFFFFFFFFFF), int(count))
