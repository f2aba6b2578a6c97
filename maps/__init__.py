"""Immune models written and shipped by booleanidt (installed as ``booleanidt.maps``).

Each map lives in ``maps/<name>/<name>.sbml`` (SBML-qual written by booleanidt from
the rule tables of ``tools/build_maps.py``) with a README.md saying what it
reproduces.  The files are package data, so these functions work after a plain
``pip install``.

Examples
--------
>>> import booleanidt.maps
>>> "th_naldi2010" in booleanidt.maps.names()
True
>>> booleanidt.maps.path("th_naldi2010").name
'th_naldi2010.sbml'
>>> model = booleanidt.maps.load()  # the default: Naldi et al. 2010's T-helper model
>>> model.nodes["TBET"].hgnc_symbols
('TBX21',)
>>> model.nodes["STAT5"].max_level
2
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

from booleanidt.errors import InputError
from booleanidt.io import read

__all__ = ["names", "path", "load", "publications", "celldesigner_example", "DEFAULT", "PHENOTYPES",
           "with_phenotypes"]

#: the map used when none is named (the README's first command)
DEFAULT = "th_naldi2010"


#: each map's phenotype nodes, as its README reads the cell types (the default outputs of a simulation)
PHENOTYPES = {
    "th_naldi2010": ("TBET", "GATA3", "RORGT", "FOXP3"),
    "th_differentiation": ("TBET", "GATA3", "RORGT", "FOXP3"),
    "cd4_martinez2015": ("TBET", "GATA3", "RORGT", "FOXP3", "BCL6"),
    "macrophage_polarization": ("M1", "M2a", "M2b", "M2c"),
    "macrophage_palma2018": ("IL12", "NFKB", "STAT1", "STAT6", "PPARG", "KLF4", "ERK", "IL10", "STAT3"),
    "ra_synovial_fibroblast": ("Apoptosis", "Proliferation", "Inflammation"),
}


def _root():
    return resources.files(__name__)


def names() -> list:
    """Names of the shipped maps, sorted.

    >>> names()[:2]
    ['cd4_martinez2015', 'macrophage_palma2018']
    """
    return sorted(entry.name for entry in _root().iterdir()
                  if entry.is_dir() and (entry / f"{entry.name}.sbml").is_file())


def path(name: str) -> Path:
    """Path of the SBML-qual file of the shipped map ``name``.

    Raises :class:`~booleanidt.errors.InputError` for an unknown name.

    >>> path("no_such_map")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    booleanidt.errors.InputError: booleanidt.maps: no_such_map: no shipped map of that name (known: cd4_martinez2015, ...)
    """
    known = names()
    if name not in known:
        raise InputError("booleanidt.maps", name, f"no shipped map of that name (known: {', '.join(known)})")
    return Path(str(_root() / name / f"{name}.sbml"))


def load(name: str = DEFAULT):
    """The shipped map ``name`` as a :class:`~booleanidt.model.LogicalModel`.

    >>> load("ra_synovial_fibroblast").outputs
    ('MMP', 'Apoptosis', 'Proliferation', 'Inflammation')
    """
    return with_phenotypes(read(path(name)), name)


def with_phenotypes(model, name: str):
    """``model`` with the phenotypes of the shipped map ``name`` declared (``metadata["phenotypes"]``).

    The shipped maps' ids are gene symbols and cell types and their names are descriptions,
    so they are also marked to be shown by id (``metadata["labels"]``).

    >>> load("th_naldi2010").phenotypes
    ('TBET', 'GATA3', 'RORGT', 'FOXP3')
    """
    declared = PHENOTYPES.get(name)
    if not declared:
        return model
    return model.replace(metadata={**model.metadata, "phenotypes": declared, "labels": "id"})


def celldesigner_example() -> Path:
    """Path of the small CellDesigner map shipped for the CaSQ import demo.

    ``maps/celldesigner/tnf_nfkb_CD.xml`` (TNF -> TNFR1 -> IKK -> NF-kB, held by
    IkBa -> inflammation) was written by the booleanidt project; it is not one of
    the SBML-qual maps of :func:`names`.  Reading it needs CaSQ
    (``pip install 'booleanidt[celldesigner]'``).

    >>> celldesigner_example().name
    'tnf_nfkb_CD.xml'
    >>> celldesigner_example().is_file()
    True
    """
    return Path(str(_root() / "celldesigner" / "tnf_nfkb_CD.xml"))


def publications(model) -> tuple:
    """URIs of the publications describing a model (its ``bqmodel:isDescribedBy`` annotations).

    >>> publications(load("macrophage_polarization"))
    ('http://identifiers.org/doi/10.3389/fphys.2018.01659',)
    """
    return tuple(uri for annotation in model.metadata.get("annotations", ())
                 if annotation.qualifier == "bqmodel:isDescribedBy" for uri in annotation.uris)
