"""Tokenizer and precedence-climbing parser for rule and rate text (.bnet, .bnd, .cfg).

One grammar serves every text format, from loosest to tightest binding::

    cond ? a : b                     (right-associative)
    |  ||  OR                        disjunction
    ^  XOR                           exclusive or
    &  &&  AND                       conjunction
    ==  !=                           equality
    <  <=  >  >=                     comparison
    +  -                             arithmetic
    *  /
    !  NOT  -  +                     unary
    ( ... )  number  name  $param  @logic  TRUE  FALSE  log(x[, base])  exp(x[, base])

Keywords are case-insensitive, as in MaBoSS.  ``TRUE``/``FALSE`` are the
constants 1/0 (MaBoSS only knows them in .cfg files and reads ``TRUE`` in a .bnd
rule as a node name; no real model names a node ``TRUE``).  ``log`` and ``exp``
are MaBoSS's two built-in functions (``exp(x, b)`` is ``b**x``); a call on
constant arguments is folded to a number at parse time, any other call stays a
:class:`~booleanidt.expr.Call` (e.g. ``-log(1 - #cell(CTL)/#cell(1))`` in a rate).

Comments are the caller's business: :func:`blank_comments` replaces them with
spaces so line and column numbers stay right.

Examples
--------
>>> from booleanidt.expr import to_text
>>> to_text(parse_expression("A AND NOT (B || C)"))
'A & !(B | C)'
>>> parse_expression("@logic ? $u_X : 0.0")
IfThenElse(cond=Logic(), then=Param(name='u_X'), otherwise=Const(value=0.0))
>>> parse_expression("log(8, 2)"), to_text(parse_expression("exp(-$k * A)"))
(Const(value=3.0), 'exp(-$k * A)')
"""
from __future__ import annotations

import math
import re
from typing import Callable, NamedTuple, Optional

from ..errors import InputError
from ..expr import (FUNCTIONS, MAX_NESTING, And, Arith, Call, Compare, Const, Expr, IfThenElse, Logic, Neg, Not,
                    Or, Param, Var, Xor, evaluate, walk)

__all__ = ["Token", "TokenStream", "tokenize", "blank_comments", "parse_expression",
           "parse_expression_from", "constant_value", "name_problem"]


class Token(NamedTuple):
    """One token: ``kind`` is ``number``, ``name``, ``param``, ``attr``, ``op`` or ``end``."""

    kind: str
    text: str
    line: int
    column: int

    @property
    def where(self) -> str:
        """``line L, column C`` for error messages."""
        return f"line {self.line}, column {self.column}"

    def describe(self) -> str:
        """How the token is named in an error message."""
        return "end of text" if self.kind == "end" else repr(self.text)


_TOKEN_PATTERN = re.compile(r"""
    [ \t\r\f\v]*
    (?:
      (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
    | (?P<param>\$[A-Za-z_][A-Za-z0-9_]*)
    | (?P<attr>@[A-Za-z_][A-Za-z0-9_]*)
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<op>&&|\|\||==|!=|>=|<=|[!&|^<>+\-*/?:(){}\[\],;=.])
    | (?P<error>\S)
    | $
    )
""", re.VERBOSE)

_COMMENT_PATTERNS = {
    "//": r"//[^\n]*",
    "/*": r"/\*.*?(?:\*/|\Z)",
    "#": r"#[^\n]*",
}


def blank_comments(text: str, styles=("//", "/*")) -> str:
    """Replace comments by spaces (newlines kept), so positions do not move.

    ``styles`` picks the comment kinds: ``"//"`` (to end of line), ``"/*"``
    (``/* ... */``, may span lines) and ``"#"`` (to end of line).

    >>> blank_comments("A = 1; // note\\nB")
    'A = 1;        \\nB'
    """
    pattern = re.compile("|".join(_COMMENT_PATTERNS[s] for s in styles), re.DOTALL)
    return pattern.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def tokenize(text: str, source: str = "<string>", first_line: int = 1) -> list:
    """The tokens of ``text``, ending with an ``end`` token.

    Raises :class:`~booleanidt.errors.InputError` on a character that starts no token.

    >>> [t.text for t in tokenize("A&&!$k")]
    ['A', '&&', '!', '$k', '']
    """
    tokens, line, lines = [], first_line, text.split("\n")
    for line, content in enumerate(lines, start=first_line):  # no token spans lines
        for match in _TOKEN_PATTERN.finditer(content):
            kind = match.lastgroup
            if kind is None:  # trailing blanks
                continue
            column = match.start(kind) + 1
            if kind == "error":
                raise InputError(source, f"line {line}, column {column}",
                                 f"unexpected character {match.group(kind)!r}")
            tokens.append(Token(kind, match.group(kind), line, column))
    tokens.append(Token("end", "", line, len(lines[-1]) + 1))
    return tokens


