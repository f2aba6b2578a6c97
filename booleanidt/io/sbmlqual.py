"""SBML-qual (SBML Level 3, qual package version 1): read and write logical models.

Reading handles thresholds, input ids in MathML, defaultTerm,
functionTerms in order, constant and transition-less species kept free, GINsim
constant transitions, maxLevel inference, annotations, notes and layout; writing
gives valid L3V1 qual (literal thresholds, a functionTerm on every
transition, ids, names, annotations, notes and a valid layout kept).

Examples
--------
>>> text = '''<?xml version="1.0" encoding="UTF-8"?>
... <sbml xmlns="http://www.sbml.org/sbml/level3/version1/core" level="3" version="1"
...  xmlns:qual="http://www.sbml.org/sbml/level3/version1/qual/version1" qual:required="true">
... <model id="m"><listOfCompartments><compartment id="c" constant="true"/></listOfCompartments>
... <qual:listOfQualitativeSpecies>
...  <qual:qualitativeSpecies qual:id="A" qual:compartment="c" qual:constant="false" qual:maxLevel="1"/>
...  <qual:qualitativeSpecies qual:id="B" qual:compartment="c" qual:constant="false" qual:maxLevel="1"/>
... </qual:listOfQualitativeSpecies>
... <qual:listOfTransitions><qual:transition qual:id="tB">
...  <qual:listOfInputs><qual:input qual:id="iA" qual:qualitativeSpecies="A" qual:transitionEffect="none"
...   qual:thresholdLevel="1"/></qual:listOfInputs>
...  <qual:listOfOutputs><qual:output qual:qualitativeSpecies="B" qual:transitionEffect="assignmentLevel"/>
...  </qual:listOfOutputs>
...  <qual:listOfFunctionTerms><qual:defaultTerm qual:resultLevel="1"/>
...   <qual:functionTerm qual:resultLevel="0"><math xmlns="http://www.w3.org/1998/Math/MathML">
...    <apply><geq/><ci>A</ci><ci>iA</ci></apply></math></qual:functionTerm>
...  </qual:listOfFunctionTerms></qual:transition></qual:listOfTransitions></model></sbml>'''
>>> from booleanidt.expr import to_text
>>> model = loads(text)
>>> model.inputs, to_text(model.rules["B"])
(('A',), '!A')
>>> loads(dumps(model)).rules == model.rules
True
"""
from __future__ import annotations

import re

import libsbml

from ..model import LogicalModel
from ._files import atomic_write_text, read_text
from ._sbmlqual_read import parse_sbml_qual
from ._sbmlqual_write import format_sbml_qual
from ._xml import check_xml_depth

__all__ = ["loads", "dumps", "read", "write", "consistency_problems"]


def loads(text: str, source: str = "<string>") -> LogicalModel:
    """Parse SBML-qual text.

    Parameters
    ----------
    text : the XML document
    source : name used in error messages (the file name)

    Returns
    -------
    LogicalModel
        One node per qualitativeSpecies, in file order; multi-valued nodes keep
        their levels (see :func:`booleanidt.booleanize.booleanize`).

    Raises
    ------
    booleanidt.errors.InputError
        One line naming the file, the element and the problem.

    Examples
    --------
    >>> loads("")
    Traceback (most recent call last):
    ...
    booleanidt.errors.InputError: <string>: file is empty
    """
    return parse_sbml_qual(text, source)


def dumps(model: LogicalModel) -> str:
    """SBML L3V1 qual text of ``model`` (valid for libsbml's consistency checks).

    Examples
    --------
    >>> from booleanidt.expr import Var
    >>> text = dumps(LogicalModel.from_rules({"A": None, "B": Var("A")}))
    >>> "qual:transition" in text and 'qual:id="B"' in text
    True
    """
    return format_sbml_qual(model)


def read(path) -> LogicalModel:
    """Read an SBML-qual file (errors name the file).

    Examples
    --------
    >>> read("missing.sbml")
    Traceback (most recent call last):
    ...
    booleanidt.errors.InputError: missing.sbml: no such file
    """
    return parse_sbml_qual(read_text(path), str(path))


def write(model: LogicalModel, path) -> None:
    """Write ``model`` to ``path`` as SBML-qual, atomically (no half-written file).

    Examples
    --------
    >>> import os, tempfile
    >>> from booleanidt.expr import Var
    >>> path = os.path.join(tempfile.mkdtemp(), "m.sbml")
    >>> write(LogicalModel.from_rules({"A": None, "B": Var("A")}), path)
    >>> read(path).node_ids
    ('A', 'B')
    """
    atomic_write_text(path, format_sbml_qual(model))


_START_TAG = re.compile(r"<(?P<tag>[A-Za-z_][\w:.-]*)(?P<attributes>[^<>]*)>")
_ID_ATTRIBUTE = re.compile(r"""(?:^|\s)(?:\w+:)?id\s*=\s*["'](?P<id>[^"']+)["']""")


def _element_at(text: str, line_starts: list, line: int, column: int) -> str:
    """``tag id (line N)`` for the element starting at or just after ``line:column``."""
    if not 1 <= line <= len(line_starts):
        return f"line {line}"
    match = _START_TAG.search(text, max(line_starts[line - 1] + column - 2, line_starts[line - 1]))
    if match is None:
        return f"line {line}"
    tag = match.group("tag").split(":")[-1]
    found = _ID_ATTRIBUTE.search(match.group("attributes"))
    return f"{tag} {found.group('id')} (line {line})" if found else f"{tag} (line {line})"


def consistency_problems(text: str, source: str = "<string>") -> list:
    """libsbml's consistency errors of an SBML document (units checks off), as
    ``(element, message)`` pairs; the element is named by its tag and id where it has one,
    ``qualitativeSpecies v_ERK (line 1)``, else by its tag or line.

    Examples
    --------
    >>> from booleanidt.expr import Var
    >>> consistency_problems(dumps(LogicalModel.from_rules({"A": None, "B": Var("A")})))
    []
    """
    check_xml_depth(text, source)
    document = libsbml.readSBMLFromString(text)
    document.setConsistencyChecks(libsbml.LIBSBML_CAT_UNITS_CONSISTENCY, False)
    document.checkConsistency()
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    return [(_element_at(text, line_starts, e.getLine(), e.getColumn()), " ".join(e.getMessage().split()))
            for e in (document.getError(i) for i in range(document.getNumErrors()))
            if e.getSeverity() >= libsbml.LIBSBML_SEV_ERROR]
