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
or thread runs it.  Waiting times are drawn by the ziggurat
(:func:`~booleanidt.simulation.exponential.exponential`), which needs no logarithm.

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

from ..simulation.bytecode import evaluate_code
from ..simulation import kernel
from ..simulation.exponential import exponential
from ..simulation.kernel import (_GOLDEN, _mix64, _sample_initial, _seed_stream, _store_bits, _uniform,
                                 trajectory_key)
from ..simulation.statetable import column_of, grown, insert, new_table
from .popcompile import PER_CELL, PER_POPULATION, STATIC
from ..simulation._numba_cache import refresh as _refresh_numba_cache

_refresh_numba_cache()   # before any function below is decorated: see _numba_cache

__all__ = ["run_block", "Block", "needs_compiling"]

_JIT = dict(cache=True, nogil=True, error_model="numpy")
# The trajectory loop and its helpers allocate nothing, so they are compiled without numba's reference
# counting, as the simulation kernel's jump loop: the loop stops when a table is full, the caller grows it
# and calls again (see _simulate).
_NO_REFCOUNT = dict(cache=True, nogil=True, error_model="numpy", _nrt=False)
_INLINE = dict(_NO_REFCOUNT, inline="always")
_ONE = np.uint64(1)


class Block(NamedTuple):
    """What :func:`run_block` returns: window sums over its trajectories, with the ids they use.

    Attributes
    ----------
    cell_words : ``(cells, words)`` uint64, the cell states met (bit ``i`` = node ``i``)
    pop_ptr, pop_cell, pop_count : CSR of the populations met: their members' cell ids and numbers
    state_pop, state_window, state_sum, state_sq : per (population, window) partly covered, the sum
        of the trajectories' shares and of their squares
    run_pop, run_window, run_count : per (population, window), the number of trajectories that spent the
        whole window there (a whole window's share is 1, so is its square)
    size_sum, size_sq : ``(windows,)`` sums of the time-averaged population size and its square
    custom_value, ..., run_value_count : the same per custom output value
    """

    cell_words: np.ndarray
    pop_ptr: np.ndarray
    pop_cell: np.ndarray
    pop_count: np.ndarray
    state_pop: np.ndarray
    state_window: np.ndarray
    state_sum: np.ndarray
    state_sq: np.ndarray
    run_pop: np.ndarray
    run_window: np.ndarray
    run_count: np.ndarray
    size_sum: np.ndarray
    size_sq: np.ndarray
    custom_value: np.ndarray
    custom_window: np.ndarray
    custom_sum: np.ndarray
    custom_sq: np.ndarray
    run_value: np.ndarray
    run_value_window: np.ndarray
    run_value_count: np.ndarray


@numba.njit(**_INLINE)
def _pair_hash(cell, count):
    """Hash of one member; a population's hash is the sum over its members."""
    return _mix64(np.uint64(cell) * _GOLDEN + np.uint64(count))


@numba.njit(**_INLINE)
def _words_hash(words, row):
    h = _GOLDEN
    for w in range(words.shape[1]):
        h = _mix64(h ^ words[row, w])
    return h


@numba.njit(**_INLINE)
def _unpack(words, row, n, values):
    for i in range(n):
        values[i] = float((words[row, i >> 6] >> np.uint64(i & 63)) & _ONE)


@numba.njit(**_INLINE)
def _positive(rate):
    """Rates that are not above 0 (NaN included) mean no event."""
    return rate if rate > 0.0 else 0.0


@numba.njit(**_NO_REFCOUNT)
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


# Tables, each a tuple of arrays the loop fills and the caller grows:
#   cells   (slots, words, hash, static rates, their sum, term values, daughters' ids per division, -1 before
#           the first one or when the daughter rules read counts): one row per cell state met
#   members (cell, count): the current population, sorted by cell
#   pops    (slots, hash, ptr, member cells, member counts, stamp, open_at, total rate and its inverse (0 when the
#           total is 0), number of cells (-1 until the rates are computed), custom value, PER_POPULATION rates,
#           per member: per-cell total rate and PER_CELL rates, and the population each event of that member
#           leads to, plus 1 (0: not known yet; for the first members met, as many as fit in MEMO_CELLS)): CSR of
#           the populations met, with their rates and transitions, computed once per population: a known
#           transition costs one lookup
#   opened  (population, share, custom value, share): the current window's shares of the trajectory
#   acc     sums of shares and their squares of partly covered windows, per population and per custom value
#           (slot_keys, slot_cols, col_keys, (columns, 2) sums and squares) keyed id * windows + window; the
#           same tables with differences for whole windows keyed id * (windows + 1) + window; dense
#           (windows, 2) sums and (windows + 1, 2) differences of the population size and its square; and,
#           for the first populations met (as many as fit in DENSE_CELLS), dense (rows, windows, 2) sums and
#           (rows, windows + 1) differences instead of the first two tables: no hashing for the common ones
# ``used`` counts rows: USED_CELLS, USED_POPS, USED_FLAT (member entries of pops), USED_STATES, USED_CUSTOM.
# The loop's own variables live in ``loop`` (int64) and ``clock`` (float) between calls.
(J, PHASE, M, WINDOW, N_OPEN, N_VALUES, STAMP, POP, USED_CELLS, USED_POPS, USED_FLAT, USED_STATES,
 USED_CUSTOM, USED_FULL_STATES, USED_FULL_CUSTOM) = range(15)
