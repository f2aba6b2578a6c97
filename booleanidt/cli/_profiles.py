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

from ..errors import InputError
from ..io import maboss as maboss_io
from ..naming import NodeNameError, resolve_keys
from .. import personalization
from ..personalization.apply import COMPAT_MODES, CONTINUOUS_MODES, DEFAULT_FACTOR, DISCRETE_MODES, drug_problem
from ..simulation.settings import SimulationSettings
from ._common import key_value, positive_int

__all__ = ["add_raw_data_arguments", "add_processed_arguments", "add_apply_arguments", "build_profiles",
           "apply_options", "model_settings", "comma_list", "parse_drugs"]


def comma_list(text: str) -> list:
    """``"A, B"`` -> ``["A", "B"]``.

    >>> comma_list("Proliferation, Apoptosis")
    ['Proliferation', 'Apoptosis']
    """
    items = [item.strip() for item in text.split(",") if item.strip()]
    if not items:
        raise argparse.ArgumentTypeError(f"expected names separated by commas, got {text!r}")
    return items


def parse_drugs(text: str) -> dict:
    """``"NFkB=0.8,RIP1"`` -> ``{"NFkB": 0.8, "RIP1": 1.0}`` (argparse type of ``--drugs``; strength 1 by default).

    >>> parse_drugs("NFkB=0.8, RIP1")
    {'NFkB': 0.8, 'RIP1': 1.0}
    """
    drugs = {}
    for item in comma_list(text):
        node, sep, value = item.partition("=")
        try:
            drugs[node.strip()] = float(value) if sep else 1.0
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected TARGET=STRENGTH, got {item!r}") from None
    return drugs


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
    group.add_argument("--compat", choices=[m for m in COMPAT_MODES if m], default=None,
                       help="profile-scripts: do what PROFILE's MaBoSS_specific_Linux.py did (nodes forced ON "
                            "only start ON, down-rate factor 1/up unrounded, only the patients of every table)")
    group.add_argument("--drugs", type=parse_drugs, default={}, metavar="X=0.8,Y",
                       help="PROFILE drugs: a node anti_X inhibiting X, on with the given probability "
                            "(its strength; 1 when omitted)")


def add_profile_command(subparsers, name: str, help: str, description: str) -> argparse.ArgumentParser:
    """A sub-command taking MODEL and the omics, processed-profile and PROFILE options."""
    parser = subparsers.add_parser(name, help=help, description=description)
    parser.add_argument("model", metavar="MODEL", help="model file (.sbml, .bnd, .bnet) or shipped map name")
    add_raw_data_arguments(parser)
    add_processed_arguments(parser)
    add_apply_arguments(parser)
    return parser


def add_batch_arguments(parser: argparse.ArgumentParser, seed_help: str, batch_size: int):
    """The options of a resumable batch run over patients (cohort, treat): results folder, run settings,
    seed, Dask scheduler, patients per Parquet part and progress bar."""
    parser.add_argument("-o", "--output", required=True, metavar="RESULTS_DIR", help="results folder")
    parser.add_argument("--set", type=key_value, action="append", default=[], metavar="KEY=VALUE",
                        help="run setting by its MaBoSS .cfg name (max_time, time_tick, sample_count, ...)")
    parser.add_argument("--seed", type=int, default=0, help=seed_help)
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="Dask scheduler address (tcp://host:port); default: local processes")
    parser.add_argument("--batch-size", type=positive_int, default=batch_size,
                        help=f"patients per Parquet part (default {batch_size})")
    parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                        help="show a progress bar (default: on a terminal)")


def apply_options(args, model) -> dict:
    """Keyword arguments of ``personalize`` from the parsed options; drug targets checked against ``model``."""
    try:
        args.drugs = resolve_keys(model, args.drugs, "--drugs") if args.drugs else args.drugs
    except NodeNameError as exc:
        raise InputError(args.model, None, str(exc)) from None
    problem = drug_problem(model, args.drugs)
    if problem:
        raise InputError(args.model, "--drugs", problem)
    options = {"factor": args.factor, "continuous_as": args.continuous_as, "discrete_as": args.discrete_as,
               "drugs": args.drugs or None}
    if args.compat:   # absent from the options (and a cohort's manifest) in the default mode
        options["compat"] = args.compat
    return options


def model_settings(model_path) -> SimulationSettings | None:
    """The run settings of a MaBoSS model's .cfg (beside the .bnd), or None for other formats."""
    path = Path(model_path)
    cfg = path.with_suffix(".cfg")
    if path.suffix.lower() == ".bnd" and cfg.is_file():
        return maboss_io.read_settings(cfg)
    return None


def _mapping(model, args) -> personalization.GeneMapping:
    mapping = personalization.GeneMapping.from_model(model)
    if getattr(args, "mapping", None):
        mapping = mapping.updated(personalization.read_mapping(args.mapping, model))
    return mapping


