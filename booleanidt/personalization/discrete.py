"""Mutations and copy-number alterations -> forced node values 0/1 (PROFILE's rules).

Per mutation (PROFILE's ``mutations_assignment``):

1. Nonsense_Mutation, Frame_Shift_Del, Frame_Shift_Ins, Splice_Site and
   Translation_Start_Site -> 0 (inactivating).
2. A mutation found in OncoKB (``GENE_proteinchange`` in the annotated-variants table, or
   an effect given in the mutation table itself) takes its effect: one containing "Gain"
   -> 1, "Loss" -> 0, anything else leaves step 1's value.
3. Otherwise (not inactivating, not silent, not in OncoKB), a mutation of an oncogene
   with PolyPhen "damaging" or SIFT "deleterious" -> 1; of a tumour suppressor -> 0
   (a gene with both roles ends at 0).
4. Else NA.

Several mutations of one gene in one sample: 0/1 beats NA, 0 beats 1.
CNA (GISTIC): -2 -> 0, +2 -> 1, other values NA.  Mutations win over CNA.

Examples
--------
>>> import pandas as pd
>>> maf = pd.DataFrame({"sample": ["P1", "P1", "P2"], "gene": ["TP53", "TP53", "KRAS"],
...                     "variant_class": ["Missense_Mutation", "Nonsense_Mutation", "Missense_Mutation"],
...                     "protein_change": ["R175H", "R196*", "G12D"]})
>>> mutation_calls(maf, oncokb={"KRAS_G12D": "Gain-of-function"}).to_dict("index")
{'P1': {'KRAS': nan, 'TP53': 0.0}, 'P2': {'KRAS': 1.0, 'TP53': nan}}
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Mapping, Optional

import numpy as np
import pandas as pd

from ..errors import InputError

__all__ = ["INACTIVATING_CLASSES", "read_mutations", "mutations_from_frame", "read_oncokb",
           "read_gene_roles", "mutation_effects", "mutation_calls", "cna_calls", "combine_discrete"]

#: variant classes read as loss of function
INACTIVATING_CLASSES = frozenset({"Nonsense_Mutation", "Frame_Shift_Del", "Frame_Shift_Ins",
                                  "Splice_Site", "Translation_Start_Site"})

#: our column -> accepted headers (case-insensitive), first the MAF / cBioPortal names
_COLUMNS = {
    "sample": ("Tumor_Sample_Barcode", "sample", "sample_id", "PATIENT_ID", "patient"),
    "gene": ("Hugo_Symbol", "gene", "symbol"),
    "variant_class": ("Variant_Classification", "variant_class", "variant_classification"),
    "protein_change": ("HGVSp_Short", "MA:protein.change", "Protein_Change", "protein_change", "amino_acid_change"),
    "oncokb_effect": ("Mutation Effect", "MUTATION_EFFECT", "oncokb_effect", "OncoKB"),
    "polyphen": ("PolyPhen", "polyphen"),
    "sift": ("SIFT", "sift"),
}
_REQUIRED = ("sample", "gene", "variant_class", "protein_change")


def _find_columns(columns, source) -> dict:
    lowered = {str(c).strip().lower(): c for c in columns}
    found = {}
    for role, names in _COLUMNS.items():
        match = next((lowered[n.lower()] for n in names if n.lower() in lowered), None)
        if match is not None:
            found[role] = match
    missing = [_COLUMNS[role][0] for role in _REQUIRED if role not in found]
    if missing:
        raise InputError(source, "header", f"missing required column(s) {', '.join(missing)} "
                         "(sample, gene, variant class, protein change)")
    return found


def mutations_from_frame(frame: pd.DataFrame, source="<mutations>", sample_id_length: Optional[int] = None
                         ) -> pd.DataFrame:
    """Normalise a MAF-like frame to columns sample, gene, variant_class, protein_change,
    oncokb_effect, polyphen, sift (the last three empty when absent).

    Protein changes lose a leading ``p.`` (``p.G12D`` -> ``G12D``) to match OncoKB's alterations.
    """
    found = _find_columns(frame.columns, source)
    out = pd.DataFrame({role: frame[column].astype(str).str.strip().where(frame[column].notna(), "")
                        for role, column in found.items()})
    for role in _COLUMNS:
        if role not in out:
            out[role] = ""
    out = out[list(_COLUMNS)]
    out["protein_change"] = out["protein_change"].str.replace(r"^p\.", "", regex=True)
    if sample_id_length:
        out["sample"] = out["sample"].str[:sample_id_length]
    empty = out.index[(out["sample"] == "") | (out["gene"] == "")]
    if len(empty):
        raise InputError(source, f"row {empty[0] + 2}", "has no sample or no gene")
    return out.reset_index(drop=True)


def read_mutations(path, sample_id_length: Optional[int] = None) -> pd.DataFrame:
    """Read a MAF-like mutation table (TSV or CSV; ``#`` comment lines skipped).

    Required columns (MAF names or simple ones): Tumor_Sample_Barcode / sample,
    Hugo_Symbol / gene, Variant_Classification / variant_class, HGVSp_Short /
    MA:protein.change / protein_change.  Optional: Mutation Effect / oncokb_effect,
    PolyPhen, SIFT.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(path, None, "no such file")
    sep = "," if path.suffix.lower() == ".csv" else "\t"
    with open(path, encoding="utf-8", errors="replace") as handle:
        header_lines = 0
        for line in handle:  # MAF files open with "#version 2.4"-style lines
            if not line.startswith("#"):
                break
            header_lines += 1
    try:
        frame = pd.read_csv(path, sep=sep, skiprows=header_lines, dtype=str, keep_default_na=False)
    except Exception as exc:
        raise InputError(path, None, f"cannot read the mutation table: {str(exc).strip().splitlines()[-1]}") from None
    return mutations_from_frame(frame, path, sample_id_length)


def read_oncokb(path) -> dict:
    """OncoKB's allAnnotatedVariants.txt as ``{"GENE_Alteration": "Mutation Effect"}``."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, None, "no such file")
    frame = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    missing = [c for c in ("Gene", "Alteration", "Mutation Effect") if c not in frame.columns]
    if missing:
        raise InputError(path, "header", f"missing column(s) {', '.join(missing)}")
    labels = frame["Gene"].str.strip() + "_" + frame["Alteration"].str.strip()
    effects = frame["Mutation Effect"].str.strip()
    return dict(zip(labels[::-1], effects[::-1]))  # first occurrence wins, as R's match()


def read_gene_roles(path) -> tuple:
    """Oncogenes and tumour suppressors from a table with columns gene and role.

    Roles are matched loosely: containing "onco" -> oncogene; "tsg" or "suppress" ->
    tumour suppressor (a gene may have both, e.g. ``oncogene, TSG``).
    Returns ``(oncogenes, tumour_suppressors)`` as sets.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(path, None, "no such file")
    sep = "," if path.suffix.lower() == ".csv" else "\t"
    frame = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False)
    lowered = {c.strip().lower(): c for c in frame.columns}
    missing = [c for c in ("gene", "role") if c not in lowered]
    if missing:
        raise InputError(path, "header", f"missing column(s) {', '.join(missing)}")
    genes, roles = frame[lowered["gene"]].str.strip(), frame[lowered["role"]].str.lower()
    oncogenes = set(genes[roles.str.contains("onco")])
    suppressors = set(genes[roles.str.contains("tsg") | roles.str.contains("suppress")])
    return oncogenes, suppressors


