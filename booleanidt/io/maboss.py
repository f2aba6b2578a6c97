"""MaBoSS .bnd (network) and .cfg (parameters, initial states, run settings) files.

The .bnd file declares nodes::

    node X {                        (also Node / NODE)
      logic = A & !B;               the rule (absent: X keeps its initial value)
      rate_up = @logic ? $u_X : 0;  explicit rates (absent: MaBoSS's defaults, not stored)
      rate_down = @logic ? 0 : 1;
      my_attr = A | B;              other attributes: kept in Node.metadata, usable as @my_attr
    }
    Y : A | B                       short form: a node with a rule and default rates

The .cfg file holds ``$parameters`` (evaluated in file order; later ones may use
earlier ones), ``X.istate = 0 | 1 | -1`` (-1 = random, P = 0.5; TRUE/FALSE too),
joint initial states ``[A,B].istate = 0.3 [0,0], 0.7 [1,1];`` (a one-node group
becomes that node's initial probability), ``X.is_internal``, ``X.refstate`` and
the run settings of :class:`~booleanidt.simulation.settings.SimulationSettings`.
``//`` and ``/* */`` comments are allowed in both.  A node the .cfg does not
mention starts at random (P = 0.5): that is MaBoSS's default, checked with cmaboss.

Names, MIRIAM annotations, notes and compartments (the model's and each node's) have
no MaBoSS syntax; they are written as ``// booleanidt node X {...}`` comment lines of
JSON, which MaBoSS skips, and read back (:mod:`booleanidt.io._descriptions`).

Perturbations round-trip.  A mutant (:meth:`LogicalModel.mutate`) is written as
cmaboss's own ``mutate`` makes it: ``logic = 1|0;`` with the node's rates as they
are (the default ones after ``mutate``), plus a ``mutant = 1|0;`` node attribute that
marks it for our reader (MaBoSS keeps attributes no rate reads and ignores them,
checked with cmaboss).  A fixed node (:meth:`LogicalModel.fix`) is written as
PROFILE forces it (rate away from the value 0, istate at the value) plus a
``fixed = v;`` attribute, for the same reason.

pyMaBoSS's file-based mutants, ``rate_up = $Low_X ? 0 : ($High_X ? 1E308/$nb_mutable
: rate)`` (``rate_down`` the mirror image) with ``$High_X`` or ``$Low_X`` set to 1 in
the .cfg, switch X to the value at once and hold it there whatever its rule says:
they are read as fixed nodes (:meth:`LogicalModel.fix`: X starts at the value and the
rate away from it is 0), and ``$High_X``, ``$Low_X`` and ``$nb_mutable`` are dropped,
unless the node's own rates inside the wrapper read them (cellfate's CASP8 uses its own
``$Low_CASP8``): those keep the .cfg's value.
With neither set to 1, the wrapper is kept as the node's rates.

Where we differ from MaBoSS (2.6, as cmaboss): we refuse what it accepts silently
or crashes on: an ``istate`` other than 0, 1 or -1 (MaBoSS reads 0.3 as 1; use a
one-node group ``[X].istate = 0.7 [0], 0.3 [1];``), negative rates (cmaboss
segfaults), initial-state groups whose weights sum to 0.  ``@attr`` references
to node attributes other than ``@logic`` are replaced by the attribute's expression.
``log``/``exp`` calls must have constant arguments (they are folded to numbers).

Found while checking against cmaboss (2.6.8), for whoever compares runs with it:

* cmaboss's ``mutate`` (behind ``maboss.load(..., cmaboss=True).mutate``) by default
  (``simple=True``) sets ``logic = 1|0`` and drops the node's explicit rates (a node
  with ``rate_up = @logic ? $u : 0``, $u = 50, then rises at rate 1): the node reaches
  the constant at rate 1, not at once.  ``simple=False`` writes pyMaBoSS's
  immediate-switch rates instead (with ``($Low_X == 1)`` tests and 1.79769e+308).
* With ``use_physrandgen = 0``, MaBoSS's random initial states (-1, or no istate) are not
  independent draws: with 14 free nodes and 2,000 trajectories, seeds 1, 2 and 3 give
  the same marginals (13 nodes at 0.492-0.502, one at 0.595, 8 standard errors off 0.5).
* cmaboss's SBML-qual reader ignores ``qual:initialLevel`` (every node starts at random);
  we write the initial level as the node's istate.

Examples
--------
>>> model = loads("node A { logic = A; }  node B { logic = !A; rate_up = @logic ? $k : 0; }",
...               "$k = 2 * 3; A.istate = 1; B.is_internal = 1;")
>>> model.rates_up["B"], model.parameters, model.initial_probabilities
(IfThenElse(cond=Logic(), then=Param(name='k'), otherwise=Const(value=0)), {'k': 6}, {'A': 1.0})
>>> bnd, cfg = dumps(model)
>>> loads(bnd, cfg) == model
True
"""
from __future__ import annotations

