"""Van Ham booleanization of multi-valued logical models (bioLQM's ``booleanize``).

A node ``X`` with maximum level ``m > 1`` becomes ``m`` Boolean nodes
``X_b1 .. X_bm``; level ``l`` is written ``X_bk = 1`` for ``k <= l`` and 0 above.
With ``T`` the target level of ``X`` (its rule, rewritten over the Boolean nodes),
``X_b0 = 1`` and ``X_b(m+1) = 0``::

    f(X_bk) = (T >= k & X_b(k-1)) | X_b(k+1)

so that, from a consistent state, only one bit can move and it moves the level
one step toward ``T`` (GINsim/bioLQM asynchronous semantics); consistent states
stay consistent; an inconsistent state (``X_bk = 0`` under ``X_b(k+1) = 1``) is
never fixed, so the stable states of both models map one to one.

Examples
--------
>>> from booleanidt.model import LogicalModel, Node
>>> from booleanidt.expr import Var, Const, Compare, IfThenElse, to_text
>>> rules = {"A": None,
...          "X": IfThenElse(Var("A"), Const(2), Const(0)),
...          "B": Compare(">=", Var("X"), Const(2))}
>>> nodes = {"A": Node("A"), "X": Node("X", max_level=2), "B": Node("B")}
>>> boolean = booleanize(LogicalModel(nodes=nodes, rules=rules))
>>> boolean.node_ids
('A', 'X_b1', 'X_b2', 'B')
>>> {n: to_text(r) for n, r in boolean.rules.items() if r is not None}
{'X_b1': 'A | X_b2', 'X_b2': 'A & X_b1', 'B': 'X_b2'}
>>> boolean.metadata["booleanized_from"]
{'X': ('X_b1', 'X_b2')}
"""
from __future__ import annotations

import dataclasses
import itertools
from typing import Mapping

from .expr import (FALSE, TRUE, And, Compare, Const, Expr, IfThenElse, Implies, Not, Or, Var, Xor,
                   conjunction, disjunction, evaluate, simplify, variables)
from .model import LogicalModel, ModelError, Node

__all__ = ["booleanize", "bit_ids", "levels_from_booleanized", "MAX_BOOLEAN_NODES"]

#: most Boolean nodes booleanization may create (one per level of each multi-valued node);
#: published multi-valued models need a few dozen
MAX_BOOLEAN_NODES = 100_000


def bit_ids(node_id: str, max_level: int) -> tuple:
    """Ids of the Boolean nodes standing for ``node_id``: ``X_b1 .. X_bm``.

    >>> bit_ids("X", 2)
    ('X_b1', 'X_b2')
    """
    return tuple(f"{node_id}_b{k}" for k in range(1, max_level + 1))


