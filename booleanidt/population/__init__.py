"""Cell populations: UPMaBoSS (a population updated between runs) and PopMaBoSS semantics.

``run(model, upp=...)`` runs UPMaBoSS and returns an
:class:`~booleanidt.population.result.UpPopulationResult`.

Modules: :mod:`.upp` (the ``.upp`` file), :mod:`.upmaboss` (the step loop),
:mod:`.result` (tables and plots), :mod:`.files` (writing results to a folder).
"""
from .._lazy import lazy_getattr

__getattr__ = lazy_getattr(__name__, {
    "run": ("booleanidt.population.api", "run"),
    "parse_upp": ("booleanidt.population.upp", "parse_upp"),
    "read_upp": ("booleanidt.population.upp", "read_upp"),
    "run_upmaboss": ("booleanidt.population.upmaboss", "run_upmaboss"),
    "UpPopulationResult": ("booleanidt.population.result", "UpPopulationResult"),
    "PopResult": ("booleanidt.population.result", "PopResult"),
}, globals())

__all__ = ["run", "parse_upp", "read_upp", "run_upmaboss", "UpPopulationResult", "PopResult"]
