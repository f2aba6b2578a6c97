"""Result folders written whole: a command's files go into a temporary sibling folder that
then takes the place of the old one, so a kill or an error never leaves a mix of old and
new files, and no file of an earlier run survives a new one.

A folder that holds files the command did not write (``-o ~/work``) is refused rather
than replaced: a result set never deletes what the user put there.

Examples
--------
>>> import os, tempfile
>>> target = os.path.join(tempfile.mkdtemp(), "run")
>>> with result_folder(target, ours=lambda name: name.endswith(".csv")) as folder:
...     write_into(folder, {"a.csv": "1\\n", "b.csv": b"2\\n"})
>>> sorted(os.listdir(target))
['a.csv', 'b.csv']
>>> with result_folder(target, ours=lambda name: name.endswith(".csv")) as folder:
...     write_into(folder, {"c.csv": "3\\n"})
>>> sorted(os.listdir(target))   # a.csv and b.csv were the older run's
['c.csv']
"""
from __future__ import annotations

import ctypes
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable

from ..errors import InputError
from ._files import _output_error, _umask

__all__ = ["result_folder", "write_into"]

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _checked_target(target: Path, ours: Callable[[str], bool]) -> None:
    if target.exists() and not target.is_dir():
        raise InputError(target, None, "is a file; name a folder for the results")
    blocking = next((p for p in target.parents if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        raise InputError(target, None, f"cannot write: {blocking} is a file, not a folder")
    if target.is_dir():
        foreign = sorted(name for name in os.listdir(target) if not ours(name))
        if foreign:
            more = f" and {len(foreign) - 1} other(s)" if len(foreign) > 1 else ""
            raise InputError(target, None, f"holds {foreign[0]}{more}, which this command did not write; "
                             "name a new or empty folder (an earlier run's results are replaced whole)")


def _exchange(first: Path, second: Path) -> bool:
    """Swap two folders in one step (Linux renameat2); False where the system cannot."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    done = renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0
    return done


def _swap_in(new: Path, target: Path) -> None:
    """Put folder ``new`` at ``target``; the folder there before is deleted."""
    if not target.exists():
        os.rename(new, target)
        return
    if not _exchange(new, target):
        old = new.with_name(new.name + ".old")
        os.rename(target, old)
        os.rename(new, target)
        new = old
    shutil.rmtree(new, ignore_errors=True)


@contextmanager
def result_folder(path, ours: Callable[[str], bool]):
    """A temporary folder to write a result set into; on success it becomes ``path``.

    Parameters
    ----------
    path : the results folder (created, or replaced whole when it holds an earlier run)
    ours : tells the names of files this command writes; a ``path`` holding any other
        file is refused (:class:`~booleanidt.errors.InputError`)
    """
    target = Path(path)
    _checked_target(target, ours)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
        os.chmod(staging, 0o777 & ~_umask())
    except OSError as exc:
        raise _output_error(target, exc, folder=True) from None
    try:
        yield staging
        _swap_in(staging, target)
    except OSError as exc:
        raise _output_error(target, exc, folder=True) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def write_into(folder: Path, files) -> None:
    """Write ``{name: str or bytes}`` into ``folder`` (a staging folder of :func:`result_folder`)."""
    for name, data in files.items():
        (Path(folder) / name).write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
