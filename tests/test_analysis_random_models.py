"""Small random logical models using every rule shape of booleanidt.expr (test helper)."""
from __future__ import annotations

import itertools
import random

from booleanidt.expr import (And, Arith, Compare, Const, IfThenElse, Implies, Neg, Not, Or, Var, Xor,
                             evaluate)
from booleanidt.model import LogicalModel, Node


def random_expr(rng: random.Random, names: list, levels: dict, depth: int = 3):
    """A random rule over ``names``: Boolean operators, comparisons, ?: chains, constants."""
    if depth == 0 or rng.random() < 0.25:
        choice = rng.random()
        if choice < 0.1:
            return Const(rng.randint(0, 1))
        name = rng.choice(names)
        if levels[name] > 1 or choice < 0.3:
            op = rng.choice(["==", "!=", ">=", ">", "<=", "<"])
            threshold = Const(rng.randint(0, levels[name]))
            return Compare(op, Var(name), threshold) if rng.random() < 0.5 else Compare(op, threshold, Var(name))
        return Var(name)
    kind = rng.choice(["and", "or", "not", "xor", "implies", "ite", "arith"])
    sub = lambda: random_expr(rng, names, levels, depth - 1)  # noqa: E731
    if kind == "and":
        return And(tuple(sub() for _ in range(rng.randint(2, 3))))
    if kind == "or":
        return Or(tuple(sub() for _ in range(rng.randint(2, 3))))
    if kind == "not":
        return Not(sub())
    if kind == "xor":
        return Xor((sub(), sub()))
    if kind == "implies":
        return Implies(sub(), sub())
    if kind == "arith":
        return Compare(">=", Arith("+", Var(rng.choice(names)), Neg(Var(rng.choice(names)))), Const(0))
    return IfThenElse(sub(), Const(rng.randint(0, 2)), IfThenElse(sub(), sub(), Const(0)))


def random_model(seed: int, size: int = 5, multivalued: bool = False) -> LogicalModel:
    """A random model; some nodes are free inputs, some constants, some multi-valued."""
    rng = random.Random(seed)
    names = [f"x{i}" for i in range(size)]
    levels = {n: (rng.choice([1, 2]) if multivalued else 1) for n in names}
    rules = {}
    for name in names:
        roll = rng.random()
        if roll < 0.12:
            rules[name] = None
        elif roll < 0.18:
            rules[name] = Var(name)
        elif roll < 0.22:
            rules[name] = Const(rng.randint(0, levels[name]))
        else:
            rules[name] = random_expr(rng, names, levels)
    nodes = {n: Node(n, max_level=levels[n]) for n in names}
    return LogicalModel(nodes=nodes, rules=rules)


def all_states(model: LogicalModel):
    """Every state of the model, as dicts."""
    ids = model.node_ids
    for combo in itertools.product(*(range(model.nodes[n].max_level + 1) for n in ids)):
        yield dict(zip(ids, combo))


def target(model: LogicalModel, node_id: str, state: dict) -> int:
    """Target level by direct evaluation (Boolean: truth; multi-valued: clamped)."""
    rule = model.rules[node_id]
    if model.is_input(node_id):
        return state[node_id]
    value = evaluate(rule, state)
    top = model.nodes[node_id].max_level
    return (1 if value else 0) if top == 1 else int(min(max(value, 0), top))


def test_random_models_cover_every_rule_shape():
    from booleanidt.expr import walk
    seen = set()
    for seed in range(40):
        model = random_model(seed, size=6, multivalued=True)
        seen |= {type(e).__name__ for rule in model.rules.values() if rule is not None for e in walk(rule)}
        seen |= {"Input" for n in model.node_ids if model.is_input(n)}
    assert seen >= {"And", "Or", "Not", "Xor", "Implies", "Compare", "Arith", "Neg", "IfThenElse",
                    "Const", "Var", "Input"}
