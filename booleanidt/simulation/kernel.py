"""The compiled Gillespie kernel: one numba function serves every model.

:func:`run_chunk` simulates trajectories ``first .. first + count - 1`` of a
run and returns their time-window sums.  Per jump it touches only the nodes
that depend on the flipped node (their rate-table index changes by one bit) and
picks the next node from a sum tree in O(log n).  Trajectory ``j`` draws from a
xoshiro256** stream seeded by hashing ``(seed, j)`` (splitmix64 finaliser, as a
seed sequence does), so a trajectory's path does not depend on which chunk or
thread runs it, and seeds ``s`` and ``s + 1`` share no trajectory.

Time windows follow DESIGN.md section 4: window ``k`` is ``[k dt, (k+1) dt)``
and each trajectory contributes the fraction of the window it spends in a state.
For standard errors the kernel also sums the squares of these per-trajectory
fractions.  A trajectory whose total rate is 0 sits on a fixed point and
credits the rest of the run to it.

Examples
--------
>>> trajectory_key(0, 1) != trajectory_key(1, 0)
True
"""
from __future__ import annotations

import numba
import numpy as np
from numba import types
from numba.typed import Dict

from .compile import flip_rate_code

__all__ = ["run_chunk", "trajectory_key", "MAX_TRACKED_OUTPUTS"]

#: output-state tables are kept when there are at most this many output nodes
MAX_TRACKED_OUTPUTS = 63

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_STREAM = np.uint64(0xD1B54A32D192ED03)


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _mix64(z):
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


@numba.njit(cache=True, nogil=True, error_model="numpy")
def trajectory_key(seed, j):
    """64-bit key of trajectory ``j`` of a run seeded with ``seed`` (a hash of both, compiled)."""
    a = _mix64(np.uint64(seed) + _GOLDEN)
    b = _mix64(np.uint64(j) * _STREAM + _GOLDEN)
    return _mix64(a ^ (b + _GOLDEN + (a << np.uint64(6)) + (a >> np.uint64(2))))


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _seed_stream(key, rng):
    z = key
    for k in range(4):
        z = z + _GOLDEN
        rng[k] = _mix64(z)


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _rotl(x, k):
    return (x << np.uint64(k)) | (x >> np.uint64(64 - k))


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _uniform(rng):
    """A double in (0, 1] from xoshiro256**."""
    result = _rotl(rng[1] * np.uint64(5), 7) * np.uint64(9)
    t = rng[1] << np.uint64(17)
    rng[2] ^= rng[0]
    rng[3] ^= rng[1]
    rng[1] ^= rng[2]
    rng[0] ^= rng[3]
    rng[2] ^= t
    rng[3] = _rotl(rng[3], 45)
    return (float(result >> np.uint64(11)) + 1.0) * (1.0 / 9007199254740992.0)


# The sum tree is 4-ary (half the depth of a binary one): node p has children 4p+1 .. 4p+4,
# the root 0 holds the total rate, leaves start at ``base``.  Sums are recomputed from the
# children (never updated by differences), so huge rates (1e100) leave no rounding residue.

@numba.njit(cache=True, nogil=True, error_model="numpy")
def _tree_shape(n):
    """(base, size) of a 4-ary sum tree over ``n`` leaves."""
    width = 4
    while width < n:
        width *= 4
    base = (width - 1) // 3
    return base, base + width


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _tree_set(tree, ent_tree, base, i, rate, entropy_term):
    pos = base + i
    tree[pos] = rate
    ent_tree[pos] = entropy_term
    while pos > 0:
        pos = (pos - 1) >> 2
        c = 4 * pos + 1
        tree[pos] = tree[c] + tree[c + 1] + tree[c + 2] + tree[c + 3]
        ent_tree[pos] = ent_tree[c] + ent_tree[c + 1] + ent_tree[c + 2] + ent_tree[c + 3]


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _tree_build(tree, ent_tree, base):
    for pos in range(base - 1, -1, -1):
        c = 4 * pos + 1
        tree[pos] = tree[c] + tree[c + 1] + tree[c + 2] + tree[c + 3]
        ent_tree[pos] = ent_tree[c] + ent_tree[c + 1] + ent_tree[c + 2] + ent_tree[c + 3]


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _tree_pick(tree, base, u):
    """The leaf where ``u`` (in [0, total)) falls; never a leaf of rate 0."""
    pos = 0
    while pos < base:
        c = 4 * pos + 1
        a, b, d, e = tree[c], tree[c + 1], tree[c + 2], tree[c + 3]
        j = 0
        if u >= a and b + d + e > 0.0:  # move past a child only when rate is left further right
            u -= a
            j = 1
            if u >= b and d + e > 0.0:
                u -= b
                j = 2
                if u >= d and e > 0.0:
                    u -= d
                    j = 3
        pos = c + j
    return pos - base


