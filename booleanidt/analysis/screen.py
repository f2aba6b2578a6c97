"""Perturbation screens: knock-outs, knock-ins, their combinations and PROFILE-style drugs.

Each :class:`Perturbation` is applied to the model (mutations as MaBoSS mutants,
:meth:`LogicalModel.mutate`; drugs as PROFILE's ``anti_X`` nodes, X's rule becoming
``(rule) & !anti_X`` with ``anti_X`` starting at 1 with probability = strength) and
scored by the phenotype (output) nodes:

* ``method="simulation"``: probability of each output at the last time window of
  :func:`booleanidt.simulation.simulate`, with its standard error.  Every
  perturbation runs with the same seed (common random numbers).
* ``method="fixed_points"``: mean value of each output over the stable states
  (the fraction of stable states where the phenotype is on); drugs count as fully
  on (``anti_X = 1``) there, since a stable state has no probabilities.

Perturbations run in parallel through a ``concurrent.futures.Executor`` (local
processes by default); anything with ``submit(fn, arg)`` returning futures with
``result()`` works, a ``dask.distributed.Client`` included.

Examples
--------
>>> from booleanidt.model import LogicalModel
>>> from booleanidt.expr import Var, And, Not
>>> model = LogicalModel.from_rules({"S": None, "A": Var("S"), "P": And((Var("A"), Not(Var("S"))))})
>>> [p.name for p in knockouts(model, ["A"]) + knockins(model, ["A"])]
['A KO', 'A KI']
>>> table = screen(model, knockins(model, ["A"]), ["P"], method="fixed_points",
...                inputs={"S": 0}, executor="serial")
>>> table[["perturbation", "output", "score", "effect"]]
  perturbation output  score  effect
0    wild type      P    0.0     0.0
1         A KI      P    1.0     1.0
"""
from __future__ import annotations

import concurrent.futures
import itertools
import math
import os
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

import pandas as pd
from tqdm.auto import tqdm

from ..errors import BooleanidtError
from ..io._files import save_png
from ..model import LogicalModel
from ..naming import resolve_known, wrap_label
from ..personalization.apply import add_drugs
from ..simulation import SimulationSettings, simulate
from .fixed_points import fixed_points

__all__ = ["Perturbation", "WILD_TYPE", "knockouts", "knockins", "combinations", "drug_treatments",
           "screen", "ranked", "plot_screen", "ScreenError"]

METHODS = ("simulation", "fixed_points")


class ScreenError(BooleanidtError):
    """A screen that cannot run (unknown node, unknown method, no outputs...)."""


@dataclass(frozen=True)
class Perturbation:
    """Mutations (node -> level, as MaBoSS mutants) and drugs (node -> strength in [0, 1]).

    >>> Perturbation((("CASP8", 0), ("RIP1", 0))).name
    'CASP8 KO + RIP1 KO'
    >>> Perturbation(drugs=(("NFkB", 0.8),)).name
    'anti_NFkB 0.8'
    """

    mutations: tuple = ()
    drugs: tuple = ()

    @property
    def name(self) -> str:
        """Readable label: ``X KO`` / ``X KI`` / ``X=2`` / ``anti_X strength``, or ``wild type``."""
        parts = [f"{n} {'KO' if v == 0 else 'KI'}" if v in (0, 1) else f"{n}={v}" for n, v in self.mutations]
        parts += [f"anti_{n} {s:g}" for n, s in self.drugs]
        return " + ".join(parts) or "wild type"

    def apply(self, model: LogicalModel, drug_strength: float | None = None) -> LogicalModel:
        """The perturbed model; ``drug_strength`` overrides every drug's strength if given."""
        perturbed = model.mutate(dict(self.mutations)) if self.mutations else model
        if self.drugs:
            drugs = {n: (s if drug_strength is None else drug_strength) for n, s in self.drugs}
            perturbed = add_drugs(perturbed, drugs)
        return perturbed

    def __add__(self, other: "Perturbation") -> "Perturbation":
        return Perturbation(self.mutations + other.mutations, self.drugs + other.drugs)


WILD_TYPE = Perturbation()


def _nodes(model: LogicalModel, nodes: Iterable[str] | None, exclude: Iterable[str]) -> list:
    chosen = list(model.nodes) if nodes is None else [resolve_known(model, n) for n in nodes]
    unknown = [n for n in chosen if n not in model.nodes]
    if unknown:
        raise ScreenError(f"perturbation of unknown node(s) {', '.join(unknown)}")
    excluded = {resolve_known(model, n) for n in exclude}
    return [n for n in chosen if n not in excluded]