class TokenStream:
    """A cursor over tokens, for the format readers' statement parsers.

    >>> stream = TokenStream(tokenize("X = 1;"), "f.cfg")
    >>> stream.expect_name("a node").text, stream.accept("="), stream.peek().text
    ('X', True, '1')
    """

    def __init__(self, tokens: list, source: str):
        self.tokens, self.source, self.index, self.last = tokens, source, 0, len(tokens) - 1

    def peek(self, ahead: int = 0) -> Token:
        """The token ``ahead`` positions from the cursor (the ``end`` token past the end)."""
        return self.tokens[min(self.index + ahead, self.last)]

    def next(self) -> Token:
        """Consume and return the current token."""
        token = self.tokens[self.index]
        if self.index < self.last:
            self.index += 1
        return token

    def at_end(self) -> bool:
        """True when only the ``end`` token is left."""
        return self.peek().kind == "end"

    def is_op(self, *texts: str) -> bool:
        """True when the current token is one of the operators ``texts``."""
        token = self.peek()
        return token.kind == "op" and token.text in texts

    def is_keyword(self, *words: str) -> bool:
        """True when the current token is a name equal to one of ``words`` (any case)."""
        token = self.peek()
        return token.kind == "name" and token.text.upper() in words

    def accept(self, text: str) -> bool:
        """Consume the operator ``text`` if it is next."""
        if self.is_op(text):
            self.next()
            return True
        return False

    def error(self, token: Token, problem: str) -> InputError:
        """An :class:`InputError` located at ``token``."""
        return InputError(self.source, token.where, problem)

    def expected(self, what: str) -> InputError:
        """``expected WHAT, found TOKEN`` at the current token."""
        token = self.peek()
        return self.error(token, f"expected {what}, found {token.describe()}")

    def expect(self, text: str) -> Token:
        """Consume the operator ``text`` or raise ``expected 'text'``."""
        if not self.is_op(text):
            raise self.expected(repr(text))
        return self.next()

    def expect_name(self, what: str = "a name") -> Token:
        """Consume a name token or raise ``expected WHAT``."""
        if self.peek().kind != "name":
            raise self.expected(what)
        return self.next()


#: binary operator (upper-cased for keywords) -> (precedence, builder)
_BINARY = {}
for _ops, _prec, _build in (
        (("|", "||", "OR"), 1, "flat"),
        (("^", "XOR"), 2, "flat"),
        (("&", "&&", "AND"), 3, "flat"),
        (("==", "!="), 4, None),
        (("<", "<=", ">", ">="), 5, None),
        (("+", "-"), 6, None),
        (("*", "/"), 7, None)):
    for _op in _ops:
        _BINARY[_op] = (_prec, _build)

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_KEYWORD_OPERATORS = frozenset({"OR", "XOR", "AND"})
_CONSTANT_NAMES = {"TRUE": 1, "FALSE": 0}
_RESERVED_NAMES = _KEYWORD_OPERATORS | {"NOT"} | _CONSTANT_NAMES.keys()


_FLAT_KINDS = {op: kind for kind, ops in ((Or, ("|", "||", "OR")), (Xor, ("^", "XOR")),
                                         (And, ("&", "&&", "AND"))) for op in ops}


def _spliced(kind, terms: list) -> Expr:
    """``kind(terms)`` with terms of the same kind spliced in (associativity), built once."""
    flat = []
    for term in terms:
        flat.extend(term.args if isinstance(term, kind) else (term,))
    return kind(tuple(flat))


