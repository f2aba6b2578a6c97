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
from .conditions import Condition, TreatmentError, screen_conditions
from .objective import Objective, ObjectiveError
from .ranking import best_treatments, rank_screen
from .screen import TREATMENTS_FILE, read_screen, treat

__all__ = ["treat", "read_screen", "best_treatments", "rank_screen", "screen_conditions", "Condition", "Objective",
           "ObjectiveError", "TreatmentError", "TREATMENTS_FILE"]
