"""Which genes measure which model node: the gene -> node mapping and its report.

By default the mapping comes from the model's own annotations: each node's HGNC
symbols, UniProt accessions, Ensembl gene ids and HGNC ids (:attr:`Node.hgnc_symbols`,
:attr:`Node.uniprot_ids`, :attr:`Node.ensembl_ids`, :func:`annotated_genes`); a node with
no HGNC symbol also gets its name and id (as written and upper-cased), as PROFILE users
do by hand.  CaSQ complexes carry no gene annotation: give their genes in a mapping file.  A user table
overrides it: one line per node, ``node<TAB>GENE1, GENE2`` with a header, as
PROFILE's ``*_namesToHugo_curated.txt`` files; a node listed with no gene gets none.

Data columns are matched case-sensitively, except that Ensembl versions
(``ENSG00000141510.16``) are ignored.

Examples
--------
>>> from booleanidt.model import LogicalModel, Node, Annotation
>>> from booleanidt.expr import Var
>>> tp53 = Node("s1", name="p53", annotations=(Annotation("bqbiol:is", ("urn:miriam:hgnc.symbol:TP53",)),))
>>> model = LogicalModel.from_rules({"s1": None, "MDM2": Var("s1")}, nodes={"s1": tp53, "MDM2": Node("MDM2")})
>>> mapping = GeneMapping.from_model(model)
>>> mapping.node_genes
{'s1': ('TP53',), 'MDM2': ('MDM2',)}
>>> mapping.report(["TP53", "EGFR"]).genes_unused
['EGFR']
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from ..errors import InputError
from ..io._files import read_text
from ..naming import NodeNameError, resolve_known

__all__ = ["GeneMapping", "MappingReport", "read_mapping", "loads_mapping", "annotated_genes", "canonical_gene"]

_ENSEMBL_VERSION = re.compile(r"^(ENS[A-Z]*G\d+)\.\d+$")
#: HGNC's own gene pages, used as annotations by some models (not MIRIAM URIs)
_GENENAMES_URL = re.compile(r"genenames\.org/.*?(?:symbol/(?P<symbol>[^/?#]+)|hgnc_id/(?:HGNC:)?(?P<id>\d+))$")


def _hgnc_id(identifier: str) -> str:
    """``"5992"`` or ``"HGNC:5992"`` -> ``"HGNC:5992"``."""
    return identifier if identifier.upper().startswith("HGNC:") else f"HGNC:{identifier}"


def annotated_genes(node) -> tuple:
    """A node's gene identifiers: HGNC symbols, UniProt, Ensembl (no version) and HGNC ids.

    HGNC ids (``HGNC:5992``) come from ``hgnc`` MIRIAM URIs and from genenames.org links;
    they match data only when its columns use them (map them to symbols with a mapping file).

    >>> from booleanidt.model import Node, Annotation
    >>> annotated_genes(Node("x", annotations=(Annotation("bqbiol:is", (
    ...     "urn:miriam:hgnc.symbol:IL6", "http://identifiers.org/hgnc/6018",
    ...     "https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/HGNC:6019")),)))
    ('IL6', 'HGNC:6018', 'HGNC:6019')
    """
    symbols, ids = list(node.hgnc_symbols), [_hgnc_id(i) for i in node.identifiers("hgnc")]
    for annotation in node.annotations:
        for uri in annotation.uris:
            match = _GENENAMES_URL.search(uri.strip())
            if match and match.group("symbol"):
                symbols.append(match.group("symbol"))
            elif match:
                ids.append(_hgnc_id(match.group("id")))
    genes = symbols + list(node.uniprot_ids) + [canonical_gene(e) for e in node.ensembl_ids] + ids
    return tuple(dict.fromkeys(genes))


def canonical_gene(identifier) -> str:
    """A data column's gene identifier as the mapping compares it (trimmed, Ensembl version dropped).

    >>> canonical_gene(" ENSG00000141510.16 ")
    'ENSG00000141510'
    """
    text = str(identifier).strip()
    match = _ENSEMBL_VERSION.match(text)
    return match.group(1) if match else text


@dataclass
class MappingReport:
    """What the mapping did with a data set.

    Attributes
    ----------
    nodes_covered : nodes with at least one gene in the data
    nodes_missing : nodes with genes listed but none in the data
    genes_used : data genes mapped to some node
    genes_unused : data genes mapped to no node (reported, never silently dropped)
    shared_genes : gene -> nodes, for genes that measure several nodes
    conflicts : node -> number of samples where its genes' discrete values disagree
    """

    nodes_covered: list
    nodes_missing: list
    genes_used: list
    genes_unused: list
    shared_genes: dict
    conflicts: dict = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """One row per node: its genes, whether covered, genes found, conflicting samples.

        Unused genes follow as rows with an empty node.
        """
        rows = [{"node": node, "status": "covered", "genes": ", ".join(genes),
                 "conflicting_samples": self.conflicts.get(node, 0)}
                for node, genes in self._covered_genes.items()]
        rows += [{"node": node, "status": "no data", "genes": "", "conflicting_samples": 0}
                 for node in self.nodes_missing]
        rows += [{"node": "", "status": "gene unused", "genes": gene, "conflicting_samples": 0}
                 for gene in self.genes_unused]
        return pd.DataFrame(rows, columns=["node", "status", "genes", "conflicting_samples"])

    _covered_genes: dict = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class GeneMapping:
    """Node -> genes (HGNC symbols or other identifiers that data columns use).

    Attributes
    ----------
    node_genes : dict node id -> tuple of gene identifiers (may be empty)
    source : where the mapping came from (``"model annotations"`` or a file name)
    """

    node_genes: dict
    source: str = "model annotations"

    @classmethod
    def from_model(cls, model, use_names: bool = True) -> "GeneMapping":
        """Genes from each node's annotations (:func:`annotated_genes`); name and id as fallback.

        Parameters
        ----------
        model : a :class:`~booleanidt.model.LogicalModel`
        use_names : for nodes without an HGNC symbol, also use the node's name and id, as
            written and in upper case (``Id2`` -> ``ID2``, human gene symbols are upper case)
        """
        node_genes = {}
        for node_id, node in model.nodes.items():
            genes = annotated_genes(node)
            if not node.hgnc_symbols and use_names:
                names = [g for g in (node.name, node_id) if g]
                genes += tuple(names) + tuple(g.upper() for g in names)
            node_genes[node_id] = tuple(dict.fromkeys(genes))
        return cls(node_genes)

    @property
    def genes(self) -> list:
        """Every gene the mapping knows, in node order."""
        return list(dict.fromkeys(g for genes in self.node_genes.values() for g in genes))

    def updated(self, overrides: "GeneMapping") -> "GeneMapping":
        """This mapping with the nodes of ``overrides`` replaced by its genes.

        >>> GeneMapping({"A": ("X",), "B": ("Y",)}).updated(GeneMapping({"B": ()}, "m.txt")).node_genes
        {'A': ('X',), 'B': ()}
        """
        return GeneMapping({**self.node_genes, **overrides.node_genes}, overrides.source)

    def report(self, data_genes, discrete: pd.DataFrame | None = None) -> MappingReport:
        """How the genes of a data set (its column names) map onto nodes.

        ``discrete`` (samples x genes of 0/1/NaN) lets the report count, per node, the
        samples where its genes disagree (such nodes get no discrete value there).
        """
        data_genes = list(dict.fromkeys(data_genes))
        present = set(data_genes)
        covered, missing, used = {}, [], set()
        gene_nodes = {}
        for node, genes in self.node_genes.items():
            found = [g for g in genes if g in present]
            for gene in genes:
                gene_nodes.setdefault(gene, []).append(node)
            if found:
                covered[node] = found
                used.update(found)
            elif genes:
                missing.append(node)
        conflicts = {}
        if discrete is not None:
            for node, found in covered.items():
                block = discrete[[g for g in found if g in discrete.columns]]
                if block.shape[1] > 1:
                    disagree = int(((block == 0).any(axis=1) & (block == 1).any(axis=1)).sum())
                    if disagree:
                        conflicts[node] = disagree
        return MappingReport(
            nodes_covered=list(covered), nodes_missing=missing,
            genes_used=[g for g in data_genes if g in used],
            genes_unused=[g for g in data_genes if g not in used],
            shared_genes={g: nodes for g, nodes in gene_nodes.items() if len(nodes) > 1 and g in used},
            conflicts=conflicts, _covered_genes=covered)

    def check_overlap(self, data_genes, source) -> None:
        """Raise :class:`InputError` when no data gene maps to any node.

        >>> GeneMapping({"A": ("TP53",)}).check_overlap(["EGFR", "KRAS"], "rna.csv")
        Traceback (most recent call last):
        ...
        booleanidt.errors.InputError: rna.csv: genes: none of the 2 genes (EGFR, KRAS) maps to a model node (mapping from model annotations)
        """
        data_genes = list(data_genes)
        known = set(self.genes)
        if not any(g in known for g in data_genes):
            shown = ", ".join(map(str, data_genes[:5])) + (", ..." if len(data_genes) > 5 else "")
            raise InputError(source, "genes", f"none of the {len(data_genes)} genes ({shown}) maps to a "
                             f"model node (mapping from {self.source})")


def _by_id(model, node_genes: dict, source: str) -> dict:
    """``node_genes`` keyed by node ids: nodes may be named by id or by name."""
    try:
        resolved = {resolve_known(model, node): genes for node, genes in node_genes.items()}
    except NodeNameError as exc:
        raise InputError(source, "nodes", str(exc)) from None
    unknown = [node for node in resolved if node not in model.nodes]
    if unknown:
        shown = ", ".join(unknown[:5]) + (", ..." if len(unknown) > 5 else "")
        raise InputError(source, "nodes", f"{len(unknown)} node(s) not in the model: {shown}")
    return resolved


def loads_mapping(text: str, source: str = "<string>", model=None) -> GeneMapping:
    """Parse a node -> genes table (PROFILE's namesToHugo format: header, tab, comma-separated genes).

    With ``model``, nodes are named by id or by name (see :func:`booleanidt.naming.resolve`) and
    the mapping is keyed by ids; unknown or ambiguous nodes raise :class:`InputError`.

    >>> loads_mapping("Node\\tHGNC.symbols\\nCyclinD\\tCCND1, CCND2\\nATM_ATR\\t\\n").node_genes
    {'CyclinD': ('CCND1', 'CCND2'), 'ATM_ATR': ()}
    """
    node_genes = {}
    lines = text.splitlines()
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        node, _, genes = line.partition("\t")
        node = node.strip()
        if node in node_genes:
            raise InputError(source, f"line {number}", f"node {node} is listed twice")
        node_genes[node] = tuple(dict.fromkeys(canonical_gene(g) for g in genes.split(",") if g.strip()))
    if not node_genes:
        raise InputError(source, None, "no node -> genes line after the header")
    if model is not None:
        node_genes = _by_id(model, node_genes, source)
    return GeneMapping(node_genes, str(source))


def read_mapping(path, model=None) -> GeneMapping:
    """Read a node -> genes table from ``path`` (see :func:`loads_mapping`)."""
    return loads_mapping(read_text(path), str(path), model)