# Accumulators are (columns, windows + 1, 4) arrays, one column per node (or output state):
# [c, k, SUM] and [c, k, SQUARES] sum the per-trajectory fractions of window k and their squares;
# [c, k, FULL] and [c, k, FULL_SQUARES] are difference arrays for whole windows (folded in at the end).
# Keeping the four side by side makes a credit touch one or two cache lines.
SUM, SQUARES, FULL, FULL_SQUARES = 0, 1, 2, 3


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _credit_window(col, k, amount, cur_k, partial, acc):
    if cur_k[col] != k:
        if cur_k[col] >= 0:
            acc[col, cur_k[col], SUM] += partial[col]
            acc[col, cur_k[col], SQUARES] += partial[col] * partial[col]
        cur_k[col] = k
        partial[col] = 0.0
    partial[col] += amount


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _credit(col, a, b, value, dt, windows, cur_k, partial, acc):
    """Add ``value`` x (time of [a, b) in each window) / dt to column ``col``.

    Windows that [a, b) covers completely go to the difference entries (O(1)
    whatever their number); partly covered ones to the open partial sum of the
    column, flushed when the column moves on to another window.
    """
    if b <= a:
        return
    first = int(a / dt)
    if first >= windows:
        return
    if a > first * dt or b < (first + 1) * dt:
        _credit_window(col, first, value * (min(b, (first + 1) * dt) - a) / dt, cur_k, partial, acc)
        first += 1
    last = min(int(b / dt), windows)
    if last > first:
        acc[col, first, FULL] += value
        acc[col, last, FULL] -= value
        acc[col, first, FULL_SQUARES] += value * value
        acc[col, last, FULL_SQUARES] -= value * value
    if last >= first and last < windows and b > last * dt:
        _credit_window(col, last, value * (b - last * dt) / dt, cur_k, partial, acc)


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _totals(acc, used):
    """(sums, squares) of the first ``used`` columns, whole windows folded in: two (used, windows) arrays."""
    windows = acc.shape[1] - 1
    sums = np.zeros((used, windows))
    squares = np.zeros((used, windows))
    for col in range(used):
        running = 0.0
        running_sq = 0.0
        for k in range(windows):
            running += acc[col, k, FULL]
            running_sq += acc[col, k, FULL_SQUARES]
            sums[col, k] = acc[col, k, SUM] + running
            squares[col, k] = acc[col, k, SQUARES] + running_sq
    return sums, squares


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _flush_columns(cur_k, partial, acc):
    for col in range(cur_k.shape[0]):
        if cur_k[col] >= 0:
            acc[col, cur_k[col], SUM] += partial[col]
            acc[col, cur_k[col], SQUARES] += partial[col] * partial[col]
            cur_k[col] = -1
            partial[col] = 0.0


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _grow(array, rows):
    """``array`` with more rows (zeros), any number of dimensions."""
    shape = (rows,) + array.shape[1:]
    bigger = np.zeros(shape, dtype=array.dtype)
    bigger[:array.shape[0]] = array
    return bigger


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _sample_initial(initial_p, group_ptr, group_node, choice_ptr, choice_cum, choice_levels, rng, state):
    n = state.shape[0]
    for i in range(n):
        p = initial_p[i]
        if p == 0.0 or p == 1.0:  # no draw for a known value
            state[i] = np.int8(p)
        elif p > 0.0:
            state[i] = 1 if _uniform(rng) <= p else 0
    for g in range(group_ptr.shape[0] - 1):
        width = group_ptr[g + 1] - group_ptr[g]
        u = _uniform(rng)
        c = choice_ptr[g]
        while c < choice_ptr[g + 1] - 1 and u > choice_cum[c]:
            c += 1
        for b in range(width):
            state[group_node[group_ptr[g] + b]] = choice_levels[c * width + b]


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _entropy_term(i, rate, index, table_offset, entropy_table):
    """``rate log2 rate`` of node i: from its table, or computed for bytecode nodes."""
    if table_offset[i] >= 0:
        return entropy_table[table_offset[i] + index[i]]
    return rate * np.log2(rate) if rate > 0.0 else 0.0


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _record_error(error, node, direction, rate):
    error[0] = node
    error[1] = direction
    error[2] = rate


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _flip_rate(i, state, index, table_offset, rate_table, code, consts, code_ptr, stack):
    if table_offset[i] >= 0:
        return rate_table[table_offset[i] + index[i]]
    return flip_rate_code(code, consts, code_ptr, i, state, stack)


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _finish(node_acc, state_keys, state_acc, used, fixed, fixed_words, jumps, error):
    node_sum, node_sq = _totals(node_acc, node_acc.shape[0])
    state_sum, state_sq = _totals(state_acc, used)
    return node_sum, node_sq, state_keys[:used], state_sum, state_sq, fixed, fixed_words, jumps, error


