"""Personalised treatment screens: every patient, untreated and under single and paired inhibitions.

:func:`treat` runs the screen (:mod:`~booleanidt.treatment.screen`);
:mod:`~booleanidt.treatment.objective` parses the objective,
:mod:`~booleanidt.treatment.conditions` lists the conditions and their seeds,
:mod:`~booleanidt.treatment.patient` runs one patient with its model compiled once,
:mod:`~booleanidt.treatment.ranking` adds Bliss excess, ranks and their significance,
:mod:`~booleanidt.treatment.plots` draws the results.

>>> from booleanidt.treatment import Objective
>>> Objective.parse("Apoptosis - Proliferation").names
('Apoptosis', 'Proliferation')
"""
from .._lazy import lazy_getattr

#: attribute -> (module, name in it); imported on first access, so that the command line starts quickly
_LAZY = {
    "treat": ("booleanidt.treatment.screen", "treat"),
    "read_screen": ("booleanidt.treatment.screen", "read_screen"),
    "TREATMENTS_FILE": ("booleanidt.treatment.screen", "TREATMENTS_FILE"),
    "best_treatments": ("booleanidt.treatment.ranking", "best_treatments"),
    "rank_screen": ("booleanidt.treatment.ranking", "rank_screen"),
    "screen_conditions": ("booleanidt.treatment.conditions", "screen_conditions"),
    "Condition": ("booleanidt.treatment.conditions", "Condition"),
    "TreatmentError": ("booleanidt.treatment.conditions", "TreatmentError"),
    "Objective": ("booleanidt.treatment.objective", "Objective"),
    "ObjectiveError": ("booleanidt.treatment.objective", "ObjectiveError"),
}

__all__ = sorted(_LAZY)

__getattr__ = lazy_getattr(__name__, _LAZY, globals())
