"""Expression trees for logical rules and MaBoSS rate expressions.

One small algebra serves every format: Boolean rules (``A & !B``), multi-valued
rules from SBML-qual (``X >= 2 ? 1 : 0``), and MaBoSS rate expressions
(``$u_X * (@logic ? 1 : 0)``).  Nodes are immutable, hashable and picklable.

A rule evaluates to the *target level* of its node.  In a Boolean context
``Var("A")`` is the level of node ``A`` (0 or 1) and the logical operators
treat any non-zero value as true.

Examples
--------
>>> rule = And((Var("A"), Not(Var("B"))))
>>> evaluate(rule, {"A": 1, "B": 0})
1
>>> sorted(variables(rule))
['A', 'B']
>>> to_text(rule)
'A & !B'
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Mapping, Union

import numpy as np

__all__ = [
    "Expr", "Const", "Var", "Param", "Logic", "Not", "And", "Or", "Xor", "Implies",
    "Compare", "Arith", "Neg", "IfThenElse", "Call", "FUNCTIONS", "TRUE", "FALSE",
    "evaluate", "variables", "parameters", "substitute", "simplify", "to_text",
    "children", "walk", "is_boolean_rule", "signs", "truth_table",
    "conjunction", "disjunction", "compile_levels", "MAX_NESTING", "nesting_depth",
]


class Expr:
    """Base class of every expression node."""

    __slots__ = ()


@dataclass(frozen=True)
class Const(Expr):
    """A number: a level (0, 1, 2...) or a real rate."""

    value: Union[int, float]


@dataclass(frozen=True)
class Var(Expr):
    """The current level of node ``name``."""

    name: str


@dataclass(frozen=True)
class Param(Expr):
    """A MaBoSS parameter, ``$name`` in .bnd files (``name`` is stored without ``$``)."""

    name: str


@dataclass(frozen=True)
class Logic(Expr):
    """MaBoSS's ``@logic``: the value of the node's own rule, inside rate expressions."""


@dataclass(frozen=True)
class Not(Expr):
    """Logical negation."""

    arg: Expr


@dataclass(frozen=True)
class And(Expr):
    """Logical conjunction of two or more terms."""

    args: tuple


@dataclass(frozen=True)
class Or(Expr):
    """Logical disjunction of two or more terms."""

    args: tuple


@dataclass(frozen=True)
class Xor(Expr):
    """Exclusive or (true when an odd number of terms are true)."""

    args: tuple


@dataclass(frozen=True)
class Implies(Expr):
    """Logical implication ``left -> right``."""

    left: Expr
    right: Expr


COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    ">=": lambda a, b: a >= b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    "<": lambda a, b: a < b,
}

ARITHMETIC: dict[str, Callable[[float, float], float]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
}


@dataclass(frozen=True)
class Compare(Expr):
    """Comparison ``left op right``, ``op`` one of ``== != >= > <= <``."""

    op: str
    left: Expr
    right: Expr

    def __post_init__(self):
        if self.op not in COMPARISONS:
            raise ValueError(f"unknown comparison operator {self.op!r}")


@dataclass(frozen=True)
class Arith(Expr):
    """Arithmetic ``left op right``, ``op`` one of ``+ - * /``."""

    op: str
    left: Expr
    right: Expr

    def __post_init__(self):
        if self.op not in ARITHMETIC:
            raise ValueError(f"unknown arithmetic operator {self.op!r}")


@dataclass(frozen=True)
class Neg(Expr):
    """Arithmetic negation ``-arg``."""

    arg: Expr


@dataclass(frozen=True)
class IfThenElse(Expr):
    """``cond ? then : otherwise`` (MaBoSS), or one SBML-qual functionTerm."""

    cond: Expr
    then: Expr
    otherwise: Expr


def _log(x, base=math.e) -> float:
    try:
        return math.log(x) / math.log(base)
    except (ValueError, ZeroDivisionError):  # C's values, which MaBoSS uses: log(0) = -inf, log(-1) = nan
        with np.errstate(all="ignore"):
            return float(np.log(float(x)) / np.log(float(base)))


def _exp(x, base=math.e) -> float:
    try:
        value = base ** x
    except (OverflowError, ZeroDivisionError):  # C's values: exp(1000) = inf, exp(-1, 0) = inf
        with np.errstate(all="ignore"):
            return float(np.power(float(base), float(x)))
    return math.nan if isinstance(value, complex) else value  # exp(0.5, -1)


#: MaBoSS's built-in functions: ``log(x[, base])`` (natural logarithm unless ``base`` is given)
#: and ``exp(x[, base])`` (``base ** x``, ``e ** x`` by default), with C's values where they are
#: undefined (``log(0) = -inf``), as MaBoSS and the simulator's bytecode compute them
FUNCTIONS: dict[str, Callable[..., float]] = {"log": _log, "exp": _exp}


@dataclass(frozen=True)
class Call(Expr):
    """A call of one of MaBoSS's built-in :data:`FUNCTIONS` with one or two arguments.

    >>> evaluate(Call("log", (Var("A"), Const(2))), {"A": 8})
    3.0
    >>> to_text(Call("exp", (Neg(Param("k")),)))
    'exp(-$k)'
    """

    name: str
    args: tuple

    def __post_init__(self):
        if self.name not in FUNCTIONS:
            raise ValueError(f"unknown function {self.name!r}")
        if not 1 <= len(self.args) <= 2:
            raise ValueError(f"{self.name}() takes one or two arguments, not {len(self.args)}")


TRUE = Const(1)
FALSE = Const(0)


def conjunction(terms: Iterable[Expr]) -> Expr:
    """``And`` of the terms, flattening trivial cases.

    >>> conjunction([Var("A")])
    Var(name='A')
    >>> conjunction([])
    Const(value=1)
    """
    terms = tuple(terms)
    if not terms:
        return TRUE
    return terms[0] if len(terms) == 1 else And(terms)


def disjunction(terms: Iterable[Expr]) -> Expr:
    """``Or`` of the terms, flattening trivial cases.

    >>> disjunction([])
    Const(value=0)
    """
    terms = tuple(terms)
    if not terms:
        return FALSE
    return terms[0] if len(terms) == 1 else Or(terms)


def children(expr: Expr) -> tuple:
    """The direct sub-expressions of ``expr``.

    >>> children(Not(Var("A")))
    (Var(name='A'),)
    """
    if isinstance(expr, (And, Or, Xor, Call)):
        return expr.args
    if isinstance(expr, (Not, Neg)):
        return (expr.arg,)
    if isinstance(expr, (Implies, Compare, Arith)):
        return (expr.left, expr.right)
    if isinstance(expr, IfThenElse):
        return (expr.cond, expr.then, expr.otherwise)
    return ()


def walk(expr: Expr) -> Iterator[Expr]:
    """Every node of the tree, parents before children.

    >>> [type(e).__name__ for e in walk(Not(Var("A")))]
    ['Not', 'Var']
    """
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(children(node)))


#: Deepest expression the readers accept.  The tree functions here recurse, and Python's compiler
#: (used by :func:`compile_levels`) refuses more than 200 nested parentheses; real models nest
#: rules fewer than 10 levels deep.
MAX_NESTING = 100


def nesting_depth(expr: Expr) -> int:
    """The number of levels of the expression tree (a leaf is 1), computed without recursion.

    >>> nesting_depth(Not(Not(Var("A")))), nesting_depth(Var("A"))
    (3, 1)
    """
    deepest, stack = 0, [(expr, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in children(node))
    return deepest


def variables(expr: Expr) -> frozenset:
    """Names of the nodes the expression reads.

    >>> sorted(variables(Or((Var("B"), Var("A")))))
    ['A', 'B']
    """
    return frozenset(e.name for e in walk(expr) if isinstance(e, Var))


def parameters(expr: Expr) -> frozenset:
    """Names of the ``$parameters`` the expression reads (without ``$``).

    >>> sorted(parameters(Arith("*", Param("u_A"), Const(2))))
    ['u_A']
    """
    return frozenset(e.name for e in walk(expr) if isinstance(e, Param))


def _truth(value) -> int:
    return 1 if value else 0


def evaluate(expr: Expr, state: Mapping[str, int], params: Mapping[str, float] | None = None,
             logic: int | None = None):
    """Value of ``expr`` with node levels ``state``.

    Logical operators return 0/1, comparisons 0/1, arithmetic a number.

    Parameters
    ----------
    expr : Expr
    state : mapping node id -> level
    params : mapping parameter name (no ``$``) -> value, for rate expressions
    logic : value of ``@logic`` for rate expressions

    >>> evaluate(IfThenElse(Compare(">=", Var("X"), Const(2)), Const(1), Const(0)), {"X": 2})
    1
    """
    ev = lambda e: evaluate(e, state, params, logic)  # noqa: E731
    if isinstance(expr, Const):
        return expr.value
    if isinstance(expr, Var):
        return state[expr.name]
    if isinstance(expr, Not):
        return _truth(not ev(expr.arg))
    if isinstance(expr, And):
        return _truth(all(ev(a) for a in expr.args))
    if isinstance(expr, Or):
        return _truth(any(ev(a) for a in expr.args))
    if isinstance(expr, Xor):
        return sum(_truth(ev(a)) for a in expr.args) % 2
    if isinstance(expr, Implies):
        return _truth((not ev(expr.left)) or ev(expr.right))
    if isinstance(expr, Compare):
        return _truth(COMPARISONS[expr.op](ev(expr.left), ev(expr.right)))
    if isinstance(expr, Arith):
        return ARITHMETIC[expr.op](ev(expr.left), ev(expr.right))
    if isinstance(expr, Neg):
        return -ev(expr.arg)
    if isinstance(expr, IfThenElse):
        return ev(expr.then) if ev(expr.cond) else ev(expr.otherwise)
    if isinstance(expr, Call):
        return FUNCTIONS[expr.name](*(ev(a) for a in expr.args))
    if isinstance(expr, Param):
        if params is None or expr.name not in params:
            raise KeyError(f"parameter ${expr.name} has no value")
        return params[expr.name]
    if isinstance(expr, Logic):
        if logic is None:
            raise ValueError("@logic used outside a rate expression")
        return logic
    raise TypeError(f"not an expression: {expr!r}")


def _rebuild(expr: Expr, new_children: tuple) -> Expr:
    if isinstance(expr, (And, Or, Xor)):
        return type(expr)(tuple(new_children))
    if isinstance(expr, (Not, Neg)):
        return type(expr)(new_children[0])
    if isinstance(expr, Implies):
        return Implies(*new_children)
    if isinstance(expr, Compare):
        return Compare(expr.op, *new_children)
    if isinstance(expr, Arith):
        return Arith(expr.op, *new_children)
    if isinstance(expr, IfThenElse):
        return IfThenElse(*new_children)
    if isinstance(expr, Call):
        return Call(expr.name, tuple(new_children))
    return expr


def substitute(expr: Expr, mapping: Mapping[Expr, Expr]) -> Expr:
    """Replace sub-expressions found in ``mapping`` (e.g. ``{Var("A"): Const(1)}``).

    >>> to_text(substitute(And((Var("A"), Var("B"))), {Var("A"): Var("C")}))
    'C & B'
    """
    if expr in mapping:
        return mapping[expr]
    kids = children(expr)
    if not kids:
        return expr
    return _rebuild(expr, tuple(substitute(k, mapping) for k in kids))


def _is_const(e: Expr) -> bool:
    return isinstance(e, Const)


def _simplify_nary(kind, args: tuple) -> Expr:
    absorbing, neutral = (0, 1) if kind is And else (1, 0)
    kept = []
    for a in args:
        if isinstance(a, kind):
            kept.extend(a.args)
        elif _is_const(a):
            if _truth(a.value) == absorbing:
                return Const(absorbing)
        else:
            kept.append(a)
    unique = tuple(dict.fromkeys(kept))
    if not unique:
        return Const(neutral)
    return unique[0] if len(unique) == 1 else kind(unique)


def simplify(expr: Expr, max_levels: Mapping[str, int] | None = None) -> Expr:
    """Fold constants and turn comparisons on Boolean nodes into literals.

    ``max_levels`` gives each node's maximum level; nodes absent from it are
    taken as Boolean.  The result is logically equivalent to ``expr``.

    >>> to_text(simplify(Compare("==", Var("A"), Const(0))))
    '!A'
    >>> to_text(simplify(IfThenElse(Var("A"), Const(1), Const(0))))
    'A'
    >>> to_text(simplify(And((Var("A"), Const(1)))))
    'A'
    """
    max_levels = max_levels or {}
    kids = tuple(simplify(k, max_levels) for k in children(expr))
    expr = _rebuild(expr, kids) if kids else expr
    if isinstance(expr, (And, Or)):
        return _simplify_nary(type(expr), expr.args)
    if isinstance(expr, Not):
        if _is_const(expr.arg):
            return Const(1 - _truth(expr.arg.value))
        if isinstance(expr.arg, Not) and _is_boolean_valued(expr.arg.arg, max_levels):
            return expr.arg.arg
        return expr
    if isinstance(expr, Compare):
        return _simplify_compare(expr, max_levels)
    if isinstance(expr, IfThenElse):
        if _is_const(expr.cond):
            return expr.then if _truth(expr.cond.value) else expr.otherwise
        if expr.then == Const(1) and expr.otherwise == Const(0):
            return expr.cond if _is_boolean_valued(expr.cond, max_levels) else expr
        if expr.then == Const(0) and expr.otherwise == Const(1):
            return simplify(Not(expr.cond), max_levels)
        if expr.then == expr.otherwise:
            return expr.then
        return expr
    if all(_is_const(k) for k in kids) and kids and not isinstance(expr, IfThenElse):
        return Const(evaluate(expr, {}))
    return expr


def _is_boolean_valued(expr: Expr, max_levels: Mapping[str, int]) -> bool:
    if isinstance(expr, Const):
        return expr.value in (0, 1)
    if isinstance(expr, Var):
        return max_levels.get(expr.name, 1) == 1
    return isinstance(expr, (Not, And, Or, Xor, Implies, Compare))


_FLIPPED = {"==": "==", "!=": "!=", ">=": "<=", ">": "<", "<=": ">=", "<": ">"}


def _simplify_compare(expr: Compare, max_levels: Mapping[str, int]) -> Expr:
    left, right, op = expr.left, expr.right, expr.op
    if _is_const(left) and _is_const(right):
        return Const(evaluate(expr, {}))
    if _is_const(left) and isinstance(right, Var):
        left, right, op = right, left, _FLIPPED[op]
    if not (isinstance(left, Var) and _is_const(right)):
        return Compare(op, left, right)
    top = max_levels.get(left.name, 1)
    levels = range(top + 1)
    true_levels = [lv for lv in levels if COMPARISONS[op](lv, right.value)]
    if not true_levels:
        return FALSE
    if len(true_levels) == len(levels):
        return TRUE
    if top == 1:
        return left if true_levels == [1] else Not(left)
    if true_levels == list(range(true_levels[0], top + 1)):
        return Compare(">=", left, Const(true_levels[0]))
    if true_levels == list(range(0, true_levels[-1] + 1)):
        return Compare("<=", left, Const(true_levels[-1]))
    if len(true_levels) == 1:
        return Compare("==", left, Const(true_levels[0]))
    return Compare(op, left, right)


# --- printing -------------------------------------------------------------------------

_PRECEDENCE = {IfThenElse: 0, Implies: 1, Or: 2, Xor: 3, And: 4, Compare: 5, Arith: 6, Not: 8, Neg: 8}
_ARITH_PRECEDENCE = {"+": 6, "-": 6, "*": 7, "/": 7}


def _precedence(expr: Expr) -> int:
    if isinstance(expr, Arith):
        return _ARITH_PRECEDENCE[expr.op]
    return _PRECEDENCE.get(type(expr), 9)


def _format_number(value) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return repr(value)
    if isinstance(value, float) and math.isinf(value):
        return "1e308" if value > 0 else "-1e308"
    return repr(value)


def to_text(expr: Expr, style: str = "maboss") -> str:
    """Print an expression in MaBoSS (``style="maboss"``) or BoolNet syntax (``"bnet"``).

    Both use ``& | !``; MaBoSS writes xor as ``^`` and constants as ``1``/``0``,
    .bnet writes constants as ``1``/``0`` too.  Comparisons and ``?:`` are MaBoSS only.

    >>> to_text(Or((And((Var("A"), Var("B"))), Not(Var("C")))))
    'A & B | !C'
    >>> to_text(Not(Or((Var("A"), Var("B")))))
    '!(A | B)'
    """
    def wrap(child: Expr, parent_prec: int, strict: bool = False) -> str:
        text = to_text(child, style)
        child_prec = _precedence(child)
        if child_prec < parent_prec or (strict and child_prec == parent_prec):
            return f"({text})"
        return text

    prec = _precedence(expr)
    if isinstance(expr, Const):
        return _format_number(expr.value)
    if isinstance(expr, Var):
        return expr.name
    if isinstance(expr, Param):
        return f"${expr.name}"
    if isinstance(expr, Logic):
        return "@logic"
    if isinstance(expr, Not):
        return "!" + wrap(expr.arg, prec)
    if isinstance(expr, Neg):
        return "-" + wrap(expr.arg, prec)
    if isinstance(expr, (And, Or, Xor)):
        sep = {And: " & ", Or: " | ", Xor: " ^ "}[type(expr)]
        return sep.join(wrap(a, prec, strict=isinstance(expr, Xor)) for a in expr.args)
    if isinstance(expr, Implies):  # neither MaBoSS nor BoolNet has an implication operator
        return to_text(Or((Not(expr.left), expr.right)), style)
    if isinstance(expr, Compare):
        return f"{wrap(expr.left, prec, True)} {expr.op} {wrap(expr.right, prec, True)}"
    if isinstance(expr, Arith):
        return f"{wrap(expr.left, prec)} {expr.op} {wrap(expr.right, prec, True)}"
    if isinstance(expr, IfThenElse):
        return f"{wrap(expr.cond, 1)} ? {wrap(expr.then, 1)} : {wrap(expr.otherwise, 0)}"
    if isinstance(expr, Call):
        return f"{expr.name}({', '.join(to_text(a, style) for a in expr.args)})"
    raise TypeError(f"not an expression: {expr!r}")


# --- analysis helpers -------------------------------------------------------------------

def is_boolean_rule(expr: Expr) -> bool:
    """True when the expression only uses Boolean operators, literals and 0/1 constants.

    >>> is_boolean_rule(And((Var("A"), Not(Var("B")))))
    True
    >>> is_boolean_rule(Compare(">=", Var("A"), Const(2)))
    False
    """
    for e in walk(expr):
        if isinstance(e, Const) and e.value not in (0, 1):
            return False
        if not isinstance(e, (Const, Var, Not, And, Or, Xor, Implies)):
            return False
    return True


def truth_table(expr: Expr, inputs: tuple, max_levels: Mapping[str, int] | None = None):
    """Yield ``(assignment, value)`` for every combination of the inputs' levels.

    >>> [v for _, v in truth_table(Or((Var("A"), Var("B"))), ("A", "B"))]
    [0, 1, 1, 1]
    """
    max_levels = max_levels or {}
    ranges = [range(max_levels.get(name, 1) + 1) for name in inputs]
    for combo in itertools.product(*ranges):
        state = dict(zip(inputs, combo))
        yield state, evaluate(expr, state)


def signs(expr: Expr, max_levels: Mapping[str, int] | None = None, exact_limit: int = 12) -> dict:
    """Sign of each regulator's influence on the rule: +1, -1, or 0 (dual).

    Computed exactly from the truth table when the rule has at most
    ``exact_limit`` inputs and reads no ``$parameter``, otherwise from the syntax
    (parity of negations).

    >>> signs(And((Var("A"), Not(Var("B")))))
    {'A': 1, 'B': -1}
    >>> signs(IfThenElse(Param("case_a"), Var("A"), Not(Var("B"))))  # p53_Mdm2.bnd's kind of rule
    {'A': 1, 'B': -1}
    """
    names = tuple(sorted(variables(expr)))
    if len(names) <= exact_limit and not parameters(expr):
        return _exact_signs(expr, names, max_levels or {})
    return _syntactic_signs(expr)


def _python_source(expr: Expr, index: Mapping[str, int]) -> str:
    """Python source of a node-level expression over the tuple ``s`` of levels in ``index`` order."""
    src = lambda e: _python_source(e, index)  # noqa: E731
    if isinstance(expr, Const):
        return repr(expr.value)
    if isinstance(expr, Var):
        return f"s[{index[expr.name]}]"
    if isinstance(expr, Not):
        return f"(0 if {src(expr.arg)} else 1)"
    if isinstance(expr, (And, Or)):
        joiner = " and " if isinstance(expr, And) else " or "
        return f"(1 if ({joiner.join(src(a) for a in expr.args)}) else 0)"
    if isinstance(expr, Xor):
        return f"(({' + '.join(f'(1 if {src(a)} else 0)' for a in expr.args)}) % 2)"
    if isinstance(expr, Implies):
        return f"(1 if (not {src(expr.left)}) or {src(expr.right)} else 0)"
    if isinstance(expr, Compare):
        return f"(1 if {src(expr.left)} {expr.op} {src(expr.right)} else 0)"
    if isinstance(expr, Arith):
        return f"({src(expr.left)} {expr.op} {src(expr.right)})"
    if isinstance(expr, Neg):
        return f"(-{src(expr.arg)})"
    if isinstance(expr, IfThenElse):
        return f"({src(expr.then)} if {src(expr.cond)} else {src(expr.otherwise)})"
    if isinstance(expr, Call):
        return f"_{expr.name}({', '.join(src(a) for a in expr.args)})"
    raise TypeError(f"{to_text(expr)} reads parameters or @logic; it has no truth table over node levels")


def compile_levels(expr: Expr, names: tuple) -> Callable:
    """A fast Python function of a tuple of levels (in ``names`` order) equal to ``evaluate(expr, ...)``.

    >>> compile_levels(And((Var("A"), Not(Var("B")))), ("A", "B"))((1, 0))
    1
    """
    index = {name: i for i, name in enumerate(names)}
    functions = {"_log": _log, "_exp": _exp}
    return eval(f"lambda s: {_python_source(expr, index)}", functions)  # noqa: S307 - source built from the tree


def _exact_signs(expr: Expr, names: tuple, max_levels: Mapping[str, int]) -> dict:
    function = compile_levels(expr, names)
    ranges = [range(max_levels.get(name, 1) + 1) for name in names]
    table = {combo: function(combo) for combo in itertools.product(*ranges)}
    result = {}
    for i, name in enumerate(names):
        up = down = False
        for combo, value in table.items():
            if combo[i] < max_levels.get(name, 1):
                higher = table[combo[:i] + (combo[i] + 1,) + combo[i + 1:]]
                up |= higher > value
                down |= higher < value
        result[name] = 0 if up and down else (-1 if down else 1)
    return result


def _syntactic_signs(expr: Expr) -> dict:
    found: dict = {}

    def visit(e: Expr, polarity: int):
        if isinstance(e, Var):
            found[e.name] = polarity if found.get(e.name, polarity) == polarity else 0
        elif isinstance(e, Not):
            visit(e.arg, -polarity)
        elif isinstance(e, Compare) and isinstance(e.left, Var):
            pol = {"<": -1, "<=": -1, ">": 1, ">=": 1}.get(e.op, 0)
            if e.op == "==" and e.right == Const(0):
                pol = -1
            visit(e.left, polarity * pol if pol else 0)
        elif isinstance(e, Xor):
            for k in children(e):
                visit(k, 0)
        elif isinstance(e, Implies):
            visit(e.left, -polarity)
            visit(e.right, polarity)
        else:
            for k in children(e):
                visit(k, polarity)

    visit(expr, 1)
    return dict(sorted(found.items()))
