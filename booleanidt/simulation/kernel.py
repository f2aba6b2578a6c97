"""The compiled Gillespie kernel: one numba function serves every model.

:func:`run_chunk` simulates trajectories ``first .. first + count - 1`` of a
run and returns their time-window sums.  Per jump it touches only the nodes
that depend on the flipped node (their rate-table index changes by one bit) and
picks the next node from a sum tree in O(log n); the sum of ``r log2 r`` behind
the transition entropy changes only for those nodes too.  Trajectory ``j`` draws
from a xoshiro256** stream seeded by hashing ``(seed, j)`` (splitmix64
finaliser, as a seed sequence does), so a trajectory's path does not depend on
which chunk or thread runs it, and seeds ``s`` and ``s + 1`` share no trajectory.

Time windows: window ``k`` is ``[k dt, (k+1) dt)``
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

import os

import numba
import numpy as np

from .bytecode import evaluate_code, flip_rate_code
from .engine import MAX_TRACKED_OUTPUTS, RATE, RATE_LOG_RATE, STATE_CAPACITY
from .statetable import EMPTY, column_of, grown, has_room, insert, new_table
from ._numba_cache import refresh as _refresh_numba_cache

_refresh_numba_cache()   # before any function below is decorated: see _numba_cache

__all__ = ["run_chunk", "new_workspace", "trajectory_key", "MAX_TRACKED_OUTPUTS"]

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_STREAM = np.uint64(0xD1B54A32D192ED03)


# The jump loop and its helpers allocate nothing, so they are compiled without numba's reference
# counting (``_nrt=False``): with it, every call passing arrays made two atomic updates per array,
# which took more time than the simulation itself.  Only run_chunk and the growth helpers allocate.
_NO_REFCOUNT = dict(cache=True, nogil=True, error_model="numpy", _nrt=False)


@numba.njit(**_NO_REFCOUNT)
def _mix64(z):
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


@numba.njit(**_NO_REFCOUNT)
def output_key(p, outputs):
    """What output ``p`` of ``outputs`` adds (xor) to a state's key: its bit while the bits fit in a key
    (at most :data:`MAX_TRACKED_OUTPUTS` outputs); beyond, a fixed pseudo-random positive 63-bit number, so
    the key is a hash of the state (Zobrist hashing: two given states share it with probability 2^-63) and
    the state itself comes with the key (``state_words`` of :func:`run_chunk`)."""
    if outputs <= MAX_TRACKED_OUTPUTS:
        return np.int64(1) << p
    return np.int64(_mix64(np.uint64(p) * _STREAM + _GOLDEN) >> np.uint64(1)) | np.int64(1)


@numba.njit(**_NO_REFCOUNT)
def trajectory_key(seed, j):
    """64-bit key of trajectory ``j`` of a run seeded with ``seed`` (a hash of both, compiled)."""
    a = _mix64(np.uint64(seed) + _GOLDEN)
    b = _mix64(np.uint64(j) * _STREAM + _GOLDEN)
    return _mix64(a ^ (b + _GOLDEN + (a << np.uint64(6)) + (a >> np.uint64(2))))


@numba.njit(**_NO_REFCOUNT)
def _seed_stream(key, rng):
    z = key
    for k in range(4):
        z = z + _GOLDEN
        rng[k] = _mix64(z)


@numba.njit(**_NO_REFCOUNT)
def _rotl(x, k):
    return (x << np.uint64(k)) | (x >> np.uint64(64 - k))


@numba.njit(**_NO_REFCOUNT)
def _next_bits(rng):
    """The next 64 random bits of the xoshiro256** stream ``rng``."""
    result = _rotl(rng[1] * np.uint64(5), 7) * np.uint64(9)
    t = rng[1] << np.uint64(17)
    rng[2] ^= rng[0]
    rng[3] ^= rng[1]
    rng[1] ^= rng[2]
    rng[0] ^= rng[3]
    rng[2] ^= t
    rng[3] = _rotl(rng[3], 45)
    return result


@numba.njit(**_NO_REFCOUNT)
def _uniform(rng):
    """A double in (0, 1] from xoshiro256**."""
    return (float(_next_bits(rng) >> np.uint64(11)) + 1.0) * (1.0 / 9007199254740992.0)


# The sum tree is 4-ary (half the depth of a binary one): node p has children 4p+1 .. 4p+4,
# the root 0 holds the total rate, leaves start at ``base``.  Sums are recomputed from the
# children (never updated by differences), so huge rates (1e100) leave no rounding residue.

@numba.njit(**_NO_REFCOUNT)
def _tree_shape(n):
    """(base, size) of a 4-ary sum tree over ``n`` leaves."""
    width = 4
    while width < n:
        width *= 4
    base = (width - 1) // 3
    return base, base + width


@numba.njit(**_NO_REFCOUNT)
def _tree_set(tree, base, i, rate):
    pos = base + i
    tree[pos] = rate
    while pos > 0:
        pos = (pos - 1) >> 2
        c = 4 * pos + 1
        tree[pos] = tree[c] + tree[c + 1] + tree[c + 2] + tree[c + 3]


@numba.njit(**_NO_REFCOUNT, inline="always")
def _tree_build(tree, base):
    for pos in range(base - 1, -1, -1):
        c = 4 * pos + 1
        tree[pos] = tree[c] + tree[c + 1] + tree[c + 2] + tree[c + 3]


@numba.njit(**_NO_REFCOUNT)
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


# The transition entropy of a state is log2 R - (sum_i r_i log2 r_i) / R.  The sum is updated by
# differences when one node's rate changes, and summed afresh from the per-node terms every n
# jumps (so rounding cannot drift) and whenever a term beyond _HUGE_TERM enters or leaves it
# (cellfate's 1e100 rates: a difference would leave a residue larger than the whole sum).
_HUGE_TERM = 2.0 ** 30


@numba.njit(**_NO_REFCOUNT)
def _entropy_term(i, rate, index, table_offset, rate_table):
    """``rate log2 rate`` of node i: from its table, or computed for bytecode nodes."""
    if table_offset[i] >= 0:
        return rate_table[table_offset[i] + index[i], RATE_LOG_RATE]
    return rate * np.log2(rate) if rate > 0.0 else 0.0


@numba.njit(**_NO_REFCOUNT)
def _transition_entropy(total, term_sum):
    return max(np.log2(total) - term_sum / total, 0.0)


# Accumulators are (columns, windows + 1, 4) arrays, one column per node (or output state):
# [c, k, SUM] and [c, k, SQUARES] sum the per-trajectory fractions of window k and their squares;
# [c, k, FULL] and [c, k, FULL_SQUARES] are difference arrays for whole windows (folded in at the end).
# Keeping the four side by side makes a credit touch one or two cache lines.
SUM, SQUARES, FULL, FULL_SQUARES = 0, 1, 2, 3


@numba.njit(**_NO_REFCOUNT)
def _credit_window(col, k, amount, cur_k, partial, acc):
    if cur_k[col] != k:
        if cur_k[col] >= 0:
            acc[col, cur_k[col], SUM] += partial[col]
            acc[col, cur_k[col], SQUARES] += partial[col] * partial[col]
        cur_k[col] = k
        partial[col] = 0.0
    partial[col] += amount


@numba.njit(**_NO_REFCOUNT, inline="always")  # LLVM would keep a call: 10-20% of a jump
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


@numba.njit(**_NO_REFCOUNT)
def _flush_column(col, cur_k, partial, acc):
    if cur_k[col] >= 0:
        acc[col, cur_k[col], SUM] += partial[col]
        acc[col, cur_k[col], SQUARES] += partial[col] * partial[col]
        cur_k[col] = -1
        partial[col] = 0.0


@numba.njit(**_NO_REFCOUNT)
def _fold(acc, col, sums, squares):
    """Column ``col``'s per-window sums and squares, whole windows folded in, into ``sums`` and ``squares``."""
    running = 0.0
    running_sq = 0.0
    for k in range(sums.shape[0]):
        running += acc[col, k, FULL]
        running_sq += acc[col, k, FULL_SQUARES]
        sums[k] = acc[col, k, SUM] + running
        squares[k] = acc[col, k, SQUARES] + running_sq


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _totals(acc, used):
    """(sums, squares) of the first ``used`` columns: two dense (used, windows) arrays."""
    windows = acc.shape[1] - 1
    sums = np.zeros((used, windows))
    squares = np.zeros((used, windows))
    for col in range(used):
        _fold(acc, col, sums[col], squares[col])
    return sums, squares


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _nonzero_cells(acc, used):
    """(column, window, sum, squares) arrays of the cells of the first ``used`` columns that are not 0.

    Output states fill few windows each (2.8% of the cells on cellfate), so this,
    not a dense table, is what a chunk hands over.
    """
    windows = acc.shape[1] - 1
    sums, squares = np.zeros(windows), np.zeros(windows)
    count = 0
    for col in range(used):
        _fold(acc, col, sums, squares)
        for k in range(windows):
            count += sums[k] != 0.0
    cell_col, cell_window = np.zeros(count, dtype=np.int64), np.zeros(count, dtype=np.int64)
    cell_sum, cell_sq = np.zeros(count), np.zeros(count)
    e = 0
    for col in range(used):
        _fold(acc, col, sums, squares)
        for k in range(windows):
            if sums[k] != 0.0:
                cell_col[e], cell_window[e], cell_sum[e], cell_sq[e] = col, k, sums[k], squares[k]
                e += 1
    return cell_col, cell_window, cell_sum, cell_sq


