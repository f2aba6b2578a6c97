"""networkx both ways: a signed regulatory DiGraph that carries the rules as node attributes.

:func:`to_networkx` gives the model's regulatory graph (:attr:`LogicalModel.graph`: an edge
``A -> B`` when B's rule reads A, with ``sign`` +1, -1 or 0 for a dual regulation) and puts
on each node what the model says of it, as plain values that networkx's readers and writers
(GraphML, JSON) keep:

==============  ===========================================================================
attribute       value
==============  ===========================================================================
name            the node's name (its id when it has none)
rule            the rule as MaBoSS text (``A & !B``, ``X >= 2``), ``""`` for a free input
max_level       1 for Boolean nodes
initial         P(node = 1) at t = 0 (:meth:`LogicalModel.initial_probability`)
initial_level   the file's initial level (SBML-qual ``initialLevel``), where there is one
annotations     MIRIAM annotations as ``[[qualifier, [uri, ...]], ...]``
rate_up/down    explicit MaBoSS rates as text (only where the model has them)
internal        MaBoSS ``is_internal``
==============  ===========================================================================

Graph attributes, where the model has them: ``parameters`` (``$name`` -> value, without ``$``)
and the model's ``name``.

:func:`from_networkx` reads these attributes back (only ``rule`` matters; a node without
one is a free input), so ``from_networkx(to_networkx(model))`` has the same rules, rates,
parameters, names, annotations and initial probabilities.  Joint initial states, mutants,
fixed nodes and format data (SBML layout...) are not carried; write the model to a file for
those.  The edges of the graph are not read: the rules say who regulates whom.

Examples
--------
>>> from booleanidt.model import LogicalModel
>>> from booleanidt.expr import Var, Not
>>> graph = to_networkx(LogicalModel.from_rules({"A": None, "B": Not(Var("A"))}))
>>> graph.nodes["B"]["rule"], graph.edges["A", "B"]["sign"]
('!A', -1)
>>> from_networkx(graph).rules["B"]
Not(arg=Var(name='A'))
"""
from __future__ import annotations

import networkx as nx

from ..errors import InputError
from ..expr import to_text, variables
from ..io._grammar import parse_expression
from ..model import Annotation, LogicalModel, Node

__all__ = ["to_networkx", "from_networkx"]

_SOURCE = "<networkx graph>"


def to_networkx(model: LogicalModel) -> nx.DiGraph:
    """The signed regulatory graph of ``model``, with rules and node data as attributes.

    Examples
    --------
    >>> from booleanidt.model import LogicalModel
    >>> from booleanidt.expr import And, Var
    >>> graph = to_networkx(LogicalModel.from_rules({"A": None, "B": None, "C": And((Var("A"), Var("B")))}))
    >>> sorted(graph.predecessors("C")), graph.nodes["A"]["rule"], graph.nodes["C"]["initial"]
    (['A', 'B'], '', 0.5)
    """
    graph = nx.DiGraph()
    if model.parameters:
        graph.graph["parameters"] = dict(model.parameters)
    if model.metadata.get("name"):
        graph.graph["name"] = model.metadata["name"]
    for node_id, node in model.nodes.items():
        rule = model.rules[node_id]
        attributes = {"name": node.label, "rule": "" if rule is None else to_text(rule),
                      "max_level": node.max_level, "initial": model.initial_probability(node_id),
                      "annotations": [[a.qualifier, list(a.uris)] for a in node.annotations],
                      "internal": node.internal}
        for key, rates in (("rate_up", model.rates_up), ("rate_down", model.rates_down)):
            if node_id in rates:
                attributes[key] = to_text(rates[node_id])
        if node.initial_level is not None:
            attributes["initial_level"] = node.initial_level
        graph.add_node(node_id, **attributes)
    graph.add_edges_from(model.graph.edges(data=True))
    return graph


def _expression(text, node_id, attribute):
    return parse_expression(str(text), f"{_SOURCE}: node {node_id}, attribute {attribute}")


def _node(node_id, data: dict) -> Node:
    try:
        annotations = tuple(Annotation(q, tuple(uris)) for q, uris in data.get("annotations", ()))
    except (TypeError, ValueError):
        raise InputError(_SOURCE, f"node {node_id}", "annotations must be [[qualifier, [uri, ...]], ...]") from None
    name = data.get("name")
    level = data.get("initial_level")
    return Node(str(node_id), name=None if name in (None, node_id) else str(name),
                max_level=int(data.get("max_level", 1)), annotations=annotations,
                initial_level=None if level is None else int(level),
                internal=bool(data.get("internal", False)))


def from_networkx(graph: nx.DiGraph) -> LogicalModel:
    """A :class:`~booleanidt.model.LogicalModel` from a graph whose nodes carry ``rule`` attributes.

    Node attributes read: ``rule`` (MaBoSS or .bnet syntax; missing or ``""``: free input),
    ``name``, ``max_level``, ``initial``, ``annotations``, ``rate_up``, ``rate_down``,
    ``internal``; graph attributes ``parameters`` and ``name``.  See :func:`to_networkx`.

    Raises
    ------
    booleanidt.errors.InputError
        a rule that does not parse, or names a node the graph does not have.

    Examples
    --------
    >>> import networkx as nx
    >>> graph = nx.DiGraph()
    >>> graph.add_node("A", rule="")
    >>> graph.add_node("B", rule="A | B", initial=1.0)
    >>> model = from_networkx(graph)
    >>> model.inputs, model.initial_probabilities
    (('A',), {'B': 1.0})
    >>> graph.add_node("C", rule="A & Z")
    >>> from_networkx(graph)
    Traceback (most recent call last):
    ...
    booleanidt.errors.InputError: <networkx graph>: node C: rule names unknown node(s) Z
    """
    nodes, rules, rates = {}, {}, {"rate_up": {}, "rate_down": {}}
    initial = {}
    known = {str(n) for n in graph.nodes}
    for node_id, data in graph.nodes(data=True):
        node = _node(node_id, data)
        nodes[node.id] = node
        text = data.get("rule")
        rules[node.id] = _expression(text, node.id, "rule") if text not in (None, "") else None
        for key in rates:
            if data.get(key) not in (None, ""):
                rates[key][node.id] = _expression(data[key], node.id, key)
        if "initial" in data:
            initial[node.id] = float(data["initial"])
    for node_id, rule in rules.items():
        unknown = sorted(variables(rule) - known) if rule is not None else []
        if unknown:
            raise InputError(_SOURCE, f"node {node_id}", f"rule names unknown node(s) {', '.join(unknown)}")
    metadata = {"name": graph.graph["name"]} if graph.graph.get("name") else {}
    model = LogicalModel(nodes=nodes, rules=rules, rates_up=rates["rate_up"], rates_down=rates["rate_down"],
                         parameters=dict(graph.graph.get("parameters", {})), metadata=metadata)
    # an initial probability is kept only where it says more than the node's level or the default
    return model.with_initial_probabilities(
        {n: p for n, p in initial.items() if p != model.initial_probability(n)})
