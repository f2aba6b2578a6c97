"""Errors that report a problem with the user's input, not a bug.

The CLI prints these as one line (no traceback) and exits with code 2.
Messages name the file, the element and what is wrong.

Examples
--------
>>> str(InputError("model.sbml", "transition tr_1", "names undeclared species s_X"))
'model.sbml: transition tr_1: names undeclared species s_X'
"""
from __future__ import annotations

__all__ = ["BooleanidtError", "InputError"]


class BooleanidtError(ValueError):
    """Base class of every user-facing error of booleanidt."""


class InputError(BooleanidtError):
    """A problem in an input file: ``file: element: what is wrong``.

    Parameters
    ----------
    source : file name (or a short description such as ``"<string>"``)
    element : the element involved (``"transition tr_3"``, ``"line 12"``), or None
    problem : what is wrong
    """

    def __init__(self, source, element: str | None, problem: str):
        self.source, self.element, self.problem = str(source), element, problem
        parts = [self.source] + ([element] if element else []) + [problem]
        super().__init__(": ".join(parts))
