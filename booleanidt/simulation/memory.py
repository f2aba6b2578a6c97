"""How much memory a simulation takes, and refusing a run that cannot fit before it starts.

A run's memory has a part known before it starts, proportional to the number of
time windows (``max_time / time_tick``): each worker thread's accumulators (one
row of 4 doubles per window for every node and for the first
:data:`~booleanidt.simulation.engine.STATE_CAPACITY` output states), the run's
totals and the result tables.  The output-state tables add, for every distinct
output state the trajectories visit, :data:`BYTES_PER_STATE_WINDOW` bytes per
window; how many states are visited is known only as the run goes, so the run
checks it after each chunk of trajectories.

Examples
--------
>>> fixed_bytes(nodes=10, windows=100, threads=1, track_states=True) < 1e6
True
>>> check_fits(fixed_bytes(10, 10 ** 13, 1, True), "x", available=2 ** 34)
Traceback (most recent call last):
...
booleanidt.simulation.memory.MemoryLimitError: this run needs about 29,000 TB of memory (x) and about 17 GB is available
"""
from __future__ import annotations

import os
import resource

from ..errors import BooleanidtError
from .engine import STATE_CAPACITY

__all__ = ["MemoryLimitError", "available_bytes", "fixed_bytes", "state_bytes", "check_fits", "readable_bytes",
           "BYTES_PER_STATE_WINDOW"]

#: per output state and window: the sparse cells while running (key, hash slot, sum, square,
#: doubled while a table grows), then the dense sums and squares, the temporaries of the
#: standard errors and the probability and error tables.  Peak RSS growth measured on corpus
#: runs with 30-40 outputs (ewing_full 23,259 states, Montagud2022 135,671, sizek 199,654;
#: 500 windows) was 68, 43 and 87 bytes per state and window.
BYTES_PER_STATE_WINDOW = 12 * 8

#: per node and window: the thread accumulator (4 doubles), the run's sums and squares (2),
#: the probability and error tables (2) and the tables joined for writing (2)
_BYTES_PER_NODE_WINDOW = 10 * 8


class MemoryLimitError(BooleanidtError):
    """A run that would need more memory than the machine has available."""


def fixed_bytes(nodes: int, windows: int, threads: int, track_states: bool) -> int:
    """Bytes a run of ``nodes`` nodes over ``windows`` windows needs whatever states it visits."""
    per_thread = (STATE_CAPACITY if track_states else 0) * (windows + 1) * 4 * 8
    return (nodes + 1) * (windows + 1) * _BYTES_PER_NODE_WINDOW + threads * per_thread


def state_bytes(states: int, windows: int) -> int:
    """Bytes the output-state tables take for ``states`` distinct states."""
    return states * windows * BYTES_PER_STATE_WINDOW


def readable_bytes(count: float) -> str:
    """``1.5e9`` -> ``'1.5 GB'``."""
    for unit, size in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6)):
        if count >= size:
            return f"{float(f'{count / size:.2g}'):,g} {unit}"
    return f"{count / 1e3:.2g} kB"


def available_bytes() -> float:
    """Memory this process may still take: the machine's available memory, and the
    address-space limit (``ulimit -v``) less what is already mapped, whichever is smaller."""
    limits = []
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    limits.append(int(line.split()[1]) * 1024)
    except OSError:
        pass
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY:
        limits.append(soft - _mapped_bytes())
    if not limits:
        pages = os.sysconf("SC_AVPHYS_PAGES") if hasattr(os, "sysconf") else 0
        limits.append(pages * os.sysconf("SC_PAGE_SIZE") if pages else float("inf"))
    return max(0, min(limits))


def _mapped_bytes() -> int:
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0


def check_fits(needed: float, what_to_change: str, available: float | None = None) -> None:
    """Raise :class:`MemoryLimitError` when ``needed`` bytes exceed the memory available."""
    available = available_bytes() if available is None else available
    if needed > available:
        raise MemoryLimitError(f"this run needs about {readable_bytes(needed)} of memory ({what_to_change}) "
                               f"and about {readable_bytes(available)} is available")
