"""Problems of a model (and of the file it came from), each naming the elements involved.

Examples
--------
>>> from booleanidt.model import LogicalModel, Node
>>> from booleanidt.expr import Var
>>> nodes = {"s1": Node("s1", name="TNF"), "s2": Node("s2", name="TNF"), "s3": Node("s3")}
>>> for p in model_problems(LogicalModel(nodes=nodes, rules={"s1": None, "s2": Var("s1"), "s3": None})):
...     print(p)
warning: s1, s2: several nodes are named TNF
warning: s3: isolated node: no regulator and regulates nothing
"""
from __future__ import annotations

from dataclasses import dataclass

from .model import LogicalModel

__all__ = ["Problem", "model_problems", "file_problems"]


@dataclass(frozen=True)
class Problem:
    """One finding: ``severity`` is ``error`` (the model cannot be used as it is) or ``warning``."""

    severity: str
    elements: tuple
    problem: str

    def __str__(self) -> str:
        return f"{self.severity}: {', '.join(self.elements)}: {self.problem}"


def _duplicate_names(model: LogicalModel) -> list:
    by_name: dict = {}
    for node in model.nodes.values():
        if node.name:
            by_name.setdefault(node.name, []).append(node.id)
    return [Problem("warning", tuple(ids), f"several nodes are named {name}")
            for name, ids in by_name.items() if len(ids) > 1]


def _levels(model: LogicalModel) -> list:
    found = []
    for node in model.nodes.values():
        if node.initial_level is not None and not 0 <= node.initial_level <= node.max_level:
            found.append(Problem("error", (node.id,), f"initial level {node.initial_level} is outside "
                                                      f"0..{node.max_level}"))
        if node.constant and model.rules[node.id] is not None and not model.is_input(node.id):
            found.append(Problem("error", (node.id,), "declared constant but has a rule"))
    return found


def _isolated(model: LogicalModel) -> list:
    graph = model.graph
    return [Problem("warning", (n,), "isolated node: no regulator and regulates nothing")
            for n in model.nodes
            if not any(p != n for p in graph.predecessors(n)) and not any(s != n for s in graph.successors(n))
            and model.is_input(n)]


def model_problems(model: LogicalModel) -> list:
    """Problems of a model: duplicate names, levels out of range, constants with rules, isolated nodes.

    Returns
    -------
    list of :class:`Problem`, errors first.
    """
    found = _duplicate_names(model) + _levels(model) + _isolated(model)
    return sorted(found, key=lambda p: p.severity != "error")


def file_problems(path, format: str | None = None, cfg=None) -> tuple:
    """Read ``path`` (with the MaBoSS .cfg ``cfg``, if given) and list its problems: for SBML,
    libsbml's consistency errors, then the model's.

    Returns
    -------
    (model, problems)
        Reading errors are raised as :class:`~booleanidt.errors.InputError`.
    """
    from .io import detect_format, read
    from .io._files import read_text
    from .io.sbmlqual import consistency_problems

    model = read(path, format=format, cfg=cfg)
    problems = []
    if (format or detect_format(path)) == "sbml":
        problems = [Problem("error", (element,), message)
                    for element, message in consistency_problems(read_text(path), str(path))]
    return model, problems + model_problems(model)