def _checked(genes, mapping: personalization.GeneMapping, source):
    mapping.check_overlap(genes, source)
    return genes


def _protein_nodes(args, mapping: personalization.GeneMapping) -> tuple:
    """Node tables from phospho then total protein, and the genes measured."""
    if bool(args.protein) != bool(args.antibodies):
        raise InputError(args.protein or args.antibodies, None, "--protein and --antibodies go together")
    if not args.protein:
        return [], []
    protein = personalization.read_rppa(args.protein, args.antibodies, genes_from="table",
                                        sample_id_length=args.sample_id_length)
    genes = list(dict.fromkeys(g for genes in protein.antibodies["genes"] for g in genes))
    _checked(genes, mapping, args.protein)
    fit = personalization.fit_reference(protein.values, personalization.PROFILE_PROTEIN_RULES)
    normalised = fit.normalize(protein.values)
    tables = [protein.gene_level(normalised, "phospho", flip_inhibitory=True), protein.gene_level(normalised, "total")]
    return [personalization.genes_to_nodes(table, mapping) for table in tables], genes


def _raw_profiles(args, mapping: personalization.GeneMapping) -> personalization.Profiles:
    continuous, genes = _protein_nodes(args, mapping)
    if args.rna:
        rna = personalization.read_table(args.rna, genes=mapping.genes, sample_id_length=args.sample_id_length)
        genes += _checked(list(rna.columns), mapping, args.rna)
        normalised = personalization.fit_reference(rna).normalize(rna)
        continuous.append(personalization.genes_to_nodes(normalised, mapping))
    mutations = cna = None
    if args.mutations:
        oncokb = personalization.read_oncokb(args.oncokb) if args.oncokb else None
        calls = personalization.read_mutations(args.mutations, args.sample_id_length)
        mutations = personalization.mutation_calls(calls, oncokb)
        genes += _checked(list(mutations.columns), mapping, args.mutations)
    if args.cna:
        table = personalization.read_table(args.cna, genes=mapping.genes, sample_id_length=args.sample_id_length)
        cna = personalization.cna_calls(table)
        genes += _checked(list(cna.columns), mapping, args.cna)
    discrete_genes = personalization.combine_discrete(mutations, cna)
    discrete = personalization.genes_to_nodes(discrete_genes, mapping, "discrete") if not discrete_genes.empty else None
    report = mapping.report(genes, discrete_genes if discrete is not None else None)
    merged = personalization.merge_preferring_first(*continuous)
    if discrete is None:
        return personalization.Profiles(merged, report=report)
    return personalization.Profiles(merged, discrete, report)


def build_profiles(model, args) -> personalization.Profiles:
    """Patient profiles from the data options of the command line (see the module docstring).

    With ``--compat profile-scripts``, only the samples of every table given (PROFILE's scripts
    simulate the intersection).
    """
    profiles = _profiles(model, args)
    if getattr(args, "compat", None) == "profile-scripts":
        profiles = _common_samples(profiles)
    return profiles


def _common_samples(profiles: personalization.Profiles) -> personalization.Profiles:
    """Only the samples that every given table (one with rows) holds."""
    tables = [profiles.continuous, profiles.discrete]
    given = [table for table in tables if len(table.index)]
    common = [s for s in profiles.samples if all(s in table.index for table in given)]
    if not common:
        raise InputError("<command line>", None, "--compat profile-scripts: no sample is in every table")
    return personalization.Profiles(*(table.loc[common] if len(table.index) else table for table in tables),
                                    report=profiles.report)


def _profiles(model, args) -> personalization.Profiles:
    mapping = _mapping(model, args)
    processed = [getattr(args, "continuous", None), getattr(args, "discrete", None)]
    raw = [getattr(args, name, None) for name in ("rna", "protein", "antibodies", "mutations", "cna")]
    if any(processed) and any(raw):
        raise InputError("<command line>", None, "give raw data (--rna, --protein, ...) or processed profiles "
                         "(--continuous/--discrete), not both")
    if any(processed):
        known = list(model.nodes) + mapping.genes
        tables = {kind: personalization.read_table(path, genes=known)
                  for kind, path in zip(("continuous", "discrete"), processed) if path}
        profiles = personalization.Profiles.from_tables(mapping, **tables)
        if profiles.report is None:  # node tables: report which columns are nodes
            columns = list(dict.fromkeys(c for table in tables.values() for c in table.columns))
            profiles.report = personalization.GeneMapping({n: (n,) for n in model.nodes}, "node ids").report(columns)
        return profiles
    if not any(raw):
        raise InputError("<command line>", None, "no patient data: give --rna, --protein, --mutations or --cna"
                         " (or --continuous/--discrete)")
    return _raw_profiles(args, mapping)
