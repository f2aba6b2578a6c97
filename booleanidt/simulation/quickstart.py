"""The quick-start kernel: the simulation kernel built ahead of time, once per machine, as a native module.

numba compiles the kernel on first use and caches it, but a new process still pays
about half a second to load it (see :mod:`~booleanidt.simulation.engine`).  Here the
same kernel functions (the exact types numba compiled them for) go through numba's
ahead-of-time compiler into a Python extension module that imports without numba.
It gives the same numbers as numba's kernel bit for bit, as fast on one thread, but
holds the GIL (numba's ahead-of-time functions cannot release it), so it serves
small runs and the start of long ones.

The module lives in a cache folder (``BOOLEANIDT_CACHE_DIR``, else
``$XDG_CACHE_HOME/booleanidt``, else ``~/.cache/booleanidt``) under a name that
digests the kernel sources, the modules that call it, and the versions of Python,
numpy and numba, so a change of any of them builds a new one.  ``booleanidt simulate`` starts the build
in the background when the module is missing (it needs a C compiler and takes
10-40 s); ``python -m booleanidt.simulation.quickstart`` builds it in the foreground.
A build that fails leaves a ``.failed`` file with its reason, and runs go on with
numba's kernel.

Every call into the module is checked against the types it was built for (an
ahead-of-time function would read an array of another type as raw memory).

Examples
--------
>>> module_name().startswith("booleanidt_quickstart_")
True
>>> describe(np.zeros(3, dtype=np.int8)), describe((1, 2.0, True))
(['array', '|i1', 1], ['tuple', [['int'], ['float'], ['bool']]])
"""
from __future__ import annotations

import functools
import hashlib
import importlib
import importlib.machinery
import importlib.util
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

from ..errors import BooleanidtError
from ._numba_cache import sources_digest

__all__ = ["QuickStartError", "cache_folder", "module_name", "module_path", "load", "build",
           "start_background_build", "describe", "EXPORTS"]

#: the kernel functions a run calls from Python, and the modules that define them
EXPORTS = {"run_chunk": "booleanidt.simulation.kernel", "new_workspace": "booleanidt.simulation.kernel",
           "fill_rate_tables": "booleanidt.simulation.bytecode", "new_table": "booleanidt.simulation.statetable",
           "merge_cells": "booleanidt.simulation.statetable"}
#: the modules that call the exports: the types they pass are the types a build is made for
CALLERS = ("api.py", "compile.py", "statdist.py", "state_totals.py")
#: a build marked as under way longer ago than this is taken for dead
BUILD_TIMEOUT_SECONDS = 15 * 60

_loaded: dict = {}


class QuickStartError(BooleanidtError):
    """The quick-start module cannot be built, or a call does not match the types it was built for."""


