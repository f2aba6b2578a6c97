"""Patient profiles: per sample, node values continuous in [0, 1] and discrete 0/1.

A :class:`Profiles` holds two tables indexed by sample (rows) and node (columns):

* ``continuous``: normalised RNA or protein levels in [0, 1], NaN where there is no data;
* ``discrete``: 0 (forced off) / 1 (forced on) from mutations and CNA, NaN = untouched.

It is a read-only mapping ``sample -> {"continuous": {node: x}, "discrete": {node: 0|1}}``
(NaN left out), the plain, picklable form that :func:`booleanidt.personalization.apply.personalize`
and :func:`booleanidt.cohort.run` take.

Gene tables become node tables through a :class:`~.mapping.GeneMapping` with PROFILE's
``inverse_mapping`` rules: a node's continuous value is the mean of its genes that have
data; its discrete value is kept only when all its genes with data agree.

Examples
--------
>>> import pandas as pd
>>> p = Profiles(continuous=pd.DataFrame({"ERK": [0.9, None]}, index=["s1", "s2"]),
...              discrete=pd.DataFrame({"P53": [0, None]}, index=["s1", "s2"]))
>>> p["s1"]
{'continuous': {'ERK': 0.9}, 'discrete': {'P53': 0}}
>>> p["s2"]
{'continuous': {}, 'discrete': {}}
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Optional

import numpy as np
import pandas as pd

from ..errors import InputError

__all__ = ["Profiles", "genes_to_nodes", "merge_preferring_first"]

KINDS = ("continuous", "discrete")


def _empty() -> pd.DataFrame:
    return pd.DataFrame(dtype=float)


@dataclass
class Profiles(Mapping):
    """Continuous and discrete node values per sample (rows: samples, columns: nodes).

    Attributes
    ----------
    continuous : DataFrame of values in [0, 1] (NaN: no data)
    discrete : DataFrame of 0/1 (NaN: untouched)
    report : the :class:`~.mapping.MappingReport` of the gene -> node mapping, if any
    """

    continuous: pd.DataFrame = field(default_factory=_empty)
    discrete: pd.DataFrame = field(default_factory=_empty)
    report: Optional[object] = None

    def __post_init__(self):
        self.continuous = self.continuous.astype(float)
        self.discrete = self.discrete.astype(float)
        for kind in KINDS:
            table = getattr(self, kind)
            duplicated = table.index[table.index.duplicated()]
            if len(duplicated):
                raise InputError(f"<{kind} profiles>", f"sample {duplicated[0]}", "appears more than once")
        values = self.continuous.to_numpy()
        if np.any((values < 0) | (values > 1)):
            raise InputError("<continuous profiles>", None, "values must lie in [0, 1]")
        values = self.discrete.to_numpy()
        if np.any(~np.isnan(values) & (values != 0) & (values != 1)):
            raise InputError("<discrete profiles>", None, "values must be 0, 1 or NA")

    @property
    def samples(self) -> list:
        """Sample ids: those of the continuous table, then any only in the discrete one."""
        seen = list(self.continuous.index)
        return seen + [s for s in self.discrete.index if s not in set(seen)]

    @property
    def nodes(self) -> list:
        """Nodes with data of either kind."""
        seen = list(self.continuous.columns)
        return seen + [n for n in self.discrete.columns if n not in set(seen)]

    def __getitem__(self, sample) -> dict:
        if sample not in self.continuous.index and sample not in self.discrete.index:
            raise KeyError(sample)
        result = {}
        for kind in KINDS:
            table = getattr(self, kind)
            row = table.loc[sample].dropna() if sample in table.index else pd.Series(dtype=float)
            cast = int if kind == "discrete" else float
            result[kind] = {node: cast(value) for node, value in row.items()}
        return result

    def __iter__(self):
        return iter(self.samples)

    def __len__(self) -> int:
        return len(self.samples)

    @classmethod
    def from_tables(cls, mapping, continuous: Optional[pd.DataFrame] = None,
                    discrete: Optional[pd.DataFrame] = None, source: str = "<profiles>") -> "Profiles":
        """Profiles from samples x (genes or nodes) tables, through ``mapping``.

        A table whose columns are mostly node ids (PROFILE's processed ``*_norm.csv`` and
        mutCNA files) is kept as it is, restricted to the model's nodes; otherwise its
        columns are genes and are mapped with :func:`genes_to_nodes`.  The mapping report
        (over the genes of all tables) is kept in :attr:`report`.  A table none of whose
        columns is a node or a mapped gene raises :class:`InputError`.

        >>> from booleanidt.personalization.mapping import GeneMapping
        >>> m = GeneMapping({"CyclinD": ("CCND1", "CCND2"), "P53": ("TP53",)})
        >>> rna = pd.DataFrame({"CCND1": [0.2], "CCND2": [0.4], "XIST": [0.9]}, index=["s1"])
        >>> p = Profiles.from_tables(m, continuous=rna, discrete=pd.DataFrame({"P53": [1]}, index=["s1"]))
        >>> p["s1"]["continuous"], p["s1"]["discrete"], p.report.genes_unused
        ({'CyclinD': 0.30000000000000004}, {'P53': 1}, ['XIST'])
        """
        node_genes = getattr(mapping, "node_genes", mapping)
        tables, genes, gene_discrete = {}, [], None
        for kind, table in (("continuous", continuous), ("discrete", discrete)):
            if table is None:
                tables[kind] = _empty()
                continue
            where = table.attrs.get("source", source)
            nodes = [c for c in table.columns if c in node_genes]
            if len(nodes) * 2 > len(table.columns):
                tables[kind] = table[nodes]
                continue
            if hasattr(mapping, "check_overlap"):
                mapping.check_overlap(table.columns, where)
            tables[kind] = genes_to_nodes(table, mapping, kind)
            if tables[kind].empty and len(table.columns):
                raise InputError(where, "genes", "none of its genes maps to a model node")
            genes += [g for g in table.columns if g not in set(genes)]
            gene_discrete = table if kind == "discrete" else gene_discrete
        report = mapping.report(genes, gene_discrete) if genes and hasattr(mapping, "report") else None
        return cls(tables["continuous"], tables["discrete"], report)

    def subset(self, samples) -> "Profiles":
        """The profiles of some samples only.

        >>> p = Profiles(continuous=pd.DataFrame({"A": [0.1, 0.2]}, index=["s1", "s2"]))
        >>> list(p.subset(["s2"]))
        ['s2']
        """
        samples = list(samples)
        return Profiles(self.continuous.loc[self.continuous.index.intersection(samples, sort=False)],
                        self.discrete.loc[self.discrete.index.intersection(samples, sort=False)],
                        self.report)


def genes_to_nodes(genes: pd.DataFrame, mapping, kind: str = "continuous") -> pd.DataFrame:
    """Node table from a gene table (samples x genes) through ``mapping`` (PROFILE's ``inverse_mapping``).

    Continuous: a node's value is the mean of its genes with data.  Discrete: the
    common value of its genes with data, NaN when they disagree.  Nodes with none of
    their genes in the table are left out.

    Parameters
    ----------
    genes : samples x genes table
    mapping : a :class:`~.mapping.GeneMapping` (or any mapping node -> genes)
    kind : ``"continuous"`` or ``"discrete"``

    Examples
    --------
    >>> g = pd.DataFrame({"CCND1": [0.2, 1.0], "CCND2": [0.4, 0.0]}, index=["s1", "s2"])
    >>> genes_to_nodes(g, {"CyclinD": ("CCND1", "CCND2")})["CyclinD"].round(2).tolist()
    [0.3, 0.5]
    >>> genes_to_nodes(g.round(), {"CyclinD": ("CCND1", "CCND2")}, "discrete")["CyclinD"].tolist()
    [0.0, nan]
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    node_genes = getattr(mapping, "node_genes", mapping)
    columns = {}
    for node, node_gene_list in node_genes.items():
        present = [g for g in dict.fromkeys(node_gene_list) if g in genes.columns]
        if not present:
            continue
        block = genes[present]
        mean = block.mean(axis=1, skipna=True)
        if kind == "discrete":
            mean = mean.where((mean == 0) | (mean == 1))
        columns[node] = mean
    return pd.DataFrame(columns, index=genes.index, dtype=float)


def merge_preferring_first(*tables: pd.DataFrame) -> pd.DataFrame:
    """Column-wise merge: each column comes from the first table that has it (PROFILE's ``hierachical_merge``).

    Used for phospho > total protein > RNA.  Samples are the union, in order.

    >>> a = pd.DataFrame({"X": [1.0]}, index=["s1"])
    >>> b = pd.DataFrame({"X": [0.0], "Y": [0.5]}, index=["s1"])
    >>> merge_preferring_first(a, b).to_dict("list")
    {'X': [1.0], 'Y': [0.5]}
    """
    tables = [t for t in tables if t is not None]
    if not tables:
        return _empty()
    index = pd.Index([])
    for table in tables:
        index = index.append(table.index.difference(index, sort=False))
    columns = {}
    for table in tables:
        for column in table.columns:
            if column not in columns:
                columns[column] = table[column].reindex(index)
    return pd.DataFrame(columns, index=index, dtype=float)
