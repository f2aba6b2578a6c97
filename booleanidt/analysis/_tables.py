"""Tidy result tables shared by the analyses: node columns, one row per result, sorted."""
from __future__ import annotations

from typing import Iterable, Sequence

import pandas as pd

__all__ = ["column_order", "result_table"]


def column_order(node_ids: Sequence[str], first: Iterable[str] | None = None) -> list:
    """Node ids with the nodes in ``first`` (phenotypes) moved to the front, in their order.

    >>> column_order(["A", "B", "C"], first=["C"])
    ['C', 'A', 'B']
    """
    first = [n for n in (first or ()) if n in node_ids]
    return first + [n for n in node_ids if n not in first]


def result_table(rows: list, node_ids: Sequence[str], first: Iterable[str] | None = None) -> pd.DataFrame:
    """A DataFrame of ``rows`` (dicts node -> value), columns ordered, rows sorted.

    Rows are sorted on their values as text so that 0, 1 and ``'*'`` sort together.

    >>> result_table([{"A": 1, "B": 0}, {"A": 0, "B": 1}], ["A", "B"], first=["B"])
       B  A
    0  0  1
    1  1  0
    """
    columns = column_order(node_ids, first)
    table = pd.DataFrame(rows, columns=columns)
    if table.empty:
        return table
    order = sorted(range(len(table)), key=lambda i: tuple(str(v) for v in table.iloc[i]))
    return table.iloc[order].reset_index(drop=True)
