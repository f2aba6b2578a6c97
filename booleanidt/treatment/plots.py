"""Pictures of a treatment screen: patients x treatments heatmap, per-patient rankings, cohort responses.

Each function takes the table of :func:`booleanidt.treatment.treat` (failed patients
are left out) and returns a matplotlib Figure, written as PNG when ``path`` is given.
Treatments are shown as ``X@strength`` when the screen has several strengths.

Examples
--------
>>> import pandas as pd
>>> table = pd.DataFrame({"patient": ["P1", "P1", "P2", "P2"], "treatment": ["untreated", "A"] * 2,
...                       "strength": [0.0, 1.0] * 2, "objective": [0.1, 0.5, 0.2, 0.1],
...                       "objective_se": [0.01] * 4, "rank": [2, 1, 1, 2], "significant": [False, True] * 2,
...                       "error": [None] * 4})
>>> gain_heatmap(table).axes[0].get_title()
'Objective gain over untreated'
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..errors import BooleanidtError
from ..io._files import save_png
from ..personalization.plots import clustered_order, label_patient_rows
from .conditions import UNTREATED

__all__ = ["gain_heatmap", "patient_rankings", "response_distributions", "gains"]

#: patients drawn by :func:`patient_rankings` by default
RANKED_PATIENTS = 12


def _labels(table: pd.DataFrame) -> pd.Series:
    several = table.loc[table["treatment"] != UNTREATED, "strength"].nunique() > 1
    if not several:
        return table["treatment"]
    return pd.Series([t if t == UNTREATED else f"{t}@{s:g}" for t, s in zip(table["treatment"], table["strength"])],
                     index=table.index)


def gains(table: pd.DataFrame) -> pd.DataFrame:
    """Patients x treatments: objective minus the patient's untreated objective (treatments in screen order).

    >>> gains(pd.DataFrame({"patient": ["P", "P"], "treatment": ["untreated", "A"], "strength": [0.0, 1.0],
    ...                     "objective": [0.25, 0.5], "error": [None, None]})).values.tolist()
    [[0.25]]
    """
    ok = table[table["error"].isna()].assign(label=lambda t: _labels(t))
    if ok.empty:
        raise BooleanidtError("no patient with scores to plot")
    wide = ok.pivot(index="patient", columns="label", values="objective")
    wide = wide.loc[list(dict.fromkeys(ok["patient"])), list(dict.fromkeys(ok["label"]))]
    return wide.sub(wide[UNTREATED], axis=0).drop(columns=UNTREATED)


def _finish(fig: Figure, path):
    fig.tight_layout()
    if path is not None:
        save_png(fig, path)
    return fig


def gain_heatmap(table: pd.DataFrame, path=None, title: str = "Objective gain over untreated") -> Figure:
    """Heatmap of patients (rows, clustered) x treatments (columns): objective gain over the untreated model."""
    wide = gains(table)
    wide = wide.iloc[clustered_order(np.nan_to_num(wide.to_numpy()))]
    limit = float(np.nanmax(np.abs(wide.to_numpy()))) or 1.0
    fig = Figure(figsize=(min(3 + 0.3 * wide.shape[1], 20), min(2.5 + 0.18 * len(wide), 14)))
    ax = fig.subplots()
    image = ax.imshow(wide.to_numpy(), aspect="auto", cmap="RdBu_r", vmin=-limit, vmax=limit,
                      interpolation="nearest")
    ax.set_xticks(range(wide.shape[1]), labels=list(wide.columns), rotation=60, ha="right",
                  fontsize=7 if wide.shape[1] > 20 else 9)
    label_patient_rows(ax, wide.index)
    fig.colorbar(image, ax=ax, label="objective - untreated objective")
    ax.set_title(title)
    return _finish(fig, path)


def patient_rankings(table: pd.DataFrame, patients=None, top: int = 10, path=None) -> Figure:
    """Per patient, the ``top`` conditions by rank with their objective +- 1.96 SE.

    A filled marker is significantly better than the next rank (``significant``), an
    open one is not; the dashed line is the untreated objective.  ``patients``: the
    first :data:`RANKED_PATIENTS` by default.
    """
    ok = table[table["error"].isna()].assign(label=lambda t: _labels(t))
    if ok.empty:
        raise BooleanidtError("no patient with scores to plot")
    patients = list(patients) if patients is not None else list(dict.fromkeys(ok["patient"]))[:RANKED_PATIENTS]
    columns = min(len(patients), 4)
    rows = math.ceil(len(patients) / columns)
    fig = Figure(figsize=(3.6 * columns, 0.25 * top * rows + 1.2 * rows))
    axes = np.atleast_1d(fig.subplots(rows, columns, squeeze=False)).ravel()
    for ax, patient in zip(axes, patients):
        group = ok[ok["patient"] == patient].sort_values("rank").head(top)
        y = np.arange(len(group))[::-1]
        ax.errorbar(group["objective"], y, xerr=1.959964 * group["objective_se"], fmt="none", ecolor="0.5")
        filled = group["significant"].to_numpy(dtype=bool)
        ax.scatter(group["objective"][filled], y[filled], color="C0", zorder=3, label="better than next (5 %)")
        ax.scatter(group["objective"][~filled], y[~filled], facecolor="white", edgecolor="C0", zorder=3,
                   label="not significantly")
        base = ok.loc[(ok["patient"] == patient) & (ok["treatment"] == UNTREATED), "objective"]
        if len(base):
            ax.axvline(float(base.iloc[0]), color="C3", linestyle="--", linewidth=1)
        ax.set_yticks(y, labels=list(group["label"]), fontsize=7)
        ax.set_title(str(patient), fontsize=8)
        ax.set_xlabel("objective", fontsize=8)
    for ax in axes[len(patients):]:
        ax.set_visible(False)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, fontsize=7, loc="upper right", ncols=2)
    fig.suptitle("Best conditions per patient (dashed: untreated)", x=0.02, ha="left")
    return _finish(fig, path)


def response_distributions(table: pd.DataFrame, path=None) -> Figure:
    """Cohort-level distribution of each treatment's gain over untreated (box plot, one box per treatment)."""
    wide = gains(table)
    order = wide.median().sort_values(ascending=False).index
    fig = Figure(figsize=(min(3 + 0.35 * len(order), 20), 4.5))
    ax = fig.subplots()
    ax.boxplot([wide[c].dropna().to_numpy() for c in order], showfliers=True, flierprops={"markersize": 3})
    ax.set_xticks(range(1, len(order) + 1), labels=list(order), rotation=60, ha="right",
                  fontsize=7 if len(order) > 20 else 9)
    ax.axhline(0.0, color="C3", linestyle="--", linewidth=1)
    ax.set_ylabel("objective - untreated objective")
    ax.set_title(f"Response per treatment across {len(wide)} patients (sorted by median)")
    return _finish(fig, path)
