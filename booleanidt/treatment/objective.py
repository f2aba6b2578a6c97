"""Treatment objectives: arithmetic over output probabilities, parsed without ``eval``.

An objective such as ``Apoptosis - Proliferation`` or ``(Apoptosis + 1) / (Proliferation + 1)``
is parsed with Python's :mod:`ast` and only numbers, node names, ``+ - * /``, unary
``+``/``-`` and parentheses are accepted; anything else (calls, attributes,
comparisons...) is refused with the offending piece named.  Names must be nodes of
the model.

Its standard error comes from the delta method: the objective is linearised at the
estimated probabilities (central differences), and the variance of that linear score
across trajectories is read from the last window's distribution of output states.
That variance treats each trajectory as sitting in one output state through the last
window, so it is exact when the window is short or the outputs have settled, and an
upper bound otherwise (a trajectory that changes state inside the window averages two
states, which can only shrink the spread).  Unlike adding the outputs' own errors as
if they were independent, it accounts for their correlation (a trajectory that ends
in Apoptosis does not end in Proliferation).

Examples
--------
>>> objective = Objective.parse("Apoptosis - Proliferation")
>>> objective.names
('Apoptosis', 'Proliferation')
>>> objective({"Apoptosis": 0.7, "Proliferation": 0.2})
0.49999999999999994
>>> Objective.parse("__import__('os')")
Traceback (most recent call last):
...
booleanidt.treatment.objective.ObjectiveError: objective "__import__('os')": a call is not allowed (only numbers, node names, + - * / and parentheses)
"""
from __future__ import annotations

import ast
import math
import operator
from dataclasses import dataclass
from typing import Mapping

from ..errors import BooleanidtError

__all__ = ["Objective", "ObjectiveError"]

_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}
_UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos}
#: what ``ast`` node types are called in messages
_KINDS = {ast.Call: "a call", ast.Attribute: "an attribute", ast.Compare: "a comparison", ast.Subscript: "an index",
          ast.BoolOp: "and/or", ast.Pow: "**", ast.Mod: "%", ast.FloorDiv: "//", ast.Lambda: "a lambda"}
_STEP = 1e-6


class ObjectiveError(BooleanidtError):
    """An objective that cannot be parsed or names nodes the model does not have."""


@dataclass(frozen=True)
class Objective:
    """A parsed objective: ``text``, the node ``names`` it reads (in order of appearance) and its tree."""

    text: str
    names: tuple
    tree: ast.expr

    @classmethod
    def parse(cls, text: str, nodes=None, model=None) -> "Objective":
        """Parse ``text``; with ``nodes``, every name must be one of them; with ``model``, names are
        node ids or names (see :func:`booleanidt.naming.resolve`), read as the ids, and must be its nodes.

        >>> Objective.parse("A - B", nodes=["A"])
        Traceback (most recent call last):
        ...
        booleanidt.treatment.objective.ObjectiveError: objective "A - B": B is not a node of the model
        >>> from booleanidt.model import LogicalModel, Node
        >>> m = LogicalModel.from_rules({"sa1": None}, nodes={"sa1": Node("sa1", name="Apoptosis_phenotype")})
        >>> Objective.parse("1 - Apoptosis_phenotype", model=m).names
        ('sa1',)
        """
        try:
            tree = ast.parse(text.strip(), mode="eval").body
        except SyntaxError:
            raise ObjectiveError(f'objective "{text}": not an arithmetic expression') from None
        found = []
        for node in ast.walk(tree):
            _check(node, text)
            if isinstance(node, ast.Name):
                found.append((node.col_offset, node.id))
        names = list(dict.fromkeys(name for _, name in sorted(found)))
        if not names:
            raise ObjectiveError(f'objective "{text}": names no output node')
        if model is not None:
            from ..naming import resolve_known
            ids = {name: resolve_known(model, name) for name in names}
            tree = _Renamed(ids).visit(tree)
            names, nodes = list(dict.fromkeys(ids.values())), model.nodes
        if nodes is not None:
            unknown = [n for n in names if n not in set(nodes)]
            if unknown:
                raise ObjectiveError(f'objective "{text}": {", ".join(unknown)} '
                                     f'{"is not a node" if len(unknown) == 1 else "are not nodes"} of the model')
        return cls(text=text.strip(), names=tuple(names), tree=tree)

    def __call__(self, values: Mapping[str, float]) -> float:
        """The objective's value for output probabilities ``values`` (NaN where it divides by 0)."""
        try:
            return float(_evaluate(self.tree, values))
        except ZeroDivisionError:
            return math.nan

    def gradient(self, values: Mapping[str, float]) -> dict:
        """Partial derivatives by central differences, one per name.

        >>> Objective.parse("2 * A - B").gradient({"A": 0.3, "B": 0.1})
        {'A': 2.0, 'B': -1.0}
        """
        slopes = {}
        for name in self.names:
            up, down = dict(values), dict(values)
            up[name] += _STEP
            down[name] -= _STEP
            slopes[name] = round((self(up) - self(down)) / (2 * _STEP), 9)
        return slopes

    def standard_error(self, values: Mapping[str, float], states: Mapping[tuple, float], count: int) -> float:
        """Delta-method standard error over ``count`` trajectories (see the module docstring).

        ``states`` maps each last-window output state (a tuple of 0/1 over :attr:`names`)
        to its probability.

        >>> Objective.parse("A - B").standard_error({"A": 0.5, "B": 0.5}, {(1, 0): 0.5, (0, 1): 0.5}, 101)
        0.1
        """
        if count < 2:
            return 0.0
        slopes = self.gradient(values)
        weights = [slopes[name] for name in self.names]
        mean = square = 0.0
        for state, probability in states.items():
            score = sum(w * bit for w, bit in zip(weights, state))
            mean += probability * score
            square += probability * score * score
        variance = max(square - mean * mean, 0.0) * count / (count - 1)
        return round(math.sqrt(variance / count), 12)


def _check(node: ast.AST, text: str):
    allowed = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Name, ast.Load) + tuple(_BINARY) + tuple(_UNARY)
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return
    if not isinstance(node, allowed):
        kind = _KINDS.get(type(node), f"{type(node).__name__}" if not isinstance(node, ast.Constant)
                          else f"the constant {node.value!r}")
        raise ObjectiveError(f'objective "{text}": {kind} is not allowed '
                             "(only numbers, node names, + - * / and parentheses)")


class _Renamed(ast.NodeTransformer):
    """A tree whose names are replaced (``ids``: name -> the node id it means)."""

    def __init__(self, ids: Mapping[str, str]):
        self.ids = ids

    def visit_Name(self, node: ast.Name) -> ast.Name:
        return ast.copy_location(ast.Name(id=self.ids.get(node.id, node.id), ctx=node.ctx), node)


def _evaluate(node: ast.expr, values: Mapping[str, float]) -> float:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return values[node.id]
    if isinstance(node, ast.UnaryOp):
        return _UNARY[type(node.op)](_evaluate(node.operand, values))
    return _BINARY[type(node.op)](_evaluate(node.left, values), _evaluate(node.right, values))
