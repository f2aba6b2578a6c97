"""``booleanidt personalize``: one personalised model per patient (PROFILE's method).

Writes ``DIR/<sample>.bnd`` + ``.cfg`` (and ``.sbml`` with ``--sbml``) for every sample,
and ``DIR/mapping_report.csv`` (nodes covered, nodes without data, genes unused).
Everything is read, checked and built before the first file is written, and the
folder is written as one set (an earlier run's folder is replaced whole).

``--drugs AKT=0.8,MYC`` adds PROFILE's drug nodes (``anti_AKT`` inhibiting AKT, on with
probability 0.8; ``anti_MYC`` at full strength) to every patient's model.

Examples
--------
>>> main(["personalize", "Fumia2013.bnd", "--rna", "rna.tsv", "--mutations", "maf.txt",
...       "--drugs", "AKT=0.8", "-o", "personalised"])  # doctest: +SKIP
"""
from __future__ import annotations

import argparse
import re

from tqdm.auto import tqdm

from ..errors import InputError
from ..io import maboss as maboss_io
from ..io import format_module
from ..io._results import result_folder, write_into
from ..naming import resolve_many
from ..personalization.apply import mark_outputs, personalize
from ._common import load_model
from ._profiles import (add_profile_command, apply_options, build_profiles, comma_list, model_settings)

__all__ = ["add_parser", "run", "sample_file_stem"]

REPORT_FILE = "mapping_report.csv"


def sample_file_stem(sample: str) -> str:
    """A file name for a sample id (characters other than letters, digits, ``._-`` become ``_``).

    >>> sample_file_stem("TCGA-A1-A0SB-01"), sample_file_stem("pt 7/b")
    ('TCGA-A1-A0SB-01', 'pt_7_b')
    """
    return re.sub(r"[^A-Za-z0-9._-]", "_", str(sample))


def _is_result_file(name: str) -> bool:
    """Whether ``name`` is a file personalize writes (a folder holding others is refused)."""
    return name == REPORT_FILE or name.endswith((".bnd", ".cfg", ".sbml"))


def add_parser(subparsers):
    parser = add_profile_command(subparsers, "personalize",
                                 "personalise a model with patient omics (PROFILE): one .bnd/.cfg per sample",
                                 __doc__.splitlines()[0].replace("``", ""))
    parser.add_argument("--outputs", type=comma_list, metavar="A,B",
                        help="output nodes marked external in the .cfg (the others internal), as PROFILE does")
    parser.add_argument("--sbml", action="store_true", help="also write <sample>.sbml (SBML-qual)")
    parser.add_argument("-o", "--output", required=True, metavar="DIR", help="folder for the personalised models")
    parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                        help="show a progress bar (default: on a terminal)")
    parser.set_defaults(func=run)
    return parser


def run(args) -> int:
    model = load_model(args.model)
    if args.outputs:
        model = mark_outputs(model, resolve_many(model, args.outputs, "--outputs"))
    settings = model_settings(args.model)
    options = apply_options(args, model)   # checked before the omics tables are read
    profiles = build_profiles(model, args)
    stems = {sample: sample_file_stem(sample) for sample in profiles}
    if len(set(stems.values())) != len(stems):
        raise InputError("<samples>", None, "two sample ids give the same file name; rename them")

    texts = {}
    for sample in tqdm(profiles, desc="personalising", unit="sample", disable=(not args.progress)
                       if args.progress is not None else None):
        personalised = personalize(model, profiles[sample], **options)
        texts[sample] = (maboss_io.dumps(personalised, settings),
                         format_module("sbml").dumps(personalised) if args.sbml else None)
    folder = args.output
    files = {REPORT_FILE: profiles.report.to_frame().to_csv(index=False)}
    for sample, ((bnd, cfg), sbml) in texts.items():
        files.update({f"{stems[sample]}.bnd": bnd, f"{stems[sample]}.cfg": cfg})
        if sbml is not None:
            files[f"{stems[sample]}.sbml"] = sbml
    with result_folder(folder, ours=_is_result_file) as staging:
        write_into(staging, files)
    print(f"wrote {len(texts)} personalised models to {folder}")
    return 0
