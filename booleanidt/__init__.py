"""booleanidt: logical models of the immune system, from disease maps to patient simulations.

>>> import booleanidt
>>> model = booleanidt.maps.load("th_differentiation")  # doctest: +SKIP
>>> result = booleanidt.simulate(model, max_time=50)     # doctest: +SKIP
"""
from .errors import BooleanidtError, InputError
from .io import read, write
from .model import LogicalModel, Node
from .personalization.apply import personalize
from .simulation.api import simulate
from . import maps  # the shipped immune maps: booleanidt.maps.load("th_differentiation")

__version__ = "0.1.0"

__all__ = ["BooleanidtError", "InputError", "LogicalModel", "Node", "personalize", "read", "simulate", "write", "__version__"]
