"""``booleanidt.population.run``: a population run from a model and a ``.upp`` file.

Examples
--------
>>> from booleanidt.model import LogicalModel
>>> from booleanidt.expr import Const
>>> model = LogicalModel.from_rules({"Death": Const(1)}).with_initial_probabilities({"Death": 0.0})
>>> result = run(model, upp="death = Death; steps = 1;", max_time=1, time_tick=0.5, sample_count=4000)
>>> round(result.final_ratio, 1)   # P(Death) in the last window [0.5, 1) is about 0.53
0.5
"""
from __future__ import annotations

from pathlib import Path

from ..errors import BooleanidtError
from ..model import LogicalModel
from ..simulation import SimulationSettings
from .result import UpPopulationResult
from .upmaboss import run_upmaboss
from .upp import UppSpec, parse_upp, read_upp

__all__ = ["run"]


def _spec(upp) -> UppSpec:
    if isinstance(upp, UppSpec):
        return upp
    if isinstance(upp, Path) or (isinstance(upp, str) and "\n" not in upp and upp.endswith(".upp")):
        return read_upp(upp)
    return parse_upp(str(upp))


def run(model: LogicalModel, settings: SimulationSettings | None = None, *, upp=None, progress: bool = False,
        **overrides) -> UpPopulationResult:
    """Run a cell population with UPMaBoSS semantics.

    Parameters
    ----------
    model : LogicalModel (e.g. ``booleanidt.read("model.bnd")``)
    settings : run settings of each step (``max_time`` is the length of a step)
    upp : a ``.upp`` path, its text, or an :class:`~booleanidt.population.upp.UppSpec`
    progress : show a progress bar
    **overrides : settings by readable or .cfg name

    Returns
    -------
    UpPopulationResult : ``population`` (step, time, ratio), per-step node and state
        probabilities, ``plot()``
    """
    if upp is None:
        raise BooleanidtError("population.run needs upp= (a .upp file or its text)")
    return run_upmaboss(model, _spec(upp), settings, progress=progress, **overrides)