T, SIZE_SHARE, T_DT = 0, 1, 2
START, STEP = 0, 1
#: (window, population) cells of a block's dense sums (acc[6] and acc[7]); populations met later are hashed
DENSE_CELLS = 1 << 17
#: (member, event) cells of a block's transition memo (pops[13])
MEMO_CELLS = 1 << 20
# which tables lack room (a bit mask): the loop returns it, the caller grows those tables
ROOM_CELLS, ROOM_MEMBERS, ROOM_POPS, ROOM_FLAT, ROOM_OPEN, ROOM_SUMS = 1, 2, 4, 8, 16, 32


@numba.njit(**_INLINE)
def _lacking(cells, members, pops, opened, acc, loop, m, n_open, n_values, new_cells):
    """Bit mask of the tables without room for one step (``new_cells`` cells and members more, a new
    population of up to ``m + new_cells`` members, and the ``n_open`` populations and ``n_values`` custom
    values of the trajectory's open window flushed)."""
    lacking = 0
    if 2 * (loop[USED_CELLS] + new_cells) > cells[0].shape[0]:
        lacking |= ROOM_CELLS
    if m + new_cells + 1 > members[0].shape[0]:
        lacking |= ROOM_MEMBERS
    if 2 * (loop[USED_POPS] + 1) > pops[0].shape[0]:
        lacking |= ROOM_POPS
    if loop[USED_FLAT] + m + new_cells > pops[3].shape[0]:
        lacking |= ROOM_FLAT
    if n_open + 1 > opened[0].shape[0] or n_values + 1 > opened[2].shape[0]:
        lacking |= ROOM_OPEN
    if loop[USED_STATES] + n_open + 2 >= acc[0][2].shape[0] or \
            loop[USED_CUSTOM] + n_values + 2 >= acc[1][2].shape[0] or \
            loop[USED_FULL_STATES] + 2 >= acc[2][2].shape[0] or loop[USED_FULL_CUSTOM] + 2 >= acc[3][2].shape[0]:
        lacking |= ROOM_SUMS
    return lacking


@numba.njit(**_NO_REFCOUNT)
def _find_cell(cells, used, words, row, net, values, stack):
    """Id of the cell state ``words[row]``, added (rates, terms) if new (the table must have room)."""
    slots, cell_words, cell_hash, static, static_sum, term, daughter_ids = cells
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
                return c
        s = (s + 1) & mask
    c = used[USED_CELLS]
    used[USED_CELLS] += 1
    slots[s] = c
    for w in range(words.shape[1]):
        cell_words[c, w] = words[row, w]
    cell_hash[c] = h
    _unpack(cell_words, c, node_code.shape[0], values)
    total = 0.0
    for k in range(dynamic.shape[0]):
        rate = 0.0 if dynamic[k] != STATIC else _event_rate(code, consts, node_code, event_code, k, values, stack)
        static[c, k] = rate
        total += rate
    static_sum[c] = total
    daughter_ids[c] = -1
    for t in range(term_code.shape[0]):
        term[c, t] = 1 if evaluate_code(code, consts, term_code[t, 0], term_code[t, 1], values, 0.0, stack) != 0.0 \
            else 0
    return c


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


@numba.njit(**_INLINE)
def _load_members(pops, p, members, counts, term):
    """Make population ``p`` the current one (``members`` and ``counts``); returns (m, hash)."""
    pop_ptr, pop_cell, pop_count = pops[2], pops[3], pops[4]
    mem_cell, mem_count = members[0], members[1]
    base, m = pop_ptr[p], pop_ptr[p + 1] - pop_ptr[p]
    for t in range(counts.shape[0]):
        counts[t] = 0
    for i in range(m):
        cell, copies = pop_cell[base + i], pop_count[base + i]
        mem_cell[i], mem_count[i] = cell, copies
        for t in range(counts.shape[0]):
            counts[t] += copies * term[cell, t]
    return m, pops[1][p]


@numba.njit(**_INLINE)
def _find_pop(pops, used, members, m, h):
    """Id of the current population, added if new (the table must have room)."""
    slots, pop_hash, pop_ptr, pop_cell, pop_count, stamp = pops[0], pops[1], pops[2], pops[3], pops[4], pops[5]
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
                return p
        s = (s + 1) & mask
    p, flat = used[USED_POPS], used[USED_FLAT]
    slots[s] = p
    pop_hash[p] = h
    for i in range(m):
        pop_cell[flat + i] = mem_cell[i]
        pop_count[flat + i] = mem_count[i]
    pop_ptr[p + 1] = flat + m
    stamp[p] = -1
    pops[8][p] = -1
    used[USED_POPS] = p + 1
    used[USED_FLAT] = flat + m
    return p