def mutation_effects(mutations: pd.DataFrame, oncokb: Optional[Mapping] = None,
                     oncogenes: Iterable = (), tumor_suppressors: Iterable = ()) -> pd.DataFrame:
    """Each mutation's call (0, 1 or NaN) and the rule that made it (``method``).

    Methods: ``Inactivating``, ``Silent``, ``OncoKB``, ``2020+`` (oncogene / tumour
    suppressor with PolyPhen or SIFT), ``Not Processed`` (as PROFILE names them).

    >>> m = pd.DataFrame({"sample": ["P"] * 3, "gene": ["PIK3CA", "PTEN", "PTEN"],
    ...                   "variant_class": ["Missense_Mutation"] * 2 + ["Silent"],
    ...                   "protein_change": ["E545K", "R130Q", "R130R"],
    ...                   "sift": ["deleterious(0)", "tolerated", "deleterious"],
    ...                   "polyphen": ["", "probably_damaging", ""]})
    >>> mutation_effects(m, oncogenes={"PIK3CA"}, tumor_suppressors={"PTEN"})[["call", "method"]].values.tolist()
    [[1.0, '2020+'], [0.0, '2020+'], [nan, 'Silent']]
    """
    oncokb = dict(oncokb or {})
    oncogenes, tumor_suppressors = set(oncogenes), set(tumor_suppressors)
    calls, methods = [], []
    for row in mutations.itertuples(index=False):
        call, method = np.nan, None
        if row.variant_class in INACTIVATING_CLASSES:
            call, method = 0.0, "Inactivating"
        elif row.variant_class == "Silent":
            method = "Silent"
        effect = getattr(row, "oncokb_effect", "") or oncokb.get(f"{row.gene}_{row.protein_change}")
        if effect:
            method = "OncoKB"
            call = 1.0 if "Gain" in effect else 0.0 if "Loss" in effect else call
        if method is None and (row.gene in oncogenes or row.gene in tumor_suppressors):
            method = "2020+"
            harmful = "damaging" in (row.polyphen or "") or "deleterious" in (row.sift or "")
            if harmful:
                call = 0.0 if row.gene in tumor_suppressors else 1.0
        calls.append(call)
        methods.append(method or "Not Processed")
    return mutations.assign(call=calls, method=methods)


