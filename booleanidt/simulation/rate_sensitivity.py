"""Sensitivity of chosen outputs to the model's rate parameters (what MaBoSS's MBSS_SensitivityAnalysis.pl does).

Each ``$parameter`` (all of them, or a chosen set) is multiplied by ``factor`` and
divided by it, one at a time, and the model is simulated again with the same
settings and seed.  The table gives, per parameter and direction, each output's
probability in the last window, its change from the unperturbed run and the
standard error of that change (``sqrt(se_run^2 + se_base^2)``, which ignores the
common seed and so errs on the large side).  Parameters equal to 0 are left out
(scaling does not move them).

Examples
--------
>>> from booleanidt.model import LogicalModel
>>> from booleanidt.expr import IfThenElse, Logic, Const, Param, Var
>>> model = LogicalModel.from_rules({"A": Const(1), "B": Var("A")},
...                                 rates_up={"B": IfThenElse(Logic(), Param("k"), Const(0))},
...                                 parameters={"k": 0.5}).with_initial_probabilities({"A": 1.0, "B": 0.0})
>>> result = sensitivity(model, ["B"], max_time=1, time_tick=1, sample_count=4000, seed=1)
>>> result.table[["parameter", "direction", "output"]].values.tolist()
[['k', 'up', 'B'], ['k', 'down', 'B']]
>>> bool((result.table["delta"] > 0).tolist() == [True, False])  # a faster rise raises B's mean over [0, 1)
True
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from ..model import LogicalModel
from ..naming import resolve_many
from .api import SimulationError, simulate
from .settings import SimulationSettings

__all__ = ["SensitivityResult", "sensitivity"]


@dataclass
class SensitivityResult:
    """``table``: one row per (parameter, direction, output) with columns ``parameter``, ``direction``
    (``up``: x factor, ``down``: / factor), ``value``, ``output``, ``probability``, ``error``, ``delta``
    and ``delta_error``; ``baseline``: the unperturbed last-window probabilities and their errors."""

    table: pd.DataFrame
    baseline: pd.DataFrame
    factor: float

    def plot(self, ax=None):
        """Horizontal bars of each parameter's effect (up and down) on each output, with 2-SE whiskers."""
        import matplotlib.pyplot as plt

        outputs = list(dict.fromkeys(self.table["output"]))
        parameters = list(dict.fromkeys(self.table["parameter"]))
        if ax is None:
            ax = plt.subplots(figsize=(8, 1.2 + 0.5 * len(parameters) * len(outputs)))[1]
        height = 0.8 / (2 * len(outputs))
        for k, (output, direction) in enumerate((o, d) for o in outputs for d in ("up", "down")):
            rows = self.table[(self.table["output"] == output) & (self.table["direction"] == direction)]
            rows = rows.set_index("parameter").reindex(parameters)
            label = f"{output}, x{self.factor:g}" if direction == "up" else f"{output}, /{self.factor:g}"
            ax.barh(np.arange(len(parameters)) + (k - len(outputs) + 0.5) * height, rows["delta"], height,
                    xerr=2 * rows["delta_error"], label=label, capsize=2)
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_yticks(range(len(parameters)), [f"${p}" for p in parameters])
        ax.invert_yaxis()
        ax.set_xlabel("change of the probability in the last window")
        ax.legend(fontsize="small", loc="best")
        return ax


def _last(result, outputs) -> tuple:
    return result.node_probabilities[outputs].iloc[-1], result.node_errors[outputs].iloc[-1]


def sensitivity(model: LogicalModel, outputs, parameters=None, factor: float = 2.0,
                settings: SimulationSettings | None = None, progress: bool = False, **overrides) -> SensitivityResult:
    """Scale each rate parameter up and down by ``factor``; see the module docstring.

    Parameters
    ----------
    model : LogicalModel with ``$parameters``
    outputs : nodes, by id or name, whose last-window probabilities are reported
    parameters : names (without ``$``) to vary; default: every parameter that is not 0
    factor : the scaling factor (> 1)
    settings, **overrides : run settings, as for :func:`~booleanidt.simulation.simulate`
    progress : show a progress bar over the runs
    """
    if not factor > 1:
        raise SimulationError(f"sensitivity: factor must be > 1 (got {factor})")
    outputs = resolve_many(model, [outputs] if isinstance(outputs, str) else outputs, "sensitivity outputs")
    names = list(parameters) if parameters is not None else [p for p, v in model.parameters.items() if v != 0]
    missing = [p for p in names if p not in model.parameters]
    if missing:
        raise SimulationError(f"sensitivity: unknown parameter(s) {', '.join('$' + p for p in missing)}")
    settings = (settings or SimulationSettings()).replace(**overrides)
    runs = [(None, None, 1.0)] + [(p, d, f) for p in names for d, f in (("up", factor), ("down", 1 / factor))]
    base_p = base_e = None
    rows = []
    for name, direction, scale in tqdm(runs, disable=not progress, unit="run", desc="sensitivity"):
        varied = model if name is None else model.with_parameters({name: model.parameters[name] * scale})
        try:
            p, e = _last(simulate(varied, settings), outputs)
        except SimulationError as exc:
            raise SimulationError(f"sensitivity: with ${name} = {model.parameters[name] * scale:g}: {exc} "
                                  "(leave out parameters that are not rates: parameters=[...])") from None
        if name is None:
            base_p, base_e = p, e
            continue
        rows += [{"parameter": name, "direction": direction, "value": model.parameters[name] * scale, "output": o,
                  "probability": p[o], "error": e[o], "delta": p[o] - base_p[o],
                  "delta_error": float(np.hypot(e[o], base_e[o]))} for o in outputs]
    baseline = pd.DataFrame({"probability": base_p, "error": base_e})
    columns = ["parameter", "direction", "value", "output", "probability", "error", "delta", "delta_error"]
    return SensitivityResult(table=pd.DataFrame(rows, columns=columns), baseline=baseline, factor=factor)