import dataclasses
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from ..booleanize import booleanize
from ..errors import InputError
from ..expr import Arith, Const, Expr, IfThenElse, Logic, Param, Var, evaluate, to_text, walk
from ..model import JointInitialState, LogicalModel, ModelError, default_rate_down, default_rate_up
from ..model import Node
from ..simulation.settings import CFG_NAMES, IGNORED_CFG_NAMES, SETTINGS_KEY, SettingsError, SimulationSettings
from ._files import atomic_write_files, read_text
from ._pairing import check_pair, stamped
from ._grammar import Token, TokenStream, blank_comments, name_problem, parse_expression_from, tokenize
from ._descriptions import model_description, node_description, with_descriptions

__all__ = ["loads", "dumps", "read", "write", "loads_settings", "read_settings", "apply_cfg", "apply_cfg_text"]

#: MaBoSS's own keyword beyond the rule grammar's: a node named ``node`` stops its parser.
_MABOSS_KEYWORDS = ("NODE",)
_CORE_ATTRIBUTES = ("logic", "rate_up", "rate_down", "is_internal", "refstate", "fixed", "mutant")
_RANDOM_ISTATE = -1
_MUTATION_RATE = Arith("/", Const(1e308), Param("nb_mutable"))


@dataclass(frozen=True)
class _References:
    """What an expression reads: node names, parameter names, and whether it uses ``@logic``."""

    nodes: frozenset
    parameters: frozenset
    logic: bool

    @classmethod
    def of(cls, expr: Expr) -> "_References":
        nodes, params, logic = set(), set(), False
        for e in walk(expr):
            if isinstance(e, Var):
                nodes.add(e.name)
            elif isinstance(e, Param):
                params.add(e.name)
            elif isinstance(e, Logic):
                logic = True
        return cls(frozenset(nodes), frozenset(params), logic)


def _absent(names, table) -> list:
    """The ``names`` that are not keys of ``table`` (``set - dict.keys()`` costs the whole dict each time)."""
    return [name for name in names if name not in table]


def _stream(text: str, source: str) -> TokenStream:
    return TokenStream(tokenize(blank_comments(text), source), source)


# --- .bnd ---------------------------------------------------------------------------

@dataclass
class _NodeBlock:
    """One node as declared in the .bnd file, with the line of each attribute."""

    id: str
    line: int
    attributes: dict = field(default_factory=dict)   # name -> Expr
    lines: dict = field(default_factory=dict)        # name -> line


def _attribute_resolver(block: _NodeBlock, source: str):
    def resolve(name: str, token: Token) -> Expr:
        if name == "logic":
            return Logic()
        if name in block.attributes:
            return block.attributes[name]
        raise InputError(source, token.where, f"node {block.id}: @{name} is not an attribute defined above")
    return resolve


def _parse_node_block(stream: TokenStream, name: Token) -> _NodeBlock:
    block = _NodeBlock(name.text, name.line)
    stream.expect("{")
    while not stream.accept("}"):
        attribute = stream.expect_name(f"an attribute of node {name.text} (logic, rate_up, rate_down...) or '}}'")
        stream.expect("=")
        block.attributes[attribute.text] = parse_expression_from(stream, _attribute_resolver(block, stream.source))
        block.lines[attribute.text] = attribute.line
        if not stream.is_op("}"):
            stream.expect(";")
    return block


def _parse_bnd(text: str, source: str) -> dict:
    stream, blocks = _stream(text, source), {}
    while not stream.at_end():
        if stream.is_keyword("NODE") and stream.peek(1).kind == "name":
            stream.next()
            name = stream.next()
            block = _parse_node_block(stream, name)
        elif stream.peek().kind == "name" and stream.peek(1).text == ":":
            name = stream.next()
            stream.next()
            block = _NodeBlock(name.text, name.line, {"logic": parse_expression_from(stream)},
                               {"logic": name.line})
            stream.accept(";")
        else:
            raise stream.expected("'node NAME { ... }' or 'NAME : rule'")
        problem = name_problem(block.id, "MaBoSS")
        if problem:
            raise stream.error(name, problem)
        if block.id in blocks:
            raise stream.error(name, f"node {block.id} is already defined (line {blocks[block.id].line})")
        blocks[block.id] = block
    if not blocks:
        raise InputError(source, None, "no node declared")
    return blocks


