"""Writing population results to a folder (I/O only; the tables come from :mod:`.result`).

UPMaBoSS files, each written atomically: ``population.csv`` (step, time, ratio), ``nodes.csv``
(per step, P(node = 1) in the last window), ``states.csv`` (per step, state
probabilities in the last window) and ``population.png``.  PopMaBoSS files: see
:func:`write_pop_result`.  Nothing is written before every text is ready.

Examples
--------
>>> write_up_result(result, "out")  # doctest: +SKIP
"""
from __future__ import annotations

from pathlib import Path

from ..io._files import atomic_write_bytes, atomic_write_text, png_bytes
from .result import PopResult, UpPopulationResult

__all__ = ["write_up_result", "write_pop_result"]


def _write(folder, texts: dict, figure) -> list:
    """Write ``texts`` (name -> text) and ``figure`` (as population.png, closed) atomically."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    picture = None
    if figure is not None:
        import matplotlib.pyplot as plt
        picture = png_bytes(figure)
        plt.close(figure)
    written = []
    for name, text in texts.items():
        atomic_write_text(folder / name, text)
        written.append(folder / name)
    if picture is not None:
        atomic_write_bytes(folder / "population.png", picture)
        written.append(folder / "population.png")
    return written


def write_up_result(result: UpPopulationResult, folder, plot: bool = True) -> list:
    """Write the tables (and the plot) of an UPMaBoSS run into ``folder``; returns the paths written."""
    texts = {
        "population.csv": result.population.to_csv(index=False),
        "nodes.csv": result.node_probabilities.to_csv(),
        "states.csv": result.state_probabilities.to_csv(),
    }
    return _write(folder, texts, result.plot() if plot else None)


def write_pop_result(result: PopResult, folder, plot: bool = True) -> list:
    """Write the tables (and the plot) of a PopMaBoSS run into ``folder``; returns the paths written.

    ``pop_probtraj.csv`` (PopMaBoSS's format), ``custom_pop_probtraj.csv`` when the model has a
    custom output, ``population.csv`` (expected size and its error per window),
    ``cell_counts.csv`` (expected cells per cell state), ``node_counts.csv`` (expected cells with
    each node active) and ``population.png``.
    """
    texts = {
        "pop_probtraj.csv": result.pop_probtraj_text(),
        "population.csv": result.population_size.to_csv(),
        "cell_counts.csv": result.cell_counts.to_csv(),
        "node_counts.csv": result.node_counts.to_csv(),
    }
    if result.custom is not None:
        texts["custom_pop_probtraj.csv"] = result.pop_probtraj_text(custom=True)
    return _write(folder, texts, result.plot() if plot else None)
