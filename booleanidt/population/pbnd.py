"""Reading PopMaBoSS models: a ``.pbnd`` (or ``.bnd``) file and its ``.cfg``/``.pcfg``.

A ``.pbnd`` file is a MaBoSS ``.bnd`` file with population blocks::

    division {                       // one block per kind of division
      rate = A ? 1 / #cell(A) : 0;   // per-cell rate; #cell(expr) counts the cells where expr holds
      A.daughter1 = 0;               // optional: node values of each daughter (default: the mother's)
      B.daughter2 = 1;
    }
    death { rate = #cell(1) > 10 ? 0.1 : 0; }

``#cell(expr)`` may also appear in node rates.  The configuration may add
``init_pop = N;`` (N copies of one cell drawn from the ``istate``),
``[A,B].pop_istate = 0.5 [{[1,0]: 3}, {[0,0]: 1}], 0.5 [{[0,1]: 2}];`` (populations
with their probabilities; as in PopMaBoSS, their cells start with 0 for every node the
``pop_istate`` does not list, whatever its ``istate``, and several ``pop_istate`` lines each
draw their cells, all put together) and ``custom_pop_output = expr;``
(an integer computed from ``#cell`` counts, whose distribution is reported instead of the
population states).

In ``custom_pop_output``, as in MaBoSS's configuration grammar, ``#cell(...)`` takes a cell
*state*, node names joined by ``--``: ``#cell(DC -- TCell)`` counts the cells whose nodes
among those named in the output's ``#cell`` terms are exactly DC and TCell on (PopMaBoSS makes
the other nodes internal and compares the remaining state), so with ``#cell(DC)`` also in the
output, ``#cell(DC)`` counts the cells with DC on and TCell off.

Examples
--------
>>> pop = loads_pbnd("node A { logic = A; rate_up = @logic ? 1 : 0; }\\n"
...                  "division { rate = 1 / #cell(A); A.daughter2 = 0; }", "A.istate = 1; init_pop = 2;")
>>> pop.model.node_ids, pop.init_pop, len(pop.divisions), pop.cell_terms
(('A',), 2, 1, (Var(name='A'),))
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from ..expr import Const, Expr, Not, Var, conjunction, parameters, to_text, variables
from ..io import maboss as maboss_io
from ..io._files import read_text
from ..io._grammar import blank_comments, parse_expression
from ..model import LogicalModel
from ..simulation import SimulationSettings

__all__ = ["DivisionRule", "PopModel", "loads_pbnd", "read_pbnd", "CELL_PARAMETER"]

#: prefix of the parameters that stand for ``#cell(...)`` counts inside rate expressions
CELL_PARAMETER = "__cell"

_BLOCK = re.compile(r"\b(division|death)\s*\{([^{}]*)\}")
_NODE_BEFORE = re.compile(r"\bnode\s*$", re.IGNORECASE)
_CELL = re.compile(r"#cell\s*\(([^()]*(?:\([^()]*\)[^()]*)*)\)")
_STATE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_POP_KEYS = re.compile(r"^\s*(init_pop|custom_pop_output|\[[^\]]*\]\s*\.\s*pop_istate)\s*=", re.IGNORECASE)


@dataclass(frozen=True)
class DivisionRule:
    """One ``division`` block: the per-cell ``rate`` and the daughters' node values (node -> Expr)."""

    rate: Expr
    daughter1: dict = field(default_factory=dict)
    daughter2: dict = field(default_factory=dict)


@dataclass
class PopModel:
    """A PopMaBoSS model.

    Attributes
    ----------
    model : the cell model (node rates may use ``$__cellK`` for the K-th ``#cell`` term)
    divisions : tuple of :class:`DivisionRule`
    death : per-cell death rate (Expr) or None
    cell_terms : the expressions counted by ``#cell(...)``, in order (Const(1) for ``#cell()``)
    settings : run settings from the configuration
    init_pop : number of cells at t = 0 when there is no ``pop_istate``
    pop_istate : ``(nodes, ((probability, ((values, count), ...)), ...))`` or None
    custom_output : Expr of the custom population output, or None
    source : file name, for messages
    """

    model: LogicalModel
    divisions: tuple = ()
    death: Expr | None = None
    cell_terms: tuple = ()
    settings: SimulationSettings = field(default_factory=SimulationSettings)
    init_pop: int = 1
    pop_istate: tuple | None = None
    custom_output: Expr | None = None
    source: str = "<string>"


