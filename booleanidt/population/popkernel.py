"""The compiled PopMaBoSS kernel: :func:`run_block` simulates trajectories of a cell population.

A population is a short array of *members*: distinct cell states with their numbers of cells,
kept sorted by cell id.  Cell states have no node limit: a state is ``ceil(n / 64)`` uint64 words.
Each cell state met gets an id in a hash table, with its static event rates (those that do
not read a ``#cell`` count), their sum, and its ``#cell`` term values, all computed once; the
counts are kept up to date cell by cell and only the dynamic rates are evaluated again per
event.  Each population met gets an id in a second table, found from an order-independent hash
of its members updated per event and checked member by member, so the time spent in a
population is credited to an integer id.

Time windows: window ``k`` is ``[k dt, (k+1) dt)``; a trajectory's share of a window in a
population (or custom output value) is the fraction of the window it spends there.  Shares are
summed per trajectory in the window the trajectory is in, then added, with their squares (for
standard errors), to sparse ``(id, window)`` sums.  Only the windows a trajectory touches cost
anything.

Trajectory ``j`` draws from the simulator's xoshiro256** stream for ``(seed, j)``
(:func:`~booleanidt.simulation.kernel.trajectory_key`), so results do not depend on which block
or thread runs it.

Examples
--------
>>> from booleanidt.population.pbnd import loads_pbnd
>>> from booleanidt.population.popcompile import compile_population
>>> net = compile_population(loads_pbnd("node A { logic = A; rate_up = 0; rate_down = 0; }\\n"
...                                     "death { rate = 1; }", "A.istate = 1; init_pop = 2;"))
>>> block = run_block(*net.kernel_arrays(), seed=1, first=0, count=100, max_time=1.0, dt=1.0, windows=1)
>>> block.cell_words.tolist(), block.pop_ptr.tolist(), block.pop_count.tolist()   # A, then 2, 1, 0 cells of A
([[1]], [0, 1, 2, 2], [2, 1])
"""
from __future__ import annotations

from typing import NamedTuple

import numba
import numpy as np

from ..simulation.compile import evaluate_code
from ..simulation.kernel import _sample_initial, _seed_stream, _uniform, trajectory_key
from ..simulation.statetable import column_of, grown, has_room, insert, new_table

__all__ = ["run_block", "Block"]

_JIT = dict(cache=True, nogil=True, error_model="numpy")
_INLINE = dict(cache=True, nogil=True, error_model="numpy", inline="always")
_ONE = np.uint64(1)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


class Block(NamedTuple):
    """What :func:`run_block` returns: window sums over its trajectories, with the ids they use.

    Attributes
    ----------
    cell_words : ``(cells, words)`` uint64, the cell states met (bit ``i`` = node ``i``)
    pop_ptr, pop_cell, pop_count : CSR of the populations met: their members' cell ids and numbers
    state_pop, state_window, state_sum, state_sq : per (population, window) met, the sum of the
        trajectories' shares and of their squares
    size_sum, size_sq : ``(windows,)`` sums of the time-averaged population size and its square
    custom_value, custom_window, custom_sum, custom_sq : the same per (custom output value, window)
    """

    cell_words: np.ndarray
    pop_ptr: np.ndarray
    pop_cell: np.ndarray
    pop_count: np.ndarray
    state_pop: np.ndarray
    state_window: np.ndarray
    state_sum: np.ndarray
    state_sq: np.ndarray
    size_sum: np.ndarray
    size_sq: np.ndarray
    custom_value: np.ndarray
    custom_window: np.ndarray
    custom_sum: np.ndarray
    custom_sq: np.ndarray


@numba.njit(**_INLINE)
def _mix(z):
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


@numba.njit(**_INLINE)
def _pair_hash(cell, count):
    """Hash of one member; a population's hash is the sum over its members."""
    return _mix(np.uint64(cell) * _GOLDEN + np.uint64(count))


@numba.njit(**_INLINE)
def _words_hash(words, row):
    h = _GOLDEN
    for w in range(words.shape[1]):
        h = _mix(h ^ words[row, w])
    return h


@numba.njit(**_INLINE)
def _unpack(words, row, n, values):
    for i in range(n):
        values[i] = float((words[row, i >> 6] >> np.uint64(i & 63)) & _ONE)