# --- .cfg ---------------------------------------------------------------------------

@dataclass
class _Config:
    """What a .cfg file says, before it is applied to a network."""

    parameters: dict = field(default_factory=dict)   # name -> value
    istates: dict = field(default_factory=dict)      # node -> (probability, line)
    joint: list = field(default_factory=list)        # (JointInitialState, line)
    node_flags: dict = field(default_factory=dict)   # (node, "is_internal"|"refstate") -> (value, line)
    schedules: dict = field(default_factory=dict)    # node -> (((time, probability Expr), ...), token)
    settings: dict = field(default_factory=dict)     # cfg name -> value


class _ConfigParser:
    def __init__(self, text: str, source: str):
        self.stream, self.source, self.config = _stream(text, source), source, _Config()

    def value(self, what: str):
        """Parse an expression and evaluate it with the parameters defined so far."""
        start = self.stream.peek()
        expr = parse_expression_from(self.stream)
        references = _References.of(expr)
        if references.nodes or references.logic:
            raise self.stream.error(start, f"{what} must be a number, not an expression of node states "
                                    f"({', '.join(sorted(references.nodes)) or '@logic'})")
        undefined = sorted(_absent(references.parameters, self.config.parameters))
        if undefined:
            raise self.stream.error(start, f"{what} uses ${undefined[0]}, which is not defined above")
        try:
            return evaluate(expr, {}, self.config.parameters)
        except ZeroDivisionError:
            raise self.stream.error(start, f"{what} divides by zero") from None

    def parse(self) -> _Config:
        stream = self.stream
        while not stream.at_end():
            token = stream.peek()
            if token.kind == "param":
                stream.next()
                stream.expect("=")
                self.config.parameters[token.text[1:]] = self.value(token.text)
            elif stream.is_op("["):
                self.joint_istate()
            elif token.kind == "name" and stream.peek(1).text == ".":
                self.node_setting()
            elif token.kind == "name":
                stream.next()
                stream.expect("=")
                self.config.settings[token.text] = (self.value(f"setting {token.text}"), token)
            else:
                raise stream.expected("a setting, $parameter, NODE.istate or [NODES].istate")
            stream.expect(";")
        return self.config

    def set_istate(self, node: Token, probability: float):
        if node.text in self.config.istates:
            raise self.stream.error(node, f"initial state of {node.text} is already given "
                                    f"(line {self.config.istates[node.text][1]})")
        self.config.istates[node.text] = (probability, node.line)

    def node_setting(self):
        stream = self.stream
        node = stream.next()
        stream.expect(".")
        attribute = stream.expect_name("istate, is_internal, refstate, in_graph or schedule")
        stream.expect("=")
        if attribute.text == "schedule":
            self.schedule(node)
            return
        value = self.value(f"{node.text}.{attribute.text}")
        if attribute.text == "istate":
            if value not in (0, 1, _RANDOM_ISTATE):
                raise stream.error(node, f"{node.text}.istate is {value!r}; use 0, 1 or -1 (random), or "
                                   f"[{node.text}].istate = {1 - value if 0 < value < 1 else 'w0'} [0], "
                                   f"{value if 0 < value < 1 else 'w1'} [1]; for a probability")
            self.set_istate(node, 0.5 if value == _RANDOM_ISTATE else float(value))
        elif attribute.text in ("is_internal", "refstate", "in_graph"):
            self.config.node_flags[(node.text, attribute.text)] = (value, node)
        else:
            raise stream.error(attribute, f"unknown node setting {node.text}.{attribute.text} "
                               "(known: istate, is_internal, refstate, in_graph, schedule)")

    def schedule(self, node: Token):
        """``X.schedule = t1: p1, t2: p2, ...`` (after the ``=``); p may be an expression of the state."""
        if node.text in self.config.schedules:
            raise self.stream.error(node, f"{node.text}.schedule is already given "
                                    f"(line {self.config.schedules[node.text][1].line})")

        def entry():
            time = self.value(f"{node.text}.schedule time")
            self.stream.expect(":")
            start = self.stream.peek()
            probability = parse_expression_from(self.stream)
            references = _References.of(probability)
            if not (references.nodes or references.parameters or references.logic):
                probability = Const(evaluate(probability, {}, {}))
                if not 0 <= probability.value <= 1:
                    raise self.stream.error(start, f"{node.text}.schedule at {_number(time)}: probability "
                                            f"{_number(probability.value)} is not in [0, 1]")
            return float(time), probability

        entries = self.separated(entry)
        times = [t for t, _ in entries]
        if len(set(times)) != len(times) or any(t < 0 for t in times):
            raise self.stream.error(node, f"{node.text}.schedule: times must be distinct and >= 0 (got "
                                    f"{', '.join(map(_number, times))})")
        self.config.schedules[node.text] = (tuple(entries), node)

    def separated(self, read_item, separator: str = ",") -> list:
        """One or more items read by ``read_item()``, separated by ``separator``."""
        items = [read_item()]
        while self.stream.accept(separator):
            items.append(read_item())
        return items

    def bracketed(self, read_item) -> tuple:
        """``[item, item, ...]``: the opening token and the items."""
        start = self.stream.expect("[")
        items = self.separated(read_item)
        self.stream.expect("]")
        return start, items

    def levels(self, count: int) -> tuple:
        stream = self.stream
        start, levels = self.bracketed(lambda: self.value("an initial level"))
        if len(levels) != count or any(level not in (0, 1) for level in levels):
            raise stream.error(start, f"initial levels {levels} must be {count} values, each 0 or 1")
        return tuple(int(level) for level in levels)

    def joint_istate(self):
        stream = self.stream
        start, nodes = self.bracketed(lambda: stream.expect_name("a node name"))
        stream.expect(".")
        attribute = stream.expect_name("istate")
        if attribute.text != "istate":
            raise stream.error(attribute, f"expected istate, found {attribute.text!r}")
        stream.expect("=")
        choices = self.separated(lambda: (self.value("a weight"), self.levels(len(nodes))))
        names = tuple(n.text for n in nodes)
        try:
            group = JointInitialState(names, tuple(choices))
        except ModelError as exc:
            raise stream.error(start, str(exc)) from None
        for node in nodes:
            self.set_istate(node, None)
        if len(names) == 1:
            total = sum(w for w, _ in choices)
            weight_of_one = sum(w for w, levels in choices if levels == (1,))
            probability = float(weight_of_one if abs(total - 1) < 1e-12 else weight_of_one / total)
            self.config.istates[names[0]] = (probability, start.line)
        else:
            self.config.joint.append((group, start.line))


