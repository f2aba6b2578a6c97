"""The conditions of a treatment screen and the seed of each (patient, condition).

A condition is the untreated model, or one or two targets inhibited at one strength
(both drugs of a pair at the same strength).  Inhibition follows PROFILE's drugs: a
node ``anti_X`` that starts on with probability ``strength`` and never changes, and
X's rule becomes ``(rule) & !anti_X`` (:func:`booleanidt.personalization.apply.add_drugs`).

Examples
--------
>>> [c.label for c in screen_conditions(["A", "B", "C"], [1.0], pairs=True)]
['untreated', 'A', 'B', 'C', 'A+B', 'A+C', 'B+C']
>>> screen_conditions(["A", "B"], [0.5], pairs=True)[-1].drugs
{'A': 0.5, 'B': 0.5}
"""
from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np

from ..errors import BooleanidtError
from ..personalization.apply import drug_problem

__all__ = ["INHIBITIONS", "Condition", "screen_conditions", "condition_seed", "screen_problem", "UNTREATED", "TreatmentError"]

#: how a condition inhibits its targets: drug nodes (PROFILE), or activation-rate knock-down
INHIBITIONS = ("drug", "rates")
#: label of the condition without drug
UNTREATED = "untreated"
#: joins the targets of a pair in a label
PAIR_SEPARATOR = "+"


class TreatmentError(BooleanidtError):
    """A screen that cannot run: unknown target, strength out of range, bad objective..."""


@dataclass(frozen=True)
class Condition:
    """Targets inhibited (none for the untreated model) at one ``strength`` in (0, 1]."""

    targets: tuple
    strength: float

    @property
    def label(self) -> str:
        """``untreated``, ``X`` or ``X+Y``."""
        return PAIR_SEPARATOR.join(self.targets) if self.targets else UNTREATED

    @property
    def drugs(self) -> dict:
        """Target -> strength, as :func:`~booleanidt.personalization.apply.personalize` takes them."""
        return {target: self.strength for target in self.targets}


def screen_conditions(targets: Sequence[str], strengths: Sequence[float], pairs: bool = False) -> list:
    """The untreated condition (strength 0), then every single target, then (``pairs``) every pair, per strength."""
    conditions = [Condition((), 0.0)]
    for strength in strengths:
        conditions += [Condition((t,), float(strength)) for t in targets]
        if pairs:
            conditions += [Condition(pair, float(strength)) for pair in itertools.combinations(targets, 2)]
    return conditions


def screen_problem(model, targets: Sequence[str], strengths: Sequence[float], pairs: bool) -> Optional[str]:
    """What is wrong with a screen's targets and strengths, in one line, or None.

    >>> from booleanidt.model import LogicalModel
    >>> model = LogicalModel.from_rules({"A": None, "B": None})
    >>> screen_problem(model, ["A", "Z"], [1.0], False)
    'drug target(s) not in the model: Z'
    >>> screen_problem(model, ["A"], [0.0], False)
    'strengths must lie in (0, 1], got 0'
    >>> screen_problem(model, ["A"], [1.0], True)
    'pairs need at least two targets'
    """
    if not targets:
        return "no target given"
    duplicated = sorted({t for t in targets if list(targets).count(t) > 1})
    if duplicated:
        return f"target(s) given twice: {', '.join(duplicated)}"
    if not strengths:
        return "no strength given"
    bad = [s for s in strengths if not 0.0 < s <= 1.0]
    if bad:
        return "strengths must lie in (0, 1], got " + ", ".join(f"{s:g}" for s in bad)
    if pairs and len(targets) < 2:
        return "pairs need at least two targets"
    return drug_problem(model, {t: 1.0 for t in targets})


def condition_seed(seed: int, patient: str, condition: Condition) -> int:
    """The seed of one (patient, condition) run: a seed sequence keyed by the screen seed and both names.

    Derived by :class:`numpy.random.SeedSequence` from the screen seed and hashes of the
    patient id and the condition (label and strength), so it depends on neither's
    position in the screen, and two conditions never share a stream by construction.

    >>> a = condition_seed(0, "P1", Condition(("A",), 1.0))
    >>> a == condition_seed(0, "P1", Condition(("A",), 1.0)), a == condition_seed(0, "P1", Condition(("A",), 0.5))
    (True, False)
    >>> 0 <= a < 2**31
    True
    """
    def word(text: str) -> int:
        return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "little")

    key = (word(patient), word(f"{condition.label}@{condition.strength!r}"))
    sequence = np.random.SeedSequence(int(seed), spawn_key=key)
    return int(sequence.generate_state(1, dtype=np.uint32)[0]) & 0x7FFFFFFF
