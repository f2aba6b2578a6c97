"""Keeps numba's on-disk cache of the compiled kernels from serving code older than its sources.

numba (``cache=True``) reuses a cached function while the file that defines it keeps its
modification time and size.  It does not look at the files of the functions and constants
that function compiles in: the kernels inline ``evaluate_code`` and the opcodes from
``bytecode.py``/``opcodes.py``, the constants of ``engine.py``, the table functions from
``statetable.py``, the population kernel the constants of ``popcompile.py``.  Changing one of those (an update of a source
checkout, a merge) would leave the kernels running the older code, silently.

:func:`refresh` (called by every module that defines a cached kernel, before its functions
are decorated) keeps a digest of all these sources beside them; when it differs, it sets the
modification time of the kernel modules to now, so numba recompiles them once.  Where the
package cannot be written (a system install) nothing is done: its files change only by a new
install, which gives every file a new time anyway.

Examples
--------
>>> refresh()   # idempotent; cheap after the first call in a process
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

__all__ = ["refresh"]

_PACKAGE = Path(__file__).resolve().parent.parent
#: every source compiled into a cached kernel, and the modules that define cached kernels
_SOURCES = ("simulation/bytecode.py", "simulation/opcodes.py", "simulation/engine.py", "simulation/kernel.py",
            "simulation/exponential.py", "simulation/statetable.py", "simulation/truthtable.py",
            "population/popkernel.py", "population/popcompile.py")
_KERNEL_MODULES = ("simulation/bytecode.py", "simulation/kernel.py", "simulation/exponential.py",
                   "simulation/statetable.py", "simulation/truthtable.py", "population/popkernel.py")
_STAMP = _PACKAGE / "simulation" / "__pycache__" / "kernel-sources.sha256"
_done = False


def sources_digest() -> str:
    """SHA-256 of the kernel sources, in a fixed order."""
    digest = hashlib.sha256()
    for name in _SOURCES:
        digest.update(name.encode() + b"\0" + (_PACKAGE / name).read_bytes() + b"\0")
    return digest.hexdigest()


def refresh() -> None:
    """Make numba recompile the cached kernels once if any of their sources changed since the last check."""
    global _done
    if _done:
        return
    _done = True
    try:
        current = sources_digest()
        if _STAMP.is_file() and _STAMP.read_text().strip() == current:
            return
        for name in _KERNEL_MODULES:
            os.utime(_PACKAGE / name)
        _STAMP.parent.mkdir(exist_ok=True)
        _STAMP.write_text(current + "\n")
    except OSError:   # a read-only install: its sources change only with a new install
        pass
