"""The logical model: nodes, one rule per node, rates, parameters and initial states.

A :class:`LogicalModel` is what every reader returns and every writer, the
simulator and the analyses take.  It does no I/O.  It is treated as immutable:
methods such as :meth:`LogicalModel.mutate` and :meth:`LogicalModel.fix` return
a new model that shares the unchanged parts with the old one.

Semantics
---------
* ``rules[X]`` is an :class:`~booleanidt.expr.Expr` giving X's *target level*,
  or ``None`` for a free input, which keeps its value.  A rule ``X`` (self-loop)
  is a free input too.
* Rates follow MaBoSS: without an explicit rate, ``rate_up = @logic ? 1 : 0`` and
  ``rate_down = @logic ? 0 : 1``.  ``rates_up`` / ``rates_down`` hold the explicit ones.
* ``mutate`` is MaBoSS's mutant as cmaboss's ``mutate(node, "ON"|"OFF")`` makes it:
  the rule becomes a constant and explicit rates are dropped (the default rates
  apply, so the node moves to the constant at rate 1); the initial state is left
  as it was.
* ``fix`` is PROFILE's forced node: the rate away from the value becomes 0 and
  the initial state is set to the value, so the node never leaves it.

Examples
--------
>>> from booleanidt.expr import Var, Not
>>> m = LogicalModel.from_rules({"A": None, "B": Var("A"), "C": Not(Var("B"))})
>>> m.inputs
('A',)
>>> m.mutate({"B": 0}).rules["B"]
Const(value=0)
>>> sorted(m.graph.edges(data="sign"))
[('A', 'B', 1), ('B', 'C', -1)]
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Mapping, Optional

from .errors import BooleanidtError
from .expr import Const, Expr, IfThenElse, Logic, Var, signs, variables

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "Annotation", "Node", "JointInitialState", "LogicalModel", "ModelError",
    "DEFAULT_INITIAL_PROBABILITY", "MAX_LEVEL", "default_rate_up", "default_rate_down", "parse_identifier",
]

#: Highest max level a node may have: the simulator keeps each level in one signed byte, and
#: published multi-valued models use fewer than 10 levels.
MAX_LEVEL = 127

#: P(node = 1) at t = 0 for a node with no initial level or probability (MaBoSS's default).
DEFAULT_INITIAL_PROBABILITY = 0.5


class ModelError(BooleanidtError):
    """A model that is inconsistent (unknown node in a rule, bad level...)."""


_IDENTIFIER_PATTERNS = (
    re.compile(r"^https?://identifiers\.org/(?P<ns>[^/:]+)[/:](?P<id>.+)$"),
    re.compile(r"^urn:miriam:(?P<ns>[^:]+):(?P<id>.+)$"),
)


def parse_identifier(uri: str) -> tuple[str, str] | None:
    """Split a MIRIAM URI into (namespace, identifier), or None if it is not one.

    >>> parse_identifier("http://identifiers.org/hgnc.symbol/TNF")
    ('hgnc.symbol', 'TNF')
    >>> parse_identifier("urn:miriam:uniprot:P01375")
    ('uniprot', 'P01375')
    """
    for pattern in _IDENTIFIER_PATTERNS:
        match = pattern.match(uri.strip())
        if match:
            return match.group("ns").lower(), match.group("id")
    return None


@dataclass(frozen=True)
class Annotation:
    """One MIRIAM statement: a qualifier (``bqbiol:is``, ``bqmodel:isDescribedBy``...) and its URIs."""

    qualifier: str
    uris: tuple


@dataclass(frozen=True)
class Node:
    """A model component (gene, protein, complex, phenotype...).

    Attributes
    ----------
    id : the identifier used in rules
    name : human-readable name (may be any text, may repeat)
    max_level : 1 for Boolean nodes, >1 for multi-valued ones
    initial_level : level at t = 0 as given by the file (SBML-qual initialLevel), or None
    constant : declared constant (SBML-qual ``constant="true"``)
    annotations : MIRIAM annotations, all qualifiers kept
    notes : XHTML notes as text, or None
    compartment : compartment id, or None
    internal : MaBoSS ``is_internal`` (not an output of simulations)
    metadata : format-specific data kept for round trips (e.g. raw SBML annotation XML)

    >>> n = Node("s1", name="TNF", annotations=(Annotation("bqbiol:is", ("urn:miriam:hgnc.symbol:TNF",)),))
    >>> n.identifiers("hgnc.symbol")
    ('TNF',)
    """

    id: str
    name: Optional[str] = None
    max_level: int = 1
    initial_level: Optional[int] = None
    constant: bool = False
    annotations: tuple = ()
    notes: Optional[str] = None
    compartment: Optional[str] = None
    internal: bool = False
    metadata: Mapping = field(default_factory=dict, hash=False)

    @property
    def label(self) -> str:
        """The name if there is one, else the id."""
        return self.name or self.id

    def identifiers(self, namespace: str) -> tuple:
        """Identifiers of this node in ``namespace`` (``hgnc.symbol``, ``hgnc``, ``uniprot``, ``ensembl``...).

        Read from every annotation URI, whatever the qualifier, in file order.
        """
        namespace = namespace.lower()
        found = []
        for annotation in self.annotations:
            for uri in annotation.uris:
                parsed = parse_identifier(uri)
                if parsed and parsed[0] == namespace and parsed[1] not in found:
                    found.append(parsed[1])
        return tuple(found)

    @property
    def hgnc_symbols(self) -> tuple:
        """HGNC symbols annotated on the node."""
        return self.identifiers("hgnc.symbol")

    @property
    def uniprot_ids(self) -> tuple:
        """UniProt accessions annotated on the node."""
        return self.identifiers("uniprot")

    @property
    def ensembl_ids(self) -> tuple:
        """Ensembl gene ids annotated on the node."""
        return self.identifiers("ensembl")


@dataclass(frozen=True)
class JointInitialState:
    """A MaBoSS joint initial state ``[A,B].istate = 0.3 [0,0], 0.7 [1,1];``.

    ``choices`` is a tuple of ``(weight, levels)``; weights are normalised by their sum.

    >>> JointInitialState(("A", "B"), ((3, (0, 0)), (1, (1, 1)))).probabilities()
    [(0.75, (0, 0)), (0.25, (1, 1))]
    """

    nodes: tuple
    choices: tuple

    def __post_init__(self):
        total = sum(w for w, _ in self.choices)
        if any(w < 0 for w, _ in self.choices) or total <= 0:
            raise ModelError(f"initial state of [{', '.join(self.nodes)}]: weights must be >= 0 "
                             f"and sum to more than 0 (they sum to {total:g})")
        for _, levels in self.choices:
            if len(levels) != len(self.nodes):
                raise ModelError(f"initial state of [{', '.join(self.nodes)}]: "
                                 f"{list(levels)} has {len(levels)} values for {len(self.nodes)} nodes")

    def probabilities(self) -> list:
        """``(probability, levels)`` pairs, normalised."""
        total = sum(w for w, _ in self.choices)
        return [(w / total, levels) for w, levels in self.choices]


def _check_schedule(model: "LogicalModel", node_id: str, entries: tuple):
    if node_id not in model.nodes:
        raise ModelError(f"schedule of unknown node {node_id!r}")
    if model.nodes[node_id].max_level > 1:
        raise ModelError(f"schedule of {node_id}: scheduled nodes must be Boolean")
    times = [t for t, _ in entries]
    if len(set(times)) != len(times):
        raise ModelError(f"schedule of {node_id}: time {sorted(t for t in times if times.count(t) > 1)[0]:g} "
                         "is given twice")
    for t, probability in entries:
        if not (t >= 0 and t < float("inf")):
            raise ModelError(f"schedule of {node_id}: time {t} must be a finite number >= 0")
        unknown = sorted(variables(probability) - model.nodes.keys())
        if unknown:
            raise ModelError(f"schedule of {node_id} at {t:g}: unknown node(s) {', '.join(unknown)}")
        if isinstance(probability, Const) and not 0.0 <= probability.value <= 1.0:
            raise ModelError(f"schedule of {node_id} at {t:g}: probability {probability.value} is not in [0, 1]")


def default_rate_up() -> Expr:
    """MaBoSS's default up rate: ``@logic ? 1 : 0``."""
    return IfThenElse(Logic(), Const(1), Const(0))


