"""Analyses of logical models: fixed points, trap spaces, attractors and perturbation screens.

Results are tidy DataFrames: one row per result, one column per node (0/1, a level,
or ``'*'`` for a free node), phenotype nodes first when ``outputs`` is given.

>>> from booleanidt.analysis import fixed_points
>>> from booleanidt.model import LogicalModel
>>> from booleanidt.expr import Var
>>> len(fixed_points(LogicalModel.from_rules({"A": Var("A")})))
2
"""
from ._solving import SearchLimitExceeded
from .attractors import attractor_states, attractors
from .fixed_points import fixed_points
from .percolation import percolate
from .screen import (Perturbation, combinations, drug_treatments, knockins, knockouts, plot_screen, ranked,
                     screen)
from .trap_spaces import trap_spaces

__all__ = ["fixed_points", "trap_spaces", "attractors", "attractor_states", "percolate",
           "SearchLimitExceeded", "Perturbation", "knockouts", "knockins", "combinations",
           "drug_treatments", "screen", "ranked", "plot_screen"]
