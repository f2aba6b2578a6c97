"""pyboolnet's prime implicants, both ways, so that pyboolnet's analyses run on our models.

pyboolnet describes a Boolean network by its *primes*: for each node ``X``,
``primes[X] = [P0, P1]`` where ``P1`` lists the prime implicants of X's function and
``P0`` those of its negation, each as a dict ``{node: 0|1}``.  :func:`to_primes` computes
them from the rules (a binary decision diagram per rule, then the classic recursion:
the primes of ``f = x f1 + !x f0`` are those of ``f0 f1``, and ``!x p`` / ``x p`` for the
primes ``p`` of ``f0`` / ``f1`` that do not imply ``f0 f1``).  They are the primes
pyboolnet's ``bnet2primes`` gives for booleanidt's .bnet export of the model (same
sets; the order of the lists is ours), without pyboolnet's external ``BNetToPrime``
program, which is slow on rules with many inputs.

As in the .bnet export (:func:`booleanidt.io.bnet.exported_rule`): a free input ``X``
gets ``X``'s own primes (it keeps its value), a fixed node its constant, and a
multi-valued model goes through its Van Ham booleanization (nodes ``X_b1``, ``X_b2``...).
Initial states and rates have no place in primes; a rule that reads a ``$parameter``
(p53_Mdm2.bnd's ``$case_a ? p53_h : p53``) is refused, as by the .bnet export.

Examples
--------
>>> from booleanidt.model import LogicalModel
>>> from booleanidt.expr import And, Var, Not
>>> primes = to_primes(LogicalModel.from_rules({"A": None, "B": None, "C": And((Var("A"), Not(Var("B"))))}))
>>> primes["C"]
[[{'A': 0}, {'B': 1}], [{'A': 1, 'B': 0}]]
>>> primes["A"]
[[{'A': 0}], [{'A': 1}]]
>>> from_primes(primes).rules["C"]
And(args=(Var(name='A'), Not(arg=Var(name='B'))))
"""
from __future__ import annotations

from typing import Mapping

from ..analysis._bdd import DEFAULT_BACKEND, _truth
from ..booleanize import booleanize
from ..errors import InputError
from ..expr import Const, Not, Var, conjunction, disjunction
from ..io.bnet import exported_rule
from ..model import LogicalModel

__all__ = ["to_primes", "from_primes"]

_SOURCE = "<pyboolnet primes>"


class _PrimeFinder:
    """Prime implicants of functions held in one BDD manager, memoised by BDD node."""

    def __init__(self, bdd, names: Mapping[str, str]):
        self.bdd, self.node_of = bdd, {v: n for n, v in names.items()}
        self.memo: dict = {}

    def implies(self, cube: dict, function) -> bool:
        if not cube:
            return function == self.bdd.true
        return self.bdd.let({v: bool(b) for v, b in cube.items()}, function) == self.bdd.true

    def primes(self, function) -> list:
        """Prime implicants of ``function`` as dicts BDD variable -> 0/1."""
        if function == self.bdd.false:
            return []
        if function == self.bdd.true:
            return [{}]
        if function in self.memo:
            return self.memo[function]
        top = self.bdd.var_at_level(min(self.bdd.level_of_var(v) for v in self.bdd.support(function)))
        low, high = self.bdd.let({top: False}, function), self.bdd.let({top: True}, function)
        both = low & high
        found = list(self.primes(both))
        for value, branch in ((0, low), (1, high)):
            found += [{**cube, top: value} for cube in self.primes(branch) if not self.implies(cube, both)]
        self.memo[function] = found
        return found

    def node_primes(self, function) -> list:
        """Prime implicants as sorted lists of dicts node -> 0/1 (fewest literals first)."""
        cubes = [{self.node_of[v]: b for v, b in sorted(cube.items(), key=lambda item: self.node_of[item[0]])}
                 for cube in self.primes(function)]
        return sorted(cubes, key=lambda cube: (len(cube), sorted(cube.items())))


def to_primes(model: LogicalModel) -> dict:
    """pyboolnet's primes of ``model``: ``{node: [primes of !f, primes of f]}``.

    Parameters
    ----------
    model : LogicalModel (a multi-valued one is booleanized first)

    Returns
    -------
    dict
        What ``pyboolnet.file_exchange.bnet2primes`` returns for ``booleanidt.io.bnet.dumps(model)``,
        ready for pyboolnet's trap spaces, basins, state transition graphs and model checking.

    Examples
    --------
    >>> from booleanidt.model import LogicalModel
    >>> from booleanidt.expr import Const, Or, Var
    >>> primes = to_primes(LogicalModel.from_rules({"A": Const(1), "B": None, "C": Or((Var("A"), Var("B")))}))
    >>> primes["A"], primes["C"]
    ([[], [{}]], [[{'A': 0, 'B': 0}], [{'A': 1}, {'B': 1}]])
    """
    if not model.is_boolean:
        model = booleanize(model)
    bdd = DEFAULT_BACKEND.BDD()
    names = {node_id: f"x{i}" for i, node_id in enumerate(model.nodes)}
    bdd.declare(*names.values())
    env = {n: {0: ~bdd.var(v), 1: bdd.var(v)} for n, v in names.items()}
    finder = _PrimeFinder(bdd, names)
    primes = {}
    for node_id in model.nodes:
        function = _truth(exported_rule(model, node_id, _SOURCE), env, bdd)
        primes[node_id] = [finder.node_primes(~function), finder.node_primes(function)]
    return primes


def _literal(node_id: str, value) -> object:
    return Var(node_id) if value else Not(Var(node_id))


def _rule(node_id: str, node_primes, known) -> object:
    if not (isinstance(node_primes, (list, tuple)) and len(node_primes) == 2):
        raise InputError(_SOURCE, f"node {node_id}", "must map to [primes of 0, primes of 1]")
    for cube in (c for side in node_primes for c in side):
        unknown = sorted(set(cube) - known)
        if unknown:
            raise InputError(_SOURCE, f"node {node_id}", f"a prime names unknown node(s) {', '.join(unknown)}")
        if any(value not in (0, 1) for value in cube.values()):
            raise InputError(_SOURCE, f"node {node_id}", f"a prime has a value other than 0 or 1: {cube}")
    ones = node_primes[1]
    if node_primes == [[{node_id: 0}], [{node_id: 1}]]:
        return None  # X's function is X: a free input
    if not ones:
        return Const(0)
    if {} in [dict(cube) for cube in ones]:
        return Const(1)
    return disjunction(conjunction(_literal(n, v) for n, v in cube.items()) for cube in ones)


def from_primes(primes: Mapping) -> LogicalModel:
    """A Boolean :class:`~booleanidt.model.LogicalModel` from pyboolnet's primes.

    Each rule is the disjunction of the node's prime implicants (``primes[X][1]``); a node
    whose primes are its own literals is a free input (rule ``None``).

    Raises
    ------
    booleanidt.errors.InputError
        a node without ``[P0, P1]``, or a prime naming an unknown node or a value other than 0/1.

    Examples
    --------
    >>> model = from_primes({"A": [[{"A": 0}], [{"A": 1}]], "B": [[{"A": 1}], [{"A": 0}]]})
    >>> model.inputs, model.rules["B"]
    (('A',), Not(arg=Var(name='A')))
    """
    known = set(primes)
    return LogicalModel.from_rules({node_id: _rule(node_id, value, known) for node_id, value in primes.items()})