def _settings_from(config: _Config, source: str) -> SimulationSettings:
    known = set(CFG_NAMES) | set(CFG_NAMES.values()) | IGNORED_CFG_NAMES
    for name, (_, token) in config.settings.items():
        if name not in known:
            raise InputError(source, token.where, f"unknown setting {name!r} (known: "
                             f"{', '.join(sorted(set(CFG_NAMES.values()) | IGNORED_CFG_NAMES))})")
    try:
        return SimulationSettings.from_cfg_values({k: v for k, (v, _) in config.settings.items()})
    except SettingsError as exc:
        raise InputError(source, None, str(exc)) from None


def loads_settings(cfg_text: str, source: str = "<string>") -> SimulationSettings:
    """The run settings of a .cfg text (MaBoSS's defaults for those it does not set).

    >>> loads_settings("max_time = 50; time_tick = 0.5; use_physrandgen = 0;").max_time
    50.0
    >>> loads_settings("max_tme = 5;", "run.cfg")
    Traceback (most recent call last):
    ...
    booleanidt.errors.InputError: run.cfg: line 1, column 1: unknown setting 'max_tme' (known: discrete_time, display_traj, init_pop, max_time, sample_count, seed_pseudorandom, statdist_cluster_threshold, statdist_similarity_cache_max_size, statdist_traj_count, thread_count, time_tick, use_glibcrandgen, use_mtrandgen, use_physrandgen)
    """
    return _settings_from(_ConfigParser(cfg_text, source).parse(), source)


def read_settings(cfg_path) -> SimulationSettings:
    """The run settings of a .cfg file."""
    return loads_settings(_read_source(cfg_path), str(cfg_path))


# --- building the model ---------------------------------------------------------------

