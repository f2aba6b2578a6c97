""".bnet files (BoolNet, pyboolnet, mpbn): one ``target, rule`` line per node.

Format::

    # comment
    targets, factors          (optional header)
    A, A                      (a free input keeps its value)
    B, A & !C
    C, 1                      (constants 1 / 0)

Rules use ``!``, ``&``, ``|`` and parentheses; the reader also takes the other
spellings of :mod:`booleanidt.io._grammar` (``AND``, ``||``, ``^``...), but no
parameters or arithmetic.  Every node read in a rule must have its own line.

Names, MIRIAM annotations, notes and compartments travel in ``# booleanidt node X
{...}`` comment lines, which pyboolnet, mpbn and biodivine-aeon skip
(:mod:`booleanidt.io._descriptions`).  What .bnet cannot hold is lost on writing,
with a warning: initial states and MaBoSS rates.  Multi-valued models are booleanized first
(:func:`booleanidt.booleanize.booleanize`); ``fix``-ed nodes are written as their
constant (they never leave that value); free inputs (rule ``None``) as ``X, X``.
Reading ``X, X`` gives the self-loop rule ``Var("X")``, which
:meth:`~booleanidt.model.LogicalModel.is_input` treats as the same free input.

pyboolnet's ``primes2bnet`` without ``minimize=True`` writes constant nodes with
an empty rule (for 0 and 1 alike, so pyboolnet cannot read such files back
either); the reader refuses those lines with a message saying so.

Examples
--------
>>> model = loads("targets, factors\\nA, A\\nB, A & !C\\nC, B | A\\n")
>>> model.inputs
('A',)
>>> print(dumps(model), end="")
targets, factors
A, A
B, A & !C
C, B | A
"""
from __future__ import annotations

import re
import warnings

from ..booleanize import booleanize
from ..errors import InputError
from ..expr import And, Const, Expr, IfThenElse, Implies, Not, Or, Var, Xor, simplify, to_text, variables
from ..model import LogicalModel, Node, default_rate_down, default_rate_up
from ._files import atomic_write_text, read_text
from ._descriptions import model_description, node_description, with_descriptions
from ._grammar import TokenStream, blank_comments, name_problem, parse_expression_from, tokenize

__all__ = ["loads", "dumps", "read", "write", "exported_rule"]

_HEADER = re.compile(r"^\s*targets\s*,\s*factors\s*$", re.IGNORECASE)


def _boolean_connectives(expr: Expr, where: str, source: str) -> Expr:
    """``expr`` over ``! & |`` only (xor, implication and if-then-else expanded)."""
    rewrite = lambda e: _boolean_connectives(e, where, source)  # noqa: E731
    if isinstance(expr, Const) and expr.value in (0, 1):
        return Const(int(expr.value))
    if isinstance(expr, Var):
        return expr
    if isinstance(expr, Not):
        return Not(rewrite(expr.arg))
    if isinstance(expr, (And, Or)):
        return type(expr)(tuple(rewrite(a) for a in expr.args))
    if isinstance(expr, Implies):
        return Or((Not(rewrite(expr.left)), rewrite(expr.right)))
    if isinstance(expr, IfThenElse):
        cond = rewrite(expr.cond)
        return Or((And((cond, rewrite(expr.then))), And((Not(cond), rewrite(expr.otherwise)))))
    if isinstance(expr, Xor):
        result = rewrite(expr.args[0])
        for arg in map(rewrite, expr.args[1:]):
            result = Or((And((result, Not(arg))), And((Not(result), arg))))
        return result
    raise InputError(source, where, f"{to_text(expr)} is not a Boolean expression (.bnet has only ! & | and 0/1)")


def _parse_line(text: str, line_number: int, source: str):
    stream = TokenStream(tokenize(text, source, line_number), source)
    target = stream.expect_name("a node name")
    problem = name_problem(target.text, ".bnet")
    if problem:
        raise stream.error(target, problem)
    stream.expect(",")
    if stream.at_end():
        raise stream.error(stream.peek(), f"empty rule for {target.text} (write 1 or 0 for a constant; "
                           "pyboolnet's primes2bnet writes constants this way unless minimize=True)")
    rule = parse_expression_from(stream)
    if not stream.at_end():
        raise stream.expected("an operator or end of line")
    where = f"line {line_number}"
    return target.text, _boolean_connectives(simplify(rule), where, source)