def mutation_calls(mutations: pd.DataFrame, oncokb: Optional[Mapping] = None,
                   oncogenes: Iterable = (), tumor_suppressors: Iterable = ()) -> pd.DataFrame:
    """Samples x genes table of mutation calls: 0, 1 or NaN (see :func:`mutation_effects`).

    Several mutations of a gene in a sample: 0/1 beats NaN, 0 beats 1.  Samples are those
    of the mutation table, genes those mutated.
    """
    effects = mutation_effects(mutations, oncokb, oncogenes, tumor_suppressors)
    merged = effects.groupby(["sample", "gene"], sort=False)["call"].min()  # min skips NaN; 0 beats 1
    table = merged.unstack("gene")
    table = table.reindex(index=pd.unique(effects["sample"]), columns=sorted(table.columns))
    table.index.name, table.columns.name = "sample", None
    return table.astype(float)


def cna_calls(cna: pd.DataFrame) -> pd.DataFrame:
    """GISTIC calls (samples x genes, -2..2) -> 0 for -2, 1 for +2, NaN otherwise.

    >>> cna_calls(pd.DataFrame({"MYC": [2, 1, -2, None]})).MYC.tolist()
    [1.0, nan, 0.0, nan]
    """
    values = cna.astype(float)
    return values.where(values.isin([-2.0, 2.0])).replace({-2.0: 0.0, 2.0: 1.0})


def combine_discrete(mutations: Optional[pd.DataFrame], cna: Optional[pd.DataFrame],
                     samples: str = "union") -> pd.DataFrame:
    """Mutation calls completed by CNA calls where the mutations say nothing (mutations win).

    ``samples="union"`` keeps every sample of either table; ``"intersection"`` only those
    in both, as PROFILE's script does (it drops patients absent from the mutation table,
    i.e. those with no listed mutation).

    >>> mut = pd.DataFrame({"TP53": [0.0, np.nan]}, index=["P1", "P2"])
    >>> cna = pd.DataFrame({"TP53": [1.0, 1.0], "MYC": [np.nan, 1.0]}, index=["P1", "P2"])
    >>> combine_discrete(mut, cna).to_dict("index")
    {'P1': {'TP53': 0.0, 'MYC': nan}, 'P2': {'TP53': 1.0, 'MYC': 1.0}}
    """
    if samples not in ("union", "intersection"):
        raise ValueError(f"samples must be 'union' or 'intersection', not {samples!r}")
    tables = [t for t in (mutations, cna) if t is not None]
    if not tables:
        return pd.DataFrame(dtype=float)
    if len(tables) == 1:
        return tables[0].astype(float)
    if samples == "union":
        index = mutations.index.append(cna.index.difference(mutations.index, sort=False))
    else:
        index = mutations.index.intersection(cna.index, sort=False)
    columns = list(dict.fromkeys(list(mutations.columns) + list(cna.columns)))
    mut = mutations.reindex(index=index, columns=columns).astype(float)
    return mut.fillna(cna.reindex(index=index, columns=columns).astype(float))