def _line_of(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


class _CellTerms:
    """Replaces ``#cell(expr)`` by ``$__cellK`` parameters, collecting the expressions."""

    def __init__(self, source: str):
        self.source, self.terms, self.index = source, [], {}

    def counted(self, expr: Expr) -> str:
        """The ``$__cellK`` parameter standing for the count of cells where ``expr`` holds."""
        if expr not in self.index:
            self.index[expr] = len(self.terms)
            self.terms.append(expr)
        return f"${CELL_PARAMETER}{self.index[expr]}"

    def replace(self, text: str, first_line: int = 1) -> str:
        def one(match):
            inner = match.group(1).strip()
            line = first_line + text.count("\n", 0, match.start())
            return self.counted(Const(1) if inner in ("", "1") else parse_expression(inner, self.source, line))
        return self._checked(_CELL.sub(one, text), first_line)

    def replace_states(self, text: str, first_line: int = 1) -> str:
        """Replace the ``#cell(A -- B)`` state counts of a custom output (see the module docstring)."""
        states = []
        for match in _CELL.finditer(text):
            names = [name.strip() for name in match.group(1).split("--")]
            if not all(_STATE_NAME.fullmatch(name) for name in names):
                line = first_line + text.count("\n", 0, match.start())
                raise InputError(self.source, f"line {line}", f"custom_pop_output: #cell({match.group(1).strip()}) "
                                 "is not a cell state (node names joined by ' -- ', as MaBoSS reads it)")
            states.append(names)
        shown = list(dict.fromkeys(name for names in states for name in names))
        exact = iter([conjunction([Var(n) if n in names else Not(Var(n)) for n in shown]) for names in states])
        return self._checked(_CELL.sub(lambda match: self.counted(next(exact)), text), first_line)

    def _checked(self, replaced: str, first_line: int) -> str:
        if "#" in replaced:
            at = replaced.index("#")
            line = first_line + replaced.count("\n", 0, at)
            raise InputError(self.source, f"line {line}", "'#' is only allowed in #cell(expression)")
        return replaced


def _population_blocks(text: str) -> list:
    """Matches of ``division {...}`` and ``death {...}`` blocks, not of nodes so named (``node Division {``)."""
    return [m for m in _BLOCK.finditer(text) if not _NODE_BEFORE.search(text, 0, m.start())]


def _statements(body: str, first_line: int):
    """``(line, text)`` of each ``;``-terminated statement of a block body."""
    position = 0
    for piece in body.split(";"):
        text = piece.strip()
        line = first_line + body.count("\n", 0, position + len(piece) - len(piece.lstrip()))
        position += len(piece) + 1
        if text:
            yield line, text


def _population_block(kind: str, body: str, first_line: int, source: str) -> tuple:
    """``(rate, daughter1, daughter2)`` of a division/death block body."""
    rate, daughters = None, ({}, {})
    for line, statement in _statements(body, first_line):
        key, equals, value = statement.partition("=")
        key = re.sub(r"\s+", "", key)
        if not equals or not value.strip():
            raise InputError(source, f"line {line}", f"{kind} block: cannot read {statement!r}; "
                                                     "expected rate = EXPR; or NODE.daughter1/2 = EXPR;")
        if key == "rate":
            if rate is not None:
                raise InputError(source, f"line {line}", f"{kind} block: rate is given twice")
            rate = parse_expression(value, source, line)
            continue
        daughter = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)\.daughter([12])", key)
        if daughter is None or kind == "death":
            allowed = "rate" if kind == "death" else "rate or NODE.daughter1/NODE.daughter2"
            raise InputError(source, f"line {line}", f"{kind} block: unknown attribute {key!r} (expected {allowed})")
        node, which = daughter.groups()
        daughters[int(which) - 1][node] = parse_expression(value, source, line)
    if rate is None:
        raise InputError(source, f"line {first_line}", f"{kind} block has no rate")
    return rate, daughters[0], daughters[1]


