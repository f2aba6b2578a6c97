"""A guard run on XML text before libsbml or CaSQ parse it: the nesting depth of its elements.

libsbml parses and walks MathML recursively: 10,000 nested ``<apply>`` crash the process
(segmentation fault) and a thousand exhaust Python's stack in any walk of the result.
Real models nest fewer than 30 elements deep (RDF annotations included), so a document
deeper than :data:`MAX_XML_DEPTH` is refused, by a linear scan of the text.

Examples
--------
>>> check_xml_depth("<a><b/><c>text</c></a>", "m.sbml")
>>> check_xml_depth("<math>" + "<apply><not/>" * 300 + "<ci>A</ci>" + "</apply>" * 300 + "</math>", "m.sbml")
Traceback (most recent call last):
...
booleanidt.errors.InputError: m.sbml: line 1: XML elements nested more than 200 levels deep
"""
from __future__ import annotations

import re

from ..errors import InputError
from ..expr import MAX_NESTING

__all__ = ["MAX_XML_DEPTH", "check_xml_depth"]

#: deepest element nesting accepted: MathML takes up to two elements per expression level
MAX_XML_DEPTH = 2 * MAX_NESTING

# start tags, end tags and empty-element tags (not comments, declarations or processing instructions)
_TAG = re.compile(r"<(/?)[A-Za-z_][^<>]*?(/?)>")


def check_xml_depth(text: str, source: str) -> None:
    """Raise :class:`~booleanidt.errors.InputError` naming the line where the elements of
    ``text`` nest deeper than :data:`MAX_XML_DEPTH`."""
    depth = 0
    for match in _TAG.finditer(text):
        if match.group(1):
            depth -= 1
        elif not match.group(2):
            depth += 1
            if depth > MAX_XML_DEPTH:
                line = text.count("\n", 0, match.start()) + 1
                raise InputError(source, f"line {line}", f"XML elements nested more than {MAX_XML_DEPTH} levels deep")
