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
from . import _checkout_maps
from ._lazy import lazy_getattr
from .errors import BooleanidtError, InputError
from .io import read, write
from .model import LogicalModel, Node

__version__ = "0.1.0"

#: attribute -> (module, name in it); imported on first access
_LAZY = {
    "simulate": ("booleanidt.simulation.api", "simulate"),
    "personalize": ("booleanidt.personalization.apply", "personalize"),
    "treat": ("booleanidt.treatment.screen", "treat"),
    "maps": ("booleanidt.maps", None),
    "cohort": ("booleanidt.cohort", None),
    "analysis": ("booleanidt.analysis", None),
}

__all__ = ["BooleanidtError", "InputError", "LogicalModel", "Node", "maps", "personalize", "read", "simulate",
           "treat", "write", "__version__"]


__getattr__ = lazy_getattr(__name__, _LAZY, globals())


def __dir__():
    """The module's names and the lazy ones, for tab completion.

    >>> import booleanidt
    >>> {"simulate", "maps", "personalize", "cohort", "analysis"} <= set(dir(booleanidt))
    True
    """
    return sorted(set(globals()) | set(_LAZY))
_checkout_maps.install()   # Python started in a source checkout still finds the shipped maps