def _parse_pop_istate(key: str, value: str, source: str, line: int) -> tuple:
    nodes = tuple(n.strip() for n in key[key.index("[") + 1:key.index("]")].split(","))
    groups, rest = [], value.strip()
    group = re.compile(r"\s*([0-9.eE+-]+)\s*\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\s*(,|$)")
    individual = re.compile(r"\s*\{\s*\[([^\]]*)\]\s*:\s*(\d+)\s*\}\s*(,|$)")
    while rest:
        match = group.match(rest)
        if match is None:
            raise InputError(source, f"line {line}", f"pop_istate: cannot read {rest!r}; expected "
                                                     "P [{[v1,v2,...]: N}, ...], P [...]")
        cells, inner = [], match.group(2).strip()
        while inner:
            one = individual.match(inner)
            values = [v.strip() for v in one.group(1).split(",")] if one else []
            if one is None or len(values) != len(nodes) or any(v not in ("0", "1") for v in values):
                raise InputError(source, f"line {line}", f"pop_istate: bad cell {inner!r}: expected "
                                                         f"{{[{len(nodes)} values 0/1]: COUNT}}")
            cells.append((tuple(int(v) for v in values), int(one.group(2))))
            inner = inner[one.end():].strip()
        groups.append((float(match.group(1)), tuple(cells)))
        rest = rest[match.end():].strip()
    total = sum(p for p, _ in groups)
    if not groups or total <= 0:
        raise InputError(source, f"line {line}", "pop_istate: probabilities must add up to more than 0")
    return nodes, tuple((p / total, cells) for p, cells in groups)


def _split_cfg(cfg_text: str, source: str, cells: _CellTerms) -> tuple:
    """``(plain cfg text, init_pop, pop_istate, custom output)``; population lines are blanked."""
    text = blank_comments(cfg_text)
    init_pop, pop_istates, custom = 1, [], None
    kept, position = [], 0
    for piece in text.split(";"):
        statement_start = position + len(piece) - len(piece.lstrip())
        position += len(piece) + 1
        match = _POP_KEYS.match(piece)
        if match is None:
            kept.append(piece)
            continue
        line = _line_of(text, statement_start)
        key, value = match.group(1), piece[match.end():]
        kept.append("\n" * piece.count("\n") + "\x00")  # keeps line numbers; the marker is removed below
        if key.lower() == "init_pop":
            if not re.fullmatch(r"\s*\d+\s*", value) or int(value) < 1:
                raise InputError(source, f"line {line}", f"init_pop must be a whole number >= 1 (got {value.strip()!r})")
            init_pop = int(value)
        elif key.lower() == "custom_pop_output":
            custom = parse_expression(cells.replace_states(value.strip(), line), source, line)
        else:
            pop_istates.append(_parse_pop_istate(key, value, source, line))
    plain = ";".join(kept).replace("\x00;", "").replace("\x00", "")
    return plain, init_pop, _together(pop_istates) if pop_istates else None, custom


def _together(pop_istates: list) -> tuple:
    """One ``pop_istate`` from those of several lines, as PopMaBoSS reads them: each line draws its
    population on its own and the population at t = 0 holds the cells of all (a cell is 0 on the
    nodes its line does not list).

    >>> _together([(("A",), ((1.0, (((1,), 2),)),)),
    ...            (("B",), ((0.5, (((1,), 3),)), (0.5, (((0,), 1),))))])
    (('A', 'B'), ((0.5, (((1, 0), 2), ((0, 1), 3))), (0.5, (((1, 0), 2), ((0, 0), 1)))))
    """
    nodes = tuple(dict.fromkeys(node for names, _ in pop_istates for node in names))
    groups = [(1.0, ())]
    for names, choices in pop_istates:
        where = [nodes.index(node) for node in names]

        def widened(values: tuple, where=where) -> tuple:
            cell = [0] * len(nodes)
            for i, value in zip(where, values):
                cell[i] = value
            return tuple(cell)

        groups = [(p * q, cells + tuple((widened(values), count) for values, count in line_cells))
                  for p, cells in groups for q, line_cells in choices]
    return nodes, tuple(groups)


