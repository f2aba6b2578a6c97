"""``booleanidt.population.run``: a population run, UPMaBoSS (with a ``.upp`` file) or PopMaBoSS
(a ``.pbnd`` model, or a ``.bnd`` with a population configuration).

Examples
--------
>>> from booleanidt.model import LogicalModel
>>> from booleanidt.expr import Const
>>> model = LogicalModel.from_rules({"Death": Const(1)}).with_initial_probabilities({"Death": 0.0})
>>> result = run(model, upp="death = Death; steps = 1;", max_time=1, time_tick=0.5, sample_count=4000)
>>> round(result.final_ratio, 1)   # P(Death) in the last window [0.5, 1) is about 0.53
0.5
>>> pop = run("growth.pbnd", cfg="growth.cfg", sample_count=200)  # doctest: +SKIP
"""
from __future__ import annotations

from pathlib import Path

from ..errors import BooleanidtError
from ..model import LogicalModel
from ..simulation import SimulationSettings
from .pbnd import PopModel, read_pbnd
from .popmaboss import run_popmaboss
from .result import PopResult, UpPopulationResult
from .upmaboss import run_upmaboss
from .upp import UppSpec, parse_upp, read_upp

__all__ = ["run"]


def _spec(upp) -> UppSpec:
    if isinstance(upp, UppSpec):
        return upp
    if isinstance(upp, Path) or (isinstance(upp, str) and "\n" not in upp and upp.endswith(".upp")):
        return read_upp(upp)
    return parse_upp(str(upp))


def run(model, settings: SimulationSettings | None = None, *, upp=None, cfg=None, progress: bool = False,
        **overrides) -> UpPopulationResult | PopResult:
    """Run a cell population: UPMaBoSS semantics with ``upp``, PopMaBoSS semantics without.

    Parameters
    ----------
    model : with ``upp``, a LogicalModel (e.g. ``booleanidt.read("model.bnd")``); without, a
        :class:`~booleanidt.population.pbnd.PopModel` or the path of a ``.pbnd``/``.bnd`` file
    settings : run settings (UPMaBoSS: of each step, ``max_time`` is a step's length;
        PopMaBoSS: default the model's configuration)
    upp : a ``.upp`` path, its text, or an :class:`~booleanidt.population.upp.UppSpec`
    cfg : PopMaBoSS configuration (``.cfg``/``.pcfg``) for a model given as a path
    progress : show a progress bar
    **overrides : settings by readable or .cfg name

    Returns
    -------
    UpPopulationResult : ``population`` (step, time, ratio), per-step node and state
        probabilities, ``plot()``
    PopResult : (PopMaBoSS) population size, population-state probabilities, expected cells
        per state and per node, ``plot()``
    """
    if upp is not None:
        if not isinstance(model, LogicalModel):
            raise BooleanidtError("population.run with upp= needs a LogicalModel (booleanidt.read(...))")
        return run_upmaboss(model, _spec(upp), settings, progress=progress, **overrides)
    if isinstance(model, (str, Path)):
        model = read_pbnd(model, cfg)
    if not isinstance(model, PopModel):
        raise BooleanidtError("population.run: give upp= (UPMaBoSS) or a PopMaBoSS model (.pbnd path or PopModel)")
    return run_popmaboss(model, settings, progress=progress, **overrides)