@numba.njit(**_INLINE)
def _positive(rate):
    """Rates that are not above 0 (NaN included) mean no event."""
    return rate if rate > 0.0 else 0.0


@numba.njit(**_JIT)
def _event_rate(code, consts, node_code, event_code, k, values, stack):
    """Rate of event ``k`` (flip node k < n, division block k - n, death) for a cell with ``values``."""
    n = node_code.shape[0]
    if k < n:
        logic = 1.0 if evaluate_code(code, consts, node_code[k, 0], node_code[k, 1], values, 0.0, stack) != 0.0 \
            else 0.0
        part = 1 if values[k] == 0.0 else 2
        return _positive(evaluate_code(code, consts, node_code[k, part], node_code[k, part + 1], values, logic,
                                       stack))
    e = k - n
    if event_code[e, 0] == event_code[e, 1]:
        return 0.0
    return _positive(evaluate_code(code, consts, event_code[e, 0], event_code[e, 1], values, 0.0, stack))


@numba.njit(**_JIT)
def _grow_rows(array, rows):
    bigger = np.zeros((rows,) + array.shape[1:], dtype=array.dtype)
    bigger[:array.shape[0]] = array
    return bigger


@numba.njit(**_JIT)
def _grow_slots(slots, ids_hash, used):
    """An open-addressing table of ids (-1 free) with twice the slots, ids placed by ``ids_hash``."""
    bigger = np.full(2 * slots.shape[0], -1, dtype=np.int64)
    mask = bigger.shape[0] - 1
    for i in range(used):
        s = np.int64(ids_hash[i] & np.uint64(mask))
        while bigger[s] >= 0:
            s = (s + 1) & mask
        bigger[s] = i
    return bigger


@numba.njit(**_JIT)
def _find_cell(cells, used, words, row, net, values, stack):
    """(cells, used, id) of the cell state ``words[row]``, added (rates, terms) if new."""
    slots, cell_words, cell_hash, static, static_sum, term = cells
    code, consts, node_code, event_code, term_code, dynamic = net
    h = _words_hash(words, row)
    mask = slots.shape[0] - 1
    s = np.int64(h & np.uint64(mask))
    while slots[s] >= 0:
        c = slots[s]
        if cell_hash[c] == h:
            same = True
            for w in range(words.shape[1]):
                if cell_words[c, w] != words[row, w]:
                    same = False
                    break
            if same:
                return cells, used, c
        s = (s + 1) & mask
    if 2 * (used + 1) > slots.shape[0]:
        cell_words, cell_hash = _grow_rows(cell_words, 2 * cell_words.shape[0]), _grow_rows(cell_hash,
                                                                                           2 * cell_hash.shape[0])
        static, static_sum = _grow_rows(static, 2 * static.shape[0]), _grow_rows(static_sum, 2 * static_sum.shape[0])
        term = _grow_rows(term, 2 * term.shape[0])
        slots = _grow_slots(slots, cell_hash, used)
        mask = slots.shape[0] - 1
        s = np.int64(h & np.uint64(mask))
        while slots[s] >= 0:
            s = (s + 1) & mask
    c = used
    slots[s] = c
    cell_words[c] = words[row]
    cell_hash[c] = h
    n = node_code.shape[0]
    _unpack(cell_words, c, n, values)
    total = 0.0
    for k in range(dynamic.shape[0]):
        rate = 0.0 if dynamic[k] else _event_rate(code, consts, node_code, event_code, k, values, stack)
        static[c, k] = rate
        total += rate
    static_sum[c] = total
    for t in range(term_code.shape[0]):
        term[c, t] = 1 if evaluate_code(code, consts, term_code[t, 0], term_code[t, 1], values, 0.0, stack) != 0.0 \
            else 0
    return (slots, cell_words, cell_hash, static, static_sum, term), used + 1, c


@numba.njit(**_INLINE)
def _member_at(mem_cell, m, cell):
    """Position of ``cell`` among the ``m`` members (sorted by cell id), or where it would go."""
    lo, hi = 0, m
    while lo < hi:
        mid = (lo + hi) >> 1
        if mem_cell[mid] < cell:
            lo = mid + 1
        else:
            hi = mid
    return lo


