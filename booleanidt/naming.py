"""Nodes by name: resolving what a user typed to a node id, searching a map, labels and phenotypes.

Disease maps give their species machine ids (``sa297``, ``S_22``) and human names
(``TNF_Extracellular Space``, ``CD40LG``).  Every place that takes a node (mutants,
fixed nodes, inputs, outputs, screens, drugs, personalization mappings) goes through
:func:`resolve`, which accepts an id or a name:

1. an exact id, then an exact name;
2. else the same, ignoring case, spaces, underscores and CaSQ's ``_space_`` escapes;
3. else the names that begin with it followed by ``_`` (CaSQ's names are species name,
   then ``_`` and the compartment or kind: ``TNF_extracellular space``, ``Apoptosis_phenotype``).

A name shared by several nodes is an error listing the candidates (id, name,
compartment); a text matching nothing is an error suggesting the closest names and ids.
This module is pure: no I/O.

Examples
--------
>>> from booleanidt.model import LogicalModel, Node
>>> m = LogicalModel.from_rules({"sa1": None, "sa2": None, "sa3": None},
...     nodes={"sa1": Node("sa1", name="TNF", compartment="Extracellular Space"),
...            "sa2": Node("sa2", name="Apoptosis_phenotype"),
...            "sa3": Node("sa3", name="TNF", compartment="Cytoplasm")})
>>> resolve(m, "apoptosis phenotype"), resolve(m, "Apoptosis")
('sa2', 'sa2')
>>> resolve(m, "TNF")
Traceback (most recent call last):
...
booleanidt.naming.NodeNameError: node 'TNF' is ambiguous: sa1 (TNF, Extracellular Space), sa3 (TNF, Cytoplasm); use an id
>>> resolve(m, "Apoptosis_phenotyp", what="--mutant")
Traceback (most recent call last):
...
booleanidt.naming.NodeNameError: --mutant: unknown node 'Apoptosis_phenotyp' (closest: Apoptosis_phenotype (sa2))
"""
from __future__ import annotations

import difflib
import re
from typing import Iterable, Mapping

from .model import ModelError, parse_identifier

__all__ = ["NodeNameError", "NamedNodes", "resolve", "resolve_known", "resolve_many", "resolve_keys", "find", "identifiers", "labels", "phenotypes",
           "PHENOTYPE_SBO", "MAX_SHOWN", "shortened", "wrap_label"]

#: SBO term of a phenotype (CellDesigner's PHENOTYPE class)
PHENOTYPE_SBO = "SBO:0000358"

#: at most this many items in a printed list before "... and N more"
MAX_SHOWN = 12


class NodeNameError(ModelError):
    """A node named by the user that is unknown or ambiguous (``candidates``: the ids it could mean)."""

    def __init__(self, message: str, candidates: tuple = ()):
        super().__init__(message)
        self.candidates = tuple(candidates)


def _key(text: str) -> str:
    """The loose form of a name: lower case, without CaSQ's space escapes, spaces, underscores."""
    return re.sub(r"[\s_]+", "", re.sub(r"_space_", " ", str(text)).lower())


def _index(model):
    """Lookup tables of a model, cached on it: exact names and loose keys to ids."""
    cached = model.__dict__.get("_naming_index")
    if cached is not None and cached[0] is model.nodes:
        return cached[1]
    by_name, by_key = {}, {}
    for node_id, node in model.nodes.items():
        if node.name:
            by_name.setdefault(node.name, []).append(node_id)
        for text in {node_id, node.name or node_id}:
            ids = by_key.setdefault(_key(text), [])
            if node_id not in ids:
                ids.append(node_id)
    model.__dict__["_naming_index"] = (model.nodes, (by_name, by_key))
    return by_name, by_key


def _describe(model, node_id: str) -> str:
    node = model.nodes[node_id]
    details = [d for d in (node.name if node.name != node_id else None, node.compartment) if d]
    return f"{node_id} ({', '.join(details)})" if details else node_id


def resolve(model, text: str, what: str | None = None) -> str:
    """The id of the node ``text`` names (an id or a name; see the module notes).

    Parameters
    ----------
    model : LogicalModel
    text : what the user typed
    what : the option or argument, named in the error (``"--mutant"``, ``"outputs"``)

    >>> from booleanidt.model import LogicalModel, Node
    >>> m = LogicalModel.from_rules({"S_22": None}, nodes={"S_22": Node("S_22", name="CD40LG")})
    >>> resolve(m, "CD40LG"), resolve(m, "S_22"), resolve(m, "cd40lg")
    ('S_22', 'S_22', 'S_22')
    """
    text = str(text).strip()
    if text in model.nodes:
        return text
    by_name, by_key = _index(model)
    for ids in (by_name.get(text), by_key.get(_key(text)), _by_prefix(model, text)):
        if ids and len(ids) == 1:
            return ids[0]
        if ids:
            candidates = ", ".join(_describe(model, i) for i in ids)
            raise NodeNameError(f"{what + ': ' if what else ''}node {text!r} is ambiguous: {candidates}; use an id",
                                ids)
    raise NodeNameError(f"{what + ': ' if what else ''}unknown node {text!r}{_suggestions(model, text)}")