def knockouts(model: LogicalModel, nodes: Iterable[str] | None = None, exclude: Iterable[str] = ()) -> list:
    """One knock-out (node forced to 0) per node (default: every node but ``exclude``).

    >>> from booleanidt.model import LogicalModel
    >>> [p.name for p in knockouts(LogicalModel.from_rules({"A": None, "B": None}), exclude=["B"])]
    ['A KO']
    """
    return [Perturbation(((n, 0),)) for n in _nodes(model, nodes, exclude)]


def knockins(model: LogicalModel, nodes: Iterable[str] | None = None, exclude: Iterable[str] = ()) -> list:
    """One knock-in (node forced to its maximum level) per node (default: every node but ``exclude``).

    >>> from booleanidt.model import LogicalModel
    >>> [p.name for p in knockins(LogicalModel.from_rules({"A": None}))]
    ['A KI']
    """
    return [Perturbation(((n, model.nodes[n].max_level),)) for n in _nodes(model, nodes, exclude)]


def combinations(perturbations: Sequence[Perturbation], pairs: Iterable[tuple] | None = None) -> list:
    """Double perturbations: the chosen ``pairs`` of names, or every pair on distinct nodes.

    >>> singles = [Perturbation((("A", 0),)), Perturbation((("B", 1),)), Perturbation((("A", 1),))]
    >>> [p.name for p in combinations(singles)]
    ['A KO + B KI', 'B KI + A KI']
    >>> [p.name for p in combinations(singles, [("A KO", "B KI")])]
    ['A KO + B KI']
    """
    by_name = {p.name: p for p in perturbations}
    if pairs is not None:
        missing = sorted({name for pair in pairs for name in pair} - by_name.keys())
        if missing:
            raise ScreenError(f"no single perturbation named {', '.join(missing)}")
        return [by_name[a] + by_name[b] for a, b in pairs]
    nodes = lambda p: {n for n, _ in p.mutations} | {n for n, _ in p.drugs}  # noqa: E731
    return [a + b for a, b in itertools.combinations(perturbations, 2) if not nodes(a) & nodes(b)]


def drug_treatments(targets: Mapping[str, float]) -> list:
    """One PROFILE drug (``anti_X`` with the given strength) per target.

    >>> [p.name for p in drug_treatments({"NFkB": 1.0})]
    ['anti_NFkB 1']
    """
    return [Perturbation(drugs=((n, float(s)),)) for n, s in targets.items()]


# --- scoring (module-level functions: they travel to worker processes) -------------------

def _with_inputs(task: dict) -> LogicalModel:
    """The task's model with its inputs fixed; the perturbation, applied after, wins over them."""
    return task["model"].mutate(task["inputs"]) if task["inputs"] else task["model"]


def _score_by_simulation(task: dict) -> dict:
    model = task["perturbation"].apply(_with_inputs(task))
    result = simulate(model, task["settings"], outputs=task["outputs"])
    last = result.node_probabilities.iloc[-1]
    errors = result.node_errors.iloc[-1]
    return {n: (float(last[n]), float(errors[n])) for n in task["outputs"]}


def _score_by_fixed_points(task: dict) -> dict:
    model = task["perturbation"].apply(_with_inputs(task), drug_strength=1.0)
    table = fixed_points(model, {f"anti_{n}": 1 for n, _ in task["perturbation"].drugs})
    return {n: ((float(table[n].mean()) if len(table) else math.nan), math.nan) for n in task["outputs"]}


_SCORERS = {"simulation": _score_by_simulation, "fixed_points": _score_by_fixed_points}


def _run_all(scorer, tasks: list, executor, progress) -> list:
    if executor == "serial":
        return [scorer(t) for t in tqdm(tasks, disable=not progress, desc="screen", unit="perturbation")]
    own = executor is None
    if own:
        executor = concurrent.futures.ProcessPoolExecutor(max_workers=min(os.cpu_count() or 1, len(tasks)))
    try:
        futures = [executor.submit(scorer, t) for t in tasks]
        return [f.result() for f in tqdm(futures, disable=not progress, desc="screen", unit="perturbation")]
    finally:
        if own:
            executor.shutdown(cancel_futures=True)


