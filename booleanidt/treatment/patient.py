"""One patient's screen: personalise and compile the model once, then run every condition.

The personalised model is compiled once per patient, not once per condition
(:class:`~booleanidt.treatment.inhibition.CompiledScreen`): with drugs, it carries a
drug node ``anti_X`` for every target, all off (probability 0: the rule
``(rule) & !anti_X`` is then the original rule, and an ``anti_X`` that starts off
stays off), and a condition changes only its drug nodes' initial probabilities, so
each run is that of the model :func:`~booleanidt.personalization.apply.personalize`
builds with ``drugs=condition.drugs`` (drug nodes of the other targets aside, which
stay off); with rate knock-downs, a condition rescales its targets' activation rates.

Examples
--------
>>> from booleanidt.expr import Var, Not
>>> from booleanidt.model import LogicalModel
>>> from booleanidt.simulation.settings import SimulationSettings
>>> from .objective import Objective
>>> from .conditions import screen_conditions
>>> model = LogicalModel.from_rules({"GF": None, "RAS": Var("GF"), "Prolif": Var("RAS"), "Death": Not(Var("RAS"))})
>>> rows = screen_patient({"patient": "P1", "model": model, "profile": {"continuous": {"GF": 1.0}},
...     "options": {}, "conditions": screen_conditions(["RAS"], [1.0]), "objective": Objective.parse("Death - Prolif"),
...     "settings": SimulationSettings(max_time=10, time_tick=1, sample_count=200), "seed": 0})
>>> [(row["treatment"], row["objective"] > 0) for row in rows]
[('untreated', False), ('RAS', True)]
"""
from __future__ import annotations

import math
from typing import Mapping

from ..errors import BooleanidtError
from ..personalization.apply import personalize
from ..simulation.api import run_compiled
from ..simulation.result import NIL, SEPARATOR
from .conditions import condition_seed
from .inhibition import CompiledScreen

__all__ = ["screen_patient", "failed_rows", "ERROR"]

#: column holding why a patient failed (None when it ran)
ERROR = "error"


def _output_states(result, names) -> dict:
    """Last-window output states as 0/1 tuples over ``names`` -> probability."""
    states = {}
    for label, probability in result.last_state_probabilities.items():
        active = set() if label == NIL else set(label.split(SEPARATOR))
        states[tuple(int(n in active) for n in names)] = float(probability)
    return states


def _scores(result, objective, count: int) -> dict:
    last, errors = result.node_probabilities.iloc[-1], result.node_errors.iloc[-1]
    values = {name: float(last[name]) for name in objective.names}
    row = dict(values)
    row.update({f"{name}_se": float(errors[name]) for name in objective.names})
    row["objective"] = objective(values)
    row["objective_se"] = objective.standard_error(values, _output_states(result, objective.names), count)
    return row


def failed_rows(task: Mapping, message: str) -> list:
    """One row per condition of ``task``, scores NaN, ``error`` = ``message``."""
    names = task["objective"].names
    blank = {column: math.nan for n in names for column in (n, f"{n}_se")}
    return [{"patient": task["patient"], "treatment": c.label, "strength": c.strength, **blank,
             "objective": math.nan, "objective_se": math.nan, "seed": condition_seed(task["seed"], task["patient"], c),
             ERROR: message} for c in task["conditions"]]


def screen_patient(task: Mapping) -> list:
    """Simulate one patient under every condition; the task and the answer are plain data.

    Parameters
    ----------
    task : mapping with ``patient``, ``model`` (LogicalModel), ``profile``, ``options``
        (keyword arguments of ``personalize``), ``conditions`` (list of
        :class:`~booleanidt.treatment.conditions.Condition`), ``objective``
        (:class:`~booleanidt.treatment.objective.Objective`), ``settings``
        (SimulationSettings), ``seed`` (the screen seed) and optionally ``inhibition``
        (``"drug"``, the default, or ``"rates"``: see :mod:`~booleanidt.treatment.inhibition`)

    Returns
    -------
    list of dict
        one row per condition: ``patient``, ``treatment``, ``strength``, each output's
        probability and ``<output>_se``, ``objective``, ``objective_se``, ``seed`` and
        ``error`` (None, or why the patient failed: then every condition fails with it).
    """
    patient = task["patient"]
    try:
        targets = list(dict.fromkeys(t for condition in task["conditions"] for t in condition.targets))
        personalised = personalize(task["model"], task["profile"], **task["options"])
        screen = CompiledScreen(personalised, targets, task["objective"].names, task.get("inhibition", "drug"))
        rows = []
        for condition in task["conditions"]:
            seed = condition_seed(task["seed"], patient, condition)
            settings = task["settings"].replace(seed=seed, threads=1)
            result = run_compiled(screen.for_condition(condition), settings)
            rows.append({"patient": patient, "treatment": condition.label, "strength": condition.strength,
                         **_scores(result, task["objective"], settings.sample_count), "seed": seed, ERROR: None})
        return rows
    except Exception as exc:  # one broken patient must not stop the screen
        message = str(exc) if isinstance(exc, BooleanidtError) else f"{type(exc).__name__}: {exc}"
        return failed_rows(task, message)