def default_rate_down() -> Expr:
    """MaBoSS's default down rate: ``@logic ? 0 : 1``."""
    return IfThenElse(Logic(), Const(0), Const(1))


@dataclass(eq=True)
class LogicalModel:
    """A logical (Boolean or multi-valued) network with MaBoSS-style rates.

    Build one with :meth:`from_rules` or a reader (``booleanidt.read``).

    Attributes
    ----------
    nodes : dict id -> :class:`Node`, in file order
    rules : dict id -> Expr giving the target level, or None (free input)
    rates_up, rates_down : explicit rate expressions (MaBoSS ``rate_up``/``rate_down``)
    parameters : ``$name`` -> value (stored without ``$``)
    initial_probabilities : id -> P(node = 1) at t = 0 for Boolean nodes
    joint_initial_states : tuple of :class:`JointInitialState`
    mutations : id -> constant level set by :meth:`mutate`
    fixed : id -> level set by :meth:`fix`
    schedules : id -> ((time, probability Expr), ...) set by :meth:`schedule` (MaBoSS ``X.schedule``)
    metadata : model-level data kept for round trips (id, name, notes, annotations, layout)
    """

    nodes: dict
    rules: dict
    rates_up: dict = field(default_factory=dict)
    rates_down: dict = field(default_factory=dict)
    parameters: dict = field(default_factory=dict)
    initial_probabilities: dict = field(default_factory=dict)
    joint_initial_states: tuple = ()
    mutations: dict = field(default_factory=dict)
    fixed: dict = field(default_factory=dict)
    schedules: dict = field(default_factory=dict)
    metadata: dict = field(default_factory=dict)

    def __post_init__(self):
        self._check()

    # --- construction -------------------------------------------------------------

    @classmethod
    def from_rules(cls, rules: Mapping[str, Optional[Expr]], **kwargs) -> "LogicalModel":
        """A Boolean model with one default :class:`Node` per rule.

        >>> from booleanidt.expr import Var
        >>> LogicalModel.from_rules({"A": None, "B": Var("A")}).node_ids
        ('A', 'B')
        """
        nodes = kwargs.pop("nodes", None) or {name: Node(name) for name in rules}
        return cls(nodes=dict(nodes), rules=dict(rules), **kwargs)

    def _check(self, previous: "LogicalModel | None" = None):
        """Validate the model; with ``previous``, expressions shared with it are not walked again."""
        if list(self.nodes) != list(self.rules):
            missing = set(self.nodes) ^ set(self.rules)
            if missing:
                raise ModelError(f"nodes without a rule entry or rules without a node: {sorted(missing)}")
            self.rules = {n: self.rules[n] for n in self.nodes}
        for node_id, node in self.nodes.items():
            if node.id != node_id:
                raise ModelError(f"node key {node_id!r} differs from its id {node.id!r}")
            if not 1 <= node.max_level <= MAX_LEVEL:
                raise ModelError(f"node {node_id}: max level {node.max_level} is outside 1..{MAX_LEVEL}")
            if node.initial_level is not None and not 0 <= node.initial_level <= node.max_level:
                raise ModelError(f"node {node_id}: initial level {node.initial_level} is outside 0..{node.max_level}")
        same_nodes = previous is not None and previous.nodes.keys() == self.nodes.keys()
        for table_name in ("rules", "rates_up", "rates_down"):
            checked = getattr(previous, table_name) if same_nodes else {}
            for node_id, expr in getattr(self, table_name).items():
                if node_id not in self.nodes:
                    raise ModelError(f"{table_name}: unknown node {node_id!r}")
                if expr is None or checked.get(node_id) is expr:
                    continue
                unknown = sorted(name for name in variables(expr) if name not in self.nodes)
                if unknown:
                    raise ModelError(f"rule of {node_id} names unknown node(s) {', '.join(unknown)}")
        for node_id, p in self.initial_probabilities.items():
            if node_id not in self.nodes:
                raise ModelError(f"initial state of unknown node {node_id!r}")
            if not 0.0 <= p <= 1.0:
                raise ModelError(f"initial probability of {node_id} is {p}, not in [0, 1]")
        for joint in self.joint_initial_states:
            unknown = sorted(name for name in joint.nodes if name not in self.nodes)
            if unknown:
                raise ModelError(f"joint initial state names unknown node(s) {', '.join(unknown)}")
        for node_id, entries in self.schedules.items():
            _check_schedule(self, node_id, entries)

    def replace(self, **changes) -> "LogicalModel":
        """A copy with some fields replaced (dicts are copied shallowly, nodes shared)."""
        unknown = set(changes) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            raise TypeError(f"LogicalModel has no field(s) {', '.join(sorted(unknown))}")
        new = object.__new__(LogicalModel)
        for f in dataclasses.fields(self):
            value = changes.get(f.name, getattr(self, f.name))
            new.__dict__[f.name] = dict(value) if isinstance(value, dict) else value
        new._check(previous=self)
        return new

    def copy(self) -> "LogicalModel":
        """A cheap copy (dicts copied, nodes and expressions shared)."""
        return self.replace()

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("graph", None)
        state.pop("_naming_index", None)
        return state

    def __repr__(self) -> str:
        size = f"{len(self.nodes)} nodes, {len(self.inputs)} inputs, {self.graph.number_of_edges()} edges"
        name = self.metadata.get("name") or self.metadata.get("id")
        changes = "".join(f", {len(table)} {what}" for what, table in
                          (("mutants", self.mutations), ("fixed", self.fixed)) if table)
        return f"<LogicalModel{' ' + repr(name) if name else ''}: {size}{changes}>"

    def _repr_html_(self) -> str:
        from html import escape

        from .naming import labels, phenotypes, shortened
        shown = labels(self)
        rows = [("nodes", len(self.nodes)), ("inputs", shortened(shown[n] for n in self.inputs)),
                ("phenotypes", shortened(shown[n] for n in phenotypes(self))),
                ("edges", self.graph.number_of_edges())]
        if self.mutations or self.fixed:
            rows.append(("perturbed", ", ".join(f"{shown[n]}={v}" for n, v in {**self.mutations,
                                                                                **self.fixed}.items())))
        body = "".join(f"<tr><th style='text-align:left'>{k}</th><td style='text-align:left'>{escape(str(v))}"
                       "</td></tr>" for k, v in rows)
        title = escape(str(self.metadata.get("name") or self.metadata.get("id") or "LogicalModel"))
        return f"<b>{title}</b><table>{body}</table>"

    # --- views ----------------------------------------------------------------------

    @property
    def node_ids(self) -> tuple:
        """Node ids in model order."""
        return tuple(self.nodes)

    @property
    def max_levels(self) -> dict:
        """id -> max level."""
        return {n: node.max_level for n, node in self.nodes.items()}

    @property
    def is_boolean(self) -> bool:
        """True when every node is Boolean (max level 1)."""
        return all(node.max_level == 1 for node in self.nodes.values())

    @property
    def multivalued_nodes(self) -> tuple:
        """Ids of nodes with max level > 1."""
        return tuple(n for n, node in self.nodes.items() if node.max_level > 1)

    def is_input(self, node_id: str) -> bool:
        """A free input: no rule, or the rule ``X`` (keeps its value)."""
        rule = self.rules[node_id]
        return rule is None or rule == Var(node_id)

    @property
    def inputs(self) -> tuple:
        """Free inputs (they keep their initial value), in model order."""
        return tuple(n for n in self.nodes if self.is_input(n))

    @property
    def constants(self) -> tuple:
        """Nodes whose rule is a constant."""
        return tuple(n for n, r in self.rules.items() if isinstance(r, Const))

    @property
    def outputs(self) -> tuple:
        """Nodes that regulate no other node (phenotypes, read-outs)."""
        graph = self.graph
        return tuple(n for n in self.nodes if not any(t != n for t in graph.successors(n)))

    def regulators(self, node_id: str) -> tuple:
        """Nodes read by ``node_id``'s rule, sorted."""
        rule = self.rules[node_id]
        return tuple(sorted(variables(rule))) if rule is not None else ()

    @property
    def phenotypes(self) -> tuple:
        """Phenotype nodes (declared, CaSQ's ``..._phenotype`` species, SBO:0000358, else :attr:`outputs`)."""
        from .naming import phenotypes
        return phenotypes(self)

    def find(self, text: str) -> tuple:
        """Ids of the nodes whose id, name, compartment or MIRIAM identifiers (HGNC, UniProt...) match ``text``.

        >>> m = LogicalModel.from_rules({"S_22": None}, nodes={"S_22": Node("S_22", name="CD40LG")})
        >>> m.find("cd40")
        ('S_22',)
        """
        from .naming import find
        return tuple(find(self, text))

    def resolve(self, text: str) -> str:
        """The id of the node named ``text`` (an id or a name); errors list candidates or suggestions.

        >>> LogicalModel.from_rules({"S_22": None}, nodes={"S_22": Node("S_22", name="CD40LG")}).resolve("CD40LG")
        'S_22'
        """
        from .naming import resolve
        return resolve(self, text)

    @cached_property
    def graph(self) -> nx.DiGraph:
        """The signed regulatory graph: edge ``A -> B`` with ``sign`` +1, -1 or 0 (dual)."""
        import networkx as nx  # only here: a simulation does not need it

        graph = nx.DiGraph()
        for node_id, node in self.nodes.items():
            graph.add_node(node_id, name=node.label, max_level=node.max_level)
        levels = self.max_levels
        for target, rule in self.rules.items():
            if rule is None:
                continue
            for source, sign in signs(rule, levels).items():
                graph.add_edge(source, target, sign=sign)
        return graph

    def rate_up(self, node_id: str) -> Expr:
        """The up-rate expression of a node (explicit, or MaBoSS's default)."""
        if node_id in self.rates_up:
            return self.rates_up[node_id]
        return Const(0) if self.rules[node_id] is None else default_rate_up()

    def rate_down(self, node_id: str) -> Expr:
        """The down-rate expression of a node (explicit, or MaBoSS's default)."""
        if node_id in self.rates_down:
            return self.rates_down[node_id]
        return Const(0) if self.rules[node_id] is None else default_rate_down()

    def initial_probability(self, node_id: str) -> float:
        """P(node = 1) at t = 0: explicit probability, else the file's initial level, else 0.5."""
        if node_id in self.initial_probabilities:
            return self.initial_probabilities[node_id]
        level = self.nodes[node_id].initial_level
        if level is not None:
            return float(min(level, 1))
        return DEFAULT_INITIAL_PROBABILITY

    # --- perturbations --------------------------------------------------------------

    def _check_levels(self, values: Mapping[str, int], what: str) -> dict:
        """``values`` keyed by node ids (names are resolved), each level checked."""
        from .naming import resolve_keys
        values = resolve_keys(self, values, what)
        for node_id, value in values.items():
            top = self.nodes[node_id].max_level
            if value not in range(top + 1):
                raise ModelError(f"{what}: {node_id}={value} is outside 0..{top}")
        return values

    def mutate(self, values: Mapping[str, int]) -> "LogicalModel":
        """MaBoSS mutants: each node's rule becomes the constant given, with the default rates.

        Nodes are named by id or by name (see :func:`booleanidt.naming.resolve`).

        This is cmaboss's ``mutate`` (``simple=True``, its default): it writes
        ``logic = 1|0`` and drops the node's explicit rates, so the node reaches
        the constant at rate 1; the initial state is untouched.

        >>> from booleanidt.expr import Var
        >>> LogicalModel.from_rules({"A": None, "B": Var("A")}).mutate({"A": 1}).mutations
        {'A': 1}
        """
        values = self._check_levels(values, "mutant")
        rules, rates_up, rates_down = dict(self.rules), dict(self.rates_up), dict(self.rates_down)
        for node_id, value in values.items():
            rules[node_id] = Const(value)
            rates_up.pop(node_id, None)
            rates_down.pop(node_id, None)
        return self.replace(rules=rules, rates_up=rates_up, rates_down=rates_down,
                            mutations={**self.mutations, **values})

    def fix(self, values: Mapping[str, int]) -> "LogicalModel":
        """PROFILE's forced nodes: the rate away from the value is 0 and the node starts at it.

        Nodes are named by id or by name (see :func:`booleanidt.naming.resolve`).

        >>> from booleanidt.expr import Var
        >>> m = LogicalModel.from_rules({"A": None, "B": Var("A")}).fix({"B": 0})
        >>> m.rates_up["B"], m.initial_probabilities["B"]
        (Const(value=0), 0.0)
        """
        values = self._check_levels(values, "fixed node")
        multivalued = [n for n in values if self.nodes[n].max_level > 1]
        if multivalued:
            raise ModelError(f"fix works on Boolean nodes; booleanize the model first ({', '.join(multivalued)})")
        rates_up, rates_down = dict(self.rates_up), dict(self.rates_down)
        initial = dict(self.initial_probabilities)
        for node_id, value in values.items():
            (rates_up if value == 0 else rates_down)[node_id] = Const(0)
            initial[node_id] = float(value)
        joint = tuple(j for j in self.joint_initial_states if not set(j.nodes) & set(values))
        return self.replace(rates_up=rates_up, rates_down=rates_down, initial_probabilities=initial,
                            joint_initial_states=joint, fixed={**self.fixed, **values})

    def schedule(self, schedules: Mapping[str, object]) -> "LogicalModel":
        """Scheduled perturbations (MaBoSS ``X.schedule = t1:p1, t2:p2;``).

        At each time ``t`` the node is set to 1 with probability ``p`` and to 0
        otherwise; ``p`` is a number or an :class:`~booleanidt.expr.Expr` of the state
        at that time.  A node's schedule replaces any earlier one.  Nodes are named by
        id or by name (see :func:`booleanidt.naming.resolve`).

        >>> from booleanidt.expr import Var
        >>> m = LogicalModel.from_rules({"A": None, "B": Var("A")}).schedule({"A": [(20, 0.1), (40, 0.9)]})
        >>> m.schedules["A"]
        ((20.0, Const(value=0.1)), (40.0, Const(value=0.9)))
        """
        from .naming import resolve_keys
        entries = {node_id: tuple(sorted((float(t), p if isinstance(p, Expr) else Const(float(p)))
                                         for t, p in pairs))
                   for node_id, pairs in resolve_keys(self, schedules, "schedule").items()}
        return self.replace(schedules={**self.schedules, **entries})

    def with_initial_probabilities(self, values: Mapping[str, float]) -> "LogicalModel":
        """A copy whose nodes start at 1 with the given probabilities (nodes by id or by name).

        >>> m = LogicalModel.from_rules({"S_22": None}, nodes={"S_22": Node("S_22", name="CD40LG")})
        >>> m.with_initial_probabilities({"CD40LG": 0.25}).initial_probabilities
        {'S_22': 0.25}
        """
        from .naming import resolve_keys
        values = resolve_keys(self, values, "initial probability")
        return self.replace(initial_probabilities={**self.initial_probabilities, **values})

    def with_parameters(self, values: Mapping[str, float]) -> "LogicalModel":
        """A copy with some ``$parameters`` set (names without ``$``)."""
        return self.replace(parameters={**self.parameters, **values})