class _Rewriter:
    """Rewrites expressions over levels into Boolean expressions over the bits."""

    def __init__(self, max_levels: Mapping[str, int]):
        self.max_levels = dict(max_levels)

    # --- literals ---------------------------------------------------------------------

    def bit(self, name: str, k: int) -> Expr:
        """``name >= k`` as a Boolean literal (k may be 0 or m+1)."""
        top = self.max_levels.get(name, 1)
        if k <= 0:
            return TRUE
        if k > top:
            return FALSE
        return Var(name) if top == 1 else Var(f"{name}_b{k}")

    def level_in(self, name: str, levels) -> Expr:
        """``name``'s level is one of ``levels``, written as runs ``b_low & !b_(high+1)``."""
        levels = sorted(set(levels))
        runs = []
        for _, group in itertools.groupby(enumerate(levels), key=lambda p: p[1] - p[0]):
            run = [lv for _, lv in group]
            runs.append(conjunction((self.bit(name, run[0]), Not(self.bit(name, run[-1] + 1)))))
        return simplify(disjunction(runs))

    # --- Boolean context ----------------------------------------------------------------

    def condition(self, expr: Expr) -> Expr:
        """``expr`` read as true/false (non-zero is true), over the bits."""
        if isinstance(expr, Const):
            return TRUE if expr.value else FALSE
        if isinstance(expr, Var):
            return self.bit(expr.name, 1)
        if isinstance(expr, Not):
            return Not(self.condition(expr.arg))
        if isinstance(expr, (And, Or, Xor)):
            return type(expr)(tuple(self.condition(a) for a in expr.args))
        if isinstance(expr, Implies):
            return Implies(self.condition(expr.left), self.condition(expr.right))
        if isinstance(expr, IfThenElse):
            cond = self.condition(expr.cond)
            return Or((And((cond, self.condition(expr.then))),
                       And((Not(cond), self.condition(expr.otherwise)))))
        if isinstance(expr, Compare):
            return self._compare(expr)
        return self._expand(expr, lambda value: value != 0)

    def _compare(self, expr: Compare) -> Expr:
        reduced = simplify(expr, self.max_levels)
        if not isinstance(reduced, Compare):
            return self.condition(reduced)
        if isinstance(reduced.left, Var) and isinstance(reduced.right, Const):
            name = reduced.left.name
            top = self.max_levels.get(name, 1)
            return self.level_in(name, [lv for lv in range(top + 1)
                                        if evaluate(reduced, {name: lv})])
        return self._expand(reduced, lambda value: value != 0)

    def _expand(self, expr: Expr, accept) -> Expr:
        """Shannon expansion over every variable of ``expr`` (for unusual shapes)."""
        names = sorted(variables(expr))
        ranges = [range(self.max_levels.get(n, 1) + 1) for n in names]
        terms = []
        for combo in itertools.product(*ranges):
            if accept(evaluate(expr, dict(zip(names, combo)))):
                terms.append(conjunction(self.level_in(n, [lv]) for n, lv in zip(names, combo)))
        return disjunction(terms)

    # --- level context ------------------------------------------------------------------

    def at_least(self, expr: Expr, k: int) -> Expr:
        """``expr >= k`` where ``expr`` gives a target level, over the bits."""
        if k <= 0:
            return TRUE
        if isinstance(expr, Const):
            return TRUE if expr.value >= k else FALSE
        if isinstance(expr, Var):
            return self.bit(expr.name, k)
        if isinstance(expr, IfThenElse):
            cond = self.condition(expr.cond)
            return Or((And((cond, self.at_least(expr.then, k))),
                       And((Not(cond), self.at_least(expr.otherwise, k)))))
        if isinstance(expr, (Not, And, Or, Xor, Implies, Compare)):
            return self.condition(expr) if k == 1 else FALSE
        names = variables(expr)
        return self._expand(expr, lambda value: value >= k) if names else FALSE


def _bit_nodes(node: Node) -> list:
    ids = bit_ids(node.id, node.max_level)
    initial = node.initial_level
    return [dataclasses.replace(
        node, id=bit, name=f"{node.name}_b{k}" if node.name else None, max_level=1,
        initial_level=None if initial is None else int(initial >= k))
        for k, bit in enumerate(ids, start=1)]


def _bit_rules(node_id: str, top: int, rule, rewriter: _Rewriter) -> list:
    ids = bit_ids(node_id, top)
    if rule is None:
        return [None] * top
    if rule == Var(node_id):
        return [Var(bit) for bit in ids]
    result = []
    for k in range(1, top + 1):
        below, above = rewriter.bit(node_id, k - 1), rewriter.bit(node_id, k + 1)
        result.append(simplify(Or((And((rewriter.at_least(rule, k), below)), above))))
    return result


