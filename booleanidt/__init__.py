"""booleanidt: logical models of the immune system, from disease maps to patient simulations.

The top-level functions are thin entry points into the packages that implement them;
the heavier ones (simulation, personalization, the shipped maps) are imported on first use,
so that ``import booleanidt`` and the command line start quickly.

>>> import booleanidt
>>> model = booleanidt.maps.load("th_differentiation")
>>> result = booleanidt.simulate(model, max_time=5, sample_count=200, outputs=["TBET"])
>>> float(result.node_probabilities["TBET"].iloc[0]) <= 1.0
True
"""
import importlib

from .errors import BooleanidtError, InputError
from .io import read, write
from .model import LogicalModel, Node

__version__ = "0.1.0"

#: attribute -> (module, name in it); imported on first access
_LAZY = {
    "simulate": ("booleanidt.simulation.api", "simulate"),
    "personalize": ("booleanidt.personalization.apply", "personalize"),
    "maps": ("booleanidt.maps", None),
}

__all__ = ["BooleanidtError", "InputError", "LogicalModel", "Node", "maps", "personalize", "read", "simulate",
           "write", "__version__"]


def __getattr__(name):
    if name not in _LAZY:
        raise AttributeError(f"module 'booleanidt' has no attribute {name!r}")
    module_name, attribute = _LAZY[name]
    module = importlib.import_module(module_name)
    value = module if attribute is None else getattr(module, attribute)
    globals()[name] = value
    return value
