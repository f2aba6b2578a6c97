"""Conservative syntactic signs of rule inputs: +1 / -1 only where that is certain.

A variable met only under ``And``/``Or``/``Not``/``Implies`` and ``?:`` branches,
always with the same parity of negations, is a monotone input of that sign.  Any
other occurrence (inside ``Xor``, a comparison, arithmetic, a ``?:`` condition) is
reported as 0, which callers treat as "may be non-monotone".  Unlike
:func:`booleanidt.expr.signs` this never claims monotony that does not hold.

>>> from booleanidt.expr import And, Or, Not, Xor, Var
>>> certain_signs(Or((And((Var("A"), Not(Var("B")))), Xor((Var("C"), Var("D"))))))
{'A': 1, 'B': -1, 'C': 0, 'D': 0}
>>> certain_signs(Or((Var("A"), Not(Var("A")))))
{'A': 0}
"""
from __future__ import annotations

from ..expr import And, Expr, IfThenElse, Implies, Not, Or, Var, children

__all__ = ["certain_signs"]


def certain_signs(expr: Expr) -> dict:
    """Variable -> +1, -1 or 0 (unknown); see the module docstring."""
    found: dict = {}

    def visit(e: Expr, polarity: int):
        if isinstance(e, Var):
            previous = found.get(e.name, polarity)
            found[e.name] = polarity if previous == polarity else 0
        elif isinstance(e, Not):
            visit(e.arg, -polarity)
        elif isinstance(e, (And, Or)):
            for arg in e.args:
                visit(arg, polarity)
        elif isinstance(e, Implies):
            visit(e.left, -polarity)
            visit(e.right, polarity)
        elif isinstance(e, IfThenElse):
            visit(e.cond, 0)
            visit(e.then, polarity)
            visit(e.otherwise, polarity)
        else:
            for child in children(e):
                visit(child, 0)

    visit(expr, 1)
    return dict(sorted(found.items()))