def booleanize(model: LogicalModel) -> LogicalModel:
    """The Van Ham booleanization of ``model`` (returned unchanged when it is Boolean).

    Node order is kept: each multi-valued node is replaced in place by its bits.
    Names, annotations, notes and compartments are copied onto the bits.  Mutants
    become constant bits.  The mapping is kept in ``metadata["booleanized_from"]``.

    Parameters
    ----------
    model : LogicalModel

    Returns
    -------
    LogicalModel
        A Boolean model.

    Examples
    --------
    >>> from booleanidt.model import LogicalModel, Node
    >>> from booleanidt.expr import Const
    >>> m = LogicalModel(nodes={"X": Node("X", max_level=2, initial_level=1)}, rules={"X": Const(2)})
    >>> b = booleanize(m)
    >>> [(n.id, n.initial_level) for n in b.nodes.values()]
    [('X_b1', 1), ('X_b2', 0)]
    >>> booleanize(b) is b
    True
    """
    if model.is_boolean:
        return model
    multivalued = model.multivalued_nodes
    explicit_rates = sorted(set(multivalued) & (model.rates_up.keys() | model.rates_down.keys()))
    if explicit_rates:
        raise ModelError(f"cannot booleanize explicit rates of multi-valued node(s) {', '.join(explicit_rates)}")
    needed = sum(model.nodes[x].max_level for x in multivalued)
    if needed > MAX_BOOLEAN_NODES:
        top = max(multivalued, key=lambda x: model.nodes[x].max_level)
        raise ModelError(f"booleanizing would create {needed:,} Boolean nodes (more than {MAX_BOOLEAN_NODES:,}); "
                         f"{top} alone has maxLevel {model.nodes[top].max_level:,}")
    mapping = {x: bit_ids(x, model.nodes[x].max_level) for x in multivalued}
    clashes = sorted(set(itertools.chain.from_iterable(mapping.values())) & model.nodes.keys())
    if clashes:
        raise ModelError(f"cannot booleanize: the model already has node(s) {', '.join(clashes)}")

    rewriter = _Rewriter(model.max_levels)
    nodes, rules = {}, {}
    for node_id, node in model.nodes.items():
        rule = model.rules[node_id]
        if node_id in mapping:
            for bit_node, bit_rule in zip(_bit_nodes(node), _bit_rules(node_id, node.max_level, rule, rewriter)):
                nodes[bit_node.id], rules[bit_node.id] = bit_node, bit_rule
        else:
            nodes[node_id] = node
            rules[node_id] = rule if rule is None or rule == Var(node_id) else \
                simplify(rewriter.at_least(rule, 1))

    mutations = {}
    for node_id, level in model.mutations.items():
        bits = mapping.get(node_id, (node_id,))
        mutations.update({bit: int(level >= k) for k, bit in enumerate(bits, start=1)})
    initial = {n: p for n, p in model.initial_probabilities.items() if n not in mapping}
    joint = tuple(j for j in model.joint_initial_states if not set(j.nodes) & mapping.keys())
    metadata = {**model.metadata, "booleanized_from": mapping}
    return model.replace(nodes=nodes, rules=rules, mutations=mutations, initial_probabilities=initial,
                         joint_initial_states=joint, metadata=metadata)


def levels_from_booleanized(states, mapping: Mapping[str, tuple]):
    """Turn Boolean states of a booleanized model back into original levels.

    Each group of bits ``X_b1 .. X_bm`` is replaced by ``X`` = the number of bits
    set (the level, for the consistent states the Van Ham encoding produces), at
    the position of ``X_b1``.

    Parameters
    ----------
    states : dict node -> 0/1, or a pandas DataFrame with one column per node
    mapping : ``metadata["booleanized_from"]`` of the booleanized model

    Examples
    --------
    >>> levels_from_booleanized({"A": 1, "X_b1": 1, "X_b2": 0}, {"X": ("X_b1", "X_b2")})
    {'A': 1, 'X': 1}
    """
    owner = {bit: node for node, bits in mapping.items() for bit in bits}
    if isinstance(states, Mapping):
        result = {}
        for name, value in states.items():
            target = owner.get(name, name)
            result[target] = result.get(target, 0) + value if name in owner else value
        return result
    columns = {}
    for name in states.columns:
        target = owner.get(name, name)
        columns[target] = columns[target] + states[name] if target in columns and name in owner else states[name]
    return type(states)(columns, index=states.index)