@numba.njit(**_INLINE)
def _add_cells(members, m, h, counts, term, cell, copies):
    """Add ``copies`` cells in state ``cell`` (the member arrays must have room); returns (m, hash)."""
    mem_cell, mem_count = members[0], members[1]
    at = _member_at(mem_cell, m, cell)
    if at < m and mem_cell[at] == cell:
        h -= _pair_hash(cell, mem_count[at])
        mem_count[at] += copies
    else:
        for i in range(m, at, -1):
            mem_cell[i] = mem_cell[i - 1]
            mem_count[i] = mem_count[i - 1]
        mem_cell[at] = cell
        mem_count[at] = copies
        m += 1
    h += _pair_hash(cell, mem_count[at])
    for t in range(counts.shape[0]):
        counts[t] += copies * term[cell, t]
    return m, h


@numba.njit(**_INLINE)
def _remove_cell(members, m, h, counts, term, at):
    """Remove one cell of member ``at``; returns (m, hash)."""
    mem_cell, mem_count = members[0], members[1]
    cell = mem_cell[at]
    h -= _pair_hash(cell, mem_count[at])
    mem_count[at] -= 1
    if mem_count[at] > 0:
        h += _pair_hash(cell, mem_count[at])
    else:
        for i in range(at, m - 1):
            mem_cell[i] = mem_cell[i + 1]
            mem_count[i] = mem_count[i + 1]
        m -= 1
    for t in range(counts.shape[0]):
        counts[t] -= term[cell, t]
    return m, h


@numba.njit(**_JIT)
def _find_pop(pops, used, flat_used, members, m, h):
    """(pops, used, flat_used, id) of the current population, added if new."""
    slots, pop_hash, pop_ptr, pop_cell, pop_count, stamp, open_at = pops
    mem_cell, mem_count = members[0], members[1]
    mask = slots.shape[0] - 1
    s = np.int64(h & np.uint64(mask))
    while slots[s] >= 0:
        p = slots[s]
        if pop_hash[p] == h and pop_ptr[p + 1] - pop_ptr[p] == m:
            same = True
            for i in range(m):
                if pop_cell[pop_ptr[p] + i] != mem_cell[i] or pop_count[pop_ptr[p] + i] != mem_count[i]:
                    same = False
                    break
            if same:
                return pops, used, flat_used, p
        s = (s + 1) & mask
    if 2 * (used + 1) > slots.shape[0]:
        rows = 2 * pop_hash.shape[0]
        pop_hash, pop_ptr = _grow_rows(pop_hash, rows), _grow_rows(pop_ptr, rows + 1)
        stamp, open_at = _grow_rows(stamp, rows), _grow_rows(open_at, rows)
        slots = _grow_slots(slots, pop_hash, used)
        mask = slots.shape[0] - 1
        s = np.int64(h & np.uint64(mask))
        while slots[s] >= 0:
            s = (s + 1) & mask
    if flat_used + m > pop_cell.shape[0]:
        rows = max(2 * pop_cell.shape[0], flat_used + m)
        pop_cell, pop_count = _grow_rows(pop_cell, rows), _grow_rows(pop_count, rows)
    slots[s] = used
    pop_hash[used] = h
    pop_cell[flat_used:flat_used + m] = mem_cell[:m]
    pop_count[flat_used:flat_used + m] = mem_count[:m]
    flat_used += m
    pop_ptr[used + 1] = flat_used
    stamp[used] = -1
    return (slots, pop_hash, pop_ptr, pop_cell, pop_count, stamp, open_at), used + 1, flat_used, used


@numba.njit(**_JIT)
def _add_sums(table, sums, used, key, share):
    """(table, sums, used): ``share`` and its square added to the sums of ``key``."""
    slot_keys, slot_cols, col_keys = table
    col = column_of(slot_keys, slot_cols, key)
    if col < 0:
        if not has_room(col_keys, used):
            slot_keys, slot_cols, col_keys = grown(slot_keys, slot_cols, col_keys, used)
            sums = _grow_rows(sums, col_keys.shape[0])
        insert(slot_keys, slot_cols, col_keys, used, key)
        col = used
        used += 1
    sums[col, 0] += share
    sums[col, 1] += share * share
    return (slot_keys, slot_cols, col_keys), sums, used


