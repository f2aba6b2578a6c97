"""Cell populations: UPMaBoSS (a population updated between runs) and PopMaBoSS semantics.

``run(model, upp=...)`` runs UPMaBoSS and returns an
:class:`~booleanidt.population.result.UpPopulationResult`; ``run("model.pbnd")`` runs
PopMaBoSS and returns a :class:`~booleanidt.population.result.PopResult`.

Modules: :mod:`.upp` (the ``.upp`` file), :mod:`.upmaboss` (the step loop),
:mod:`.pbnd` (PopMaBoSS ``.pbnd``/``.pcfg`` files), :mod:`.popmaboss` (the cell-population
process), :mod:`.result` (tables and plots), :mod:`.files` (writing results to a folder).
"""
from .._lazy import lazy_getattr

__getattr__ = lazy_getattr(__name__, {
    "run": ("booleanidt.population.api", "run"),
    "parse_upp": ("booleanidt.population.upp", "parse_upp"),
    "read_upp": ("booleanidt.population.upp", "read_upp"),
    "run_upmaboss": ("booleanidt.population.upmaboss", "run_upmaboss"),
    "read_pbnd": ("booleanidt.population.pbnd", "read_pbnd"),
    "loads_pbnd": ("booleanidt.population.pbnd", "loads_pbnd"),
    "run_popmaboss": ("booleanidt.population.popmaboss", "run_popmaboss"),
    "UpPopulationResult": ("booleanidt.population.result", "UpPopulationResult"),
    "PopResult": ("booleanidt.population.result", "PopResult"),
}, globals())

__all__ = ["run", "parse_upp", "read_upp", "run_upmaboss", "read_pbnd", "loads_pbnd", "run_popmaboss",
           "UpPopulationResult", "PopResult"]