def _by_prefix(model, text: str) -> list:
    """Ids of the nodes whose name is ``text`` (loosely) followed by ``_`` and more."""
    wanted = _key(text)
    found = []
    for node_id, node in model.nodes.items():
        name = (node.name or "").replace("_space_", " ")
        if any(name[p] == "_" and _key(name[:p]) == wanted for p in range(1, len(name))):
            found.append(node_id)
    return found


def _suggestions(model, text: str) -> str:
    by_name, by_key = _index(model)
    keys = difflib.get_close_matches(_key(text), list(by_key), n=5, cutoff=0.6)
    found = list(dict.fromkeys(i for key in keys for i in by_key[key]))[:5]
    if not found:
        return ""
    shown = [f"{model.nodes[i].name} ({i})" if model.nodes[i].name and model.nodes[i].name != i else i
             for i in found]
    return f" (closest: {', '.join(shown)})"


def resolve_known(model, text: str) -> str:
    """The id of the node ``text`` names, or ``text`` itself when it names none (for callers that
    report unknown nodes their own way); an ambiguous name still raises :class:`NodeNameError`.

    >>> from booleanidt.model import LogicalModel, Node
    >>> m = LogicalModel.from_rules({"S_22": None}, nodes={"S_22": Node("S_22", name="CD40LG")})
    >>> resolve_known(m, "CD40LG"), resolve_known(m, "Nope")
    ('S_22', 'Nope')
    """
    try:
        return resolve(model, text)
    except NodeNameError as exc:
        if exc.candidates:
            raise
        return str(text).strip()


def resolve_many(model, texts, what: str | None = None) -> list:
    """Ids of several nodes: a list, or one comma-separated string.

    >>> from booleanidt.model import LogicalModel, Node
    >>> m = LogicalModel.from_rules({"a": None, "b": None}, nodes={"a": Node("a", name="TNF alpha"),
    ...                                                           "b": Node("b", name="IL6")})
    >>> resolve_many(m, "TNF alpha, IL6")
    ['a', 'b']
    """
    if isinstance(texts, str):
        texts = [t for t in texts.split(",") if t.strip()]
    return [resolve(model, t, what) for t in texts]


class NamedNodes:
    """Nodes known only by their ids and labels (a result's ``names``), for :func:`resolve_many`.

    >>> resolve_many(NamedNodes({"S_22": "CD40LG"}, ["S_22", "S_23"]), "cd40lg, S_23")
    ['S_22', 'S_23']
    """

    def __init__(self, names: Mapping, ids: Iterable[str]):
        from .model import Node
        self.nodes = {i: Node(i, name=names.get(i)) for i in ids}


def resolve_keys(model, values: Mapping, what: str | None = None) -> dict:
    """A mapping keyed by node names or ids, keyed by ids.

    >>> from booleanidt.model import LogicalModel, Node
    >>> m = LogicalModel.from_rules({"a": None}, nodes={"a": Node("a", name="TNF")})
    >>> resolve_keys(m, {"TNF": 1})
    {'a': 1}
    """
    return {resolve(model, key, what): value for key, value in values.items()}


def find(model, text: str) -> list:
    """Ids of the nodes whose id, name, compartment or MIRIAM identifiers contain ``text``.

    Case-insensitive; spaces, underscores and CaSQ's ``_space_`` escapes are ignored.
    Identifiers are those of the MIRIAM annotation URIs (HGNC symbols, UniProt, Ensembl...).
    Exact matches of the id, name or an identifier come first.

    >>> from booleanidt.model import LogicalModel, Node, Annotation
    >>> tnf = Annotation("bqbiol:is", ("http://identifiers.org/uniprot/P01375",))
    >>> m = LogicalModel.from_rules({"sa1": None, "sa2": None},
    ...     nodes={"sa1": Node("sa1", name="TNF_Extracellular Space", annotations=(tnf,)),
    ...            "sa2": Node("sa2", name="TNFRSF1A")})
    >>> find(m, "tnf"), find(m, "P01375")
    (['sa1', 'sa2'], ['sa1'])
    """
    wanted = _key(text)
    exact, partial = [], []
    for node_id, node in model.nodes.items():
        fields = [node_id, node.name or "", node.compartment or "", *(i for _, i in identifiers(node))]
        keys = [_key(f) for f in fields]
        if wanted in keys:
            exact.append(node_id)
        elif any(wanted in key for key in keys):
            partial.append(node_id)
    return exact + partial


