"""What MaBoSS and .bnet files have no place for, kept in comments: names, annotations, notes.

Neither a .bnd nor a .bnet file has syntax for a node's name, its MIRIAM annotations,
its notes or its compartment, nor for the model's name and references.  booleanidt
writes them as one comment line each (``//`` in .bnd, ``#`` in .bnet), JSON after a
fixed prefix, which MaBoSS, pyboolnet, mpbn and biodivine-aeon skip like any comment
(checked), and reads them back, so that SBML-qual -> .bnd or .bnet -> SBML-qual keeps
what the user gave::

    // booleanidt model {"name": "T-helper differentiation", "annotations": [["bqmodel:isDescribedBy", ["http://identifiers.org/doi/..."]]]}
    // booleanidt node TBET {"name": "T-bet", "annotations": [["bqbiol:is", ["http://identifiers.org/hgnc.symbol/TBX21"]]]}

Examples
--------
>>> from booleanidt.model import Annotation, LogicalModel, Node
>>> akt = Node("A", name="kinase A", annotations=(Annotation("bqbiol:is", ("http://identifiers.org/hgnc.symbol/AKT1",)),))
>>> model = LogicalModel.from_rules({"A": None}).replace(nodes={"A": akt}, metadata={"name": "toy"})
>>> text = model_description(model, "#") + "\\n" + node_description(model, "A", "#")
>>> print(text)
# booleanidt model {"name": "toy"}
# booleanidt node A {"name": "kinase A", "annotations": [["bqbiol:is", ["http://identifiers.org/hgnc.symbol/AKT1"]]]}
>>> back = with_descriptions(LogicalModel.from_rules({"A": None}), text, "m.bnet", "#")
>>> back.nodes["A"].name, back.nodes["A"].hgnc_symbols, back.metadata["name"]
('kinase A', ('AKT1',), 'toy')
"""
from __future__ import annotations

import dataclasses
import json
import re

from ..errors import InputError
from ..model import Annotation, LogicalModel

__all__ = ["model_description", "node_description", "with_descriptions"]

_PREFIX = "booleanidt"
_MODEL_FIELDS = ("id", "name", "notes", "annotations", "compartments")
_NODE_FIELDS = ("name", "notes", "annotations", "compartment")


def _jsonable(field: str, value):
    if field == "annotations":
        return [[a.qualifier, list(a.uris)] for a in value]
    if field == "compartments":
        return [dict(c) for c in value]
    return value


def _restored(field: str, value):
    if field == "annotations":
        return tuple(Annotation(qualifier, tuple(uris)) for qualifier, uris in value)
    if field == "compartments":
        return tuple(dict(c) for c in value)
    return value


def _line(comment: str, label: str, fields: dict) -> str:
    kept = {f: _jsonable(f, v) for f, v in fields.items() if v not in (None, "", (), [])}
    return f"{comment} {_PREFIX} {label} {json.dumps(kept, ensure_ascii=False)}" if kept else ""


def _line_pattern(comment: str):
    return re.compile(rf"^[ \t]*{re.escape(comment)} {_PREFIX} (model|node ([A-Za-z_][A-Za-z0-9_.]*)) (\{{.*\}})[ \t\r]*$",
                      re.MULTILINE)


def model_description(model: LogicalModel, comment: str) -> str:
    """The comment line (``comment``: the format's comment marker) of the model's id, name,
    notes, annotations and compartments, or ``""``."""
    return _line(comment, "model", {f: model.metadata.get(f) for f in _MODEL_FIELDS})


def node_description(model: LogicalModel, node_id: str, comment: str) -> str:
    """The comment line of one node, or ``""`` when it has nothing to carry."""
    node = model.nodes[node_id]
    return _line(comment, f"node {node_id}", {f: getattr(node, f) for f in _NODE_FIELDS})


def with_descriptions(model: LogicalModel, text: str, source: str, comment: str) -> LogicalModel:
    """``model`` with the names, notes and annotations the comment lines of ``text`` carry.

    A malformed line is an error naming ``source``, the line and what is wrong.
    """
    nodes, metadata = dict(model.nodes), dict(model.metadata)
    line, counted_to = 1, 0
    for match in _line_pattern(comment).finditer(text):
        line += text.count("\n", counted_to, match.start())  # counted from the previous match: linear
        counted_to = match.start()
        try:
            fields = json.loads(match.group(3))
        except json.JSONDecodeError as exc:
            raise InputError(source, f"line {line}", f"booleanidt description is not JSON ({exc.msg})") from None
        node_id = match.group(2)
        allowed = _NODE_FIELDS if node_id else _MODEL_FIELDS
        unknown = sorted(set(fields) - set(allowed))
        if unknown:
            raise InputError(source, f"line {line}", f"booleanidt description has unknown field(s) {', '.join(unknown)}")
        restored = {}
        for field, value in fields.items():
            try:
                restored[field] = _restored(field, value)
            except (TypeError, ValueError):
                raise InputError(source, f"line {line}", f"booleanidt description has malformed {field}") from None
        if node_id is None:
            metadata.update(restored)
        elif node_id not in nodes:
            raise InputError(source, f"line {line}", f"booleanidt description names unknown node {node_id}")
        else:
            nodes[node_id] = dataclasses.replace(nodes[node_id], **restored)
    return model.replace(nodes=nodes, metadata=metadata)
