"""Running a clingo program to collect answers, with an optional limit on their number."""
from __future__ import annotations

import time

import clingo

from ..errors import BooleanidtError

__all__ = ["SearchLimitExceeded", "collect"]


class SearchLimitExceeded(BooleanidtError):
    """A search would exceed its limit (answers, states); it stopped and says why."""


def collect(control: clingo.Control, read, limit: int | None, what: str,
            time_limit: float | None = None) -> list:
    """``read(model)`` for every answer of the grounded ``control``.

    Raises :class:`SearchLimitExceeded` when there are more than ``limit`` answers, or
    when the search takes longer than ``time_limit`` seconds.

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
    deadline = None if time_limit is None else time.monotonic() + time_limit
    with control.solve(yield_=True, async_=True) as handle:
        while True:
            handle.resume()
            remaining = None if deadline is None else max(deadline - time.monotonic(), 0.0)
            if remaining is not None and not handle.wait(remaining):
                handle.cancel()
                raise SearchLimitExceeded(f"{what}: gave up after {time_limit:g} s with {len(found)} found; "
                                          "fix some inputs or raise the time limit")
            answer = handle.model()
            if answer is None:
                return found
            if limit is not None and len(found) >= limit:
                raise SearchLimitExceeded(f"more than {limit} {what}; fix some inputs or raise the limit")
            found.append(read(answer))
