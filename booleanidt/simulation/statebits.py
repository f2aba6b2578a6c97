"""States as bits: node ``p`` of a state is bit ``p % 64`` of its 64-bit word ``p // 64`` (the kernel's layout,
any number of nodes), packed from and unpacked to 0/1 rows, and deduplicated.

Examples
--------
>>> words = pack_bits(np.array([[1, 0, 1], [0, 1, 1]], dtype=np.int8))
>>> words.tolist(), unpack_bits(words, 3).tolist()
([[5], [6]], [[1, 0, 1], [0, 1, 1]])
"""
from __future__ import annotations

import numpy as np

__all__ = ["pack_bits", "unpack_bits", "unique_states"]


def pack_bits(states: np.ndarray) -> np.ndarray:
    """0/1 rows (states x nodes) as ``(states, ceil(nodes/64))`` uint64 words: node ``p`` is bit ``p % 64``
    of word ``p // 64`` (the kernel's layout).

    >>> pack_bits(np.array([[1, 0, 1]], dtype=np.int8)).tolist()
    [[5]]
    """
    rows, width = states.shape
    padded = np.zeros((rows, 64 * max(1, -(-width // 64))), dtype=np.uint8)
    padded[:, :width] = states
    return np.packbits(padded, axis=1, bitorder="little").view("<u8").astype(np.uint64)


def unique_states(words: np.ndarray) -> tuple:
    """``(unique, inverse)`` of states held as words (:func:`pack_bits`), sorted as the numbers their bits
    make (``numpy.unique(words, axis=0)`` is many times slower).

    >>> unique, inverse = unique_states(np.array([[3, 1], [0, 2], [3, 1]], dtype=np.uint64))
    >>> unique.tolist(), inverse.tolist()
    ([[3, 1], [0, 2]], [0, 1, 0])
    """
    if words.shape[1] == 1:
        unique, inverse = np.unique(words[:, 0], return_inverse=True)
        return unique[:, None], inverse.ravel()
    order = np.lexsort(words.T)   # the last word is the most significant
    ordered = words[order]
    first = np.ones(len(words), dtype=bool)
    first[1:] = (ordered[1:] != ordered[:-1]).any(axis=1)
    inverse = np.empty(len(words), dtype=np.int64)
    inverse[order] = np.cumsum(first) - 1
    return ordered[first], inverse


def unpack_bits(words: np.ndarray, width: int) -> np.ndarray:
    """The int8 0/1 rows of the first ``width`` nodes of states held as words (:func:`pack_bits`).

    >>> unpack_bits(np.array([[5]], dtype=np.uint64), 3).tolist()
    [[1, 0, 1]]
    """
    little_endian = np.ascontiguousarray(words, dtype="<u8").view(np.uint8).reshape(len(words), -1)
    return np.unpackbits(little_endian, axis=1, bitorder="little")[:, :width].astype(np.int8)
