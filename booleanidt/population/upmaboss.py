"""UPMaBoSS semantics: a cell population updated between successive MaBoSS runs.

Each step runs the model for ``max_time``; the distribution of cell states in the last
time window (a time average, as MaBoSS's probtraj gives it) is then updated:

* cells in a state with the death node active are removed, cells with the division
  node active count twice and have the division node reset to 0;
* the population ratio is multiplied by ``sum_s p(s) * (0 if dead, 2 if dividing, else 1)``;
* the surviving distribution is renormalised and becomes the **joint** initial state of
  the next run (over every node, internal ones included, not per-node marginals);
* ``$parameters`` and ``@node`` formulas of the ``.upp`` file are evaluated on it.

Step ``k``'s run is seeded from ``(seed, k)``, so a run is reproducible and does not
depend on the thread count.

Examples
--------
>>> from booleanidt.model import LogicalModel
>>> from booleanidt.expr import Const
>>> from booleanidt.population.upp import parse_upp
>>> model = LogicalModel.from_rules({"Division": Const(1), "Death": Const(0)})
>>> model = model.with_initial_probabilities({"Division": 0.0, "Death": 0.0})
>>> spec = parse_upp("division = Division; death = Death; steps = 2;")
>>> result = run_upmaboss(model, spec, max_time=1, time_tick=0.5, sample_count=2000, seed=1)
>>> result.population["ratio"].round(1).tolist()   # 1, then x (1 + P(Division) in [0.5, 1))
[1.0, 1.5, 2.3]
"""
from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from ..errors import BooleanidtError, InputError
from ..expr import evaluate
from ..io._grammar import parse_expression
from ..model import JointInitialState, LogicalModel
from ..simulation import SimulationSettings, simulate
from ..simulation.kernel import MAX_TRACKED_OUTPUTS
from ..simulation.result import NIL, SEPARATOR
from .result import UpPopulationResult
from .upp import PROBABILITY_TERM, UppSpec

__all__ = ["run_upmaboss", "StateDistribution", "step_seed"]


def step_seed(seed: int, step: int) -> int:
    """Seed of step ``step``'s run, derived from ``(seed, step)`` by a seed sequence.

    >>> step_seed(0, 1) != step_seed(1, 0)
    True
    """
    return int(np.random.SeedSequence([int(seed), int(step)]).generate_state(1, dtype=np.uint32)[0])


class StateDistribution:
    """A distribution over Boolean states: a 0/1 matrix (states x nodes) and probabilities.

    >>> d = StateDistribution.from_labels(("A", "B"), pd.Series({"A": 0.25, "A -- B": 0.5, "<nil>": 0.25}))
    >>> d.probability({"A": 1, "B": 0})
    0.25
    """

    def __init__(self, nodes: tuple, states: np.ndarray, probabilities: np.ndarray):
        self.nodes, self.states, self.probabilities = tuple(nodes), states, probabilities
        self.column = {n: i for i, n in enumerate(self.nodes)}

    @classmethod
    def from_labels(cls, nodes: tuple, probabilities: pd.Series) -> "StateDistribution":
        """From MaBoSS state labels (``A -- B``, ``<nil>``) and their probabilities."""
        column = {n: i for i, n in enumerate(nodes)}
        kept = probabilities[probabilities > 0]
        states = np.zeros((len(kept), len(nodes)), dtype=np.int8)
        for row, label in enumerate(kept.index):
            if label != NIL:
                states[row, [column[n] for n in label.split(SEPARATOR)]] = 1
        return cls(nodes, states, kept.to_numpy(dtype=float))

    def probability(self, values: dict) -> float:
        """Total probability of the states where each node of ``values`` has its value."""
        match = np.ones(len(self.probabilities), dtype=bool)
        for node, value in values.items():
            match &= self.states[:, self.column[node]] == value
        return float(self.probabilities[match].sum())

    def growth_and_survivors(self, death: str | None, division: str | None) -> tuple:
        """``(growth factor, renormalised distribution of the living cells or None)``."""
        weights = self.probabilities.copy()
        states = self.states.copy()
        if death is not None:
            weights[states[:, self.column[death]] == 1] = 0.0
        if division is not None:
            dividing = states[:, self.column[division]] == 1
            weights[dividing] *= 2.0
            states[:, self.column[division]] = 0
        growth = float(weights.sum())
        if growth <= 0:
            return growth, None
        keep = weights > 0
        return growth, StateDistribution(self.nodes, states[keep], weights[keep] / growth)

    def joint_initial_state(self, nodes) -> JointInitialState:
        """The marginal over ``nodes`` as one joint initial state (identical rows merged)."""
        columns = [self.column[n] for n in nodes]
        unique, inverse = np.unique(self.states[:, columns], axis=0, return_inverse=True)
        weights = np.bincount(inverse.ravel(), weights=self.probabilities, minlength=len(unique))
        return JointInitialState(tuple(nodes), tuple((float(w), tuple(int(v) for v in row))
                                                     for w, row in zip(weights, unique)))