def identifiers(node) -> list:
    """``(namespace, identifier)`` of every MIRIAM URI annotated on ``node``, in file order.

    >>> from booleanidt.model import Node, Annotation
    >>> identifiers(Node("a", annotations=(Annotation("bqbiol:is", ("urn:miriam:uniprot:P01375",)),)))
    [('uniprot', 'P01375')]
    """
    found = [parse_identifier(uri) for annotation in node.annotations for uri in annotation.uris]
    return list(dict.fromkeys(pair for pair in found if pair))


def labels(model, kind: str | None = None) -> dict:
    """id -> the label to show: the name where the model has one that no other node has, else the id.

    ``kind="id"`` gives the ids; the default is the model's preference (``metadata["labels"]``,
    ``"id"`` on the shipped maps, whose names are descriptions), else ``"name"``.
    CaSQ's ``_space_`` escapes are shown as spaces.

    >>> from booleanidt.model import LogicalModel, Node
    >>> m = LogicalModel.from_rules({"a": None, "b": None, "c": None},
    ...     nodes={"a": Node("a", name="Cell_space_death_phenotype"), "b": Node("b", name="X"),
    ...            "c": Node("c", name="X")})
    >>> labels(m)
    {'a': 'Cell death_phenotype', 'b': 'b', 'c': 'c'}
    """
    kind = kind or model.metadata.get("labels", "name")
    if kind not in ("name", "id"):
        raise NodeNameError(f"labels: {kind!r} is not 'name' or 'id'")
    if kind == "id":
        return {n: n for n in model.nodes}
    shown = {n: (node.name or n).replace("_space_", " ") for n, node in model.nodes.items()}
    counts: dict = {}
    for label in shown.values():
        counts[label] = counts.get(label, 0) + 1
    taken = set(model.nodes)
    return {n: label if counts[label] == 1 and (label == n or label not in taken) else n
            for n, label in shown.items()}


def _is_phenotype(node) -> bool:
    sbo = node.metadata.get("sbo_term") if hasattr(node.metadata, "get") else None
    return sbo == PHENOTYPE_SBO or (node.name or node.id).lower().endswith("_phenotype")


def phenotypes(model) -> tuple:
    """The model's phenotype nodes, the default outputs of a simulation.

    In order of preference: the phenotypes the model declares (``metadata["phenotypes"]``,
    set on the shipped maps), the species CaSQ names ``..._phenotype`` (CellDesigner's
    PHENOTYPE class) or annotated with SBO:0000358, else the nodes that regulate no other node.

    >>> from booleanidt.model import LogicalModel, Node
    >>> from booleanidt.expr import Var
    >>> m = LogicalModel.from_rules({"A": None, "B": Var("A"), "C": Var("B")})
    >>> phenotypes(m)
    ('C',)
    >>> phenotypes(m.replace(metadata={"phenotypes": ("B",)}))
    ('B',)
    """
    declared = model.metadata.get("phenotypes")
    if declared:
        return tuple(n for n in declared if n in model.nodes)
    marked = tuple(n for n, node in model.nodes.items() if _is_phenotype(node))
    return marked or model.outputs


def wrap_label(label: str, width: int = 28) -> str:
    """A long label over lines of about ``width`` characters, broken at spaces or after underscores.

    >>> wrap_label("Innate Immunity_phenotype -- Apoptosis_phenotype", 20)
    'Innate Immunity_\\nphenotype --\\nApoptosis_phenotype'
    """
    pieces = re.findall(r"[^\s_]*_+|\S+|\s+", label)
    lines, line = [], ""
    for piece in pieces:
        if line.strip() and len(line.rstrip() + piece.rstrip()) > width and not piece.isspace():
            lines.append(line.rstrip())
            line = ""
        line += "" if piece.isspace() and not line else piece
    return "\n".join(lines + [line.rstrip()])


def shortened(items: Iterable[str], limit: int = MAX_SHOWN, where: str | None = None) -> str:
    """A comma-separated list of at most ``limit`` items, then how many more there are and where.

    >>> shortened(["a", "b", "c"], limit=2, where="nodes.csv")
    'a, b ... and 1 more, see nodes.csv'
    """
    items = list(items)
    text = ", ".join(items[:limit])
    if len(items) > limit:
        text += f" ... and {len(items) - limit} more" + (f", see {where}" if where else "")
    return text
