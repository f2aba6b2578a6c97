"""Constant propagation: nodes whose rule becomes constant once known constants are substituted.

In the asynchronous dynamics every attractor lies in the subspace this returns:
a node whose rule is constant ``c`` there reaches ``c`` and never leaves it.

>>> from booleanidt.model import LogicalModel
>>> from booleanidt.expr import Var, And, Not, Const
>>> model = LogicalModel.from_rules({"I": Const(0), "A": And((Var("I"), Var("B"))), "B": Not(Var("A"))})
>>> percolate(model)
{'I': 0, 'A': 0, 'B': 1}
"""
from __future__ import annotations

from ..expr import Const, Var, simplify, substitute
from ..model import LogicalModel
from .fixed_points import target_level

__all__ = ["percolate"]


def percolate(model: LogicalModel) -> dict:
    """Node -> level for every node fixed by propagating constant rules (free inputs stay free)."""
    graph = model.graph
    levels = model.max_levels
    known: dict = {}
    pending = [n for n in model.nodes if not model.is_input(n)]
    while pending:
        node_id = pending.pop()
        if node_id in known:
            continue
        constants = {Var(n): Const(known[n]) for n in model.regulators(node_id) if n in known}
        rule = simplify(substitute(model.rules[node_id], constants), levels)
        if isinstance(rule, Const):
            known[node_id] = target_level(rule.value, levels[node_id])
            pending.extend(s for s in graph.successors(node_id) if s not in known and not model.is_input(s))
    return {n: known[n] for n in model.nodes if n in known}