def loads(text: str, source: str = "<string>") -> LogicalModel:
    """Read a model from .bnet text.

    Raises :class:`~booleanidt.errors.InputError` naming the line for syntax errors,
    a node given twice, or a rule naming a node that has no line of its own.

    >>> loads("A, A\\nB, !A").rules["B"]
    Not(arg=Var(name='A'))
    >>> loads("A, A\\nB, !Z", "m.bnet")
    Traceback (most recent call last):
    ...
    booleanidt.errors.InputError: m.bnet: line 2: rule of B names Z, which has no line of its own
    """
    rules, lines = {}, {}
    for number, line in enumerate(blank_comments(text, ("#",)).splitlines(), start=1):
        if not line.strip() or _HEADER.match(line):
            continue
        target, rule = _parse_line(line, number, source)
        if target in rules:
            raise InputError(source, f"line {number}", f"{target} already has a rule (line {lines[target]})")
        rules[target], lines[target] = rule, number
    if not rules:
        raise InputError(source, None, "no rules found")
    for target, rule in rules.items():
        unknown = sorted(name for name in variables(rule) if name not in rules)
        if unknown:
            raise InputError(source, f"line {lines[target]}",
                             f"rule of {target} names {', '.join(unknown)}, which has no line of its own")
    return with_descriptions(LogicalModel(nodes={n: Node(n) for n in rules}, rules=rules), text, source, "#")


def _lost_on_export(model: LogicalModel) -> list:
    lost = []
    if model.initial_probabilities or model.joint_initial_states or any(
            node.initial_level is not None for node in model.nodes.values()):
        lost.append("initial states")
    custom_rates = [n for n in model.nodes if n not in model.fixed and (
        model.rates_up.get(n, default_rate_up()) != default_rate_up()
        or model.rates_down.get(n, default_rate_down()) != default_rate_down())]
    if custom_rates:
        lost.append(f"rates of {', '.join(custom_rates[:5])}{'...' if len(custom_rates) > 5 else ''}")
    return lost


def exported_rule(model: LogicalModel, node_id: str, source: str = "<bnet output>") -> Expr:
    """The rule .bnet writes for a node of a Boolean model, over ``! & |`` only: a fixed node's
    constant, ``X`` for a free input, else its rule, simplified.

    Raises :class:`~booleanidt.errors.InputError` (naming ``source`` and the node) for a rule
    that is not Boolean (``$parameters``, arithmetic).

    >>> exported_rule(LogicalModel.from_rules({"A": None}).fix({"A": 1}), "A")
    Const(value=1)
    """
    if node_id in model.fixed:
        rule = Const(model.fixed[node_id])
    else:
        rule = model.rules[node_id]
        rule = Var(node_id) if rule is None else rule
    return _boolean_connectives(simplify(rule), f"node {node_id}", source)


def dumps(model: LogicalModel, header: bool = True) -> str:
    """The .bnet text of ``model`` (booleanized first if it is multi-valued).

    >>> from booleanidt.expr import Xor, Var
    >>> m = LogicalModel.from_rules({"A": None, "B": None, "C": Xor((Var("A"), Var("B")))})
    >>> print(dumps(m, header=False), end="")
    A, A
    B, B
    C, A & !B | !A & B
    """
    if not model.is_boolean:
        model = booleanize(model)
    lost = _lost_on_export(model)
    if lost:
        warnings.warn(f".bnet keeps only the rules and descriptions; not written: {', '.join(lost)}", stacklevel=2)
    lines = ["targets, factors"] if header else []
    lines += filter(None, [model_description(model, "#")])
    for node_id in model.rules:
        problem = name_problem(node_id, ".bnet")
        if problem:
            raise InputError("<bnet output>", f"node {node_id}", f"{problem}; rename the node to write .bnet")
        rule = to_text(exported_rule(model, node_id), style="bnet")
        lines += filter(None, [node_description(model, node_id, "#"), f"{node_id}, {rule}"])
    return "\n".join(lines) + "\n"


def read(path) -> LogicalModel:
    """Read a .bnet file.

    >>> read("missing.bnet")
    Traceback (most recent call last):
    ...
    booleanidt.errors.InputError: missing.bnet: no such file
    """
    return loads(read_text(path), source=str(path))


def write(model: LogicalModel, path, header: bool = True) -> None:
    """Write ``model`` to a .bnet file (atomic: no partial file on error)."""
    atomic_write_text(path, dumps(model, header=header))
