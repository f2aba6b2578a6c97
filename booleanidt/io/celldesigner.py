"""CellDesigner disease maps, imported through CaSQ (``pip install booleanidt[celldesigner]``).

CaSQ (Aghamiri et al. 2020, ``casq`` on PyPI) turns a CellDesigner process
diagram into an SBML-qual logical model with its own rules (a product is on when
one of its reactions can fire: all reactants and necessary modifiers present,
no inhibitor).  We run its default conversion (``casq.celldesigner2qual.map_to_model``,
the same as the ``casq`` command without options) into a temporary SBML-qual
file and read that with :mod:`booleanidt.io.sbmlqual`, so ids (``csa1``,
``sa12``...), names, annotations and layout are CaSQ's.  CaSQ logs its own
warnings (merged species, dropped complexes) on stderr.

booleanidt does not write CellDesigner files: export to SBML-qual instead.

Examples
--------
>>> model = read("map.xml")  # doctest: +SKIP
>>> model.nodes["csa1"].name  # doctest: +SKIP
'JNK_complex_cell'
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from ..errors import BooleanidtError, InputError
from ..model import LogicalModel
from . import sbmlqual
from ._files import atomic_write_text, read_text
from ._celldesigner_check import check_map
from ._xml import check_xml_depth

__all__ = ["read", "loads", "CASQ_MISSING"]

#: the message when the optional dependency is absent
CASQ_MISSING = "reading CellDesigner maps needs CaSQ: pip install 'booleanidt[celldesigner]'"


def _casq_converter():
    try:
        from casq.celldesigner2qual import map_to_model
    except ImportError:
        return None
    return map_to_model


def read(path) -> LogicalModel:
    """Convert a CellDesigner map with CaSQ and read the resulting SBML-qual model.

    Raises :class:`~booleanidt.errors.InputError` when the file is missing, empty or
    not a map CaSQ can convert, and :class:`~booleanidt.errors.BooleanidtError`
    when CaSQ is not installed.

    >>> read("missing.xml")
    Traceback (most recent call last):
    ...
    booleanidt.errors.InputError: missing.xml: no such file
    """
    text = read_text(path)
    check_xml_depth(text, str(path))  # clear messages for missing, empty, non-text or too deep files
    convert = _casq_converter()
    if convert is None:
        raise BooleanidtError(f"{path}: {CASQ_MISSING}")
    check_map(text, str(path))        # what CaSQ needs but would stop on with a bare Python error
    with tempfile.TemporaryDirectory(prefix="booleanidt-casq-") as folder:
        converted = Path(folder) / "model.sbml"
        try:
            convert(str(path), str(converted))
        except Exception as exc:  # CaSQ raises bare lxml/ValueError/KeyError errors on what it cannot read
            problem = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise InputError(path, None, f"CaSQ cannot convert this file ({problem})") from None
        try:
            return sbmlqual.read(converted)
        except InputError as exc:
            raise InputError(path, exc.element, f"in CaSQ's SBML-qual output: {exc.problem}") from None


def loads(text: str, source: str = "<string>") -> LogicalModel:
    """:func:`read` on CellDesigner XML given as text (``source`` names it in messages)."""
    with tempfile.TemporaryDirectory(prefix="booleanidt-casq-") as folder:
        path = Path(folder) / "map.xml"
        atomic_write_text(path, text)
        try:
            return read(path)
        except InputError as exc:
            raise InputError(source, exc.element, exc.problem) from None
