"""Stochastic simulation with MaBoSS semantics (DESIGN.md section 4).

``simulate(model, ...)`` returns a :class:`SimulationResult`; :class:`Simulation`
holds a model with its settings and perturbations in pyMaBoSS's style.
"""
from .api import Simulation, SimulationError, simulate
from .result import SimulationResult
from .settings import SimulationSettings

__all__ = ["Simulation", "SimulationError", "SimulationResult", "SimulationSettings", "simulate"]
