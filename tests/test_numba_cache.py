"""numba's cache of the kernels never outlives a change of the sources compiled into them."""
from __future__ import annotations

import os

import pytest

from booleanidt.simulation import _numba_cache


@pytest.fixture
def package(tmp_path, monkeypatch):
    """A stand-in package folder with the kernel sources, old modification times, and a fresh process state."""
    for name in _numba_cache._SOURCES:
        path = tmp_path / name
        path.parent.mkdir(exist_ok=True)
        path.write_text(f"# {name}\n")
        os.utime(path, (1_000_000, 1_000_000))
    monkeypatch.setattr(_numba_cache, "_PACKAGE", tmp_path)
    monkeypatch.setattr(_numba_cache, "_STAMP", tmp_path / "simulation" / "__pycache__" / "kernel-sources.sha256")
    monkeypatch.setattr(_numba_cache, "_done", False)
    return tmp_path


def _kernel_times(package) -> list:
    return [(package / name).stat().st_mtime for name in _numba_cache._KERNEL_MODULES]


def _new_process(monkeypatch):
    monkeypatch.setattr(_numba_cache, "_done", False)


def test_a_changed_dependency_makes_every_kernel_module_recompile(package, monkeypatch):
    _numba_cache.refresh()                               # first check: no stamp yet, so recompile once
    assert all(t > 1_000_000 for t in _kernel_times(package))
    for name in _numba_cache._KERNEL_MODULES:
        os.utime(package / name, (2_000_000, 2_000_000))
    _new_process(monkeypatch)
    _numba_cache.refresh()                               # nothing changed: the cache is kept
    assert _kernel_times(package) == [2_000_000] * len(_numba_cache._KERNEL_MODULES)
    (package / "simulation" / "opcodes.py").write_text("# a new opcode\n")   # kernel.py itself unchanged
    _new_process(monkeypatch)
    _numba_cache.refresh()
    assert all(t > 2_000_000 for t in _kernel_times(package))
    assert _numba_cache._STAMP.read_text().strip() == _numba_cache.sources_digest()


def test_a_read_only_install_is_left_alone(package, monkeypatch):
    def refused(*args, **kwargs):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(os, "utime", refused)
    _numba_cache.refresh()                               # no error, nothing written
    assert not _numba_cache._STAMP.exists()
