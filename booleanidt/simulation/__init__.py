"""Stochastic simulation with MaBoSS semantics."""
from .settings import SimulationSettings

__all__ = ["SimulationSettings"]