def name_problem(name: str, format_name: str, reserved=()) -> Optional[str]:
    """Why ``name`` cannot be a node id in rule text (.bnd, .bnet), or None when it can.

    The grammar reads ``TRUE``, ``FALSE``, ``AND``, ``OR``, ``XOR`` and ``NOT`` (any case) as
    constants or operators, so a node with such an id would be read back as something else;
    ``reserved`` adds a format's own keywords.

    >>> name_problem("TRUE_1", ".bnet") is None
    True
    >>> name_problem("A-1", ".bnet")
    "'A-1' is not a valid .bnet name"
    >>> name_problem("true", ".bnet")
    "'true' is a keyword of the rule grammar (TRUE, FALSE, AND, OR, XOR, NOT in any case), not a usable node id"
    """
    if not _NAME.match(name):
        return f"{name!r} is not a valid {format_name} name"
    if name.upper() in _RESERVED_NAMES or name.upper() in {word.upper() for word in reserved}:
        shown = ", ".join(["TRUE", "FALSE", "AND", "OR", "XOR", "NOT", *(w.upper() for w in reserved)])
        return f"{name!r} is a keyword of the rule grammar ({shown} in any case), not a usable node id"
    return None


def _build_binary(op: str, left: Expr, right: Expr) -> Expr:
    if op in ("+", "-", "*", "/"):
        return Arith(op, left, right)
    return Compare(op, left, right)


AttributeResolver = Callable[[str, Token], Expr]


def _only_logic(name: str, token: Token, source: str) -> Expr:
    if name == "logic":
        return Logic()
    raise InputError(source, token.where, f"unknown attribute @{name} (only @logic is known here)")


class _ExpressionParser:
    def __init__(self, stream: TokenStream, attribute: Optional[AttributeResolver]):
        self.stream = stream
        self.attribute = attribute or (lambda name, token: _only_logic(name, token, stream.source))
        self.depth = 0

    def binary_operator(self) -> Optional[str]:
        token = self.stream.peek()
        if token.kind == "op" and token.text in _BINARY:
            return token.text
        if token.kind == "name" and token.text.upper() in _KEYWORD_OPERATORS:
            return token.text.upper()
        return None

    def too_deep(self, what: str) -> InputError:
        return self.stream.error(self.stream.peek(), f"expression nested more than {MAX_NESTING} levels deep ({what})")

    def nested(self, parse: Callable[[], Expr]) -> Expr:
        """``parse()`` one level deeper; past :data:`~booleanidt.expr.MAX_NESTING` levels, an error
        (instead of exhausting Python's stack)."""
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.too_deep("parentheses, ! or ?:")
        try:
            return parse()
        finally:
            self.depth -= 1

    def expression(self) -> Expr:
        condition = self.climb(1)
        if not self.stream.accept("?"):
            return condition
        then = self.nested(self.expression)
        self.stream.expect(":")
        return IfThenElse(condition, then, self.nested(self.expression))

    def climb(self, min_precedence: int) -> Expr:
        """Operators of precedence >= ``min_precedence``; a run of one associative operator
        (``A | B | C ...``) is collected and built once, so long rules cost linear time."""
        left, run, run_kind, chain = self.unary(), [], None, 0
        while True:
            op = self.binary_operator()
            if op is None or _BINARY[op][0] < min_precedence:
                break
            self.stream.next()
            right = self.climb(_BINARY[op][0] + 1)
            kind = _FLAT_KINDS.get(op)
            if kind is None or kind is not run_kind:
                left = _spliced(run_kind, [left] + run) if run else left
                run, run_kind = [], kind
            if kind is None:
                chain += 1  # a - b - c ... nests to the left, one level per operator
                if self.depth + chain > MAX_NESTING:
                    raise self.too_deep("a chain of arithmetic or comparisons")
                left = _build_binary(op, left, right)
            else:
                run.append(right)
        return _spliced(run_kind, [left] + run) if run else left

    def unary(self) -> Expr:
        stream = self.stream
        token = stream.peek()
        if token.kind == "op" and token.text in ("!", "-", "+"):
            stream.next()
            if token.text == "!":
                return Not(self.nested(self.unary))
            if token.text == "+":
                return self.nested(self.unary)
            if stream.peek().kind == "number":
                return Const(-self.number(stream.next()))
            return Neg(self.nested(self.unary))
        if token.kind == "name" and token.text.upper() == "NOT":
            stream.next()
            return Not(self.nested(self.unary))
        return self.primary()

    @staticmethod
    def number(token: Token):
        text = token.text
        return int(text) if text.isdigit() else float(text)

    def primary(self) -> Expr:
        stream = self.stream
        token = stream.peek()
        kind = token.kind
        if kind == "name" and token.text.upper() not in _RESERVED_NAMES:
            stream.next()
            if stream.is_op("("):
                return self.call(token)
            return Var(token.text)
        if kind == "number":
            return Const(self.number(stream.next()))
        if kind == "param":
            return Param(stream.next().text[1:])
        if kind == "attr":
            stream.next()
            return self.attribute(token.text[1:], token)
        if kind == "name" and token.text.upper() in _CONSTANT_NAMES:
            stream.next()
            return Const(_CONSTANT_NAMES[token.text.upper()])
        if stream.accept("("):
            inner = self.nested(self.expression)
            stream.expect(")")
            return inner
        raise stream.expected("a node name, number, $parameter or '('")

    def call(self, name: Token) -> Expr:
        stream = self.stream
        function = FUNCTIONS.get(name.text)
        if function is None:
            raise stream.error(name, f"unknown function {name.text}() (MaBoSS knows log and exp)")
        stream.expect("(")
        args = [self.nested(self.expression)]
        while stream.accept(","):
            args.append(self.nested(self.expression))
        stream.expect(")")
        if len(args) > 2:
            raise stream.error(name, f"{name.text}() takes one or two arguments, not {len(args)}")
        values = [constant_value(a) for a in args]
        if any(v is None for v in values):
            return Call(name.text, tuple(args))
        value = function(*values)
        if not math.isfinite(value):
            shown = ", ".join(str(v) for v in values)
            raise stream.error(name, f"{name.text}({shown}) is undefined")
        return Const(value)


