"""What ``booleanidt personalize`` and ``booleanidt cohort`` share: omics options -> patient profiles.

Raw data (``--rna``, ``--protein`` with ``--antibodies``, ``--mutations``, ``--cna``) go
through PROFILE's pipeline: each continuous table is normalised against the cohort it
holds (:func:`~booleanidt.personalization.fit_reference`) and mapped to nodes; node
values come from phospho protein, else total protein, else RNA (current PROFILE:
antibodies normalised one by one, inhibitory phospho flipped to 1 - x); mutation calls
win over CNA calls.  Processed tables (``--continuous``, ``--discrete``: samples x nodes
or genes, values in [0, 1] and 0/1/NA as PROFILE writes them) are used as they are.
Samples are the union of all tables (a sample missing from the mutation table has no
mutation called).  Every loader raises :class:`~booleanidt.errors.InputError` on bad
input, before anything is written.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from ..errors import InputError
from ..io import maboss as maboss_io
from ..personalization import (PROFILE_PROTEIN_RULES, GeneMapping, Profiles, cna_calls, combine_discrete,
                               fit_reference, genes_to_nodes, merge_preferring_first, mutation_calls,
                               read_mapping, read_mutations, read_oncokb, read_rppa, read_table)
from ..personalization.apply import CONTINUOUS_MODES, DEFAULT_FACTOR, DISCRETE_MODES
from ..simulation.settings import SimulationSettings

__all__ = ["add_raw_data_arguments", "add_processed_arguments", "add_apply_arguments", "build_profiles",
           "apply_options", "model_settings", "comma_list"]


def comma_list(text: str) -> list:
    """``"A, B"`` -> ``["A", "B"]``.

    >>> comma_list("Proliferation, Apoptosis")
    ['Proliferation', 'Apoptosis']
    """
    return [item.strip() for item in text.split(",") if item.strip()]


def add_raw_data_arguments(parser: argparse.ArgumentParser):
    """--rna, --protein/--antibodies, --mutations, --oncokb, --cna, --mapping, --sample-id-length."""
    group = parser.add_argument_group("patient data (samples x genes or genes x samples, CSV/TSV/Parquet)")
    group.add_argument("--rna", metavar="FILE", help="expression table, normalised here against its own cohort")
    group.add_argument("--protein", metavar="FILE", help="RPPA table (rows GENES|antibody); needs --antibodies")
    group.add_argument("--antibodies", metavar="FILE", help="antibody -> genes and phospho flag table (xlsx/csv/tsv)")
    group.add_argument("--mutations", metavar="FILE", help="MAF-like mutation table")
    group.add_argument("--oncokb", metavar="FILE", help="OncoKB allAnnotatedVariants.txt for mutation effects")
    group.add_argument("--cna", metavar="FILE", help="GISTIC copy-number table (-2..2)")
    group.add_argument("--mapping", metavar="FILE",
                       help="node -> genes table (PROFILE namesToHugo: header, node TAB genes); "
                            "overrides the model's annotations for the nodes it lists")
    group.add_argument("--sample-id-length", type=int, metavar="N",
                       help="cut sample ids to N characters (15 for TCGA sample barcodes)")


def add_processed_arguments(parser: argparse.ArgumentParser):
    """--continuous and --discrete: PROFILE-style processed profiles."""
    group = parser.add_argument_group("processed profiles (samples x nodes or genes)")
    group.add_argument("--continuous", metavar="FILE", help="values in [0, 1] (NA = no data)")
    group.add_argument("--discrete", metavar="FILE", help="0/1/NA values (forced nodes)")


def add_apply_arguments(parser: argparse.ArgumentParser):
    """How profiles are applied: factor, modes, outputs."""
    group = parser.add_argument_group("applying profiles (PROFILE)")
    group.add_argument("--factor", type=float, default=DEFAULT_FACTOR,
                       help=f"rate amplification factor F (default {DEFAULT_FACTOR:g})")
    group.add_argument("--continuous-as", choices=CONTINUOUS_MODES, default="rates",
                       help="continuous data as initial states and rates (PROFILE -rb, default), "
                            "advanced rates (-ra) or initial states only")
    group.add_argument("--discrete-as", choices=DISCRETE_MODES, default="fix",
                       help="discrete data as forced nodes (default) or initial states only")


def add_profile_command(subparsers, name: str, help: str, description: str) -> argparse.ArgumentParser:
    """A sub-command taking MODEL and the omics, processed-profile and PROFILE options."""
    parser = subparsers.add_parser(name, help=help, description=description)
    parser.add_argument("model", metavar="MODEL", help="model file (.sbml, .bnd, .bnet) or shipped map name")
    add_raw_data_arguments(parser)
    add_processed_arguments(parser)
    add_apply_arguments(parser)
    return parser


def apply_options(args) -> dict:
    """Keyword arguments of ``personalize`` from the parsed options."""
    return {"factor": args.factor, "continuous_as": args.continuous_as, "discrete_as": args.discrete_as}


def model_settings(model_path) -> SimulationSettings | None:
    """The run settings of a MaBoSS model's .cfg (beside the .bnd), or None for other formats."""
    path = Path(model_path)
    cfg = path.with_suffix(".cfg")
    if path.suffix.lower() == ".bnd" and cfg.is_file():
        return maboss_io.read_settings(cfg)
    return None


