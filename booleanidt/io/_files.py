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

import errno
import io
import os
import tempfile
from pathlib import Path

from ..errors import InputError

__all__ = ["atomic_write_files", "atomic_write_text", "atomic_write_bytes", "read_text", "png_bytes", "save_png"]


def _output_error(path: Path, exc: OSError, folder: bool = False) -> InputError:
    """An OSError while writing ``path`` (a file, or a results ``folder``) as the one-line error
    a user gets (exit code 2)."""
    blocking = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        problem = f"{blocking} is a file, not a folder"
    elif path.is_dir() and not folder:
        problem = "is a folder; name a file"
    else:
        problem = exc.strerror or str(exc)
    return InputError(path, None, f"cannot write: {problem}")


def _temporary_copy(path: Path, data: bytes) -> str:
    """``data`` in a new file beside ``path`` (mode 0666 less the umask, as ``open`` would make it)."""
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a folder", str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def atomic_write_files(files) -> None:
    """Write ``{path: bytes or str}``: every file is written in full beside its target first,
    then all are renamed into place one after the other, so an error (a full disk, a
    folder where a file goes) leaves none of them changed.  Errors raise :class:`InputError`.

    >>> import tempfile, os
    >>> folder = tempfile.mkdtemp()
    >>> atomic_write_files({os.path.join(folder, "a.txt"): "A", os.path.join(folder, "b.txt"): b"B"})
    >>> sorted(os.listdir(folder))
    ['a.txt', 'b.txt']
    >>> atomic_write_files({os.path.join(folder, "a.txt", "c.txt"): "C"})
    Traceback (most recent call last):
    ...
    booleanidt.errors.InputError: .../a.txt/c.txt: cannot write: .../a.txt is a file, not a folder
    """
    written = {}
    try:
        for path, data in files.items():
            path = Path(path)
            written[path] = _temporary_copy(path, data.encode("utf-8") if isinstance(data, str) else data)
        for path, tmp in written.items():
            os.replace(tmp, path)
    except OSError as exc:
        raise _output_error(path, exc) from None
    finally:
        for tmp in written.values():
            Path(tmp).unlink(missing_ok=True)


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
    """Write ``data`` to ``path`` through a temporary file and a rename: no half-written file."""
    atomic_write_files({path: data})


def atomic_write_text(path, text: str) -> None:
    """Write UTF-8 ``text`` to ``path`` atomically."""
    atomic_write_files({path: text})


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