def cache_folder() -> Path:
    """Where quick-start modules are kept (``BOOLEANIDT_CACHE_DIR``, XDG's cache folder, ``~/.cache``)."""
    if os.environ.get("BOOLEANIDT_CACHE_DIR"):
        return Path(os.environ["BOOLEANIDT_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "booleanidt"


def _numba_version_text() -> str:
    spec = importlib.util.find_spec("numba")   # finds the package without importing it (0.2 s)
    if spec is None or spec.origin is None:
        return "no numba"
    version_file = Path(spec.origin).parent / "_version.py"
    return version_file.read_text() if version_file.is_file() else spec.origin


@functools.lru_cache(maxsize=1)
def module_name() -> str:
    """The module's name for these kernel sources, this Python, numpy and numba, and this machine."""
    callers = "\0".join((Path(__file__).parent / name).read_text() for name in CALLERS)
    digest = hashlib.sha256("\0".join((sources_digest(), callers, _numba_version_text(), np.__version__,
                                       sys.version, platform.machine())).encode())
    return "booleanidt_quickstart_" + digest.hexdigest()[:16]


def module_path(folder: Path | None = None) -> Path:
    """Path of the built module (it may not exist)."""
    return (folder or cache_folder()) / (module_name() + importlib.machinery.EXTENSION_SUFFIXES[0])


def describe(value) -> list:
    """The type of an argument as checked against a build: arrays by dtype and dimensions, tuples, scalars."""
    if isinstance(value, np.ndarray):
        return ["array", value.dtype.str, value.ndim]
    if isinstance(value, tuple):
        return ["tuple", [describe(v) for v in value]]
    if isinstance(value, (bool, np.bool_)):
        return ["bool"]
    if isinstance(value, (int, np.integer)):
        return ["int"]
    return ["float"] if isinstance(value, (float, np.floating)) else [type(value).__name__]


def _numba_type_spec(numba_type) -> list:
    """:func:`describe` of a value of ``numba_type`` (what a build records for each argument)."""
    from numba.core import types
    from numba.np.numpy_support import as_dtype
    if isinstance(numba_type, types.Array):
        if numba_type.layout != "C":
            raise QuickStartError(f"an argument is a non-contiguous array ({numba_type})")
        return ["array", as_dtype(numba_type.dtype).str, numba_type.ndim]
    if isinstance(numba_type, types.BaseTuple):
        return ["tuple", [_numba_type_spec(t) for t in numba_type.types]]
    if isinstance(numba_type, types.Boolean):
        return ["bool"]
    if isinstance(numba_type, types.Integer):
        return ["int"]
    if isinstance(numba_type, types.Float):
        return ["float"]
    raise QuickStartError(f"an argument of type {numba_type} cannot be checked")


def _checked(name: str, function, expected: list):
    """``function`` refusing calls whose arguments differ from the types it was built for."""
    def call(*args):
        got = [describe(a) for a in args]
        if got != expected:
            wrong = next(k for k, (g, e) in enumerate(zip(got + [None] * len(expected), expected)) if g != e)
            raise QuickStartError(f"quick-start {name}: argument {wrong} is {got[wrong] if wrong < len(got) else 'missing'}"
                                  f", built for {expected[wrong]}")
        return function(*args)
    call.__name__ = name
    return call


def load(folder: Path | None = None):
    """The built module (its functions checked against their build types), or None when there is none."""
    path = module_path(folder)
    if path in _loaded:
        return _loaded[path]
    module = None
    types_path = path.with_suffix(".json")
    if path.is_file() and types_path.is_file():
        try:
            built_for = json.loads(types_path.read_text())
            spec = importlib.util.spec_from_file_location(module_name(), path)
            native = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(native)
            module = type(sys)(module_name())
            for export in EXPORTS:
                setattr(module, export, _checked(export, getattr(native, export), built_for[export]))
        except (ImportError, OSError, ValueError, KeyError, AttributeError):
            module = None   # a broken build: numba's kernel serves
    _loaded[path] = module
    return module


def _warm_up() -> None:
    """Run a tiny model on numba's kernel, so each exported function has its one compiled signature."""
    from ..expr import Not, Var
    from ..model import LogicalModel
    from .api import simulate
    from .engine import numba_kernel
    numba_kernel()   # loaded first, so the run below uses it
    model = LogicalModel.from_rules({"A": Not(Var("B")), "B": Var("A")})
    simulate(model, max_time=2, time_tick=1, sample_count=4, thread_count=1, seed=0)


def build(folder: Path | None = None) -> Path:
    """Build the quick-start module into ``folder`` (default :func:`cache_folder`) and return its path.

    Raises
    ------
    QuickStartError
        when numba cannot compile it (no C compiler, for one).
    """
    folder = folder or cache_folder()
    folder.mkdir(parents=True, exist_ok=True)
    _warm_up()
    name, path = module_name(), module_path(folder)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # numba.pycc announces its pending deprecation
        from numba.pycc import CC
        built_for = {}
        with tempfile.TemporaryDirectory(dir=folder) as scratch:
            compiler = CC(name)
            compiler.output_dir = scratch
            compiler.target_cpu = "host"
            for export, module in EXPORTS.items():
                dispatcher = getattr(importlib.import_module(module), export)
                if len(dispatcher.signatures) != 1:
                    raise QuickStartError(f"{module}.{export} has {len(dispatcher.signatures)} compiled "
                                          "signatures; the quick-start build needs exactly one")
                signature = dispatcher.overloads[dispatcher.signatures[0]].signature
                built_for[export] = [_numba_type_spec(t) for t in signature.args]
                compiler.export(export, signature)(dispatcher.py_func)
            try:
                compiler.compile()
            except Exception as error:   # the C compiler's or numba's own failure, whatever its type
                raise QuickStartError(f"numba's ahead-of-time compiler failed: {error}") from error
            built = Path(scratch) / path.name
            types_path = path.with_suffix(".json")
            Path(scratch, types_path.name).write_text(json.dumps(built_for))
            os.replace(Path(scratch, types_path.name), types_path)
            os.replace(built, path)   # last: a module is only ever seen complete, with its types beside it
    return path


def _marker(folder: Path, kind: str) -> Path:
    return folder / f"{module_name()}.{kind}"


def start_background_build() -> bool:
    """Start building the module in a detached process unless it loads, failed, or is being built
    (a module that does not load, such as a torn copy, is built again).

    Returns True when a build was started.  The process outlives the caller (as ``git gc --auto``
    does); the next runs use the module once it is there.
    """
    folder = cache_folder()
    if load(folder) is not None or _marker(folder, "failed").is_file():
        return False
    building = _marker(folder, "building")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if building.is_file() and time.time() - building.stat().st_mtime < BUILD_TIMEOUT_SECONDS:
            return False
        building.unlink(missing_ok=True)
        descriptor = os.open(building, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        os.close(descriptor)
        subprocess.Popen([sys.executable, "-m", "booleanidt.simulation.quickstart", "--background"],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True, close_fds=True)
    except OSError:   # a read-only cache folder, or another process started the build first
        return False
    return True


def main(argv=None) -> int:
    """Build the module (``--background``: as started by ``booleanidt simulate``, quietly); 1 if it failed."""
    argv = sys.argv[1:] if argv is None else argv
    background = "--background" in argv
    folder = cache_folder()
    try:
        path = build(folder)
    except Exception as error:   # recorded for every later run, whatever it was: they fall back to numba
        reason = f"{type(error).__name__}: {error}"
        try:
            _marker(folder, "failed").write_text(reason + "\n")
        except OSError:   # the folder itself is the problem: nothing to record it in
            pass
        if not background:
            print(f"quick-start kernel not built in {folder}: {reason}", file=sys.stderr)
        return 1
    finally:
        try:
            _marker(folder, "building").unlink(missing_ok=True)
        except OSError:
            pass
    if not background:
        print(f"quick-start kernel built: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