@numba.njit(**_INLINE)
def _add_sums(table, used, key, share):
    """Add ``share`` and its square to the sums of ``key`` (the table must have room); returns ``used``."""
    slot_keys, slot_cols, col_keys, sums = table
    col = column_of(slot_keys, slot_cols, key)
    if col < 0:
        insert(slot_keys, slot_cols, col_keys, used, key)
        col = used
        used += 1
    sums[col, 0] += share
    sums[col, 1] += share * share
    return used


# The trajectory's open window, kept in registers by the loop (``span``): (window, or -1 when none is open;
# number of its populations and of its custom values in ``opened``; the stamp marking those populations in
# ``pops``; the population size's share).  The loop stores it in ``loop``/``clock`` only when it returns.


@numba.njit(**_INLINE)
def _flush(windows, opened, acc, loop, span):
    """Add the trajectory's shares of its open window to the sums; returns the span with no window open."""
    window, n_open, n_values, stamp, size_share = span
    if window < 0:
        return span
    open_pop, open_share, open_value, open_value_share = opened
    states, custom, size_sums, dense = acc[0], acc[1], acc[4], acc[6]
    for e in range(n_open):
        pop, share = open_pop[e], open_share[e]
        if pop < dense.shape[0]:
            dense[pop, window, 0] += share
            dense[pop, window, 1] += share * share
        else:
            loop[USED_STATES] = _add_sums(states, loop[USED_STATES], pop * windows + window, share)
    for e in range(n_values):
        loop[USED_CUSTOM] = _add_sums(custom, loop[USED_CUSTOM], open_value[e] * windows + window,
                                      open_value_share[e])
    size_sums[window, 0] += size_share
    size_sums[window, 1] += size_share * size_share
    return -1, 0, 0, stamp, 0.0


@numba.njit(**_INLINE)
def _credit_part(k, share, pop, size, value, windows, pops, opened, acc, loop, span):
    """Credit ``share`` of window ``k`` (the trajectory's open window, or a later one) to ``pop``; returns
    the span."""
    open_pop, open_share, open_value, open_value_share = opened
    pop_stamp, pop_open = pops[5], pops[6]
    if k != span[0]:
        span = _flush(windows, opened, acc, loop, span)
        span = (k, 0, 0, span[3] + 1, 0.0)
    window, n_open, n_values, stamp, size_share = span
    if pop_stamp[pop] != stamp:
        pop_stamp[pop] = stamp
        pop_open[pop] = n_open
        open_pop[n_open] = pop
        open_share[n_open] = share
        n_open += 1
    else:
        open_share[pop_open[pop]] += share
    if value >= 0:
        e = 0
        while e < n_values and open_value[e] != value:
            e += 1
        if e == n_values:
            open_value[e] = value
            open_value_share[e] = share
            n_values += 1
        else:
            open_value_share[e] += share
    return window, n_open, n_values, stamp, size_share + size * share


@numba.njit(**_INLINE)
def _window_of(x, x_dt, dt):
    """The window ``k`` with ``k dt <= x < (k + 1) dt`` (products as computed), from ``x_dt`` = ``x / dt`` to
    within rounding."""
    k = int(x_dt)  # not x // dt: a floor division of floats costs several times more
    if k * dt > x:
        k -= 1
    elif (k + 1) * dt <= x:
        k += 1
    return k


@numba.njit(**_INLINE)
def _credit(a, b, a_dt, pop, size, value, dt, inv_dt, windows, pops, opened, acc, loop, span):
    """Credit [a, b) in population ``pop`` of ``size`` cells (and custom ``value``, if >= 0); ``a_dt`` is
    ``a / dt`` (the step before computed it) and ``inv_dt`` is ``1 / dt``; returns ``b / dt`` and the span.

    Partly covered windows go to the trajectory's open window; the windows [a, b) covers
    completely, whatever their number, to difference entries (+1 where they start, -1 where
    they stop; :func:`_whole_entries` turns them into per-window counts), so a trajectory that sits
    still costs O(1), not O(windows).  Times are multiplied by ``inv_dt``, not divided by ``dt``: a
    division in every step's chain of dependent operations cost more than the rest of the step; window
    indices stay exact (:func:`_window_of`), shares may differ from a division in the last bit.
    """
    b_dt = b * inv_dt
    if b <= a:
        return b_dt, span
    first = _window_of(a, a_dt, dt)
    if first >= windows:
        return b_dt, span
    if a > first * dt or b < (first + 1) * dt:
        span = _credit_part(first, (min(b, (first + 1) * dt) - a) * inv_dt, pop, size, value, windows, pops, opened,
                            acc, loop, span)
        first += 1
    last = min(_window_of(b, b_dt, dt), windows)
    if last > first:
        full_states, full_custom, size_full, dense_full = acc[2], acc[3], acc[5], acc[7]
        if pop < dense_full.shape[0]:
            dense_full[pop, first] += 1.0
            dense_full[pop, last] -= 1.0
        else:
            loop[USED_FULL_STATES] = _add_sums(full_states, loop[USED_FULL_STATES], pop * (windows + 1) + first, 1.0)
            loop[USED_FULL_STATES] = _add_sums(full_states, loop[USED_FULL_STATES], pop * (windows + 1) + last, -1.0)
        if value >= 0:
            loop[USED_FULL_CUSTOM] = _add_sums(full_custom, loop[USED_FULL_CUSTOM], value * (windows + 1) + first, 1.0)
            loop[USED_FULL_CUSTOM] = _add_sums(full_custom, loop[USED_FULL_CUSTOM], value * (windows + 1) + last, -1.0)
        size_full[first, 0] += size
        size_full[last, 0] -= size
        size_full[first, 1] += size * size
        size_full[last, 1] -= size * size
    if first <= last < windows and b > last * dt:
        span = _credit_part(last, (b - last * dt) * inv_dt, pop, size, value, windows, pops, opened, acc, loop, span)
    return b_dt, span


