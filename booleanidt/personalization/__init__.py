"""Personalisation of logical models with patient omics data (PROFILE).

Data side (samples are rows, genes or nodes are columns, NaN = no data):

========================================  =====================================================
:mod:`.omics`                             read tables: :func:`read_table` (CSV/TSV/Parquet, either
                                          orientation), :func:`read_rppa` + :func:`read_antibody_table`
                                          (RPPA antibodies -> genes, phospho flags), :func:`read_anndata`
:mod:`.mapping`                           gene -> node: :class:`GeneMapping` (``from_model`` annotations,
                                          :func:`read_mapping` for namesToHugo tables), :class:`MappingReport`
:mod:`.normalize`                         PROFILE's classes, normalisation to [0, 1] and binarisation:
                                          :func:`fit_reference` -> :class:`ReferenceFit`
                                          (``.normalize(table)``, ``.binarize(table)``)
:mod:`.discrete`                          mutations / CNA -> forced 0/1: :func:`read_mutations`,
                                          :func:`mutation_calls`, :func:`cna_calls`, :func:`combine_discrete`
:mod:`.rstats`                            the R statistics PROFILE uses (quantile type 7, scaled mad,
                                          density peak, moments kurtosis, dip test, mclust "E" mixture)
:mod:`.profiles`                          :class:`Profiles` (per sample ``{"continuous": {node: x},
                                          "discrete": {node: 0|1}}``), :func:`genes_to_nodes`,
                                          :func:`merge_preferring_first`
========================================  =====================================================

A typical pipeline::

    mapping = GeneMapping.from_model(model)              # or read_mapping("namesToHugo.txt", model)
    rna = read_table("rna.tsv", genes=mapping.genes)     # samples x genes
    reference = fit_reference(rna)                       # per gene class + parameters
    continuous = genes_to_nodes(reference.normalize(rna), mapping)
    discrete = genes_to_nodes(combine_discrete(mutation_calls(read_mutations("maf.txt")),
                                               cna_calls(read_table("cna.txt"))), mapping, "discrete")
    profiles = Profiles(continuous, discrete)            # profiles["patient"] -> dict for apply
    # or, gene or node tables mapped in one go, with the mapping report:
    profiles = Profiles.from_tables(mapping, continuous=reference.normalize(rna), discrete=calls)

Proteins (RPPA)::

    protein = read_rppa("data_rppa.txt", "RPPA_corres_TCGA.xlsx", sample_id_length=15)
    genes = protein.gene_level()                         # raw antibodies averaged per gene
    values = fit_reference(genes, PROFILE_PROTEIN_RULES).normalize(genes)

(this reproduces PROFILE's Fumia_TCGA_prot_norm.csv and, with ``.binarize``,
Fumia_TCGA_prot.csv; current PROFILE instead classifies and normalises each antibody
with the RNA rules (its ``compute_criteria``), then takes
``protein.gene_level(normalised, "phospho", flip_inhibitory=True)`` merged over
``"total"`` with :func:`merge_preferring_first`, then over RNA).
"""
from .._lazy import lazy_getattr

#: submodule -> the names this package exports from it
_EXPORTS = {
    "discrete": ("INACTIVATING_CLASSES", "cna_calls", "combine_discrete", "mutation_calls", "mutation_effects",
                 "read_gene_roles", "read_mutations", "read_oncokb"),
    "normalize": ("PROFILE_PROTEIN_RULES", "PROFILE_RULES", "GeneFit", "ReferenceFit", "Rules", "fit_reference"),
    "mapping": ("GeneMapping", "MappingReport", "annotated_genes", "read_mapping"),
    "omics": ("ProteinTable", "read_anndata", "read_antibody_table", "read_rppa", "read_table"),
    "profiles": ("Profiles", "genes_to_nodes", "merge_preferring_first"),
}

__all__ = [name for names in _EXPORTS.values() for name in names]

# modules load on first use, so that the command line and `import booleanidt` stay light
__getattr__ = lazy_getattr(__name__, {name: (f"{__name__}.{module}", name)
                                      for module, names in _EXPORTS.items() for name in names}, globals())