def constant_value(expr: Expr):
    """The value of an expression made of numbers only, else None.

    >>> constant_value(parse_expression("2 * (3 + 1)")), constant_value(parse_expression("2 * $k"))
    (8, None)
    """
    if any(not isinstance(e, (Const, Not, And, Or, Xor, Compare, Arith, Neg, IfThenElse)) for e in walk(expr)):
        return None
    try:
        return evaluate(expr, {})
    except ZeroDivisionError:
        return None


def parse_expression_from(stream: TokenStream, attribute: Optional[AttributeResolver] = None) -> Expr:
    """Parse one expression at the stream's cursor and leave the cursor after it.

    ``attribute(name, token)`` gives the expression of ``@name``; by default only
    ``@logic`` is known (as :class:`~booleanidt.expr.Logic`).

    >>> stream = TokenStream(tokenize("A | B; C"), "<string>")
    >>> parse_expression_from(stream), stream.peek().text
    (Or(args=(Var(name='A'), Var(name='B'))), ';')
    """
    return _ExpressionParser(stream, attribute).expression()


def parse_expression(text: str, source: str = "<string>", first_line: int = 1,
                     attribute: Optional[AttributeResolver] = None) -> Expr:
    """Parse ``text`` as one whole expression.

    Errors are :class:`~booleanidt.errors.InputError` naming ``source``, line and column.

    >>> parse_expression("A & !B")
    And(args=(Var(name='A'), Not(arg=Var(name='B'))))
    >>> parse_expression("A & ", "m.bnet")
    Traceback (most recent call last):
    ...
    booleanidt.errors.InputError: m.bnet: line 1, column 5: expected a node name, number, $parameter or '(', found end of text
    """
    stream = TokenStream(tokenize(text, source, first_line), source)
    expr = parse_expression_from(stream, attribute)
    if not stream.at_end():
        raise stream.expected("an operator or end of expression")
    return expr