# A trajectory's shares of its current window: per population (``open_pop``/``open_share``, with
# ``pops``' stamp/open_at finding a population's entry in O(1)) and per custom value (a short list).
@numba.njit(**_JIT)
def _flush(window, windows, opened, states, custom, size_sums, size_share):
    """Add the open window's shares to the sums; returns (states, custom)."""
    open_pop, open_share, n_open, open_value, open_value_share, n_values = opened
    state_table, state_sums, state_used = states
    for e in range(n_open):
        state_table, state_sums, state_used = _add_sums(state_table, state_sums, state_used,
                                                        open_pop[e] * windows + window, open_share[e])
    custom_table, custom_sums, custom_used = custom
    for e in range(n_values):
        custom_table, custom_sums, custom_used = _add_sums(custom_table, custom_sums, custom_used,
                                                           open_value[e] * windows + window, open_value_share[e])
    size_sums[window, 0] += size_share
    size_sums[window, 1] += size_share * size_share
    return (state_table, state_sums, state_used), (custom_table, custom_sums, custom_used)


#: custom output values above this are counted as this (a population size, in practice, is far below)
MAX_CUSTOM_VALUE = 1 << 40


@numba.njit(**_JIT)
def _initial_population(init, cells, used, members, h, counts, net, rng, state, scratch, values, stack):
    """Draw the population at t = 0; returns (cells, used, members, m, h)."""
    (initial_p, group_ptr, group_node, choice_ptr, choice_cum, choice_levels, pop_node, pop_cum, pop_cell_ptr,
     pop_values, pop_count) = init
    u = _uniform(rng)
    g = 0
    while g < pop_cum.shape[0] - 1 and u > pop_cum[g]:
        g += 1
    m = 0
    need = pop_cell_ptr[g + 1] - pop_cell_ptr[g]
    if members[0].shape[0] < need + 3:
        members = (_grow_rows(members[0], need + 3), _grow_rows(members[1], need + 3),
                   _grow_rows(members[2], need + 3), _grow_rows(members[3], need + 3))
    for c in range(pop_cell_ptr[g], pop_cell_ptr[g + 1]):
        _sample_initial(initial_p, group_ptr, group_node, choice_ptr, choice_cum, choice_levels, rng, state)
        for q in range(pop_node.shape[0]):
            state[pop_node[q]] = pop_values[c, q]
        scratch[0, :] = 0
        for i in range(state.shape[0]):
            if state[i] != 0:
                scratch[0, i >> 6] |= _ONE << np.uint64(i & 63)
        cells, used, cell = _find_cell(cells, used, scratch, 0, net, values, stack)
        m, h = _add_cells(members, m, h, counts, cells[5], cell, pop_count[c])
    return cells, used, members, m, h


