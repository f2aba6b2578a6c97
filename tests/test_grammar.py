"""The rule/rate grammar shared by the .bnet and MaBoSS readers."""
from __future__ import annotations

import itertools
import math

import pytest

from booleanidt.errors import InputError
from booleanidt.expr import (And, Arith, Compare, Const, IfThenElse, Logic, Neg, Not, Or, Param, Var, Xor,
                             evaluate, to_text)
from booleanidt.io._grammar import TokenStream, blank_comments, parse_expression, parse_expression_from, tokenize

A, B, C, D = Var("A"), Var("B"), Var("C"), Var("D")


@pytest.mark.parametrize("text, tree", [
    ("A & !B", And((A, Not(B)))),
    ("A AND NOT B", And((A, Not(B)))),
    ("A && !B", And((A, Not(B)))),
    ("a and not b", And((Var("a"), Not(Var("b"))))),
    ("A | B & C", Or((A, And((B, C))))),
    ("A OR B AND C", Or((A, And((B, C))))),
    ("A || B", Or((A, B))),
    ("A ^ B & C", Xor((A, And((B, C))))),
    ("A XOR B | C", Or((Xor((A, B)), C))),
    ("(A & B) & C", And((A, B, C))),
    ("A & (B & C)", And((A, B, C))),
    ("!A & B", And((Not(A), B))),
    ("!(A | B)", Not(Or((A, B)))),
    ("A >= 2 & B == 0", And((Compare(">=", A, Const(2)), Compare("==", B, Const(0))))),
    ("A < 1 == B > 0", Compare("==", Compare("<", A, Const(1)), Compare(">", B, Const(0)))),
    ("1 + 2 * 3", Arith("+", Const(1), Arith("*", Const(2), Const(3)))),
    ("(1 + 2) * 3", Arith("*", Arith("+", Const(1), Const(2)), Const(3))),
    ("8 / 4 / 2", Arith("/", Arith("/", Const(8), Const(4)), Const(2))),
    ("1 - $k", Arith("-", Const(1), Param("k"))),
    ("-1", Const(-1)),
    ("-A", Neg(A)),
    ("+A", A),
    ("A ? B : C ? D : A", IfThenElse(A, B, IfThenElse(C, D, A))),
    ("A | B ? 1 : 0", IfThenElse(Or((A, B)), Const(1), Const(0))),
    ("@logic ? $u : 0.0", IfThenElse(Logic(), Param("u"), Const(0.0))),
    ("TRUE", Const(1)),
    ("false", Const(0)),
    ("1e308", Const(1e308)),
    ("1E+100", Const(1e100)),
    (".5", Const(0.5)),
    ("2.", Const(2.0)),
])
def test_parse_gives_the_expected_tree(text, tree):
    assert parse_expression(text) == tree


def test_integer_and_float_literals_keep_their_type():
    assert isinstance(parse_expression("3").value, int)
    assert isinstance(parse_expression("3.0").value, float)


def test_precedence_matches_c_semantics_on_every_state():
    text = "A & !B | C ^ D & !A"
    expr = parse_expression(text)
    for a, b, c, d in itertools.product((0, 1), repeat=4):
        expected = (a and not b) or (bool(c) != bool(d and not a))
        assert evaluate(expr, {"A": a, "B": b, "C": c, "D": d}) == int(expected)


def test_builtin_functions_fold_to_numbers():
    # values checked against cmaboss: a rate log(8, 2) flips a node at rate 3, exp(2, 2) at rate 4
    assert parse_expression("log(8, 2)").value == pytest.approx(3.0)
    assert parse_expression("log(1.0, 2)").value == 0.0
    assert parse_expression("exp(2, 2)").value == pytest.approx(4.0)
    assert parse_expression("exp(1)").value == pytest.approx(math.e)


def test_printing_then_parsing_gives_the_same_tree():
    texts = ["A & !(B | C)", "(A ? 1.5 : $k) / (2 - $j)", "!A ^ B ^ !(C & D)", "A >= 2 ? 2 : A == 1"]
    for text in texts:
        expr = parse_expression(text)
        assert parse_expression(to_text(expr)) == expr


def test_attribute_resolver_is_used_for_other_attributes():
    resolve = lambda name, token: Var(f"attr_{name}")  # noqa: E731
    assert parse_expression("NOT @other AND @logic", attribute=resolve) == And((Not(Var("attr_other")),
                                                                                  Var("attr_logic")))


def test_stream_stops_at_first_token_that_cannot_continue():
    stream = TokenStream(tokenize("C : 1 & 2\nD : !C"), "<string>")
    assert stream.next().text == "C" and stream.accept(":")
    assert parse_expression_from(stream) == And((Const(1), Const(2)))
    assert stream.peek().text == "D" and stream.peek().line == 2


def test_blank_comments_keeps_line_and_column_numbers():
    text = "/* two\nlines */ A & // tail\n  %"
    with pytest.raises(InputError) as info:
        parse_expression(blank_comments(text), "x.bnd")
    assert str(info.value) == "x.bnd: line 3, column 3: unexpected character '%'"
    assert blank_comments("# c\nA, B", ("#",)) == "   \nA, B"


@pytest.mark.parametrize("text, message", [
    ("A &", "f: line 1, column 4: expected a node name, number, $parameter or '(', found end of text"),
    ("(A | B", "f: line 1, column 7: expected ')', found end of text"),
    ("A B", "f: line 1, column 3: expected an operator or end of expression, found 'B'"),
    ("A ? B", "f: line 1, column 6: expected ':', found end of text"),
    ("A\n & %", "f: line 2, column 4: unexpected character '%'"),
    ("sqrt(4)", "f: line 1, column 1: unknown function sqrt() (MaBoSS knows log and exp)"),
    ("log(A, 2, 3)", "f: line 1, column 1: log() takes one or two arguments, not 3"),
    ("log(0)", "f: line 1, column 1: log(0) is undefined"),
    ("@rate", "f: line 1, column 1: unknown attribute @rate (only @logic is known here)"),
    ("A & AND", "f: line 1, column 5: expected a node name, number, $parameter or '(', found 'AND'"),
])
def test_syntax_errors_name_line_column_and_what_was_expected(text, message):
    with pytest.raises(InputError) as info:
        parse_expression(text, "f")
    assert str(info.value) == message


def test_log_and_exp_of_non_constant_arguments_stay_calls():
    from booleanidt.expr import Call, evaluate, to_text
    expr = parse_expression("-log(1 - A / $n) + exp($k, 2)")
    assert expr == Arith("+", Neg(Call("log", (Arith("-", Const(1), Arith("/", Var("A"), Param("n"))),))),
                         Call("exp", (Param("k"), Const(2))))
    assert evaluate(expr, {"A": 1}, {"n": 2, "k": 3}) == pytest.approx(math.log(2) + 8)
    assert parse_expression(to_text(expr)) == expr
    assert parse_expression("log(8, 2) * exp(0)") == Arith("*", Const(3.0), Const(1.0))  # constant calls: folded
    with pytest.raises(InputError, match=r"log\(\) takes one or two arguments, not 3"):
        parse_expression("log(A, 2, 3)")
