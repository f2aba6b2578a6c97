"""Writing population results to a folder (I/O only; the tables come from :mod:`.result`).

Files, each written atomically: ``population.csv`` (step, time, ratio), ``nodes.csv``
(per step, P(node = 1) in the last window), ``states.csv`` (per step, state
probabilities in the last window) and ``population.png``.

Examples
--------
>>> write_up_result(result, "out")  # doctest: +SKIP
"""
from __future__ import annotations

from pathlib import Path

from ..io._files import atomic_write_bytes, atomic_write_text, png_bytes
from .result import UpPopulationResult

__all__ = ["write_up_result"]


def write_up_result(result: UpPopulationResult, folder, plot: bool = True) -> list:
    """Write the tables (and the plot) of an UPMaBoSS run into ``folder``; returns the paths written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    texts = {
        "population.csv": result.population.to_csv(index=False),
        "nodes.csv": result.node_probabilities.to_csv(),
        "states.csv": result.state_probabilities.to_csv(),
    }
    figure = None
    if plot:
        import matplotlib.pyplot as plt
        figure = result.plot()
        picture = png_bytes(figure)
        plt.close(figure)
    written = []
    for name, text in texts.items():
        atomic_write_text(folder / name, text)
        written.append(folder / name)
    if figure is not None:
        atomic_write_bytes(folder / "population.png", picture)
        written.append(folder / "population.png")
    return written