def _evaluate_formula(formula: str, distribution: StateDistribution, ratio: float, rng, params: dict,
                      source: str, name: str) -> float:
    def probability(match):
        nodes = [n.strip() for n in match.group(1).split(",")]
        values = [int(v.strip()) for v in match.group(2).split(",")]
        return repr(distribution.probability(dict(zip(nodes, values))))

    text = PROBABILITY_TERM.sub(probability, formula)
    text = text.replace("#pop_ratio", repr(ratio))
    text = re.sub(r"#rand", lambda _: repr(float(rng.random())), text)
    try:
        return float(evaluate(parse_expression(text, source), {}, params))
    except InputError:
        raise InputError(source, name, f"cannot evaluate {formula!r}") from None
    except KeyError as exc:
        raise InputError(source, name, f"{formula!r}: {exc.args[0]}") from None
    except ZeroDivisionError:
        raise InputError(source, name, f"{formula!r} divides by zero") from None


def _next_model(model: LogicalModel, spec: UppSpec, distribution: StateDistribution, ratio: float,
                rng) -> LogicalModel:
    """The model of the next step: updated parameters, joint initial state from ``distribution``."""
    params = dict(model.parameters)
    for name, formula in spec.parameters.items():
        params[name] = _evaluate_formula(formula, distribution, ratio, rng, model.parameters, spec.source,
                                         f"${name}")
    initial = dict(model.initial_probabilities)
    for node, formula in spec.node_formulas.items():
        value = _evaluate_formula(formula, distribution, ratio, rng, params, spec.source, f"@{node}")
        initial[node] = float(np.clip(value, 0.0, 1.0))
    carried = [n for n in model.node_ids if n not in spec.node_formulas and n not in model.fixed]
    return model.replace(parameters=params, initial_probabilities=initial,
                         joint_initial_states=(distribution.joint_initial_state(carried),))


def run_upmaboss(model: LogicalModel, spec: UppSpec, settings: SimulationSettings | None = None, *,
                 progress: bool = False, **overrides) -> UpPopulationResult:
    """Run UPMaBoSS: ``spec.steps`` population updates between ``spec.steps + 1`` runs.

    Parameters
    ----------
    model : a Boolean LogicalModel (at most 63 nodes: the joint state of every node is carried)
    spec : the parsed ``.upp`` file (:func:`~booleanidt.population.upp.parse_upp`)
    settings : run settings of each step (``max_time`` is the step length)
    progress : show a progress bar over the steps
    **overrides : settings by readable or .cfg name

    Returns
    -------
    UpPopulationResult
    """
    settings = (settings or SimulationSettings()).replace(**overrides)
    if not model.is_boolean:
        raise BooleanidtError("UPMaBoSS needs a Boolean model (multi-valued nodes: "
                              f"{', '.join(model.multivalued_nodes)})")
    if len(model.node_ids) > MAX_TRACKED_OUTPUTS:
        raise BooleanidtError(f"UPMaBoSS carries the joint state of every node: at most {MAX_TRACKED_OUTPUTS} "
                              f"nodes (the model has {len(model.node_ids)})")
    spec.check_against(model.node_ids, model.parameters.keys())
    nodes = model.node_ids
    ratio, rows, node_rows, state_rows, runs = 1.0, [], [], [], []
    current = model
    for step in tqdm(range(spec.steps + 1), disable=not progress, unit="step", desc="population"):
        with warnings.catch_warnings():  # the joint state of every node is needed; memory is checked above
            warnings.simplefilter("ignore", UserWarning)
            run = simulate(current, settings.replace(seed=step_seed(settings.seed, step)), outputs=list(nodes))
        runs.append(run)
        rows.append((step, step * settings.max_time, ratio))
        node_rows.append(run.node_probabilities.iloc[-1])
        last = run.state_probabilities.iloc[-1]
        state_rows.append(last[last > 0])
        if step == spec.steps:
            break
        growth, survivors = StateDistribution.from_labels(nodes, last).growth_and_survivors(spec.death,
                                                                                             spec.division)
        ratio *= growth
        if survivors is None:
            rows.append((step + 1, (step + 1) * settings.max_time, 0.0))
            break
        rng = np.random.default_rng([int(settings.seed), step, 1])
        current = _next_model(current, spec, survivors, ratio, rng)
    index = pd.Index([r[0] for r in rows[:len(node_rows)]], name="step")
    return UpPopulationResult(
        population=pd.DataFrame(rows, columns=["step", "time", "ratio"]),
        node_probabilities=pd.DataFrame(node_rows, index=index),
        state_probabilities=pd.DataFrame(state_rows, index=index).fillna(0.0),
        runs=runs, spec=spec, settings=settings)