#: custom output values above this are counted as this (a population size, in practice, is far below)
MAX_CUSTOM_VALUE = 1 << 40


@numba.njit(**_INLINE)
def _initial_group(pop_cum, rng):
    """The ``pop_istate`` population drawn for t = 0."""
    u = _uniform(rng)
    g = 0
    while g < pop_cum.shape[0] - 1 and u > pop_cum[g]:
        g += 1
    return g


@numba.njit(**_INLINE)
def _initial_population(init, g, cells, members, counts, net, rng, work, loop):
    """Draw the cells of ``pop_istate`` population ``g`` into ``members`` (tables must have room for the largest
    one); returns (m, hash)."""
    (initial_p, group_ptr, group_node, choice_ptr, choice_cum, choice_levels, pop_node, pop_cum, pop_cell_ptr,
     pop_values, pop_count) = init
    values, stack, state, scratch = work[0], work[1], work[2], work[3]
    m, h = 0, np.uint64(0)
    for t in range(counts.shape[0]):
        counts[t] = 0
    for c in range(pop_cell_ptr[g], pop_cell_ptr[g + 1]):
        _sample_initial(initial_p, group_ptr, group_node, choice_ptr, choice_cum, choice_levels, rng, state)
        for q in range(pop_node.shape[0]):
            state[pop_node[q]] = pop_values[c, q]
        _store_bits(state, scratch[0])
        cell = _find_cell(cells, loop, scratch, 0, net, values, stack)
        m, h = _add_cells(members, m, h, counts, cells[5], cell, pop_count[c])
    return m, h


@numba.njit(**_INLINE)
def _daughters(cell, d, cells, daughter, net, work, loop):
    """Ids of the two daughters of a ``cell`` dividing by block ``d`` (cells must have room for two more)."""
    daughter_ptr, daughter_node, daughter_code, daughter_dynamic = daughter
    code, consts, node_code = net[0], net[1], net[2]
    values, stack, scratch = work[0], work[1], work[3]
    cell_words, daughter_ids = cells[1], cells[6]
    if daughter_ids[cell, d, 0] >= 0:
        return daughter_ids[cell, d, 0], daughter_ids[cell, d, 1]
    _unpack(cell_words, cell, node_code.shape[0], values)
    for side in range(2):
        for w in range(scratch.shape[1]):
            scratch[side, w] = cell_words[cell, w]
        for q in range(daughter_ptr[2 * d + side], daughter_ptr[2 * d + side + 1]):
            node = daughter_node[q]
            bit = _ONE << np.uint64(node & 63)
            if evaluate_code(code, consts, daughter_code[q, 0], daughter_code[q, 1], values, 0.0, stack) != 0.0:
                scratch[side, node >> 6] |= bit
            else:
                scratch[side, node >> 6] &= ~bit
    first = _find_cell(cells, loop, scratch, 0, net, values, stack)
    second = _find_cell(cells, loop, scratch, 1, net, values, stack)
    if not daughter_dynamic[d]:
        daughter_ids[cell, d, 0], daughter_ids[cell, d, 1] = first, second
    return first, second