def screen(model: LogicalModel, perturbations: Sequence[Perturbation], outputs: Sequence[str] | None = None,
           *, method: str = "simulation", settings: SimulationSettings | None = None,
           inputs: Mapping[str, int] | None = None, executor=None, progress: bool | None = False,
           **overrides) -> pd.DataFrame:
    """Score every perturbation (and the wild type) by the phenotype nodes.

    Parameters
    ----------
    model : LogicalModel
    perturbations : the perturbations to run (the wild type is always added first)
    outputs : phenotype nodes, by id or name; default the model's phenotypes
        (:func:`booleanidt.naming.phenotypes`)
    method : ``"simulation"`` or ``"fixed_points"`` (see the module docstring)
    settings : SimulationSettings for ``method="simulation"``; ``**overrides`` change
        them by readable or .cfg name (``sample_count=2000``); one thread per perturbation
    inputs : node -> level fixed in every run (the rule becomes the constant); a
        perturbation of the same node wins
    executor : concurrent.futures.Executor (or dask Client); None = local processes;
        ``"serial"`` runs in this process
    progress : show a progress bar (None: when on a terminal)

    Returns
    -------
    pandas.DataFrame
        Tidy: one row per (perturbation, output) with ``score``, ``error`` (standard
        error; NaN for fixed points) and ``effect`` (score minus the wild type's score),
        perturbations in the order given, wild type first.
    """
    if method not in METHODS:
        raise ScreenError(f"unknown scoring method {method!r} (use {' or '.join(METHODS)})")
    outputs = [resolve_known(model, n) for n in outputs] if outputs else list(model.phenotypes)
    unknown = [n for n in outputs if n not in model.nodes]
    if unknown or not outputs:
        raise ScreenError(f"output node(s) not in the model: {', '.join(unknown)}" if unknown
                          else "the model has no output node; name the phenotypes")
    multivalued = [n for n in outputs if model.nodes[n].max_level > 1]
    if method == "simulation" and multivalued:
        raise ScreenError(f"multi-valued output(s) {', '.join(multivalued)}: score them by fixed points, "
                          "or screen the booleanized model and name its level nodes")
    settings = (settings or SimulationSettings()).replace(threads=1, **overrides)
    runs = [WILD_TYPE] + [p for p in perturbations if p != WILD_TYPE]
    tasks = [{"model": model, "perturbation": p, "outputs": outputs, "settings": settings,
              "inputs": dict(inputs or {})} for p in runs]
    scores = _run_all(_SCORERS[method], tasks, executor, progress)
    rows = []
    for perturbation, score in zip(runs, scores):
        for output in outputs:
            value, error = score[output]
            rows.append({"perturbation": perturbation.name, "output": output, "score": value, "error": error,
                         "effect": value - scores[0][output][0]})
    return pd.DataFrame(rows)


def ranked(table: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Wide view of a screen: one row per perturbation, one score column per output,
    sorted by the absolute effect on output ``by`` (default: the largest on any output).

    >>> table = pd.DataFrame({"perturbation": ["wild type", "A KO", "B KO"], "output": ["P"] * 3,
    ...                       "score": [0.5, 0.4, 0.9], "error": [0.0] * 3, "effect": [0.0, -0.1, 0.4]})
    >>> ranked(table).index.tolist()
    ['B KO', 'A KO', 'wild type']
    """
    scores = table.pivot(index="perturbation", columns="output", values="score")
    effects = table.pivot(index="perturbation", columns="output", values="effect").abs()
    key = effects[by] if by is not None else effects.max(axis=1)
    order = key.sort_values(ascending=False, kind="stable").index
    outputs = list(dict.fromkeys(table["output"]))
    return scores.loc[order, outputs]


def plot_screen(table: pd.DataFrame, path=None, top: int = 30):
    """Heat map of the effects of the ``top`` perturbations (rows) on each output (columns).

    Returns the matplotlib Figure; with ``path`` it is also saved as PNG (atomically).
    """
    import matplotlib
    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    order = ranked(table).index[:top]
    effects = table.pivot(index="perturbation", columns="output", values="effect").loc[
        order, list(dict.fromkeys(table["output"]))]
    columns = [wrap_label(str(c), 16) for c in effects.columns]
    tallest = max((c.count("\n") + 1 for c in columns), default=1)
    figure, axes = plt.subplots(figsize=(2.5 + 1.3 * effects.shape[1], 1.2 + 0.28 * len(effects) + 0.2 * tallest))
    image = axes.imshow(effects.to_numpy(), cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto")
    axes.set_xticks(range(effects.shape[1]), columns, fontsize="small")
    axes.set_yticks(range(len(effects)), [wrap_label(str(p), 36) for p in effects.index], fontsize="small")
    figure.colorbar(image, ax=axes, label="change of phenotype score vs wild type")
    axes.set_title("Perturbation screen")
    figure.tight_layout()
    if path is not None:
        save_png(figure, path, bbox_inches="tight")
    return figure
