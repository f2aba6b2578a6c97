"""Expression trees as clingo ground programs, one atom per sub-expression (Tseitin style).

Every sub-expression becomes a *value map*: each value it can take -> a program
literal that is true exactly when it takes that value.  Node levels come from an
``env`` (node id -> value map), so the same rule can be encoded over the current
state (fixed points) or over the extreme points of a subspace (trap spaces).
Boolean operators treat any non-zero value as true, as :func:`booleanidt.expr.evaluate` does.

Examples
--------
>>> import clingo
>>> from booleanidt.expr import Var, Not, And
>>> control = clingo.Control()
>>> with control.backend() as backend:
...     circuit = Circuit(backend)
...     a, b = backend.add_atom(), backend.add_atom()
...     backend.add_rule([a, b], choice=True)
...     value = circuit.encode(And((Var("A"), Not(Var("B")))), {"A": {0: -a, 1: a}, "B": {0: -b, 1: b}})
...     circuit.require(value[1])
>>> control.ground([])
>>> models = []
>>> _ = control.solve(on_model=lambda m: models.append((m.is_true(a), m.is_true(b))))
>>> models
[(True, False)]
"""
from __future__ import annotations

import itertools
from typing import Mapping

from ..errors import BooleanidtError
from ..expr import (ARITHMETIC, COMPARISONS, And, Arith, Compare, Const, Expr, IfThenElse, Implies,
                    Neg, Not, Or, Var, Xor)

__all__ = ["Circuit", "NotALogicalRule"]


class NotALogicalRule(BooleanidtError):
    """A rule that uses rate-only constructs ($parameters, @logic) cannot be analysed."""


class Circuit:
    """Adds the value maps of expressions to a clingo backend.

    Parameters
    ----------
    backend : clingo.backend.Backend, open (inside ``with control.backend()``)
    """

    def __init__(self, backend):
        self.backend = backend
        self.true = backend.add_atom()
        backend.add_rule([self.true])
        self.false = -self.true

    # --- small helpers ----------------------------------------------------------------

    def atom_defined_by(self, bodies) -> int:
        """A fresh atom true exactly when one of the bodies (lists of literals) holds."""
        atom = self.backend.add_atom()
        for body in bodies:
            self.backend.add_rule([atom], list(body))
        return atom

    def require(self, literal: int) -> None:
        """Add the constraint that ``literal`` is true."""
        self.backend.add_rule([], [-literal])

    def forbid(self, *literals: int) -> None:
        """Add the constraint that the literals are not all true."""
        self.backend.add_rule([], list(literals))

    def boolean(self, literal: int) -> dict:
        """The value map of a truth value given by ``literal``."""
        return {0: -literal, 1: literal}

    def truth(self, values: Mapping) -> int:
        """A literal true when the value is non-zero."""
        if 0 not in values:
            return self.true
        return -values[0]

    def choose_level(self, max_level: int) -> dict:
        """The value map of a free level in 0..max_level (one atom per level above 0)."""
        if max_level == 1:
            atom = self.backend.add_atom()
            self.backend.add_rule([atom], choice=True)
            return self.boolean(atom)
        atoms = [self.backend.add_atom() for _ in range(max_level + 1)]
        self.backend.add_rule(atoms, choice=True)
        self.forbid(*(-a for a in atoms))
        for first, second in itertools.combinations(atoms, 2):
            self.forbid(first, second)
        return dict(enumerate(atoms))

    # --- encoding ---------------------------------------------------------------------

    def encode(self, expr: Expr, env: Mapping[str, Mapping]) -> dict:
        """Value map of ``expr`` with node levels given by ``env``.

        Shared sub-trees (the same object) are encoded once per call.
        """
        memo: dict = {}

        def visit(e: Expr) -> dict:
            key = id(e)
            if key not in memo:
                memo[key] = self._encode_node(e, visit, env)
            return memo[key]

        return visit(expr)

    def _encode_node(self, e: Expr, visit, env) -> dict:
        if isinstance(e, Const):
            return {e.value: self.true}
        if isinstance(e, Var):
            return dict(env[e.name])
        if isinstance(e, Not):
            return self.boolean(-self.truth(visit(e.arg)))
        if isinstance(e, And):
            truths = [self.truth(visit(a)) for a in e.args]
            return self.boolean(self.atom_defined_by([truths]))
        if isinstance(e, Or):
            truths = [self.truth(visit(a)) for a in e.args]
            return self.boolean(self.atom_defined_by([t] for t in truths))
        if isinstance(e, Xor):
            parity = self.false
            for arg in e.args:
                t = self.truth(visit(arg))
                parity = self.atom_defined_by([[parity, -t], [-parity, t]])
            return self.boolean(parity)
        if isinstance(e, Implies):
            left, right = self.truth(visit(e.left)), self.truth(visit(e.right))
            return self.boolean(self.atom_defined_by([[-left], [right]]))
        if isinstance(e, Compare):
            test = COMPARISONS[e.op]
            return self._combine(visit(e.left), visit(e.right), lambda a, b: int(test(a, b)))
        if isinstance(e, Arith):
            return self._combine(visit(e.left), visit(e.right), ARITHMETIC[e.op])
        if isinstance(e, Neg):
            return {-value: literal for value, literal in visit(e.arg).items()}
        if isinstance(e, IfThenElse):
            cond = self.truth(visit(e.cond))
            then, otherwise = visit(e.then), visit(e.otherwise)
            bodies: dict = {}
            for value, literal in then.items():
                bodies.setdefault(value, []).append([cond, literal])
            for value, literal in otherwise.items():
                bodies.setdefault(value, []).append([-cond, literal])
            return self._values_from_bodies(bodies)
        raise NotALogicalRule(f"{type(e).__name__} ({e!r}) is not part of a logical rule")

    def _combine(self, left: dict, right: dict, operation) -> dict:
        bodies: dict = {}
        for (a, la), (b, lb) in itertools.product(left.items(), right.items()):
            try:
                value = operation(a, b)
            except ZeroDivisionError:
                raise NotALogicalRule(f"division by zero when a term is {b}") from None
            bodies.setdefault(value, []).append([la, lb])
        return self._values_from_bodies(bodies)

    def _values_from_bodies(self, bodies: dict) -> dict:
        return {value: (self.atom_defined_by(alternatives) if len(alternatives) > 1
                        else self._single(alternatives[0]))
                for value, alternatives in bodies.items()}

    def _single(self, body: list) -> int:
        literals = [lit for lit in body if lit != self.true]
        if not literals:
            return self.true
        if len(literals) == 1:
            return literals[0]
        return self.atom_defined_by([literals])