@numba.njit(**_NO_REFCOUNT)
def _rates(pops, p, cells, counts, net, work, cell_events, population_events, custom_code):
    """Store population ``p``'s rates (the current population, whose ``#cell`` counts are ``counts``): each
    member's per-cell total rate, the dynamic rates (PER_CELL ones per member, PER_POPULATION ones once),
    their total, the number of cells and the custom output's value (-1: none)."""
    pop_ptr, pop_cell, pop_count, pop_total, pop_size, pop_value, pop_shared, pop_rate, pop_dyn = (
        pops[2], pops[3], pops[4], pops[7], pops[8], pops[9], pops[10], pops[11], pops[12])
    code, consts, node_code, event_code = net[0], net[1], net[2], net[3]
    values, stack = work[0], work[1]
    n = node_code.shape[0]
    for k in range(counts.shape[0]):
        values[n + k] = float(counts[k])
    shared = 0.0
    for q in range(population_events.shape[0]):
        pop_shared[p, q] = _event_rate(code, consts, node_code, event_code, population_events[q], values, stack)
        shared += pop_shared[p, q]
    size = 0
    total = 0.0
    for i in range(pop_ptr[p], pop_ptr[p + 1]):
        cell = pop_cell[i]
        rate = cells[4][cell] + shared
        if cell_events.shape[0] > 0:
            _unpack(cells[1], cell, n, values)
            for q in range(cell_events.shape[0]):
                r = _event_rate(code, consts, node_code, event_code, cell_events[q], values, stack)
                pop_dyn[i, q] = r
                rate += r
        pop_rate[i] = rate
        size += pop_count[i]
        total += pop_count[i] * rate
    pop_total[p, 0], pop_total[p, 1], pop_size[p] = total, 1.0 / total if total > 0.0 else 0.0, size
    pop_value[p] = -1
    if custom_code[1] > custom_code[0]:
        v = evaluate_code(code, consts, custom_code[0], custom_code[1], values, 0.0, stack)
        if v >= 0.0:
            pop_value[p] = np.int64(min(v, MAX_CUSTOM_VALUE))


@numba.njit(**_INLINE)
def _pick(pops, p, cells, dynamic, dyn_slot, u):
    """(member, event) of population ``p`` where ``u`` (in [0, total rate)) falls; never one of rate 0."""
    base, pop_count, pop_rate = pops[2][p], pops[4], pops[11]
    at = -1
    for i in range(pops[2][p + 1] - base):
        if pop_rate[base + i] > 0.0:
            at = i
            w = pop_count[base + i] * pop_rate[base + i]
            if u < w:
                break
            u -= w
    cell = pops[3][base + at]
    v = u / pop_count[base + at]
    event = -1
    for k in range(dynamic.shape[0]):
        kind = dynamic[k]
        if kind == STATIC:
            r = cells[3][cell, k]
        elif kind == PER_CELL:
            r = pops[12][base + at, dyn_slot[k]]
        else:
            r = pops[10][p, dyn_slot[k]]
        if r > 0.0:
            event = k
            if v < r:
                break
            v -= r
    return at, event


@numba.njit(**_INLINE)
def _enter(pops, loop, members, m, h, cells, counts, net, work, cell_events, population_events, custom_code):
    """Id of the population in ``members``, its rates computed if it is new."""
    pop = _find_pop(pops, loop, members, m, h)
    if pops[8][pop] < 0:
        _rates(pops, pop, cells, counts, net, work, cell_events, population_events, custom_code)
    return pop