def _unwrap_mutation(rate: Optional[Expr], first: str, second: str, node_id: str):
    """``(inner rate, True)`` when ``rate`` is pyMaBoSS's mutant wrapper, else ``(rate, False)``.

    The wrapper is ``$first_X ? 0 : ($second_X ? 1E308/$nb_mutable : inner)``.
    """
    if (isinstance(rate, IfThenElse) and rate.cond == Param(f"{first}_{node_id}") and rate.then == Const(0)
            and isinstance(rate.otherwise, IfThenElse)
            and rate.otherwise.cond == Param(f"{second}_{node_id}") and rate.otherwise.then == _MUTATION_RATE):
        return rate.otherwise.otherwise, True
    return rate, False


def _parameters_read(rules: dict, rates_up: dict, rates_down: dict, schedules: dict) -> frozenset:
    """The parameters that rules, rates and scheduled probabilities read."""
    expressions = [e for e in (*rules.values(), *rates_up.values(), *rates_down.values()) if e is not None]
    expressions += [p for entries in schedules.values() for _, p in entries]
    return frozenset().union(*(_References.of(e).parameters for e in expressions))


def _possible_values(expr: Expr, params: dict) -> list:
    """The values a rate can take that do not depend on node states (branches of ``?:``)."""
    if isinstance(expr, IfThenElse):
        return _possible_values(expr.then, params) + _possible_values(expr.otherwise, params)
    references = _References.of(expr)
    if references.nodes or references.logic or _absent(references.parameters, params):
        return []
    try:
        return [evaluate(expr, {}, params)]
    except (ZeroDivisionError, ValueError, OverflowError):  # 1/0, log(0), exp(1000)
        return [float("nan")]


class _ModelBuilder:
    def __init__(self, blocks: dict, config: _Config, bnd_source: str, cfg_source: str):
        self.blocks, self.config = blocks, config
        self.bnd_source, self.cfg_source = bnd_source, cfg_source

    def fail_bnd(self, node_id: str, attribute: str, problem: str):
        block = self.blocks[node_id]
        line = block.lines.get(attribute, block.line)
        raise InputError(self.bnd_source, f"line {line}", f"node {node_id}: {problem}")

    def check_expression(self, node_id: str, attribute: str, expr: Expr):
        references = _References.of(expr)
        unknown = sorted(_absent(references.nodes, self.blocks))
        if unknown:
            self.fail_bnd(node_id, attribute, f"{attribute} names unknown node(s) {', '.join(unknown)}")
        undefined = sorted(_absent(references.parameters, self.config.parameters))
        if undefined:
            self.fail_bnd(node_id, attribute, f"{attribute} uses ${undefined[0]}, which the .cfg does not define")
        if attribute.startswith("rate_"):
            if "logic" not in self.blocks[node_id].attributes and references.logic:
                self.fail_bnd(node_id, attribute, f"{attribute} uses @logic but the node has no logic")
            bad = [v for v in _possible_values(expr, self.config.parameters) if not v >= 0]
            if bad:
                self.fail_bnd(node_id, attribute, f"{attribute} can be {bad[0]!r}; rates must be numbers >= 0")

    def number(self, node_id: str, attribute: str, expr: Expr):
        """The value of a node attribute that must be a number (parameters allowed)."""
        references = _References.of(expr)
        if references.nodes or references.logic or _absent(references.parameters, self.config.parameters):
            self.fail_bnd(node_id, attribute, f"{attribute} must be a number")
        return evaluate(expr, {}, self.config.parameters)

    def node(self, block: _NodeBlock) -> Node:
        attributes = block.attributes
        extra = {name: to_text(expr) for name, expr in attributes.items() if name not in _CORE_ATTRIBUTES}
        metadata = {"maboss_attributes": extra} if extra else {}
        if "refstate" in attributes:
            metadata["maboss_refstate"] = self.number(block.id, "refstate", attributes["refstate"])
        internal = self.number(block.id, "is_internal", attributes["is_internal"]) if "is_internal" in attributes else 0
        return Node(block.id, internal=bool(internal), metadata=metadata)

    def build(self) -> LogicalModel:
        """The model: network, .cfg parameters, initial states, flags and mutants, then fixed nodes."""
        nodes, rules, rates_up, rates_down = {}, {}, {}, {}
        mutations, fixed, py_mutants = {}, {}, []
        params = dict(self.config.parameters)
        for node_id, block in self.blocks.items():
            for attribute, expr in block.attributes.items():
                if attribute in ("logic", "rate_up", "rate_down"):
                    self.check_expression(node_id, attribute, expr)
            nodes[node_id] = self.node(block)
            rules[node_id] = block.attributes.get("logic")
            up, mutant_up = _unwrap_mutation(block.attributes.get("rate_up"), "Low", "High", node_id)
            down, mutant_down = _unwrap_mutation(block.attributes.get("rate_down"), "High", "Low", node_id)
            if mutant_up and mutant_down:
                high, low = params.get(f"High_{node_id}"), params.get(f"Low_{node_id}")
                if bool(high) != bool(low):
                    py_mutants.append(node_id)
                    fixed[node_id] = 1 if high else 0
                else:
                    up, down = block.attributes["rate_up"], block.attributes["rate_down"]
            if up is not None and up != default_rate_up():
                rates_up[node_id] = up
            if down is not None and down != default_rate_down():
                rates_down[node_id] = down
            if "fixed" in block.attributes:
                fixed[node_id] = int(self.number(node_id, "fixed", block.attributes["fixed"]))
            if "mutant" in block.attributes:
                mutations[node_id] = self.mutant_level(node_id)
        fields = _configured_fields(nodes, {}, (), self.config, self.cfg_source)
        wrapper_params = {f"{level}_{n}" for n in py_mutants for level in ("High", "Low")}
        read = _parameters_read(rules, rates_up, rates_down, fields["schedules"])
        for name in wrapper_params | ({"nb_mutable"} if py_mutants else set()):
            if name not in read:  # a model's own $Low_X, read by X's rates inside the wrapper, stays
                params.pop(name, None)
        model = LogicalModel(rules=rules, rates_up=rates_up, rates_down=rates_down, parameters=params,
                             mutations=mutations, **fields)
        return model.fix(fixed) if fixed else model

    def mutant_level(self, node_id: str) -> int:
        """The level of a ``mutant = v;`` marker, which must be the node's constant rule."""
        level = self.number(node_id, "mutant", self.blocks[node_id].attributes["mutant"])
        if self.blocks[node_id].attributes.get("logic") != Const(level):
            self.fail_bnd(node_id, "mutant", f"mutant = {_number(level)} but logic is not the constant {_number(level)}")
        return int(level)


