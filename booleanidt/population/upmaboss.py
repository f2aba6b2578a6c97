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

Models of any size: states are carried as bits, node ``p`` in bit ``p % 64`` of 64-bit word
``p // 64`` (:mod:`~booleanidt.simulation.statebits`).  The kernel tabulates the last window's
states under a key, their bits up to 63 nodes and a 63-bit hash of them beyond, and hands over
the bits of each state it tabulated; everything after works on the bits, whichever the key (the
carried states are ordered by their bits too).

Speed: the model is compiled again only when a step changes its parameters (they are
folded into the compiled rates); the carried distribution goes straight into the
compiled model's initial-state arrays, as a treatment screen varies a compiled
patient's initial states.  Each run tabulates the output states of its last window only,
in kernel calls of :data:`STEP_CHUNK` trajectories, and states stay bits until the final
table is labelled (the per-step :class:`~booleanidt.simulation.SimulationResult` in
``runs`` has no state tables: the steps' state distributions are ``state_probabilities``).

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

import dataclasses
import re

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from ..errors import BooleanidtError, InputError
from ..expr import evaluate
from ..io._grammar import parse_expression
from ..model import LogicalModel
from ..naming import labels
from ..booleanize import booleanize
from ..simulation import SimulationSettings
from ..simulation.api import result_of, run_totals
from ..simulation.compile import CompiledModel, compile_model
from ..simulation.result import NIL, SEPARATOR, state_labels
from ..simulation.statdist import stationary_distributions
from ..simulation.statebits import pack_bits, unique_states, unpack_bits
from .result import UpPopulationResult
from .upp import PROBABILITY_TERM, UppSpec

__all__ = ["run_upmaboss", "StateDistribution", "step_seed"]


#: trajectories per kernel call in a step: a step is one short run, where calls of the simulation's
#: default size cost about a fifth of the time
STEP_CHUNK = 10_000


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

    @classmethod
    def from_words(cls, nodes: tuple, words: np.ndarray, probabilities: np.ndarray) -> "StateDistribution":
        """From states as bits (``(states, ceil(n/64))`` uint64 words, node ``p`` is bit ``p % 64`` of word
        ``p // 64``, any number of nodes) and their probabilities.

        >>> words = np.array([[2], [3]], dtype=np.uint64)
        >>> StateDistribution.from_words(("A", "B"), words, np.array([0.5, 0.5])).probability({"B": 1})
        1.0
        """
        keep = np.asarray(probabilities) > 0
        return cls(nodes, unpack_bits(np.asarray(words)[keep], len(nodes)),
                   np.asarray(probabilities, dtype=float)[keep])

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

    def marginal(self, nodes) -> tuple:
        """``(levels, weights)`` over ``nodes``: identical rows merged, in the order of their bits
        (:func:`~booleanidt.simulation.statebits.unique_states`; not by weight, which would make the
        order, hence the draws of the next step, hang on the last bits of summed probabilities).

        >>> d = StateDistribution(("A", "B"), np.array([[1, 0], [1, 1], [0, 1]], np.int8), np.array([0.2, 0.3, 0.5]))
        >>> levels, weights = d.marginal(["A"])
        >>> levels.tolist(), weights.tolist()
        ([[0], [1]], [0.5, 0.5])
        """
        unique, inverse = unique_states(pack_bits(self.states[:, [self.column[n] for n in nodes]]))
        weights = np.bincount(inverse, weights=self.probabilities, minlength=len(unique))
        return unpack_bits(unique, len(nodes)), weights

    def compiled_initial_state(self, net: CompiledModel, nodes, initial_p: np.ndarray) -> CompiledModel:
        """``net`` starting from this distribution's marginal over ``nodes`` (one joint group) and,
        for the other nodes, ``initial_p`` (P(node = 1); what ``net`` was compiled with stays untouched).

        The kernel draws a state by bisection over the states' cumulative probabilities.
        """
        unique, weights = self.marginal(nodes)
        group = np.array([net.node_ids.index(n) for n in nodes], dtype=np.int64)
        initial_p = initial_p.copy()
        initial_p[group] = -1.0
        cumulative = np.cumsum(weights / weights.sum())
        cumulative[-1] = 1.0
        return dataclasses.replace(net, initial_p=initial_p, group_ptr=np.array([0, len(group)], dtype=np.int64),
                                   group_node=group, choice_ptr=np.array([0, len(unique)], dtype=np.int64),
                                   choice_cum=cumulative, choice_levels=np.ascontiguousarray(unique.ravel(),
                                                                                             dtype=np.int8))


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


def _next_parameters(parameters: dict, spec: UppSpec, distribution: StateDistribution, ratio: float,
                     rng) -> dict:
    """The ``$parameters`` of the next step, the ``.upp`` formulas evaluated on ``distribution``."""
    updated = dict(parameters)
    for name, formula in spec.parameters.items():
        updated[name] = _evaluate_formula(formula, distribution, ratio, rng, parameters, spec.source, f"${name}")
    return updated


def _node_initials(spec: UppSpec, distribution: StateDistribution, ratio: float, rng, params: dict) -> dict:
    """P(node = 1) at the start of the next step for the ``@node`` formulas of the ``.upp`` file."""
    return {node: float(np.clip(_evaluate_formula(formula, distribution, ratio, rng, params, spec.source,
                                                  f"@{node}"), 0.0, 1.0))
            for node, formula in spec.node_formulas.items()}


def _compiled(model: LogicalModel) -> CompiledModel:
    """The model compiled with every node an output (the joint state of every node is carried)."""
    return compile_model(booleanize(model), list(model.node_ids))


def _state_table(steps: list, nodes: tuple, words: list, probabilities: list) -> pd.DataFrame:
    """Steps x states table of the last-window state probabilities (states as bits,
    :func:`~booleanidt.simulation.statebits.pack_bits`;
    labelled once, sorted)."""
    every, inverse = unique_states(np.concatenate(words))
    labels = state_labels(nodes, every)
    order = np.argsort(labels, kind="stable")
    column = np.empty(len(every), dtype=np.int64)
    column[order] = np.arange(len(every))
    table = np.zeros((len(steps), len(every)))
    rows = np.repeat(np.arange(len(steps)), [len(w) for w in words])
    table[rows, column[inverse]] = np.concatenate(probabilities)
    return pd.DataFrame(table, index=pd.Index(steps, name="step"), columns=labels[order])


def run_upmaboss(model: LogicalModel, spec: UppSpec, settings: SimulationSettings | None = None, *,
                 progress: bool = False, **overrides) -> UpPopulationResult:
    """Run UPMaBoSS: ``spec.steps`` population updates between ``spec.steps + 1`` runs.

    Parameters
    ----------
    model : a Boolean LogicalModel, of any size (the joint state of every node is carried)
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
    spec.check_against(model.node_ids, model.parameters.keys())
    nodes = model.node_ids
    carried = [n for n in nodes if n not in spec.node_formulas and n not in model.fixed]
    ratio, rows, node_rows, words, probabilities, runs = 1.0, [], [], [], [], []
    params = dict(model.parameters)
    outputs = np.array([i for i, n in enumerate(nodes) if not model.nodes[n].internal], dtype=np.int64)
    net = base = _compiled(model)      # step 0 starts as the model says (its own joint initial states too)
    for step in tqdm(range(spec.steps + 1), disable=not progress, unit="step", desc="population"):
        step_settings = settings.replace(seed=step_seed(settings.seed, step))
        total = run_totals(net, step_settings, last_window_only=True, chunk_size=STEP_CHUNK)
        run = result_of(net, step_settings, total, False)   # the states are labelled once, at the end
        # over every node up to 63 nodes; beyond, over the model's outputs, as a simulation of the model (when
        # there are too many of them, one warning at the first step, not one per step)
        run.stationary = (stationary_distributions(dataclasses.replace(net, output_index=outputs), step_settings)
                          if step == 0 or runs[0].stationary is not None else None)
        runs.append(run)
        rows.append((step, step * settings.max_time, ratio))
        node_rows.append(run.node_probabilities.iloc[-1])
        last = total.states.dense()[0][0] / settings.sample_count
        words.append(total.state_words[last > 0])
        probabilities.append(last[last > 0])
        if step == spec.steps:
            break
        growth, survivors = StateDistribution.from_words(nodes, words[-1], probabilities[-1]).growth_and_survivors(
            spec.death, spec.division)
        ratio *= growth
        if survivors is None:
            rows.append((step + 1, (step + 1) * settings.max_time, 0.0))
            break
        rng = np.random.default_rng([int(settings.seed), step, 1])
        updated = _next_parameters(params, spec, survivors, ratio, rng)
        if updated != params or base is net and model.joint_initial_states:
            base = _compiled(model.replace(parameters=updated, joint_initial_states=()))
        params = updated
        initial_p = base.initial_p.copy()
        for node, value in _node_initials(spec, survivors, ratio, rng, params).items():
            initial_p[nodes.index(node)] = value
        net = survivors.compiled_initial_state(base, carried, initial_p)
    steps = [r[0] for r in rows[:len(node_rows)]]
    return UpPopulationResult(
        population=pd.DataFrame(rows, columns=["step", "time", "ratio"]),
        node_probabilities=pd.DataFrame(node_rows, index=pd.Index(steps, name="step")),
        state_probabilities=_state_table(steps, nodes, words, probabilities),
        runs=runs, spec=spec, settings=settings, names=labels(model))