@numba.njit(**_NO_REFCOUNT)
def _simulate(net, daughter, custom_code, init, cell_events, population_events, dyn_slot, cells, members, pops, opened,
              acc, work, rng, counts, loop, clock, seed, first, count, max_time, dt, windows, new_cells, fixed_initial,
              draws_per_cell, initial_memo):
    """Run trajectories from where ``loop``/``clock`` say until the block ends (returns 0) or a table
    lacks room (returns the ROOM_* mask, with where the loop stands in ``loop``/``clock``; the caller grows
    those tables and calls again).  The loop's own variables are locals in between: kept in registers, not
    reloaded after every store to an array."""
    node_code, dynamic = net[2], net[5]
    values, stack, scratch = work[0], work[1], work[3]
    n = node_code.shape[0]
    n_divisions = daughter[3].shape[0]
    pop_ptr, memo = pops[2], pops[13]
    inv_dt = 1.0 / dt
    j, phase, pop, m = loop[J], loop[PHASE], loop[POP], loop[M]
    t, t_dt = clock[T], clock[T_DT]
    span = (loop[WINDOW], loop[N_OPEN], loop[N_VALUES], loop[STAMP], clock[SIZE_SHARE])
    while j < count:
        lacking = _lacking(cells, members, pops, opened, acc, loop, m, span[1], span[2],
                           new_cells if phase == START else 2)
        if lacking:
            loop[J], loop[PHASE], loop[POP], loop[M] = j, phase, pop, m
            clock[T], clock[T_DT] = t, t_dt
            loop[WINDOW], loop[N_OPEN], loop[N_VALUES], loop[STAMP], clock[SIZE_SHARE] = span
            return lacking
        if phase == START:
            _seed_stream(trajectory_key(seed, first + j), rng)
            g = _initial_group(init[7], rng)
            if initial_memo[g] >= 0:  # population g, known from a trajectory before: only its draws are made
                for _ in range(draws_per_cell * (init[8][g + 1] - init[8][g])):
                    _uniform(rng)
                pop = initial_memo[g]
                m = pop_ptr[pop + 1] - pop_ptr[pop]
            else:
                m, h = _initial_population(init, g, cells, members, counts, net, rng, work, loop)
                pop = _enter(pops, loop, members, m, h, cells, counts, net, work, cell_events, population_events,
                             custom_code)
                if fixed_initial:
                    initial_memo[g] = pop
            t, t_dt = 0.0, 0.0
            phase = STEP
            continue
        total, inv_total, size, value = pops[7][pop, 0], pops[7][pop, 1], pops[8][pop], pops[9][pop]
        t_next = max_time if total <= 0.0 else min(max_time, t + exponential(rng) * inv_total)
        t_next_dt, span = _credit(t, t_next, t_dt, pop, size, value, dt, inv_dt, windows, pops, opened, acc, loop,
                                  span)
        if t_next >= max_time:
            span = _flush(windows, opened, acc, loop, span)
            j += 1
            phase = START
            continue
        at, event = _pick(pops, pop, cells, dynamic, dyn_slot, _uniform(rng) * total)
        member = pop_ptr[pop] + at
        t, t_dt = t_next, t_next_dt
        if member < memo.shape[0] and memo[member, event] > 0:
            pop = memo[member, event] - 1
            m = pop_ptr[pop + 1] - pop_ptr[pop]
            continue
        m, h = _load_members(pops, pop, members, counts, cells[5])
        cell = members[0][at]
        first_target, second_target = -1, -1
        if event < n:
            for w in range(scratch.shape[1]):
                scratch[0, w] = cells[1][cell, w]
            scratch[0, event >> 6] ^= _ONE << np.uint64(event & 63)
            first_target = _find_cell(cells, loop, scratch, 0, net, values, stack)
        elif event < n + n_divisions:
            first_target, second_target = _daughters(cell, event - n, cells, daughter, net, work, loop)
        m, h = _remove_cell(members, m, h, counts, cells[5], at)
        for target in (first_target, second_target):
            if target >= 0:
                m, h = _add_cells(members, m, h, counts, cells[5], target, 1)
        pop = _enter(pops, loop, members, m, h, cells, counts, net, work, cell_events, population_events, custom_code)
        if member < memo.shape[0]:
            memo[member, event] = pop + 1
    loop[J] = j
    return 0


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
def _grown_sums(table, used, need):
    slot_keys, slot_cols, col_keys, sums = table
    while used + need >= col_keys.shape[0]:
        slot_keys, slot_cols, col_keys = grown(slot_keys, slot_cols, col_keys, used)
    return slot_keys, slot_cols, col_keys, _grow_rows(sums, col_keys.shape[0])


@numba.njit(**_JIT)
def _new_sums(capacity):
    slot_keys, slot_cols, col_keys = new_table(capacity)
    return slot_keys, slot_cols, col_keys, np.zeros((col_keys.shape[0], 2))


