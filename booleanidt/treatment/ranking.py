"""What a screen's table says: Bliss excess of pairs, ranks per patient and their significance, best treatments.

Bliss excess (pairs).  Bliss independence, applied to each output's probability
with the untreated model as background: with ``P0`` the untreated probability and
``PA``, ``PB`` the single drugs' (same strength), drugs that act independently
remove cells from the output state in turn when they lower it
(``PA + PB <= 2 P0``), predicting ``PA * PB / P0`` for the pair, and bring cells into
it in turn when they raise it, predicting ``1 - (1 - PA) * (1 - PB) / (1 - P0)``
(both are Bliss's ``E_AB = E_A + E_B - E_A E_B`` on the fraction of cells moved; a
zero denominator only happens where the prediction is ``P0`` itself).
``<output>_bliss_excess`` is the pair's probability minus the prediction, and
``bliss_excess`` is the objective of the observed pair minus the objective of the
predicted probabilities: positive means the pair does better on the objective than
independent drugs would (for a maximised objective).

Ranks.  Within a patient, every condition (all strengths, the untreated model
included) is ranked by its objective, best first (``rank`` 1).  ``z_next`` is the
z statistic of the difference with the next rank, ``(o_i - o_{i+1}) /
sqrt(se_i^2 + se_{i+1}^2)`` (the runs are independent: each has its own seed), and
``significant`` is True where it exceeds 1.96 (two-sided 5 % test of that single
difference; no correction for the many differences).  ``z_untreated`` compares each
condition with the untreated model the same way (positive: better than untreated).

Examples
--------
>>> import pandas as pd
>>> from .objective import Objective
>>> table = pd.DataFrame({"patient": ["P"] * 4, "treatment": ["untreated", "A", "B", "A+B"],
...                       "strength": [0.0, 1.0, 1.0, 1.0], "X": [0.8, 0.4, 0.5, 0.1],
...                       "X_se": [0.01] * 4, "objective": [-0.8, -0.4, -0.5, -0.1],
...                       "objective_se": [0.01] * 4, "error": [None] * 4})
>>> ranked = rank_screen(table, Objective.parse("-X"))
>>> ranked[["treatment", "rank", "significant"]].values.tolist()
[['untreated', 4, False], ['A', 2, True], ['B', 3, True], ['A+B', 1, True]]
>>> round(float(ranked.loc[3, "X_bliss_excess"]), 3), round(float(ranked.loc[3, "bliss_excess"]), 3)
(-0.15, 0.15)
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .conditions import PAIR_SEPARATOR, UNTREATED
from .patient import ERROR

__all__ = ["rank_screen", "best_treatments", "bliss_expected", "SIGNIFICANT_Z"]

#: |z| above which a difference is called significant (two-sided 5 %)
SIGNIFICANT_Z = 1.959963984540054


def bliss_expected(untreated: float, first: float, second: float) -> float:
    """The probability independent drugs predict for a pair (see the module docstring).

    >>> bliss_expected(0.8, 0.4, 0.5), bliss_expected(0.0, 0.5, 0.5), bliss_expected(0.0, 0.0, 0.0)
    (0.25, 0.75, 0.0)
    """
    if first + second <= 2 * untreated:
        return first * second / untreated if untreated > 0 else 0.0
    return 1 - (1 - first) * (1 - second) / (1 - untreated) if untreated < 1 else 1.0


def _bliss(table: pd.DataFrame, objective) -> pd.DataFrame:
    names = list(objective.names)
    keyed = table.set_index(["patient", "treatment", "strength"])
    untreated = table[table["treatment"] == UNTREATED].set_index("patient")[names]
    excess = {f"{n}_bliss_excess": np.full(len(table), np.nan) for n in names}
    excess["bliss_excess"] = np.full(len(table), np.nan)
    for position, row in enumerate(table.itertuples(index=False)):
        if PAIR_SEPARATOR not in row.treatment or row.patient not in untreated.index:
            continue
        first, second = row.treatment.split(PAIR_SEPARATOR)
        base = untreated.loc[row.patient]
        singles = [keyed.loc[(row.patient, t, row.strength), names] for t in (first, second)]
        expected = {n: bliss_expected(base[n], singles[0][n], singles[1][n]) for n in names}
        for n in names:
            excess[f"{n}_bliss_excess"][position] = getattr(row, n) - expected[n]
        excess["bliss_excess"][position] = row.objective - objective(expected)
    return table.assign(**excess)


def _ranks(table: pd.DataFrame, maximize: bool) -> pd.DataFrame:
    sign = 1.0 if maximize else -1.0
    parts = []
    for _, group in table.groupby("patient", sort=False):
        ordered = group.assign(_score=sign * group["objective"]).sort_values("_score", ascending=False, kind="stable")
        score, se = ordered["_score"].to_numpy(), ordered["objective_se"].to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            gap = score[:-1] - score[1:]
            z = np.append(gap / np.hypot(se[:-1], se[1:]), np.nan)
            z[:-1][gap == 0] = 0.0
            untreated = ordered["treatment"].to_numpy() == UNTREATED
            base_score, base_se = (score[untreated][0], se[untreated][0]) if untreated.any() else (np.nan, np.nan)
            z_untreated = (score - base_score) / np.hypot(se, base_se)
            z_untreated[score == base_score] = 0.0
        ordered = ordered.assign(rank=np.arange(1, len(ordered) + 1), z_next=z,
                                 significant=np.nan_to_num(z, nan=0.0) > SIGNIFICANT_Z, z_untreated=z_untreated)
        parts.append(ordered.drop(columns="_score"))
    return pd.concat(parts).loc[table.index]


def rank_screen(table: pd.DataFrame, objective, maximize: bool = True) -> pd.DataFrame:
    """``table`` (rows of :func:`~booleanidt.treatment.patient.screen_patient`) with Bliss excess and ranks.

    Failed patients keep their rows, with NaN scores and no rank (``rank`` 0).
    """
    ok = table[table[ERROR].isna()]
    ranked = _ranks(_bliss(ok, objective), maximize) if len(ok) else ok
    failed = table[table[ERROR].notna()].assign(rank=0, significant=False)
    columns = list(table.columns[:-1]) + [c for c in ranked.columns if c not in table.columns] + [ERROR]
    whole = pd.concat([ranked, failed]).loc[table.index] if len(failed) else ranked
    whole["rank"] = whole["rank"].astype(int)
    whole["significant"] = whole["significant"].astype(bool)
    return whole[columns].reset_index(drop=True)


def best_treatments(ranked: pd.DataFrame) -> pd.DataFrame:
    """Per patient, the best condition and the ones not significantly worse than it.

    Returns
    -------
    pandas.DataFrame
        index ``patient``; ``treatment``, ``strength``, ``objective``, ``objective_se``,
        ``gain`` (objective minus the untreated one), ``z_untreated`` and ``ties``
        (the other conditions whose difference with the best has |z| <= 1.96, best first).
    """
    rows = {}
    for patient, group in ranked[ranked["rank"] > 0].groupby("patient", sort=False):
        group = group.sort_values("rank")
        best = group.iloc[0]
        untreated = group.loc[group["treatment"] == UNTREATED, "objective"]
        z = (best["objective"] - group["objective"]).abs() / np.hypot(best["objective_se"], group["objective_se"])
        tied = group.iloc[1:][~(z.iloc[1:] > SIGNIFICANT_Z)]
        rows[patient] = {"treatment": best["treatment"], "strength": best["strength"],
                         "objective": best["objective"], "objective_se": best["objective_se"],
                         "gain": best["objective"] - (untreated.iloc[0] if len(untreated) else math.nan),
                         "z_untreated": best["z_untreated"],
                         "ties": ", ".join(f"{t}@{s:g}" for t, s in zip(tied["treatment"], tied["strength"]))}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "patient"
    return table