def _configured_fields(model_nodes: dict, initial: dict, joint: tuple, config: _Config, source: str) -> dict:
    """``nodes``, ``initial_probabilities`` and ``joint_initial_states`` with a .cfg's
    initial states and node flags applied (parameters are the caller's)."""
    for node_id, (_, line) in config.istates.items():
        if node_id not in model_nodes:
            raise InputError(source, f"line {line}", f"initial state of unknown node {node_id}")
    nodes = dict(model_nodes)
    for (node_id, flag), (value, token) in config.node_flags.items():
        if node_id not in nodes:
            raise InputError(source, token.where, f"{flag} of unknown node {node_id}")
        node = nodes[node_id]
        if flag == "is_internal":
            nodes[node_id] = dataclasses.replace(node, internal=bool(value))
        elif flag == "in_graph":
            nodes[node_id] = dataclasses.replace(node, metadata={**node.metadata, "maboss_in_graph": bool(value)})
        else:
            nodes[node_id] = dataclasses.replace(node, metadata={**node.metadata, "maboss_refstate": value})
    initial = {**initial, **{n: p for n, (p, _) in config.istates.items() if p is not None}}
    joint = joint + tuple(group for group, _ in config.joint)
    for node_id, (entries, token) in config.schedules.items():
        unknown = sorted(({node_id} | {v for _, p in entries for v in _References.of(p).nodes}) - nodes.keys())
        if unknown:
            raise InputError(source, token.where, f"schedule of {node_id} names unknown node(s) {', '.join(unknown)}")
    schedules = {node_id: tuple(sorted(entries)) for node_id, (entries, _) in config.schedules.items()}
    return {"nodes": nodes, "initial_probabilities": initial, "joint_initial_states": joint,
            "schedules": schedules}


def apply_cfg_text(model: LogicalModel, cfg_text: str, source: str = "<string>") -> LogicalModel:
    """``model`` (from any format) with a .cfg's parameters, initial states and internal nodes.

    This is how a MaBoSS .cfg is used with an SBML-qual or .bnet model.

    >>> from booleanidt.expr import Var
    >>> m = apply_cfg_text(LogicalModel.from_rules({"A": None, "B": Var("A")}), "$k = 2; [A].istate = 3 [0], 1 [1];")
    >>> m.parameters, m.initial_probabilities
    ({'k': 2}, {'A': 0.25})
    """
    config = _ConfigParser(cfg_text, source).parse()
    settings = _settings_from(config, source)
    fields = _configured_fields(model.nodes, model.initial_probabilities, model.joint_initial_states, config, source)
    fields["schedules"] = {**model.schedules, **fields["schedules"]}
    return _carrying_settings(model.replace(parameters={**model.parameters, **config.parameters}, **fields),
                              config, settings)


