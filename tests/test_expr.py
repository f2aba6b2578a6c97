"""Expression trees: evaluation, simplification, printing and signs."""
import itertools
import pickle
import random

import pytest

from booleanidt.expr import (
    And, Arith, Compare, Const, IfThenElse, Implies, Logic, Neg, Not, Or, Param, Var, Xor,
    compile_levels, evaluate, signs, simplify, substitute, to_text, truth_table, variables,
)

A, B, C = Var("A"), Var("B"), Var("C")


def test_boolean_operators_follow_their_truth_tables():
    table = {(a, b): (evaluate(And((A, B)), {"A": a, "B": b}), evaluate(Or((A, B)), {"A": a, "B": b}),
                      evaluate(Xor((A, B)), {"A": a, "B": b}), evaluate(Implies(A, B), {"A": a, "B": b}))
             for a in (0, 1) for b in (0, 1)}
    assert table == {(0, 0): (0, 0, 0, 1), (0, 1): (0, 1, 1, 1), (1, 0): (0, 1, 1, 0), (1, 1): (1, 1, 0, 1)}


def test_multivalued_rule_as_if_then_else_chain():
    # SBML-qual: first true functionTerm wins, else the defaultTerm
    rule = IfThenElse(Compare(">=", Var("X"), Const(2)), Const(2),
                      IfThenElse(Compare("==", Var("Y"), Const(1)), Const(1), Const(0)))
    assert [evaluate(rule, {"X": x, "Y": y}) for x in range(3) for y in range(2)] == [0, 1, 0, 1, 2, 2]


def test_rate_expression_with_parameters_and_logic():
    rate = IfThenElse(Logic(), Arith("*", Param("u_A"), Const(2)), Const(0))
    assert evaluate(rate, {}, {"u_A": 1.5}, logic=1) == 3.0
    assert evaluate(rate, {}, {"u_A": 1.5}, logic=0) == 0
    with pytest.raises(KeyError, match=r"\$u_A"):
        evaluate(rate, {}, {}, logic=1)
    with pytest.raises(ValueError, match="@logic"):
        evaluate(Logic(), {})
    assert evaluate(Neg(Arith("/", Const(1), Const(4))), {}) == -0.25


@pytest.mark.parametrize("text_expr, expected", [
    (Or((And((A, B)), Not(C))), "A & B | !C"),
    (And((Or((A, B)), C)), "(A | B) & C"),
    (Not(And((A, B))), "!(A & B)"),
    (Xor((A, Xor((B, C)))), "A ^ (B ^ C)"),
    (IfThenElse(A, Param("u"), Const(0)), "A ? $u : 0"),
    (Arith("-", Const(1), Arith("-", A, B)), "1 - (A - B)"),
])
def test_printing_adds_only_needed_parentheses(text_expr, expected):
    assert to_text(text_expr) == expected


def test_bnet_style_rewrites_implication():
    assert to_text(Implies(A, B), style="bnet") == "!A | B"


def test_simplify_comparisons_on_boolean_and_multivalued_nodes():
    assert simplify(Compare("==", A, Const(0))) == Not(A)
    assert simplify(Compare(">=", A, Const(1))) == A
    assert simplify(Compare("<", Const(0), A)) == A  # operands in the other order
    assert simplify(Compare(">", Var("X"), Const(0)), {"X": 2}) == Compare(">=", Var("X"), Const(1))
    assert simplify(Compare(">=", Var("X"), Const(3)), {"X": 2}) == Const(0)
    assert simplify(And((A, Const(0), B))) == Const(0)
    assert simplify(Or((A, Or((B, A))))) == Or((A, B))


def _random_expr(rng, names, depth):
    if depth == 0 or rng.random() < 0.25:
        return rng.choice([Var(n) for n in names] + [Const(0), Const(1)])
    kind = rng.choice(["not", "and", "or", "xor", "ite", "cmp"])
    sub = lambda: _random_expr(rng, names, depth - 1)  # noqa: E731
    if kind == "not":
        return Not(sub())
    if kind == "ite":
        return IfThenElse(sub(), sub(), sub())
    if kind == "cmp":
        return Compare(rng.choice(["==", "!=", ">=", "<"]), Var(rng.choice(names)), Const(rng.randint(0, 1)))
    return {"and": And, "or": Or, "xor": Xor}[kind]((sub(), sub()))


def test_simplify_preserves_truth_tables_of_random_expressions():
    rng = random.Random(7)
    names = ("A", "B", "C")
    for _ in range(300):
        expr = _random_expr(rng, names, 4)
        simple = simplify(expr)
        for combo in itertools.product((0, 1), repeat=3):
            state = dict(zip(names, combo))
            assert bool(evaluate(expr, state)) == bool(evaluate(simple, state)), (expr, simple)


def test_signs_exact_and_dual():
    assert signs(Or((And((A, Not(B))), C))) == {"A": 1, "B": -1, "C": 1}
    assert signs(Xor((A, B))) == {"A": 0, "B": 0}
    assert signs(Compare(">=", Var("X"), Const(2)), {"X": 2}) == {"X": 1}


def test_signs_syntactic_for_wide_rules():
    wide = And(tuple(Var(f"N{i}") for i in range(14)) + (Not(Var("Z")),))
    result = signs(wide, exact_limit=4)
    assert result["N0"] == 1 and result["Z"] == -1 and len(result) == 15


def test_substitute_variables_and_truth_table():
    expr = substitute(And((A, B)), {A: Const(1)})
    assert [v for _, v in truth_table(expr, ("B",))] == [0, 1]
    assert variables(Or((A, Not(B)))) == {"A", "B"}


def test_expressions_are_hashable_and_picklable():
    expr = IfThenElse(And((A, Not(B))), Param("u_A"), Const(0.5))
    assert pickle.loads(pickle.dumps(expr)) == expr
    assert len({expr, pickle.loads(pickle.dumps(expr))}) == 1


def test_unknown_operators_are_rejected():
    with pytest.raises(ValueError, match="unknown comparison"):
        Compare("=<", A, Const(1))
    with pytest.raises(ValueError, match="unknown arithmetic"):
        Arith("%", A, Const(1))


def test_compiled_levels_function_equals_evaluate_on_random_expressions():
    rng = random.Random(11)
    names = ("A", "B", "C")
    for _ in range(300):
        expr = _random_expr(rng, names, 4)
        function = compile_levels(expr, names)
        for combo in itertools.product((0, 1), repeat=3):
            assert function(combo) == evaluate(expr, dict(zip(names, combo))), expr
    multivalued = IfThenElse(Compare(">=", Var("X"), Const(2)), Arith("+", Var("Y"), Const(1)), Neg(Var("Y")))
    assert [compile_levels(multivalued, ("X", "Y"))((x, y)) for x in range(3) for y in range(2)] == [0, -1, 0, -1, 1, 2]
    with pytest.raises(TypeError, match="reads parameters or @logic"):
        compile_levels(IfThenElse(Logic(), Param("u"), Const(0)), ())
