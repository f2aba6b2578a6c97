"""Running a clingo program to collect answers, with an optional limit on their number."""
from __future__ import annotations

import clingo

from ..errors import BooleanidtError

__all__ = ["SearchLimitExceeded", "collect"]


class SearchLimitExceeded(BooleanidtError):
    """A search would exceed its limit (answers, states); it stopped and says why."""


def collect(control: clingo.Control, read, limit: int | None, what: str) -> list:
    """``read(model)`` for every answer of the grounded ``control``.

    Raises :class:`SearchLimitExceeded` when there are more than ``limit`` answers.

    >>> control = clingo.Control(["0"])
    >>> control.add("base", [], "{a; b}.")
    >>> control.ground([("base", [])])
    >>> len(collect(control, lambda m: m.symbols(atoms=True), None, "answers"))
    4
    >>> collect(control, lambda m: 0, 3, "answers")
    Traceback (most recent call last):
    ...
    booleanidt.analysis._solving.SearchLimitExceeded: more than 3 answers; fix some inputs or raise the limit
    """
    found = []
    with control.solve(yield_=True) as handle:
        for answer in handle:
            if limit is not None and len(found) >= limit:
                raise SearchLimitExceeded(f"more than {limit} {what}; fix some inputs or raise the limit")
            found.append(read(answer))
    return found
