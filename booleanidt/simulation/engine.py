"""Which compiled kernel a simulation runs on: numba's, or the quick-start module.

The kernel is compiled by numba and kept in numba's on-disk cache.  Loading it
costs a new process about half a second (numba imports itself and sets up its
compiler library before it loads a cached function), which a small run, a script
of many small runs or a cohort worker pays every time.  The quick-start module
(:mod:`~booleanidt.simulation.quickstart`) is the same kernel built ahead of time,
once per machine, as a native extension: it loads in milliseconds, gives the same
numbers bit for bit and runs a chunk of trajectories as fast, but holds the GIL, so
it runs a run's chunks one at a time.

:func:`current_kernel` chooses: numba's kernel when this process has loaded it
already, otherwise the quick-start module when it has been built, otherwise
numba's kernel.  A run with several threads that starts on the quick-start module
moves to numba's kernel once it proves long (see
:func:`~booleanidt.simulation.api.run_totals`).
``BOOLEANIDT_QUICK_START=0`` turns the quick-start module off.

Examples
--------
>>> kernel = current_kernel()
>>> kernel.name in ("numba", "quick-start")
True
>>> numba_kernel().name
'numba'
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Callable

__all__ = ["Kernel", "current_kernel", "numba_kernel", "needs_compiling", "quick_start_enabled",
           "MAX_TRACKED_OUTPUTS", "STATE_CAPACITY", "RATE", "RATE_LOG_RATE", "COMPILING_NOTICE"]

#: output-state tables are kept when there are at most this many output nodes
MAX_TRACKED_OUTPUTS = 63
#: output-state columns a workspace starts with (the table doubles when needed)
STATE_CAPACITY = 64
#: columns of a compiled model's ``rate_table``: the flip rate r, and r log2 r for the transition entropy
RATE, RATE_LOG_RATE = 0, 1
#: what is said before a run that compiles the kernel
COMPILING_NOTICE = "compiling the simulation kernel, once per machine (about 30 s)"

_NUMBA_MODULE = "booleanidt.simulation.kernel"


@dataclass(frozen=True)
class Kernel:
    """The compiled functions a run calls from Python, from one of the two builds."""

    name: str
    run_chunk: Callable
    new_workspace: Callable
    fill_rate_tables: Callable
    new_table: Callable
    merge_cells: Callable

    @property
    def is_quick_start(self) -> bool:
        """True for the ahead-of-time build (fast to load, one thread at a time)."""
        return self.name == "quick-start"


def quick_start_enabled() -> bool:
    """False when ``BOOLEANIDT_QUICK_START`` is ``0`` (or ``no``/``false``)."""
    return os.environ.get("BOOLEANIDT_QUICK_START", "1").strip().lower() not in ("0", "no", "false", "off")


def numba_kernel() -> Kernel:
    """numba's kernel (imports numba and loads the kernel from its cache, or compiles it)."""
    from . import bytecode, kernel, statetable
    return Kernel("numba", kernel.run_chunk, kernel.new_workspace, bytecode.fill_rate_tables,
                  statetable.new_table, statetable.merge_cells)


def _quick_start_kernel() -> Kernel | None:
    if not quick_start_enabled():
        return None
    from . import quickstart
    module = quickstart.load()
    if module is None:
        return None
    return Kernel("quick-start", module.run_chunk, module.new_workspace, module.fill_rate_tables,
                  module.new_table, module.merge_cells)


def current_kernel() -> Kernel:
    """numba's kernel if this process has loaded it, else the quick-start module if built, else numba's."""
    if _NUMBA_MODULE not in sys.modules:
        quick = _quick_start_kernel()
        if quick is not None:
            return quick
    return numba_kernel()


def needs_compiling() -> bool:
    """True when the next run compiles numba's kernel first (no quick-start module, nothing cached).

    >>> isinstance(needs_compiling(), bool)
    True
    """
    if current_kernel().is_quick_start:
        return False
    from . import kernel
    return kernel.needs_compiling()