@numba.njit(**_NO_REFCOUNT, inline="always")
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
        # the first choice whose cumulative probability reaches u (the last one if none does), by a bisection
        # without branches (a population step carries thousands of joint states in one group): the answer
        # stays in [c, c + left - 1]
        c, left = choice_ptr[g], choice_ptr[g + 1] - choice_ptr[g]
        while left > 1:
            half = left // 2
            c = c + half if choice_cum[c + half - 1] < u else c
            left -= half
        for b in range(width):
            state[group_node[group_ptr[g] + b]] = choice_levels[c * width + b]


@numba.njit(**_NO_REFCOUNT)
def _flip_rate(i, state, index, table_offset, rate_table, code, consts, code_ptr, stack):
    if table_offset[i] >= 0:
        return rate_table[table_offset[i] + index[i], RATE]
    return flip_rate_code(code, consts, code_ptr, i, state, stack)


@numba.njit(**_NO_REFCOUNT)
def _record_error(error, node, direction, rate):
    error[0] = node
    error[1] = direction
    error[2] = rate


@numba.njit(**_NO_REFCOUNT)
def _is_valid_rate(rate):
    return 0.0 <= rate < np.inf


# A trajectory's jump loop (_run_jumps) stops when the trajectory ends (DONE), when the output-state
# table must grow first (NEED_COLUMNS: the caller grows it and calls again, the loop resumes where it
# was) or on a rate that is negative or not finite (BAD_RATE).  Growing outside the loop lets the loop
# allocate nothing, hence compile without reference counting.
DONE, NEED_COLUMNS, BAD_RATE = 0, 1, 2

