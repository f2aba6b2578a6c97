"""How a condition inhibits its targets, on a model compiled once per patient.

Two modes (:data:`~booleanidt.treatment.conditions.INHIBITIONS`):

* ``"drug"`` (default): PROFILE's drug nodes, as ``personalize(drugs=...)`` adds them.  A
  node ``anti_X``, on with probability = strength and never changing, turns X's rule into
  ``(rule) & !anti_X``.  The model is compiled with every target's drug node; a
  condition sets the drug nodes' initial probabilities (0 for the targets it spares).
* ``"rates"``: a rate knock-down.  X's activation rate is multiplied by ``1 - strength``
  (:func:`knock_down`); its rule, inactivation rate and initial state are kept, so at
  strength 1 X can still start on and then only switch off.  A condition rescales the
  activation entries of X's compiled rate table; a target without a table (more than
  ``TABLE_MAX_INPUTS`` dependencies) gets the knocked-down model compiled for that condition.

Either way :class:`CompiledScreen` gives each condition's compiled model, equal to the
one compiled from the condition's own model.

Examples
--------
>>> from booleanidt.expr import Var, to_text
>>> from booleanidt.model import LogicalModel
>>> to_text(knock_down(LogicalModel.from_rules({"A": None, "B": Var("A")}), {"B": 0.75}).rate_up("B"))
'0.25 * (@logic ? 1 : 0)'
"""
from __future__ import annotations

import dataclasses
from typing import Mapping, Sequence

import numpy as np

from ..booleanize import booleanize
from ..expr import Arith, Const
from ..model import LogicalModel
from ..personalization.apply import add_drugs
from ..simulation.compile import RATE, RATE_LOG_RATE, compile_model

__all__ = ["knock_down", "CompiledScreen"]

def knock_down(model: LogicalModel, strengths: Mapping[str, float]) -> LogicalModel:
    """A copy where each target's activation rate is multiplied by ``1 - strength``."""
    rates_up = dict(model.rates_up)
    for target, strength in strengths.items():
        rates_up[target] = Arith("*", Const(1.0 - float(strength)), model.rate_up(target))
    return model.replace(rates_up=rates_up)


def _rate_up_entries(net, node: int) -> np.ndarray:
    """Positions in ``net.rate_table`` of node's table entries where it is 0 (its activation rate)."""
    start, stop = net.dep_ptr[node], net.dep_ptr[node + 1]
    own_bit = list(net.dep_node[start:stop]).index(node)
    assignments = np.arange(1 << (stop - start))
    return net.table_offset[node] + assignments[((assignments >> own_bit) & 1) == 0]


class CompiledScreen:
    """A patient's personalised model compiled once, and the compiled model of each condition.

    Parameters
    ----------
    model : the personalised model (no drug nodes)
    targets : every target the screen inhibits
    outputs : output node ids
    inhibition : ``"drug"`` or ``"rates"``
    """

    def __init__(self, model: LogicalModel, targets: Sequence[str], outputs, inhibition: str = "drug"):
        self.model, self.outputs, self.inhibition = model, list(outputs), inhibition
        targets = list(targets)
        if inhibition == "drug":
            self.net = compile_model(booleanize(add_drugs(model, {t: 0.0 for t in targets})), self.outputs)
            self.drug_index = {t: self.net.node_ids.index(f"anti_{t}") for t in targets}
        else:
            self.net = compile_model(booleanize(model), self.outputs)
            index = {t: self.net.node_ids.index(t) for t in targets}
            self.entries = {t: _rate_up_entries(self.net, i) for t, i in index.items()
                            if self.net.table_offset[i] >= 0}

    def for_condition(self, condition):
        """The compiled model of ``condition`` (its targets inhibited at its strength)."""
        if self.inhibition == "drug":
            initial = self.net.initial_p.copy()
            initial[list(self.drug_index.values())] = 0.0
            initial[[self.drug_index[t] for t in condition.targets]] = condition.strength
            return dataclasses.replace(self.net, initial_p=initial)
        if not condition.targets:
            return self.net
        if any(t not in self.entries for t in condition.targets):
            return compile_model(booleanize(knock_down(self.model, condition.drugs)), self.outputs)
        table = self.net.rate_table.copy()
        for target in condition.targets:
            rows = self.entries[target]
            rates = table[rows, RATE] * (1.0 - condition.strength)
            table[rows, RATE] = rates
            positive = rates > 0
            table[rows, RATE_LOG_RATE] = np.where(positive, rates * np.log2(np.where(positive, rates, 1.0)), 0.0)
        return dataclasses.replace(self.net, rate_table=table)