def loads_pbnd(pbnd_text: str, cfg_text: str | None = None, source: str = "<string>",
               cfg_source: str | None = None) -> PopModel:
    """Read a PopMaBoSS model from its ``.pbnd`` and ``.cfg``/``.pcfg`` texts.

    Errors are :class:`~booleanidt.errors.InputError` naming the file and line.

    >>> loads_pbnd("node A { logic = A; }\\ndivision { rate = 1; A.mother = 0; }", source="m.pbnd")
    Traceback (most recent call last):
    ...
    booleanidt.errors.InputError: m.pbnd: line 2: division block: unknown attribute 'A.mother' (expected rate or NODE.daughter1/NODE.daughter2)
    """
    cfg_source = cfg_source or source
    cells = _CellTerms(source)
    text = blank_comments(pbnd_text)
    divisions, death = [], None
    blocks = _population_blocks(text)
    for match in blocks:
        kind, first_line = match.group(1), _line_of(text, match.start(2))
        rate, one, two = _population_block(kind, cells.replace(match.group(2), first_line), first_line, source)
        if kind == "death":
            if death is not None:
                raise InputError(source, f"line {_line_of(text, match.start())}", "a second death block")
            death = rate
        else:
            divisions.append(DivisionRule(rate, one, two))
    for match in reversed(blocks):  # blanked, keeping line numbers
        text = text[:match.start()] + "\n" * match.group(0).count("\n") + text[match.end():]
    bnd_text = cells.replace(text)
    cells.source = cfg_source
    plain_cfg, init_pop, pop_istate, custom = _split_cfg(cfg_text or "", cfg_source, cells)
    # the reader checks rates with these values: 1, as a cell's rate is only read in a population of at
    # least one cell (with 0, ``#cell(A) / #cell(1)`` would be refused as 0 / 0)
    placeholders = "".join(f"${CELL_PARAMETER}{k} = 1;" for k in range(len(cells.terms)))
    model = maboss_io.loads(bnd_text, placeholders + plain_cfg, source=source, cfg_source=cfg_source)
    settings = maboss_io.loads_settings(plain_cfg, cfg_source)
    pop = PopModel(model, tuple(divisions), death, tuple(cells.terms), settings, init_pop, pop_istate, custom,
                   source)
    _check_names(pop, cfg_source)
    return pop


def _check_names(pop: PopModel, cfg_source: str) -> None:
    nodes = set(pop.model.node_ids)
    for term in pop.cell_terms:
        unknown = sorted(variables(term) - nodes)
        if unknown:
            raise InputError(pop.source, f"#cell({to_text(term)})", f"unknown node(s) {', '.join(unknown)}")
    for rule in pop.divisions:
        for node in (*rule.daughter1, *rule.daughter2):
            if node not in nodes:
                raise InputError(pop.source, "division", f"daughter rule for unknown node {node!r}")
    if pop.pop_istate is not None:
        unknown = [n for n in pop.pop_istate[0] if n not in nodes]
        if unknown:
            raise InputError(cfg_source, "pop_istate", f"unknown node(s) {', '.join(unknown)}")
    known = set(pop.model.parameters)
    for expr in (*[r.rate for r in pop.divisions], *([pop.death] if pop.death is not None else [])):
        missing = sorted(parameters(expr) - known)
        if missing:
            raise InputError(pop.source, "division/death rate", f"${missing[0]} is not defined")


def read_pbnd(path, cfg_path=None) -> PopModel:
    """Read a ``.pbnd`` (or ``.bnd``) file and its configuration (by default the ``.pcfg`` or
    ``.cfg`` with the same stem).

    >>> read_pbnd("missing.pbnd")
    Traceback (most recent call last):
    ...
    booleanidt.errors.InputError: missing.pbnd: no such file
    """
    path = Path(path)
    text = read_text(path)
    if cfg_path is None:
        cfg_path = next((c for c in (path.with_suffix(".pcfg"), path.with_suffix(".cfg")) if c.is_file()), None)
    cfg_text = read_text(cfg_path) if cfg_path is not None else None
    return loads_pbnd(text, cfg_text, str(path), str(cfg_path) if cfg_path is not None else None)
