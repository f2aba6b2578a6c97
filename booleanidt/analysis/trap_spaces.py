"""Minimal trap spaces of Boolean models, solved with clingo.

A subspace (each node fixed to 0, fixed to 1, or free ``'*'``) is a trap space
when every fixed node's rule is constantly equal to its value on the subspace.
Each node gets two atoms, "can be 0" and "can be 1"; subset-minimal answer sets
over these atoms (clingo's domain heuristic with ``domRec`` enumeration, as mpbn
does) are the minimal trap spaces.

The test "the rule can be 1 on the subspace" is exact: a monotone input is set
to its most favourable value the subspace allows (the extreme-point argument),
and inputs whose sign is not certain (Xor, comparisons, ``?:`` conditions) are
expanded over both values.  So any rule shape works, not only locally monotone
networks (mpbn's restriction).

Examples
--------
>>> from booleanidt.model import LogicalModel
>>> from booleanidt.expr import Var, Not
>>> model = LogicalModel.from_rules({"A": Not(Var("B")), "B": Not(Var("A")), "C": Not(Var("C"))})
>>> trap_spaces(model)
   A  B  C
0  0  1  *
1  1  0  *
"""
from __future__ import annotations

import itertools
from typing import Iterable, Mapping

import clingo
import pandas as pd

from ..errors import BooleanidtError
from ..expr import simplify
from ..model import LogicalModel
from ..naming import resolve_many
from ._circuit import Circuit
from ._monotony import certain_signs
from ._solving import collect
from ._tables import result_table

__all__ = ["trap_spaces", "MAX_UNCERTAIN_INPUTS"]

#: a rule with more inputs of unknown sign than this is refused (2**n circuit copies)
MAX_UNCERTAIN_INPUTS = 12

FREE = "*"


def _require_boolean(model: LogicalModel, what: str):
    if not model.is_boolean:
        raise BooleanidtError(f"{what} are computed on Boolean models; multi-valued node(s) "
                              f"{', '.join(model.multivalued_nodes)}: booleanize the model first "
                              "(booleanidt.booleanize.booleanize)")


class _SubspaceEncoder:
    """Adds the trap-space condition of each rule to a backend."""

    def __init__(self, circuit: Circuit, can0: dict, can1: dict):
        self.circuit, self.can0, self.can1 = circuit, can0, can1

    def extreme_env(self, signs: dict, favour: int) -> dict:
        """Monotone inputs at the value that pushes the rule toward ``favour`` if the subspace allows it."""
        env = {}
        for name, sign in signs.items():
            if sign == 0:
                continue
            pushes_up = (sign > 0) == (favour == 1)
            one = self.can1[name] if pushes_up else -self.can0[name]
            env[name] = {0: -one, 1: one}
        return env

    def reachable_value(self, rule, favour: int) -> int:
        """A literal true when ``rule`` takes the value ``favour`` somewhere in the subspace."""
        signs = certain_signs(rule)
        uncertain = [n for n, s in signs.items() if s == 0]
        if len(uncertain) > MAX_UNCERTAIN_INPUTS:
            raise BooleanidtError(f"rule with {len(uncertain)} inputs of unknown sign "
                                  f"(more than {MAX_UNCERTAIN_INPUTS}): {', '.join(uncertain)}")
        base = self.extreme_env(signs, favour)
        bodies = []
        for combo in itertools.product((0, 1), repeat=len(uncertain)):
            env = dict(base)
            allowed = []
            for name, value in zip(uncertain, combo):
                env[name] = {value: self.circuit.true}
                allowed.append((self.can1 if value else self.can0)[name])
            truth = self.circuit.truth(self.circuit.encode(rule, env))
            bodies.append(allowed + [truth if favour == 1 else -truth])
        return self.circuit.atom_defined_by(bodies)


def trap_spaces(model: LogicalModel, inputs: Mapping[str, int] | None = None,
                outputs: Iterable[str] | None = None, limit: int | None = None,
                time_limit: float | None = None) -> pd.DataFrame:
    """The minimal trap spaces of a Boolean model.

    Parameters
    ----------
    model : LogicalModel with Boolean nodes only
    inputs : node -> 0/1 fixing those nodes (their rule becomes the constant);
        free inputs not named may take either value (each minimal trap space fixes them)
    outputs : nodes, by id or name, to put first among the columns (phenotypes); default model order
    limit : raise :class:`SearchLimitExceeded` beyond this many trap spaces (None: no limit)
    time_limit : raise :class:`SearchLimitExceeded` when the search takes longer (seconds)

    Returns
    -------
    pandas.DataFrame
        One row per minimal trap space; values 0, 1 or ``'*'`` (free); rows sorted.

    Examples
    --------
    >>> from booleanidt.model import LogicalModel
    >>> from booleanidt.expr import Var, Not
    >>> trap_spaces(LogicalModel.from_rules({"I": None, "A": Var("I")}), inputs={"I": 1})
       I  A
    0  1  1
    """
    _require_boolean(model, "trap spaces")
    if inputs:
        model = model.mutate(inputs)
    control = clingo.Control(["0", "--heuristic=Domain", "--enum-mode=domRec"])
    with control.backend() as backend:
        circuit = Circuit(backend)
        can0 = {n: backend.add_atom() for n in model.nodes}
        can1 = {n: backend.add_atom() for n in model.nodes}
        for node_id in model.nodes:
            backend.add_rule([can0[node_id], can1[node_id]], choice=True)
            circuit.forbid(-can0[node_id], -can1[node_id])
            for atom in (can0[node_id], can1[node_id]):
                backend.add_heuristic(atom, clingo.backend.HeuristicType.False_, 1, 1, [])
        encoder = _SubspaceEncoder(circuit, can0, can1)
        for node_id, rule in model.rules.items():
            if model.is_input(node_id):
                continue
            rule = simplify(rule)
            circuit.forbid(-can0[node_id], encoder.reachable_value(rule, 0))
            circuit.forbid(-can1[node_id], encoder.reachable_value(rule, 1))
    control.ground([])

    def read(answer: clingo.Model) -> dict:
        return {n: (FREE if answer.is_true(can0[n]) and answer.is_true(can1[n]) else int(answer.is_true(can1[n])))
                for n in model.nodes}

    rows = collect(control, read, limit, "minimal trap spaces", time_limit)
    return result_table(rows, model.node_ids, resolve_many(model, outputs or [], "outputs"))
