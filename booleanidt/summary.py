"""A model at a glance, for ``booleanidt info``: counts, inputs, outputs, edges, levels, annotations.

Pure computation on a :class:`~booleanidt.model.LogicalModel`; printing is the CLI's job.

Examples
--------
>>> from booleanidt.model import LogicalModel
>>> from booleanidt.expr import Var, Not
>>> s = summarize(LogicalModel.from_rules({"A": None, "B": Var("A"), "C": Not(Var("B"))}))
>>> s["nodes"], s["inputs"], s["outputs"], s["edges"]
(3, ['A'], ['C'], {'total': 2, 'positive': 1, 'negative': 1, 'dual': 0})
"""
from __future__ import annotations

from .expr import Var
from .model import LogicalModel, parse_identifier
from .naming import labels

__all__ = ["summarize", "free_input_kinds"]


def free_input_kinds(model: LogicalModel) -> dict:
    """Why each free input is free: ``constant`` species, ``no rule`` (no transition: kept
    free, as biodivine-aeon does; bioLQM would give it the function 0) or ``self-loop``.

    >>> from booleanidt.model import LogicalModel
    >>> from booleanidt.expr import Var
    >>> free_input_kinds(LogicalModel.from_rules({"A": None, "B": Var("B")}))
    {'A': 'no rule', 'B': 'self-loop'}
    """
    kinds = {}
    for node_id in model.inputs:
        if model.nodes[node_id].constant:
            kinds[node_id] = "constant"
        elif model.rules[node_id] == Var(node_id):
            kinds[node_id] = "self-loop"
        else:
            kinds[node_id] = "no rule"
    return kinds


def summarize(model: LogicalModel) -> dict:
    """Plain-data summary of ``model`` (JSON-serialisable).

    Returns
    -------
    dict
        ``name``, ``nodes``, ``inputs`` (ids), ``free_inputs`` (id -> why free),
        ``constants``, ``outputs``, ``phenotypes`` (the default outputs of a simulation),
        ``names`` (id -> label shown, for nodes shown by a name), ``edges`` (counts by sign), ``multivalued``
        (id -> max level), ``annotated`` (nodes with at least one annotation),
        ``annotation_coverage`` (fraction), ``namespaces`` (identifier namespace ->
        number of nodes carrying it), ``compartments``.

    Examples
    --------
    >>> from booleanidt.model import LogicalModel, Node, Annotation
    >>> nodes = {"A": Node("A", annotations=(Annotation("bqbiol:is", ("urn:miriam:hgnc.symbol:TNF",)),)),
    ...          "B": Node("B")}
    >>> s = summarize(LogicalModel(nodes=nodes, rules={"A": None, "B": None}))
    >>> s["annotation_coverage"], s["namespaces"]
    (0.5, {'hgnc.symbol': 1})
    """
    signs = [sign for _, _, sign in model.graph.edges(data="sign")]
    namespaces: dict = {}
    for node in model.nodes.values():
        seen = {parse_identifier(uri)[0] for a in node.annotations for uri in a.uris if parse_identifier(uri)}
        for namespace in seen:
            namespaces[namespace] = namespaces.get(namespace, 0) + 1
    annotated = sum(1 for node in model.nodes.values() if node.annotations)
    return {
        "name": model.metadata.get("name") or model.metadata.get("id"),
        "nodes": len(model.nodes),
        "inputs": list(model.inputs),
        "free_inputs": free_input_kinds(model),
        "constants": list(model.constants),
        "outputs": list(model.outputs),
        "phenotypes": list(model.phenotypes),
        "names": {n: label for n, label in labels(model).items() if label != n},
        "edges": {"total": len(signs), "positive": signs.count(1), "negative": signs.count(-1),
                  "dual": signs.count(0)},
        "multivalued": {n: model.nodes[n].max_level for n in model.multivalued_nodes},
        "annotated": annotated,
        "annotation_coverage": round(annotated / len(model.nodes), 4) if model.nodes else 0.0,
        "namespaces": dict(sorted(namespaces.items())),
        "compartments": sorted({n.compartment for n in model.nodes.values() if n.compartment}),
    }