@numba.njit(cache=True, nogil=True, error_model="numpy")
def run_chunk(code, consts, code_ptr, dep_ptr, dep_node, out_ptr, out_node, out_bit, table_offset, rate_table,
              entropy_table, initial_p, group_ptr, group_node, choice_ptr, choice_cum, choice_levels, output_index,
              track_states, seed, first, count, max_time, dt, windows, discrete):
    """Simulate ``count`` trajectories starting at global index ``first``.

    Returns
    -------
    node_sum, node_sq : (n + 1, windows) sums of per-trajectory window fractions with each node at 1
        (last column: the time-weighted transition entropy) and of their squares
    state_keys : (s,) output-state bit masks, column order of state_sum
    state_sum, state_sq : (s, windows) the same sums per output state
    fixed : (count,) 1 where the trajectory ended on a fixed point
    fixed_words : (count, ceil(n/64)) that fixed point's bits
    jumps : number of transitions
    error : (node, direction, rate) of the first invalid rate met, node -1 if none
    """
    n = code_ptr.shape[0]
    base, size = _tree_shape(n)
    tree = np.zeros(size)
    ent_tree = np.zeros(size)
    state = np.zeros(n, dtype=np.int8)
    index = np.zeros(n, dtype=np.int64)
    t_on = np.zeros(n)
    stack = np.zeros(code.shape[0] + 1)
    rng = np.zeros(4, dtype=np.uint64)
    node_acc = np.zeros((n + 1, windows + 1, 4))
    cur_k = np.full(n + 1, -1, dtype=np.int64)
    partial = np.zeros(n + 1)
    out_bit_of = np.zeros(n, dtype=np.int64)
    for p in range(output_index.shape[0]):
        out_bit_of[output_index[p]] = np.int64(1) << p
    columns = Dict.empty(key_type=types.int64, value_type=types.int64)
    capacity = 16 if track_states else 0
    state_keys = np.zeros(capacity, dtype=np.int64)
    state_acc = np.zeros((capacity, windows + 1, 4))
    state_cur_k = np.full(capacity, -1, dtype=np.int64)
    state_partial = np.zeros(capacity)
    touched = np.zeros(capacity, dtype=np.int64)
    n_touched = 0
    words = (n + 63) // 64
    fixed = np.zeros(count, dtype=np.int8)
    fixed_words = np.zeros((count, words), dtype=np.uint64)
    jumps = 0
    error = np.array([-1.0, 0.0, 0.0])

    for j in range(count):
        _seed_stream(trajectory_key(seed, first + j), rng)
        _sample_initial(initial_p, group_ptr, group_node, choice_ptr, choice_cum, choice_levels, rng, state)
        for i in range(n):
            index[i] = 0
            for b in range(dep_ptr[i + 1] - dep_ptr[i]):
                index[i] |= np.int64(state[dep_node[dep_ptr[i] + b]]) << b
        for i in range(n):
            rate = _flip_rate(i, state, index, table_offset, rate_table, code, consts, code_ptr, stack)
            if not (0.0 <= rate < np.inf):
                _record_error(error, i, state[i], rate)
                return _finish(node_acc, state_keys, state_acc, 0, fixed, fixed_words, jumps, error)
            tree[base + i] = rate
            ent_tree[base + i] = _entropy_term(i, rate, index, table_offset, entropy_table)
            t_on[i] = 0.0
        _tree_build(tree, ent_tree, base)
        key = np.int64(0)
        for i in range(n):
            if state[i] == 1:
                key |= out_bit_of[i]
        segment_start = 0.0
        t = 0.0
        while True:
            total = tree[0]
            if total <= 0.0:
                fixed[j] = 1
                for i in range(n):
                    if state[i] == 1:
                        fixed_words[j, i // 64] |= np.uint64(1) << np.uint64(i % 64)
                t_next = max_time
                entropy = 0.0
            else:
                t_next = t + (dt if discrete else -np.log(_uniform(rng)) / total)
                entropy = max(np.log2(total) - ent_tree[0] / total, 0.0)
            _credit(n, t, min(t_next, max_time), entropy, dt, windows, cur_k, partial, node_acc)
            finished = t_next >= max_time
            m = -1 if finished else _tree_pick(tree, base, _uniform(rng) * total)
            if track_states and (finished or out_bit_of[m] != 0):
                segment_end = max_time if finished else t_next
                if key in columns:
                    col = columns[key]
                else:
                    col = len(columns)
                    columns[key] = col
                    if col >= capacity:
                        capacity *= 2
                        state_keys = _grow(state_keys, capacity)
                        state_acc = _grow(state_acc, capacity)
                        state_partial = _grow(state_partial, capacity)
                        state_cur_k = np.concatenate((state_cur_k, np.full(capacity - state_cur_k.shape[0], -1)))
                        touched = _grow(touched, capacity)
                    state_keys[col] = key
                was_open = state_cur_k[col] >= 0
                _credit(col, segment_start, segment_end, 1.0, dt, windows, state_cur_k, state_partial, state_acc)
                if not was_open and state_cur_k[col] >= 0:
                    touched[n_touched] = col
                    n_touched += 1
                segment_start = segment_end
                if not finished:
                    key ^= out_bit_of[m]
            if finished:
                break
            jumps += 1
            if state[m] == 1:
                _credit(m, t_on[m], t_next, 1.0, dt, windows, cur_k, partial, node_acc)
                state[m] = 0
            else:
                state[m] = 1
                t_on[m] = t_next
            for e in range(out_ptr[m], out_ptr[m + 1]):
                i = out_node[e]
                index[i] ^= out_bit[e]
                rate = _flip_rate(i, state, index, table_offset, rate_table, code, consts, code_ptr, stack)
                if not (0.0 <= rate < np.inf):
                    _record_error(error, i, state[i], rate)
                    return _finish(node_acc, state_keys, state_acc, 0, fixed, fixed_words, jumps, error)
                if rate != tree[base + i]:
                    _tree_set(tree, ent_tree, base, i, rate,
                              _entropy_term(i, rate, index, table_offset, entropy_table))
            t = t_next
        for i in range(n):
            if state[i] == 1:
                _credit(i, t_on[i], max_time, 1.0, dt, windows, cur_k, partial, node_acc)
        _flush_columns(cur_k, partial, node_acc)
        for p in range(n_touched):
            c = touched[p]
            state_acc[c, state_cur_k[c], SUM] += state_partial[c]
            state_acc[c, state_cur_k[c], SQUARES] += state_partial[c] * state_partial[c]
            state_cur_k[c] = -1
            state_partial[c] = 0.0
        n_touched = 0
    return _finish(node_acc, state_keys, state_acc, len(columns), fixed, fixed_words, jumps, error)


@numba.njit(cache=True, nogil=True, error_model="numpy")
def merge_states(columns, keys, total_sum, total_sq, used, sums, squares):
    """Add one chunk's output-state sums into the run's totals (compiled).

    ``columns`` maps state keys to columns of the totals, ``used`` columns are in
    use; the totals grow by doubling.  Returns ``(total_sum, total_sq, used)``.
    """
    windows = total_sum.shape[1]
    for c in range(keys.shape[0]):
        key = keys[c]
        if key in columns:
            col = columns[key]
        else:
            col = used
            columns[key] = col
            used += 1
            if col >= total_sum.shape[0]:
                capacity = max(16, 2 * total_sum.shape[0])
                total_sum = _grow(total_sum, capacity)
                total_sq = _grow(total_sq, capacity)
        for k in range(windows):
            total_sum[col, k] += sums[c, k]
            total_sq[col, k] += squares[c, k]
    return total_sum, total_sq, used
