"""Plots of cohort results: a clustered heatmap of patients x phenotype scores.

Examples
--------
>>> import pandas as pd
>>> scores = pd.DataFrame({"Proliferation": [0.1, 0.8, 0.15], "Apoptosis": [0.7, 0.1, 0.6]},
...                       index=["P1", "P2", "P3"])
>>> fig = cohort_heatmap(scores)
>>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
['P2', 'P1', 'P3']
"""
from __future__ import annotations

from typing import Optional, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy.cluster.hierarchy import leaves_list, linkage

from ..errors import BooleanidtError
from ..io._files import save_png

__all__ = ["cohort_heatmap", "clustered_order", "label_patient_rows"]

#: above this many patients, row labels are left out (they would overlap)
MAX_ROW_LABELS = 60


def clustered_order(values: np.ndarray) -> np.ndarray:
    """Row order from average-linkage hierarchical clustering (Euclidean distance).

    >>> clustered_order(np.array([[0.0], [1.0], [0.1]])).tolist()
    [1, 0, 2]
    """
    if len(values) < 3:
        return np.arange(len(values))
    return leaves_list(linkage(values, method="average", metric="euclidean"))


def label_patient_rows(ax, patients) -> None:
    """Name each heat-map row by its patient, or, past :data:`MAX_ROW_LABELS` rows, say how many there are."""
    if len(patients) <= MAX_ROW_LABELS:
        ax.set_yticks(range(len(patients)), labels=list(patients), fontsize=7)
    else:
        ax.set_yticks([])
        ax.set_ylabel(f"{len(patients)} patients (clustered)")


def cohort_heatmap(scores: pd.DataFrame, outputs: Optional[Sequence[str]] = None, path=None,
                   title: str = "Phenotype scores per patient"):
    """Heatmap of patients (rows, clustered) x output probabilities (columns).

    Parameters
    ----------
    scores : table from :func:`booleanidt.cohort.run` (index = patient); failed
        patients (NaN scores) are left out
    outputs : columns to show; default: every column that is not a standard error or ``error``
    path : write the figure there as PNG (atomically) when given
    title : figure title

    Returns
    -------
    matplotlib.figure.Figure
    """
    if outputs is None:
        outputs = [c for c in scores.columns if c != "error" and not str(c).endswith("_se")]
    missing = [c for c in outputs if c not in scores.columns]
    if missing:
        raise BooleanidtError(f"scores have no column {', '.join(missing)}")
    table = scores[list(outputs)].astype(float).dropna()
    if table.empty:
        raise BooleanidtError("no patient with scores to plot")
    table = table.iloc[clustered_order(table.to_numpy())]

    height = min(2 + 0.18 * len(table), 14)
    fig = Figure(figsize=(2.5 + 1.2 * len(outputs), height))
    ax = fig.subplots()
    image = ax.imshow(table.to_numpy(), aspect="auto", cmap="viridis", vmin=0, vmax=1, interpolation="nearest")
    ax.set_xticks(range(len(outputs)), labels=list(outputs), rotation=30, ha="right")
    label_patient_rows(ax, table.index)
    fig.colorbar(image, ax=ax, label="probability at the last window")
    ax.set_title(title)
    fig.tight_layout()
    if path is not None:
        save_png(fig, path)
    return fig