# What the loop carries between calls: clock[T | SEGMENT_START | TERM_SUM | HD_START | GRAPH_SINCE | STATES_FROM]
# (time, start of the current output-state segment, sum of r log2 r, time the Hamming distance took its value,
# time the observed-graph state was entered, time from which output states are tabulated: fixed for a run)
# and counters[KEY | USED | TOUCHED | JUMPS | STALE | SINCE_EXACT | NEXT_SCHEDULE | HD | GRAPH_KEY] (output
# state, state columns used, state columns with an open window sum, jumps, whether TERM_SUM must be summed
# afresh, jumps since it was, next scheduled time, Hamming distance to the reference state, state of the
# observed-graph nodes).
T, SEGMENT_START, TERM_SUM, HD_START, GRAPH_SINCE, STATES_FROM = 0, 1, 2, 3, 4, 5
KEY, USED, TOUCHED, JUMPS, STALE, SINCE_EXACT, NEXT_SCHEDULE, HD, GRAPH_KEY = 0, 1, 2, 3, 4, 5, 6, 7, 8


@numba.njit(**_NO_REFCOUNT, inline="always")
def _start_trajectory(net, initial, observe, work, rng, out_bit_of, clock, counters, error):
    """Draw the initial state, set every node's rate, the tree and the entropy terms; False on a bad rate."""
    code, consts, code_ptr, dep_ptr, dep_node, out_ptr, out_node, out_bit, table_offset, rate_table, out_source = net
    initial_p, group_ptr, group_node, choice_ptr, choice_cum, choice_levels = initial
    tree, terms, state, index, t_on, stack = work
    n = state.shape[0]
    base = _tree_shape(n)[0]
    _sample_initial(initial_p, group_ptr, group_node, choice_ptr, choice_cum, choice_levels, rng, state)
    reference, graph_bit = observe[0], observe[1]
    valid = True
    key = np.int64(0)
    hd = 0
    graph_key = 0
    # the rate-table rows: each dependency edge sets its bit where its source is on, in one flat loop without
    # branches (a loop over each node's dependencies mispredicts its end at every node: 10% of a short run)
    index[:] = 0
    for e in range(out_node.shape[0]):
        index[out_node[e]] |= out_bit[e] & -np.int64(state[out_source[e]])
    for i in range(n):  # one pass: node i's rate and entropy term, and its bits of the state keys
        t_on[i] = 0.0
        on = -np.int64(state[i])   # all bits set when node i is on
        key ^= out_bit_of[i] & on
        graph_key |= graph_bit[i] & on
        hd += (reference[i] >= 0) & (reference[i] != state[i])
        rate = _flip_rate(i, state, index, table_offset, rate_table, code, consts, code_ptr, stack)
        if valid and not _is_valid_rate(rate):
            _record_error(error, i, state[i], rate)
            valid = False
        tree[base + i] = rate
        terms[i] = _entropy_term(i, rate, index, table_offset, rate_table)
    _tree_build(tree, base)
    clock[T] = 0.0
    clock[SEGMENT_START] = 0.0
    counters[KEY] = key
    counters[STALE] = 1
    counters[NEXT_SCHEDULE] = 0
    counters[HD] = hd
    counters[GRAPH_KEY] = graph_key
    clock[HD_START] = 0.0
    clock[GRAPH_SINCE] = 0.0
    return valid


