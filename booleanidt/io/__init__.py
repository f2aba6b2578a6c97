"""Reading and writing models: one module per format, chosen by extension or by name.

Each format module offers ``loads(text, source)`` / ``dumps(model)`` on strings and
``read(path)`` / ``write(model, path)`` on files; this module picks the module.

============  ==================================  =======================
format        extensions                          module
============  ==================================  =======================
sbml          .sbml, .xml (SBML-qual)             :mod:`.sbmlqual`
celldesigner  .xml with CellDesigner annotations  :mod:`.celldesigner`
bnet          .bnet                               :mod:`.bnet`
maboss        .bnd (+ .cfg beside it)             :mod:`.maboss`
============  ==================================  =======================

Examples
--------
>>> detect_format("model.bnet")
'bnet'
>>> detect_format("model.bnd")
'maboss'
"""
from __future__ import annotations

import importlib
from pathlib import Path

from ..errors import InputError

__all__ = ["FORMATS", "detect_format", "read", "write", "format_module"]

#: format name -> module implementing it
FORMATS = {
    "sbml": "booleanidt.io.sbmlqual",
    "celldesigner": "booleanidt.io.celldesigner",
    "bnet": "booleanidt.io.bnet",
    "maboss": "booleanidt.io.maboss",
}

_EXTENSIONS = {".sbml": "sbml", ".xml": "sbml", ".bnet": "bnet", ".bnd": "maboss", ".cfg": "maboss"}


def _looks_like_celldesigner(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return b"celldesigner" in head.lower()


def detect_format(path, role: str = "input") -> str:
    """The format of ``path`` from its extension (and, for .xml inputs, its content)."""
    path = Path(path)
    fmt = _EXTENSIONS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(path, None, f"cannot tell the format from the extension {path.suffix!r} "
                         f"(use one of {', '.join(sorted(_EXTENSIONS))} or name the format)")
    if fmt == "sbml" and role == "input" and _looks_like_celldesigner(path):
        return "celldesigner"
    return fmt


def format_module(fmt: str):
    """The module that implements format ``fmt``."""
    if fmt not in FORMATS:
        raise InputError("<format>", None, f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    return importlib.import_module(FORMATS[fmt])


def read(path, format: str | None = None, cfg=None, **options):
    """Read a model from ``path`` (format from the extension unless given).

    ``cfg`` names a MaBoSS .cfg to apply (parameters, initial states, internal nodes,
    run settings): for a .bnd the one read instead of the .cfg beside it, for another
    format one applied to the model read.

    >>> import booleanidt
    >>> model = booleanidt.read(booleanidt.maps.path("th_differentiation"))  # doctest: +SKIP
    """
    fmt = format or detect_format(path)
    if cfg is None:
        return format_module(fmt).read(path, **options)
    from . import maboss
    if fmt == "maboss":
        return maboss.read(path, cfg_path=cfg, **options)
    return maboss.apply_cfg(format_module(fmt).read(path, **options), cfg)


def write(model, path, format: str | None = None, **options) -> None:
    """Write ``model`` to ``path`` (format from the extension unless given); atomic."""
    fmt = format or detect_format(path, role="output")
    if fmt == "celldesigner":
        raise InputError(path, None, "booleanidt does not write CellDesigner files")
    format_module(fmt).write(model, path, **options)