@numba.njit(**_JIT)
def _run_block(code, consts, node_code, event_code, daughter_ptr, daughter_node, daughter_code, term_code,
               custom_code, dynamic, daughter_dynamic, initial_p, group_ptr, group_node, choice_ptr, choice_cum,
               choice_levels, pop_node, pop_cum, pop_cell_ptr, pop_values, pop_count, seed, first, count, max_time, dt,
               windows):
    n = node_code.shape[0]
    n_words = max(1, (n + 63) // 64)
    n_terms = term_code.shape[0]
    net = (code, consts, node_code, event_code, term_code, dynamic)
    daughter = (daughter_ptr, daughter_node, daughter_code, daughter_dynamic)
    n_divisions = daughter_dynamic.shape[0]
    init = (initial_p, group_ptr, group_node, choice_ptr, choice_cum, choice_levels, pop_node, pop_cum, pop_cell_ptr,
            pop_values, pop_count)
    cell_events = np.flatnonzero(dynamic == PER_CELL)
    population_events = np.flatnonzero(dynamic == PER_POPULATION)
    dyn_slot = np.zeros(dynamic.shape[0], dtype=np.int64)
    for q in range(cell_events.shape[0]):
        dyn_slot[cell_events[q]] = q
    for q in range(population_events.shape[0]):
        dyn_slot[population_events[q]] = q
    new_cells = 2
    for g in range(pop_cell_ptr.shape[0] - 1):
        new_cells = max(new_cells, pop_cell_ptr[g + 1] - pop_cell_ptr[g])
    work = (np.zeros(n + n_terms), np.zeros(code.shape[0] + 1), np.zeros(n, dtype=np.int8),
            np.zeros((2, n_words), dtype=np.uint64))
    rng = np.zeros(4, dtype=np.uint64)
    # every node the cells' istate draws is set by pop_istate: each pop_istate population always starts the same,
    # after the same number of draws per cell
    set_by_pop = np.zeros(n, dtype=np.bool_)
    for q in range(pop_node.shape[0]):
        set_by_pop[pop_node[q]] = True
    fixed_initial = True
    draws_per_cell = group_ptr.shape[0] - 1
    for i in range(n):
        if 0.0 < initial_p[i] < 1.0:
            draws_per_cell += 1
            fixed_initial = fixed_initial and set_by_pop[i]
    for q in range(group_node.shape[0]):
        fixed_initial = fixed_initial and set_by_pop[group_node[q]]
    initial_memo = np.full(pop_cum.shape[0], -1, dtype=np.int64)
    counts = np.zeros(n_terms, dtype=np.int64)
    cells = (np.full(64, -1, dtype=np.int64), np.zeros((32, n_words), dtype=np.uint64), np.zeros(32, dtype=np.uint64),
             np.zeros((32, dynamic.shape[0])), np.zeros(32), np.zeros((32, n_terms), dtype=np.int64),
             np.zeros((32, n_divisions, 2), dtype=np.int64))
    members = (np.zeros(16, dtype=np.int64), np.zeros(16, dtype=np.int64))
    pops = (np.full(64, -1, dtype=np.int64), np.zeros(32, dtype=np.uint64), np.zeros(33, dtype=np.int64),
            np.zeros(64, dtype=np.int64), np.zeros(64, dtype=np.int64), np.zeros(32, dtype=np.int64),
            np.zeros(32, dtype=np.int64), np.zeros((32, 2)), np.zeros(32, dtype=np.int64), np.zeros(32, dtype=np.int64),
            np.zeros((32, population_events.shape[0])), np.zeros(64),
            np.zeros((64, cell_events.shape[0])),
            np.zeros((64 if 64 * dynamic.shape[0] <= MEMO_CELLS else 0, dynamic.shape[0]), dtype=np.int64))
    opened = (np.zeros(16, dtype=np.int64), np.zeros(16), np.zeros(16, dtype=np.int64), np.zeros(16))
    dense_rows = 32 if 32 * (windows + 1) <= DENSE_CELLS else 0
    acc = (_new_sums(64), _new_sums(64), _new_sums(64), _new_sums(64), np.zeros((windows, 2)),
           np.zeros((windows + 1, 2)), np.zeros((dense_rows, windows, 2)), np.zeros((dense_rows, windows + 1)))
    loop = np.zeros(USED_FULL_CUSTOM + 1, dtype=np.int64)
    loop[WINDOW] = -1
    clock = np.zeros(3)
    while True:
        lacking = _simulate(net, daughter, custom_code, init, cell_events, population_events, dyn_slot, cells,
                            members, pops, opened, acc, work, rng, counts, loop, clock, seed, first, count, max_time,
                            dt, windows, new_cells, fixed_initial, draws_per_cell, initial_memo)
        if lacking == 0:
            break
        if lacking & ROOM_CELLS:
            rows = 2 * cells[1].shape[0]
            cells = (_grow_slots(cells[0], cells[2], loop[USED_CELLS]), _grow_rows(cells[1], rows),
                     _grow_rows(cells[2], rows), _grow_rows(cells[3], rows), _grow_rows(cells[4], rows),
                     _grow_rows(cells[5], rows), _grow_rows(cells[6], rows))
        if lacking & ROOM_MEMBERS:
            rows = 2 * members[0].shape[0] + new_cells
            members = (_grow_rows(members[0], rows), _grow_rows(members[1], rows))
        if lacking & ROOM_POPS:
            rows = 2 * pops[1].shape[0]
            pops = (_grow_slots(pops[0], pops[1], loop[USED_POPS]), _grow_rows(pops[1], rows),
                    _grow_rows(pops[2], rows + 1), pops[3], pops[4], _grow_rows(pops[5], rows),
                    _grow_rows(pops[6], rows), _grow_rows(pops[7], rows), _grow_rows(pops[8], rows),
                    _grow_rows(pops[9], rows), _grow_rows(pops[10], rows), pops[11], pops[12], pops[13])
            if acc[6].shape[0] == rows // 2 and rows * (windows + 1) <= DENSE_CELLS:  # no population hashed yet
                acc = acc[:6] + (_grow_rows(acc[6], rows), _grow_rows(acc[7], rows))
        if lacking & ROOM_FLAT:
            rows = 2 * pops[3].shape[0] + members[0].shape[0]
            memo = pops[13]
            if memo.shape[0] == pops[3].shape[0] and rows * dynamic.shape[0] <= MEMO_CELLS:  # every member memoised
                memo = _grow_rows(memo, rows)
            pops = (pops[0], pops[1], pops[2], _grow_rows(pops[3], rows), _grow_rows(pops[4], rows), pops[5], pops[6],
                    pops[7], pops[8], pops[9], pops[10], _grow_rows(pops[11], rows), _grow_rows(pops[12], rows), memo)
        if lacking & ROOM_OPEN:
            opened = (_grow_rows(opened[0], 2 * opened[0].shape[0]), _grow_rows(opened[1], 2 * opened[1].shape[0]),
                      _grow_rows(opened[2], 2 * opened[2].shape[0]), _grow_rows(opened[3], 2 * opened[3].shape[0]))
        if lacking & ROOM_SUMS:
            acc = (_grown_sums(acc[0], loop[USED_STATES], loop[N_OPEN] + 2),
                   _grown_sums(acc[1], loop[USED_CUSTOM], loop[N_VALUES] + 2),
                   _grown_sums(acc[2], loop[USED_FULL_STATES], 2), _grown_sums(acc[3], loop[USED_FULL_CUSTOM], 2),
                   acc[4], acc[5], acc[6], acc[7])
    size_sums, size_full = acc[4], acc[5]
    running = np.zeros(2)
    for k in range(windows):
        running += size_full[k]
        size_sums[k] += running
    return (cells[1][:loop[USED_CELLS]].copy(), pops[2][:loop[USED_POPS] + 1].copy(), pops[3][:loop[USED_FLAT]].copy(),
            pops[4][:loop[USED_FLAT]].copy()) + \
        _partial_entries(acc[6], min(loop[USED_POPS], acc[6].shape[0]), acc[0], loop[USED_STATES], windows) + \
        _whole_entries(acc[7], min(loop[USED_POPS], acc[7].shape[0]), acc[2], loop[USED_FULL_STATES], windows) + \
        (size_sums[:, 0].copy(), size_sums[:, 1].copy()) + \
        _partial_entries(acc[6][:0], 0, acc[1], loop[USED_CUSTOM], windows) + \
        _whole_entries(acc[7][:0], 0, acc[3], loop[USED_FULL_CUSTOM], windows)


@numba.njit(**_JIT)
def _partial_entries(dense, rows, table, used, windows):
    """(id, window, sum, squares) arrays of the partly covered windows: the non-zero cells of the first
    ``rows`` rows of ``dense``, then the sums table (keyed id * windows + window)."""
    n = 0
    for p in range(rows):
        for w in range(windows):
            if dense[p, w, 0] != 0.0:
                n += 1
    ids, window = np.empty(n + used, dtype=np.int64), np.empty(n + used, dtype=np.int64)
    sums, squares = np.empty(n + used), np.empty(n + used)
    e = 0
    for p in range(rows):
        for w in range(windows):
            if dense[p, w, 0] != 0.0:
                ids[e], window[e], sums[e], squares[e] = p, w, dense[p, w, 0], dense[p, w, 1]
                e += 1
    keys = table[2][:used]
    ids[n:], window[n:] = keys // windows, keys % windows
    sums[n:], squares[n:] = table[3][:used, 0], table[3][:used, 1]
    return ids, window, sums, squares


@numba.njit(**_JIT)
def _whole_entries(dense, rows, table, used, windows):
    """(id, window, count) arrays of the whole windows: how many trajectories spent window ``w`` in ``id``,
    from the differences (+1 where a run of whole windows starts, -1 after it ends) of the first ``rows``
    rows of ``dense`` and of the sums table keyed id * (windows + 1) + window."""
    keys = table[2][:used]
    order = np.argsort(keys)
    ids, window, count = np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), np.empty(0)
    for fill in range(2):  # count the entries, then fill them
        e = 0
        for p in range(rows):
            running = 0.0
            for w in range(windows):
                running += dense[p, w]
                if running != 0.0:
                    if fill:
                        ids[e], window[e], count[e] = p, w, running
                    e += 1
        running = 0.0
        for q in range(used):
            key = keys[order[q]]
            running += table[3][order[q], 0]
            stop = windows
            if q + 1 < used and keys[order[q + 1]] // (windows + 1) == key // (windows + 1):
                stop = keys[order[q + 1]] % (windows + 1)
            for w in range(key % (windows + 1), stop):
                if running != 0.0:
                    if fill:
                        ids[e], window[e], count[e] = key // (windows + 1), w, running
                    e += 1
        if not fill:
            ids, window, count = np.empty(e, dtype=np.int64), np.empty(e, dtype=np.int64), np.empty(e)
    return ids, window, count


