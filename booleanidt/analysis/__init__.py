"""Analyses of logical models: fixed points, trap spaces, attractors and perturbation screens.

>>> from booleanidt.analysis import fixed_points
>>> from booleanidt.model import LogicalModel
>>> from booleanidt.expr import Var
>>> len(fixed_points(LogicalModel.from_rules({"A": Var("A")})))
2
"""
from .fixed_points import fixed_points

__all__ = ["fixed_points"]
