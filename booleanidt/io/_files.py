"""File helpers shared by the format modules: atomic writes, reading with clear errors.

Examples
--------
>>> import tempfile, os
>>> path = os.path.join(tempfile.mkdtemp(), "x.txt")
>>> atomic_write_text(path, "hello")
>>> read_text(path)
'hello'
"""
from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

from ..errors import InputError

__all__ = ["atomic_write_text", "atomic_write_bytes", "read_text", "png_bytes", "save_png"]


def _umask() -> int:
    """The process umask (read without changing it where /proc tells it)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write_bytes(path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename: no half-written file.

    The file gets the mode a plain ``open`` would give it (0666 less the umask).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())   # mkstemp creates 0600: give the mode open() would
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path, text: str) -> None:
    """Write UTF-8 ``text`` to ``path`` atomically."""
    atomic_write_bytes(path, text.encode("utf-8"))


def read_text(path) -> str:
    """Read a UTF-8 text file; missing, unreadable or empty files raise :class:`InputError`."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, None, "no such file")
    if path.is_dir():
        raise InputError(path, None, "is a directory, not a file")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(path, f"byte {exc.start}", "not UTF-8 text") from None
    except OSError as exc:
        raise InputError(path, None, exc.strerror or str(exc)) from None
    if not text.strip():
        raise InputError(path, None, "file is empty")
    return text


def png_bytes(figure, dpi: int = 120, **savefig_options) -> bytes:
    """A matplotlib figure rendered as PNG bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, **savefig_options)
    return buffer.getvalue()


def save_png(figure, path, dpi: int = 120, **savefig_options) -> None:
    """Write a matplotlib figure to ``path`` as PNG, atomically (no half-written picture)."""
    atomic_write_bytes(path, png_bytes(figure, dpi, **savefig_options))