def run_block(code, consts, node_code, event_code, daughter_ptr, daughter_node, daughter_code, term_code, custom_code,
              dynamic, daughter_dynamic, initial_p, group_ptr, group_node, choice_ptr, choice_cum, choice_levels, pop_node, pop_cum,
              pop_cell_ptr, pop_values, pop_count, *, seed, first, count, max_time, dt, windows) -> Block:
    """Simulate trajectories ``first .. first + count - 1`` (the arrays of
    :meth:`~booleanidt.population.popcompile.CompiledPopulation.kernel_arrays`, then the run's
    seed, max_time, window length ``dt`` and number of windows) and return their :class:`Block`."""
    return Block(*_run_block(code, consts, node_code, event_code, daughter_ptr, daughter_node, daughter_code,
                             term_code, custom_code, dynamic, daughter_dynamic, initial_p, group_ptr, group_node, choice_ptr, choice_cum,
                             choice_levels, pop_node, pop_cum, pop_cell_ptr, pop_values, pop_count,
                             np.uint64(seed & 0xFFFFFFFFFFFFFFFF), first, count, float(max_time), float(dt),
                             int(windows)))


def needs_compiling() -> bool:
    """True when the population kernel is compiled neither in this process nor in numba's on-disk cache.

    >>> isinstance(needs_compiling(), bool)
    True
    """
    return kernel.needs_compiling(_run_block)