@numba.njit(**_NO_REFCOUNT)
def _store_bits(state, words):
    """``state`` (0/1 per node) as bits: node i is bit i % 64 of ``words[i // 64]``."""
    words[:] = 0
    for i in range(state.shape[0]):
        if state[i] == 1:
            words[i // 64] |= np.uint64(1) << np.uint64(i % 64)


@numba.njit(**_NO_REFCOUNT, inline="always")
def _close_segment(key, state, start, end, states_from, state_columns, used, n_touched, dt, windows):
    """Credit output state ``key`` (now in full ``state``) with the part of [start, end) from ``states_from`` on;
    returns (used, n_touched) (the table must have room).  A segment that ends by ``states_from`` leaves the
    table untouched.  A new column keeps ``state``'s bits."""
    if end <= states_from:
        return used, n_touched
    start = max(start, states_from)
    slot_keys, slot_cols, col_keys, state_acc, state_cur_k, state_partial, touched, col_words = state_columns
    col = column_of(slot_keys, slot_cols, key)
    if col < 0:
        col = used
        insert(slot_keys, slot_cols, col_keys, used, key)
        _store_bits(state, col_words[col])
        used += 1
    was_open = state_cur_k[col] >= 0
    _credit(col, start, end, 1.0, dt, windows, state_cur_k, state_partial, state_acc)
    if not was_open and state_cur_k[col] >= 0:  # a window sum opened: flush it when the trajectory ends
        touched[n_touched] = col
        n_touched += 1
    return used, n_touched


@numba.njit(**_NO_REFCOUNT, inline="always")
def _flip(m, when, net, observe, work, node_columns, clock, counters, term_sum, stale, dt, windows, error):
    """Flip node ``m`` at time ``when`` and update the rates of the nodes that depend on it.

    Node columns past the transition entropy's (n) hold the Hamming distance to
    the reference state: column n + 1 + d is credited while the distance is d.
    A flip of an observed-graph node counts a transition of the graph's state and
    the time spent in the state it leaves.

    Returns (valid, term_sum, stale); valid is False when a new rate is invalid (recorded in ``error``).
    """
    code, consts, code_ptr, dep_ptr, dep_node, out_ptr, out_node, out_bit, table_offset, rate_table = net[:10]
    tree, terms, state, index, t_on, stack = work
    node_acc, cur_k, partial = node_columns
    n = state.shape[0]
    base = _tree_shape(n)[0]
    reference, graph_bit, graph_counts, graph_durations, watched = observe
    if watched[m] and reference[m] >= 0:  # one test on the common path: most nodes are neither
        _credit(n + 1 + counters[HD], clock[HD_START], when, 1.0, dt, windows, cur_k, partial, node_acc)
        clock[HD_START] = when
        counters[HD] += 1 if state[m] == reference[m] else -1
    if watched[m] and graph_bit[m] != 0:
        origin, destination = counters[GRAPH_KEY], counters[GRAPH_KEY] ^ graph_bit[m]
        graph_counts[origin, destination] += 1
        graph_durations[origin, destination] += when - clock[GRAPH_SINCE]
        counters[GRAPH_KEY] = destination
        clock[GRAPH_SINCE] = when
    if state[m] == 1:
        _credit(m, t_on[m], when, 1.0, dt, windows, cur_k, partial, node_acc)
        state[m] = 0
    else:
        state[m] = 1
        t_on[m] = when
    for e in range(out_ptr[m], out_ptr[m + 1]):
        i = out_node[e]
        index[i] ^= out_bit[e]
        rate = _flip_rate(i, state, index, table_offset, rate_table, code, consts, code_ptr, stack)
        if rate != tree[base + i]:  # leaves hold valid rates: a bad one always differs
            if not _is_valid_rate(rate):
                _record_error(error, i, state[i], rate)
                return False, term_sum, stale
            _tree_set(tree, base, i, rate)
            term = _entropy_term(i, rate, index, table_offset, rate_table)
            stale = stale or abs(term) > _HUGE_TERM or abs(terms[i]) > _HUGE_TERM
            term_sum += term - terms[i]
            terms[i] = term
    return True, term_sum, stale


@numba.njit(**_NO_REFCOUNT)
def _apply_schedule(s, t, net, schedule, observe, work, rng, out_bit_of, node_columns, state_columns, clock, counters,
                    track_states, dt, windows, error):
    """Set the nodes scheduled at time ``schedule_time[s]`` (now ``t``); False on a bad rate.

    Each node becomes 1 with its probability (evaluated on the state as the
    earlier nodes of the same time left it) and 0 otherwise, as MaBoSS does.
    """
    code, consts, code_ptr = net[0], net[1], net[2]
    schedule_time, schedule_ptr, schedule_node, schedule_code = schedule
    state, stack = work[2], work[5]
    key, used, n_touched = counters[KEY], counters[USED], counters[TOUCHED]
    term_sum, stale = clock[TERM_SUM], counters[STALE] != 0
    valid = True
    for e in range(schedule_ptr[s], schedule_ptr[s + 1]):
        i = schedule_node[e]
        logic = 1.0 if evaluate_code(code, consts, code_ptr[i, 0], code_ptr[i, 1], state, 0.0, stack) != 0.0 else 0.0
        p = evaluate_code(code, consts, schedule_code[e, 0], schedule_code[e, 1], state, logic, stack)
        value = 1 if p >= _uniform(rng) else 0
        if state[i] == value:
            continue
        if track_states and out_bit_of[i] != 0:
            if t > clock[SEGMENT_START]:
                used, n_touched = _close_segment(key, state, clock[SEGMENT_START], t, clock[STATES_FROM], state_columns,
                                                 used, n_touched, dt, windows)
                clock[SEGMENT_START] = t
            key ^= out_bit_of[i]
        valid, term_sum, stale = _flip(i, t, net, observe, work, node_columns, clock, counters, term_sum, stale,
                                       dt, windows, error)
        if not valid:
            break
    counters[KEY], counters[USED], counters[TOUCHED] = key, used, n_touched
    clock[TERM_SUM], counters[STALE] = term_sum, 1 if stale else 0
    return valid


@numba.njit(**_NO_REFCOUNT, inline="always")
def _run_jumps(net, schedule, observe, work, rng, out_bit_of, node_columns, state_columns, clock, counters, fixed,
               fixed_words, j, track_states, max_time, dt, windows, discrete, error):
    """Jumps of trajectory ``j`` until it ends or needs more state columns; returns DONE, NEED_COLUMNS or BAD_RATE.

    A scheduled time cuts the jump that would pass it, as in MaBoSS: the clock
    stops there and the node drawn for that jump flips there, then the scheduled
    nodes are set.  A trajectory on a fixed point waits for the next scheduled
    time (MaBoSS also flips its last node there: a bug we do not copy).
    """
    tree, terms, state, index, t_on, stack = work
    node_acc, cur_k, partial = node_columns
    col_keys = state_columns[2]
    schedule_time = schedule[0]
    n_schedule = schedule_time.shape[0]
    n = state.shape[0]
    base = _tree_shape(n)[0]
    t, segment_start, term_sum = clock[T], clock[SEGMENT_START], clock[TERM_SUM]
    key, used, n_touched, jumps = counters[KEY], counters[USED], counters[TOUCHED], counters[JUMPS]
    stale, since_exact = counters[STALE] != 0, counters[SINCE_EXACT]
    next_schedule = counters[NEXT_SCHEDULE]
    status = DONE
    while True:
        due = next_schedule < n_schedule and t >= schedule_time[next_schedule]
        if track_states and not has_room(col_keys, used + 1 if due else used):  # room for the states added
            status = NEED_COLUMNS
            break
        if due:
            clock[SEGMENT_START], clock[TERM_SUM] = segment_start, term_sum
            counters[KEY], counters[USED], counters[TOUCHED], counters[STALE] = key, used, n_touched, stale
            valid = _apply_schedule(next_schedule, t, net, schedule, observe, work, rng, out_bit_of, node_columns,
                                    state_columns, clock, counters, track_states, dt, windows, error)
            segment_start, term_sum = clock[SEGMENT_START], clock[TERM_SUM]
            key, used, n_touched, stale = counters[KEY], counters[USED], counters[TOUCHED], counters[STALE] != 0
            next_schedule += 1
            if not valid:
                status = BAD_RATE
                break
        t_limit = schedule_time[next_schedule] if next_schedule < n_schedule else max_time
        total = tree[0]
        moves = total > 0.0
        if moves:
            t_next = min(t + (dt if discrete else -np.log(_uniform(rng)) / total), t_limit)
            if stale or since_exact >= n:
                term_sum = terms.sum()
                stale = False
                since_exact = 0
            since_exact += 1
            entropy = _transition_entropy(total, term_sum)
        elif t_limit < max_time:  # a fixed point until the next scheduled time
            t_next = t_limit
            entropy = 0.0
        else:
            fixed[j] = 1
            _store_bits(state, fixed_words[j])
            t_next = max_time
            entropy = 0.0
        _credit(n, t, min(t_next, max_time), entropy, dt, windows, cur_k, partial, node_acc)
        finished = t_next >= max_time
        moves = moves and not finished
        m = _tree_pick(tree, base, _uniform(rng) * total) if moves else -1
        if track_states and (finished or (moves and out_bit_of[m] != 0)):
            segment_end = max_time if finished else t_next
            used, n_touched = _close_segment(key, state, segment_start, segment_end, clock[STATES_FROM], state_columns,
                                             used, n_touched, dt, windows)
            segment_start = segment_end
            if moves:
                key ^= out_bit_of[m]
        if finished:
            break
        if moves:
            jumps += 1
            valid, term_sum, stale = _flip(m, t_next, net, observe, work, node_columns, clock, counters, term_sum,
                                           stale, dt, windows, error)
            if not valid:
                status = BAD_RATE
                break
        t = t_next
    clock[T], clock[SEGMENT_START], clock[TERM_SUM] = t, segment_start, term_sum
    counters[KEY], counters[USED], counters[TOUCHED], counters[JUMPS] = key, used, n_touched, jumps
    counters[STALE], counters[SINCE_EXACT] = 1 if stale else 0, since_exact
    counters[NEXT_SCHEDULE] = next_schedule
    return status


@numba.njit(**_NO_REFCOUNT, inline="always")
def _end_trajectory(work, node_columns, state_columns, clock, counters, max_time, dt, windows):
    """Credit the nodes still on and the Hamming distance up to max_time and flush every open window sum."""
    tree, terms, state, index, t_on, stack = work
    node_acc, cur_k, partial = node_columns
    state_acc, state_cur_k, state_partial, touched = state_columns[3:7]
    _credit(state.shape[0] + 1 + counters[HD], clock[HD_START], max_time, 1.0, dt, windows, cur_k, partial, node_acc)
    for i in range(state.shape[0]):
        if state[i] == 1:
            _credit(i, t_on[i], max_time, 1.0, dt, windows, cur_k, partial, node_acc)
    for col in range(cur_k.shape[0]):
        _flush_column(col, cur_k, partial, node_acc)
    for p in range(counters[TOUCHED]):
        _flush_column(touched[p], state_cur_k, state_partial, state_acc)
    counters[TOUCHED] = 0


@numba.njit(**_NO_REFCOUNT)
def _run_trajectories(j, count, resume, net, initial, schedule, observe, work, rng, out_bit_of, node_columns,
                      state_columns, clock, counters, fixed, fixed_words, final_keys, seed, first, track_states,
                      max_time, dt, windows, discrete, error):
    """Trajectories ``j .. count - 1`` of the chunk (with ``resume``, trajectory ``j`` goes on where it stopped).

    Returns ``(j, status)``: DONE once all are done, or the trajectory that stopped with NEED_COLUMNS (the
    caller grows the table and resumes it) or BAD_RATE.  The per-trajectory loop lives here, compiled without
    reference counting, rather than in run_chunk: there it paid reference counts on every call it made.
    """
    while j < count:
        if not resume:
            _seed_stream(trajectory_key(seed, first + j), rng)
            if not _start_trajectory(net, initial, observe, work, rng, out_bit_of, clock, counters, error):
                return j, BAD_RATE
        resume = False
        status = _run_jumps(net, schedule, observe, work, rng, out_bit_of, node_columns, state_columns, clock,
                            counters, fixed, fixed_words, j, track_states, max_time, dt, windows, discrete, error)
        if status != DONE:
            return j, status
        _end_trajectory(work, node_columns, state_columns, clock, counters, max_time, dt, windows)
        final_keys[j] = counters[KEY]
        j += 1
    return j, DONE


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _more_columns(state_columns, used):
    """The output-state table and accumulators with twice the columns."""
    slot_keys, slot_cols, col_keys, state_acc, state_cur_k, state_partial, touched, col_words = state_columns
    slot_keys, slot_cols, col_keys = grown(slot_keys, slot_cols, col_keys, used)
    columns = col_keys.shape[0]
    acc = np.zeros((columns,) + state_acc.shape[1:])
    acc[:state_acc.shape[0]] = state_acc
    cur_k = np.full(columns, -1, dtype=np.int64)
    cur_k[:state_cur_k.shape[0]] = state_cur_k
    partial = np.zeros(columns)
    partial[:state_partial.shape[0]] = state_partial
    more_touched = np.zeros(columns, dtype=np.int64)
    more_touched[:touched.shape[0]] = touched
    words = np.zeros((columns, col_words.shape[1]), dtype=np.uint64)
    words[:col_words.shape[0]] = col_words
    return slot_keys, slot_cols, col_keys, acc, cur_k, partial, more_touched, words


def needs_compiling(function=None) -> bool:
    """True when the kernel (or another compiled ``function``) is neither compiled in this process
    nor in numba's on-disk cache (the first simulation on a machine, or after an upgrade), so the
    next run compiles it first.

    >>> isinstance(needs_compiling(), bool)
    True
    """
    function = run_chunk if function is None else function
    if function.signatures:
        return False
    cache = getattr(function, "_cache", None)
    index = getattr(getattr(cache, "_cache_file", None), "_index_path", None)
    return index is None or not os.path.exists(index)


@numba.njit(cache=True, nogil=True, error_model="numpy")
def new_workspace(n, windows, track_states, reference_count=0):
    """Accumulators for :func:`run_chunk`: ``(node_columns, state_columns)``.

    ``reference_count`` is the number of reference nodes (Hamming distances 0 .. that).

    run_chunk leaves them cleared, so a thread reuses its workspace from chunk to
    chunk (freshly allocated accumulators, megabytes for many output states, cost
    more in page faults than the simulation of a chunk).
    """
    width = n + 2 + reference_count
    node_columns = (np.zeros((width, windows + 1, 4)), np.full(width, -1, dtype=np.int64), np.zeros(width))
    slot_keys, slot_cols, col_keys = new_table(STATE_CAPACITY if track_states else 0)
    columns = col_keys.shape[0]
    state_columns = (slot_keys, slot_cols, col_keys, np.zeros((columns, windows + 1, 4)),
                     np.full(columns, -1, dtype=np.int64), np.zeros(columns), np.zeros(columns, dtype=np.int64),
                     np.zeros((columns, (n + 63) // 64), dtype=np.uint64))
    return node_columns, state_columns


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _cleared(workspace, used):
    """The workspace after a chunk that used ``used`` state columns, zeroed for the next one."""
    node_columns, state_columns = workspace
    node_columns[0][:] = 0.0
    node_columns[1][:] = -1  # already so after a trajectory ends, not after a bad rate stopped one
    node_columns[2][:] = 0.0
    state_columns[0][:] = EMPTY
    state_columns[3][:used] = 0.0
    state_columns[4][:used] = -1
    state_columns[5][:used] = 0.0
    return workspace


@numba.njit(cache=True, nogil=True, error_model="numpy")
def run_chunk(code, consts, code_ptr, dep_ptr, dep_node, out_ptr, out_node, out_bit, table_offset, rate_table,
              initial_p, group_ptr, group_node, choice_ptr, choice_cum, choice_levels, output_index,
              schedule_time, schedule_ptr, schedule_node, schedule_code, reference, graph_bit, workspace,
              track_states, seed, first, count, max_time, dt, windows, discrete, states_from):
    """Simulate ``count`` trajectories starting at global index ``first``.

    ``workspace`` comes from :func:`new_workspace` (or the previous call on this thread).
    Output states are tabulated from time ``states_from`` on (0: every window; the start of the
    last window: a caller that needs the final distribution only, such as a population step).

    Returns
    -------
    node_sum, node_sq : (n + 2 + r, windows) sums of per-trajectory window fractions with each node at 1
        (column n: the time-weighted transition entropy; columns n + 1 + d: Hamming distance d to the
        reference state of the r reference nodes, ``reference[i]`` 0 or 1, -1 elsewhere) and of their squares
    graph_counts, graph_durations : (g, g) transitions between the states of the observed-graph nodes
        (``graph_bit[i]``: node i's bit in that state, 0 if it is not observed) and the summed time
        spent in the origin state before each
    state_keys : (s,) output-state keys: bit masks over the outputs (bit p: output p active), or, beyond
        :data:`MAX_TRACKED_OUTPUTS` outputs, 63-bit hashes of the output states (:func:`output_key`)
    cell_state, cell_window, cell_sum, cell_sq : the same sums per output state, for the (state,
        window) cells that are not 0: index into state_keys, window, sum, squares
    state_words : (s, ceil(n/64)) for each output state, the bits of a full state that has it (the state
        itself when every node is an output): node i is bit i % 64 of word i // 64
    fixed : (count,) 1 where the trajectory ended on a fixed point
    fixed_words : (count, ceil(n/64)) that fixed point's bits
    final_keys : (count,) each trajectory's output state at max_time (keys as state_keys)
    jumps : number of transitions
    error : (node, direction, rate) of the first invalid rate met, node -1 if none
    workspace : the workspace (maybe grown), cleared, for the next call
    """
    n = code_ptr.shape[0]
    out_source = np.zeros(out_node.shape[0], dtype=np.int64)   # the node each dependency edge leaves
    for i in range(n):
        out_source[out_ptr[i]:out_ptr[i + 1]] = i
    net = (code, consts, code_ptr, dep_ptr, dep_node, out_ptr, out_node, out_bit, table_offset, rate_table, out_source)
    initial = (initial_p, group_ptr, group_node, choice_ptr, choice_cum, choice_levels)
    schedule = (schedule_time, schedule_ptr, schedule_node, schedule_code)
    work = (np.zeros(_tree_shape(n)[1]), np.zeros(n), np.zeros(n, dtype=np.int8), np.zeros(n, dtype=np.int64),
            np.zeros(n), np.zeros(code.shape[0] + 1))
    rng = np.zeros(4, dtype=np.uint64)
    out_bit_of = np.zeros(n, dtype=np.int64)
    for p in range(output_index.shape[0]):
        out_bit_of[output_index[p]] = output_key(p, output_index.shape[0])
    node_columns, state_columns = workspace
    clock = np.zeros(6)
    clock[STATES_FROM] = states_from
    counters = np.zeros(9, dtype=np.int64)
    fixed = np.zeros(count, dtype=np.int8)
    fixed_words = np.zeros((count, (n + 63) // 64), dtype=np.uint64)
    final_keys = np.zeros(count, dtype=np.int64)
    graph_states = 1
    watched = np.zeros(n, dtype=np.bool_)  # reference or observed-graph nodes
    for i in range(n):
        graph_states += graph_bit[i]
        watched[i] = reference[i] >= 0 or graph_bit[i] != 0
    observe = (reference, graph_bit, np.zeros((graph_states, graph_states), dtype=np.int64),
               np.zeros((graph_states, graph_states)), watched)
    error = np.array([-1.0, 0.0, 0.0])
    j, resume = np.int64(0), False  # np.int64: a literal 0 would compile _run_trajectories a second time
    while True:
        j, status = _run_trajectories(j, count, resume, net, initial, schedule, observe, work, rng, out_bit_of,
                                      node_columns, state_columns, clock, counters, fixed, fixed_words, final_keys,
                                      seed, first, track_states, max_time, dt, windows, discrete, error)
        if status != NEED_COLUMNS:
            break
        state_columns = _more_columns(state_columns, counters[USED])
        resume = True
    node_sum, node_sq = _totals(node_columns[0], node_columns[0].shape[0])
    used = counters[USED]
    cell_state, cell_window, cell_sum, cell_sq = _nonzero_cells(state_columns[3], used)
    return (node_sum, node_sq, state_columns[2][:used].copy(), cell_state, cell_window, cell_sum, cell_sq,
            state_columns[7][:used].copy(), fixed, fixed_words, final_keys, observe[2], observe[3], counters[JUMPS], error, _cleared((node_columns, state_columns), used))