def _carrying_settings(model: LogicalModel, config: _Config, settings: SimulationSettings) -> LogicalModel:
    """``model`` carrying the run settings of its .cfg when the .cfg sets any (so that
    ``simulate(model)`` runs them, as ``maboss.load(bnd, cfg)`` does)."""
    if not set(config.settings) - IGNORED_CFG_NAMES:
        return model
    return model.replace(metadata={**model.metadata, SETTINGS_KEY: settings})


def apply_cfg(model: LogicalModel, cfg_path) -> LogicalModel:
    """:func:`apply_cfg_text` on a .cfg file."""
    return apply_cfg_text(model, _read_source(cfg_path), str(cfg_path))


def loads(bnd_text: str, cfg_text: Optional[str] = None, source: str = "<string>",
          cfg_source: Optional[str] = None) -> LogicalModel:
    """Read a model from .bnd text and, optionally, .cfg text.

    Parameters
    ----------
    bnd_text, cfg_text : the files' contents
    source, cfg_source : names used in error messages (``cfg_source`` defaults to ``source``)

    >>> loads("node A { logic = B; }", source="m.bnd")
    Traceback (most recent call last):
    ...
    booleanidt.errors.InputError: m.bnd: line 1: node A: logic names unknown node(s) B
    """
    cfg_source = cfg_source or source
    check_pair(bnd_text, cfg_text, source, cfg_source)
    blocks = _parse_bnd(bnd_text, source)
    config = _ConfigParser(cfg_text, cfg_source).parse() if cfg_text is not None else _Config()
    settings = _settings_from(config, cfg_source)  # a misspelt or impossible setting is an error here too
    model = with_descriptions(_ModelBuilder(blocks, config, source, cfg_source).build(), bnd_text, source, "//")
    return _carrying_settings(model, config, settings)


def _cfg_beside(bnd_path: Path) -> Optional[Path]:
    candidate = bnd_path.with_suffix(".cfg")
    return candidate if candidate.is_file() else None


def _read_source(path) -> str:
    """The text of a .bnd/.cfg file.  MaBoSS reads bytes, and files in the wild have
    Latin-1 bytes in comments (p53_Mdm2.bnd): those become U+FFFD, which no token uses."""
    try:
        return read_text(path)
    except InputError as exc:
        if exc.problem != "not UTF-8 text":
            raise
    return Path(path).read_bytes().decode("utf-8", errors="replace")


def read(bnd_path, cfg_path=None) -> LogicalModel:
    """Read a .bnd file and its .cfg (by default the .cfg with the same stem, if there is one).

    >>> read("missing.bnd")
    Traceback (most recent call last):
    ...
    booleanidt.errors.InputError: missing.bnd: no such file
    """
    bnd_path = Path(bnd_path)
    if bnd_path.suffix.lower() == ".cfg":
        raise InputError(bnd_path, None, "this is a .cfg file; read the .bnd file (the .cfg is found beside it)")
    bnd_text = _read_source(bnd_path)
    cfg_path = cfg_path if cfg_path is not None else _cfg_beside(bnd_path)
    cfg_text = _read_source(cfg_path) if cfg_path is not None else None
    return loads(bnd_text, cfg_text, source=str(bnd_path), cfg_source=str(cfg_path) if cfg_path else None)


# --- writing ----------------------------------------------------------------------------

def _number(value) -> str:
    if isinstance(value, bool):
        return str(int(value))
    return to_text(Const(value))


def _node_text(model: LogicalModel, node_id: str) -> str:
    problem = name_problem(node_id, "MaBoSS", _MABOSS_KEYWORDS)
    if problem:
        raise InputError("<maboss output>", f"node {node_id}", f"{problem}; rename the node to write MaBoSS files")
    node, rule = model.nodes[node_id], model.rules[node_id]
    lines = [f"node {node_id} {{"]
    if rule is not None:
        lines.append(f"  logic = {to_text(rule)};")
    for attribute, rates in (("rate_up", model.rates_up), ("rate_down", model.rates_down)):
        if node_id in rates:
            lines.append(f"  {attribute} = {to_text(rates[node_id])};")
    for attribute, text in node.metadata.get("maboss_attributes", {}).items():
        lines.append(f"  {attribute} = {text};")
    for attribute, marked in (("mutant", model.mutations), ("fixed", model.fixed)):
        if node_id in marked:
            lines.append(f"  {attribute} = {marked[node_id]};")
    lines.append("}")
    return "\n".join(lines)


