"""What a CellDesigner map must hold before CaSQ can convert it, checked with messages that name the element.

CaSQ reads CellDesigner's SBML Level 2 Version 4 files and stops with bare Python errors
(``'NoneType' object has no attribute 'lower'``) when a map lacks something it relies on.
These checks find those cases first and say which element is wrong: the model element and
its ``celldesigner:modelDisplay``, and for each species alias drawn on the map, its
species, that species' name and class, its compartment alias, and its RDF annotation
(CaSQ merges the annotations of species that share a name).  What CaSQ still cannot
convert is reported by the reader as CaSQ's own error, on one line.

Examples
--------
>>> check_map('<sbml xmlns="http://www.sbml.org/sbml/level2/version4"/>', "map.xml")
Traceback (most recent call last):
...
booleanidt.errors.InputError: map.xml: sbml: no <model> element
"""
from __future__ import annotations

from xml.etree import ElementTree

from ..errors import InputError

__all__ = ["check_map"]

_NS = {"sbml": "http://www.sbml.org/sbml/level2/version4", "cd": "http://www.sbml.org/2001/ns/celldesigner",
       "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#"}
_EXTENSION = "./sbml:annotation/cd:extension/"


def _root(text: str, source: str):
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as exc:
        line = exc.position[0]
        raise InputError(source, f"line {line}", f"not well-formed XML ({str(exc).split(':')[0]})") from None
    if root.tag != f"{{{_NS['sbml']}}}sbml":
        raise InputError(source, root.tag.split("}")[-1],
                         "not a CellDesigner map (CellDesigner writes SBML Level 2 Version 4 <sbml>)")
    return root


def _check_species(alias, species_by_id: dict, compartment_of_alias: dict, compartments: set, source: str) -> None:
    alias_id = alias.get("id") or "(no id)"
    species_id = alias.get("species")
    if species_id is None:
        raise InputError(source, f"species alias {alias_id}", "has no 'species' attribute")
    species = species_by_id.get(species_id)
    if species is None or species.find("./sbml:annotation", _NS) is None:
        return  # CaSQ skips aliases of species it cannot find, as CellDesigner does
    if species.get("name") is None:
        raise InputError(source, f"species {species_id}", "has no name")
    cd_class = species.find("./sbml:annotation//cd:class", _NS)
    if cd_class is not None and not (cd_class.text or "").strip():
        raise InputError(source, f"species {species_id}", "has an empty celldesigner:class (PROTEIN, GENE, ...)")
    compartment = alias.get("compartmentAlias")
    if compartment is not None:
        if compartment_of_alias.get(compartment, None) not in compartments:
            raise InputError(source, f"species alias {alias_id}",
                             f"names compartment alias {compartment}, which is not on the map")
    rdf = species.find("./sbml:annotation//rdf:RDF", _NS)
    if rdf is not None and rdf.find("./rdf:Description", _NS) is None:
        raise InputError(source, f"species {species_id}", "has an rdf:RDF annotation without rdf:Description")


def check_map(text: str, source: str) -> None:
    """Raise :class:`~booleanidt.errors.InputError` naming the element of the CellDesigner map
    ``text`` that CaSQ could not convert."""
    root = _root(text, source)
    model = root.find("sbml:model", _NS)
    if model is None:
        raise InputError(source, "sbml", "no <model> element")
    if model.find(_EXTENSION + "cd:modelDisplay", _NS) is None:
        raise InputError(source, f"model {model.get('id', '')}".strip(),
                         "no celldesigner:modelDisplay in its annotation (not saved by CellDesigner?)")
    species_by_id = {s.get("id"): s for s in model.iterfind("./sbml:listOfSpecies/sbml:species", _NS)}
    compartment_of_alias = {a.get("id"): a.get("compartment") for a in model.iterfind(".//cd:compartmentAlias", _NS)}
    compartments = {c.get("id") for c in model.iterfind(".//sbml:compartment", _NS)}
    aliases = (model.findall(_EXTENSION + "cd:listOfComplexSpeciesAliases/cd:complexSpeciesAlias", _NS)
               + model.findall(_EXTENSION + "cd:listOfSpeciesAliases/cd:speciesAlias", _NS))
    for alias in aliases:
        if alias.find(".//cd:bounds", _NS) is not None and alias.get("complexSpeciesAlias") is None:
            _check_species(alias, species_by_id, compartment_of_alias, compartments, source)