def _mapping(model, args) -> GeneMapping:
    mapping = GeneMapping.from_model(model)
    if getattr(args, "mapping", None):
        mapping = mapping.updated(read_mapping(args.mapping, model))
    return mapping


def _checked(genes, mapping: GeneMapping, source):
    mapping.check_overlap(genes, source)
    return genes


def _protein_nodes(args, mapping: GeneMapping) -> tuple:
    """Node tables from phospho then total protein, and the genes measured."""
    if bool(args.protein) != bool(args.antibodies):
        raise InputError(args.protein or args.antibodies, None, "--protein and --antibodies go together")
    if not args.protein:
        return [], []
    protein = read_rppa(args.protein, args.antibodies, genes_from="table", sample_id_length=args.sample_id_length)
    genes = list(dict.fromkeys(g for genes in protein.antibodies["genes"] for g in genes))
    _checked(genes, mapping, args.protein)
    normalised = fit_reference(protein.values, PROFILE_PROTEIN_RULES).normalize(protein.values)
    tables = [protein.gene_level(normalised, "phospho", flip_inhibitory=True), protein.gene_level(normalised, "total")]
    return [genes_to_nodes(table, mapping) for table in tables], genes


def _raw_profiles(args, mapping: GeneMapping) -> Profiles:
    continuous, genes = _protein_nodes(args, mapping)
    if args.rna:
        rna = read_table(args.rna, genes=mapping.genes, sample_id_length=args.sample_id_length)
        genes += _checked(list(rna.columns), mapping, args.rna)
        continuous.append(genes_to_nodes(fit_reference(rna).normalize(rna), mapping))
    mutations = cna = None
    if args.mutations:
        oncokb = read_oncokb(args.oncokb) if args.oncokb else None
        mutations = mutation_calls(read_mutations(args.mutations, args.sample_id_length), oncokb)
        genes += _checked(list(mutations.columns), mapping, args.mutations)
    if args.cna:
        cna = cna_calls(read_table(args.cna, genes=mapping.genes, sample_id_length=args.sample_id_length))
        genes += _checked(list(cna.columns), mapping, args.cna)
    discrete_genes = combine_discrete(mutations, cna)
    discrete = genes_to_nodes(discrete_genes, mapping, "discrete") if not discrete_genes.empty else None
    report = mapping.report(genes, discrete_genes if discrete is not None else None)
    return Profiles(merge_preferring_first(*continuous),
                    discrete if discrete is not None else pd.DataFrame(dtype=float), report)


def build_profiles(model, args) -> Profiles:
    """Patient profiles from the data options of the command line (see the module docstring)."""
    mapping = _mapping(model, args)
    processed = [getattr(args, "continuous", None), getattr(args, "discrete", None)]
    raw = [getattr(args, name, None) for name in ("rna", "protein", "antibodies", "mutations", "cna")]
    if any(processed) and any(raw):
        raise InputError("<command line>", None, "give raw data (--rna, --protein, ...) or processed profiles "
                         "(--continuous/--discrete), not both")
    if any(processed):
        known = list(model.nodes) + mapping.genes
        tables = {kind: read_table(path, genes=known) for kind, path in zip(("continuous", "discrete"), processed)
                  if path}
        profiles = Profiles.from_tables(mapping, **tables)
        if profiles.report is None:  # node tables: report which columns are nodes
            columns = list(dict.fromkeys(c for table in tables.values() for c in table.columns))
            profiles.report = GeneMapping({n: (n,) for n in model.nodes}, "node ids").report(columns)
        return profiles
    if not any(raw):
        raise InputError("<command line>", None, "no patient data: give --rna, --protein, --mutations or --cna"
                         " (or --continuous/--discrete)")
    return _raw_profiles(args, mapping)