def _istate_lines(model: LogicalModel) -> list:
    lines, in_groups = [], {n for group in model.joint_initial_states for n in group.nodes}
    for node_id, node in model.nodes.items():
        if node_id in in_groups or (node_id not in model.initial_probabilities and node.initial_level is None):
            continue
        p = model.initial_probability(node_id)
        if p in (0.0, 1.0):
            lines.append(f"{node_id}.istate = {int(p)};")
        elif p == 0.5:
            lines.append(f"{node_id}.istate = {_RANDOM_ISTATE};")
        else:
            lines.append(f"[{node_id}].istate = {_number(1 - p)} [0], {_number(p)} [1];")
    for group in model.joint_initial_states:
        choices = ", ".join(f"{_number(w)} [{', '.join(map(str, levels))}]" for w, levels in group.choices)
        lines.append(f"[{', '.join(group.nodes)}].istate = {choices};")
    return lines


def _cfg_text(model: LogicalModel, settings: Optional[SimulationSettings]) -> str:
    lines = []
    if settings is not None:
        lines += [f"{name} = {_number(value)};" for name, value in settings.to_cfg_values().items()]
    lines += ["use_physrandgen = 0;"]  # the seeded generator; MaBoSS also refuses a .cfg with no statement
    lines += [f"${name} = {_number(value)};" for name, value in model.parameters.items()]
    lines += _istate_lines(model)
    for node_id, node in model.nodes.items():
        if node.internal:
            lines.append(f"{node_id}.is_internal = 1;")
        if "maboss_refstate" in node.metadata:
            lines.append(f"{node_id}.refstate = {_number(node.metadata['maboss_refstate'])};")
        if node.metadata.get("maboss_in_graph"):
            lines.append(f"{node_id}.in_graph = 1;")
    for node_id, entries in model.schedules.items():
        lines.append(f"{node_id}.schedule = {', '.join(f'{t:.17g}: {to_text(p)}' for t, p in entries)};")
    return "\n".join(lines) + "\n"


def dumps(model: LogicalModel, settings: Optional[SimulationSettings] = None) -> tuple:
    """``(bnd_text, cfg_text)`` for ``model`` (booleanized first if it is multi-valued).

    ``settings`` adds the run settings to the .cfg (default: those the model carries
    from the .cfg it was read with, if any).  The .cfg always says
    ``use_physrandgen = 0``, so that MaBoSS uses its seeded generator.

    >>> from booleanidt.expr import Var, Not
    >>> m = LogicalModel.from_rules({"A": None, "B": Not(Var("A"))}).mutate({"A": 1})
    >>> bnd, cfg = dumps(m)
    >>> print(bnd, end="")
    node A {
      logic = 1;
      mutant = 1;
    }
    <BLANKLINE>
    node B {
      logic = !A;
    }
    >>> loads(bnd, cfg).mutations
    {'A': 1}
    """
    settings = settings or model.metadata.get(SETTINGS_KEY)
    if not model.is_boolean:
        model = booleanize(model)
    if model.metadata.get("sbml_layout"):
        warnings.warn("MaBoSS files have no layout: the SBML layout is not written", stacklevel=2)
    blocks = [model_description(model, "//")] + [
        "\n".join(filter(None, (node_description(model, n, "//"), _node_text(model, n)))) for n in model.nodes]
    bnd = "\n\n".join(filter(None, blocks)) + "\n"
    return bnd, _cfg_text(model, settings)


def write(model: LogicalModel, bnd_path, cfg_path=None, settings: Optional[SimulationSettings] = None) -> None:
    """Write ``model`` as a .bnd file and a .cfg file (beside it by default).

    Both files are written in full before either replaces a file, and both start with the
    same ``// booleanidt pair`` line: were the process killed between the two renames,
    reading the torn pair is refused instead of mixing a new .bnd with an old .cfg.
    """
    bnd_path = Path(bnd_path)
    if bnd_path.suffix.lower() == ".cfg":
        raise InputError(bnd_path, None, "write the model to a .bnd path (its .cfg is written beside it)")
    cfg_path = Path(cfg_path) if cfg_path is not None else bnd_path.with_suffix(".cfg")
    bnd, cfg = stamped(*dumps(model, settings))
    atomic_write_files({bnd_path: bnd, cfg_path: cfg})