@numba.njit(**_JIT)
def _run_block(code, consts, node_code, event_code, daughter_ptr, daughter_node, daughter_code, term_code,
               custom_code, dynamic, initial_p, group_ptr, group_node, choice_ptr, choice_cum, choice_levels, pop_node,
               pop_cum, pop_cell_ptr, pop_values, pop_count, seed, first, count, max_time, dt, windows):
    n = node_code.shape[0]
    n_words = max(1, (n + 63) // 64)
    n_terms = term_code.shape[0]
    n_events = dynamic.shape[0]
    has_custom = custom_code[1] > custom_code[0]
    net = (code, consts, node_code, event_code, term_code, dynamic)
    init = (initial_p, group_ptr, group_node, choice_ptr, choice_cum, choice_levels, pop_node, pop_cum, pop_cell_ptr,
            pop_values, pop_count)
    dyn_events = np.flatnonzero(dynamic)
    n_dyn = dyn_events.shape[0]
    dyn_slot = np.full(n_events, -1, dtype=np.int64)
    for q in range(n_dyn):
        dyn_slot[dyn_events[q]] = q
    values = np.zeros(n + n_terms)
    stack = np.zeros(code.shape[0] + 1)
    state = np.zeros(n, dtype=np.int8)
    scratch = np.zeros((3, n_words), dtype=np.uint64)
    rng = np.zeros(4, dtype=np.uint64)
    counts = np.zeros(n_terms, dtype=np.int64)
    cells = (np.full(64, -1, dtype=np.int64), np.zeros((32, n_words), dtype=np.uint64), np.zeros(32, dtype=np.uint64),
             np.zeros((32, n_events)), np.zeros(32), np.zeros((32, n_terms), dtype=np.int64))
    n_cells = 0
    members = (np.zeros(8, dtype=np.int64), np.zeros(8, dtype=np.int64), np.zeros(8), np.zeros((8, max(n_dyn, 1))))
    pops = (np.full(64, -1, dtype=np.int64), np.zeros(32, dtype=np.uint64), np.zeros(33, dtype=np.int64),
            np.zeros(64, dtype=np.int64), np.zeros(64, dtype=np.int64), np.zeros(32, dtype=np.int64),
            np.zeros(32, dtype=np.int64))
    n_pops = 0
    flat_used = 0
    states = (new_table(64), np.zeros((64, 2)), 0)
    custom = (new_table(64 if has_custom else 1), np.zeros((64 if has_custom else 1, 2)), 0)
    size_sums = np.zeros((windows, 2))
    open_pop, open_share = np.zeros(16, dtype=np.int64), np.zeros(16)
    open_value, open_value_share = np.zeros(16, dtype=np.int64), np.zeros(16)
    stamp = 0
    for j in range(count):
        _seed_stream(trajectory_key(seed, first + j), rng)
        counts[:] = 0
        cells, n_cells, members, m, h = _initial_population(init, cells, n_cells, members, np.uint64(0), counts, net,
                                                            rng, state, scratch, values, stack)
        window, n_open, n_values, size_share = -1, 0, 0, 0.0
        t = 0.0
        while True:
            if m + 3 > members[0].shape[0]:
                rows = 2 * members[0].shape[0]
                members = (_grow_rows(members[0], rows), _grow_rows(members[1], rows), _grow_rows(members[2], rows),
                           _grow_rows(members[3], rows))
            mem_cell, mem_count, mem_rate, mem_dyn = members
            slots, cell_words, cell_hash, static, static_sum, term = cells
            pops, n_pops, flat_used, pop = _find_pop(pops, n_pops, flat_used, members, m, h)
            for k in range(n_terms):
                values[n + k] = float(counts[k])
            size = 0
            total = 0.0
            for i in range(m):
                cell = mem_cell[i]
                rate = static_sum[cell]
                if n_dyn > 0:
                    _unpack(cell_words, cell, n, values)
                    for q in range(n_dyn):
                        r = _event_rate(code, consts, node_code, event_code, dyn_events[q], values, stack)
                        mem_dyn[i, q] = r
                        rate += r
                mem_rate[i] = rate
                size += mem_count[i]
                total += mem_count[i] * rate
            value = -1
            if has_custom:
                v = evaluate_code(code, consts, custom_code[0], custom_code[1], values, 0.0, stack)
                if v >= 0.0:
                    value = np.int64(min(v, MAX_CUSTOM_VALUE))
            t_next = max_time if total <= 0.0 else min(max_time, t - np.log(_uniform(rng)) / total)
            # credit [t, t_next) to this population, window by window
            k = int(t // dt)
            while k < windows and k * dt < t_next:
                share = (min(t_next, (k + 1) * dt, max_time) - max(t, k * dt)) / dt
                if share > 0.0:
                    if k != window:
                        if window >= 0:
                            states, custom = _flush(window, windows, (open_pop, open_share, n_open, open_value,
                                                                      open_value_share, n_values),
                                                    states, custom, size_sums, size_share)
                        window, n_open, n_values, size_share = k, 0, 0, 0.0
                        stamp += 1
                    pop_stamp, pop_open = pops[5], pops[6]
                    if pop_stamp[pop] != stamp:
                        if n_open == open_pop.shape[0]:
                            open_pop, open_share = _grow_rows(open_pop, 2 * n_open), _grow_rows(open_share, 2 * n_open)
                        pop_stamp[pop] = stamp
                        pop_open[pop] = n_open
                        open_pop[n_open] = pop
                        open_share[n_open] = 0.0
                        n_open += 1
                    open_share[pop_open[pop]] += share
                    size_share += size * share
                    if value >= 0:
                        e = 0
                        while e < n_values and open_value[e] != value:
                            e += 1
                        if e == n_values:
                            if n_values == open_value.shape[0]:
                                open_value = _grow_rows(open_value, 2 * n_values)
                                open_value_share = _grow_rows(open_value_share, 2 * n_values)
                            open_value[e] = value
                            open_value_share[e] = 0.0
                            n_values += 1
                        open_value_share[e] += share
                k += 1
            if t_next >= max_time:
                break
            # the event: a member, then one of its events, each in proportion to its rate
            u = _uniform(rng) * total
            at = -1
            for i in range(m):
                if mem_rate[i] > 0.0:
                    at = i
                    w = mem_count[i] * mem_rate[i]
                    if u < w:
                        break
                    u -= w
            cell = mem_cell[at]
            v = u / mem_count[at]
            event = -1
            for k in range(n_events):
                r = mem_dyn[at, dyn_slot[k]] if dynamic[k] else static[cell, k]
                if r > 0.0:
                    event = k
                    if v < r:
                        break
                    v -= r
            targets = 0
            if event < n:
                scratch[0] = cell_words[cell]
                scratch[0, event >> 6] ^= _ONE << np.uint64(event & 63)
                targets = 1
            elif event < n + (daughter_ptr.shape[0] - 1) // 2:
                _unpack(cell_words, cell, n, values)
                d = event - n
                for side in range(2):
                    scratch[side] = cell_words[cell]
                    for q in range(daughter_ptr[2 * d + side], daughter_ptr[2 * d + side + 1]):
                        node = daughter_node[q]
                        bit = _ONE << np.uint64(node & 63)
                        if evaluate_code(code, consts, daughter_code[q, 0], daughter_code[q, 1], values, 0.0,
                                         stack) != 0.0:
                            scratch[side, node >> 6] |= bit
                        else:
                            scratch[side, node >> 6] &= ~bit
                targets = 2
            m, h = _remove_cell(members, m, h, counts, term, at)
            for side in range(targets):
                cells, n_cells, target = _find_cell(cells, n_cells, scratch, side, net, values, stack)
                m, h = _add_cells(members, m, h, counts, cells[5], target, 1)
            t = t_next
        states, custom = _flush(window, windows, (open_pop, open_share, n_open, open_value, open_value_share,
                                                  n_values), states, custom, size_sums, size_share)
    pop_ptr = pops[2][:n_pops + 1].copy()
    state_keys = states[0][2][:states[2]]
    custom_keys = custom[0][2][:custom[2]]
    return (cells[1][:n_cells].copy(), pop_ptr, pops[3][:flat_used].copy(), pops[4][:flat_used].copy(),
            state_keys // windows, state_keys % windows, states[1][:states[2], 0].copy(),
            states[1][:states[2], 1].copy(), size_sums[:, 0].copy(), size_sums[:, 1].copy(),
            custom_keys // windows, custom_keys % windows, custom[1][:custom[2], 0].copy(),
            custom[1][:custom[2], 1].copy())


def run_block(code, consts, node_code, event_code, daughter_ptr, daughter_node, daughter_code, term_code, custom_code,
              dynamic, initial_p, group_ptr, group_node, choice_ptr, choice_cum, choice_levels, pop_node, pop_cum,
              pop_cell_ptr, pop_values, pop_count, *, seed, first, count, max_time, dt, windows) -> Block:
    """Simulate trajectories ``first .. first + count - 1`` (the arrays of
    :meth:`~booleanidt.population.popcompile.CompiledPopulation.kernel_arrays`, then the run's
    seed, max_time, window length ``dt`` and number of windows) and return their :class:`Block`."""
    return Block(*_run_block(code, consts, node_code, event_code, daughter_ptr, daughter_node, daughter_code,
                             term_code, custom_code, dynamic, initial_p, group_ptr, group_node, choice_ptr, choice_cum,
                             choice_levels, pop_node, pop_cum, pop_cell_ptr, pop_values, pop_count,
                             np.uint64(seed & 0xFFFFFFFFFFFFFFFF), first, count, float(max_time), float(dt),
                             int(windows)))
