"""CellDesigner import through CaSQ, on the corpus's disease-map fragments."""
from __future__ import annotations

import itertools
import warnings

import re
from pathlib import Path

import pytest

import booleanidt
import booleanidt.maps
from booleanidt.analysis.fixed_points import fixed_points
from booleanidt.errors import BooleanidtError, InputError
from booleanidt.expr import evaluate
from booleanidt.io import celldesigner

from conftest import CELLDESIGNER, corpus_files

MAPS = corpus_files(CELLDESIGNER, "*.xml")
casq_convert = pytest.importorskip("casq.celldesigner2qual").map_to_model


def _quietly(function, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*args)


@pytest.fixture(scope="module", params=MAPS, ids=lambda p: getattr(p, "name", "none"))
def converted(request, tmp_path_factory):
    """(map path, our model, CaSQ's own SBML-qual text for the same map)."""
    path = request.param
    reference = tmp_path_factory.mktemp("casq") / "reference.sbml"
    casq_convert(str(path), str(reference))
    return path, _quietly(celldesigner.read, path), reference.read_text(encoding="utf-8")


def test_map_has_casq_species_and_their_fixed_points(converted):
    """Our model has the species CaSQ writes, and the fixed points biodivine-aeon finds in
    CaSQ's file (inputs fixed to 0; aeon names variables by id once names are stripped)."""
    import reference_aeon
    path, model, reference_text = converted
    network = reference_aeon.network_from_sbml(reference_text)
    assert sorted(network.variable_names()) == sorted(model.node_ids)
    zeros = {n: 0 for n in model.inputs}
    expected = reference_aeon.fixed_points(network, zeros)
    ours = reference_aeon.as_state_set(fixed_points(model, inputs=zeros))
    assert ours == expected
    assert any(node.hgnc_symbols for node in model.nodes.values())  # CaSQ carries the map's annotations


def test_format_is_detected_from_the_content(converted):
    path, model, _ = converted
    assert _quietly(booleanidt.read, path).node_ids == model.node_ids


def test_cli_convert_writes_sbml_qual(converted, tmp_path):
    cli = pytest.importorskip("booleanidt.cli.convert", reason="the convert command is not written yet")
    from booleanidt.cli import main
    from booleanidt.io import sbmlqual
    path, model, _ = converted
    out = tmp_path / "model.sbml"
    assert cli is not None and _quietly(main, ["convert", str(path), str(out)]) == 0
    assert _quietly(sbmlqual.read, out).node_ids == model.node_ids


def test_missing_casq_is_one_clear_line(monkeypatch, tmp_path):
    source = tmp_path / "map.xml"
    source.write_text("<sbml/>")
    monkeypatch.setattr(celldesigner, "_casq_converter", lambda: None)
    with pytest.raises(BooleanidtError) as info:
        celldesigner.read(source)
    assert str(info.value) == f"{source}: reading CellDesigner maps needs CaSQ: pip install 'booleanidt[celldesigner]'"


SHIPPED_MAP = (Path(__file__).resolve().parents[1] / "maps" / "celldesigner" / "tnf_nfkb_CD.xml").read_text()


@pytest.mark.parametrize("text, message", [
    ('<?xml version="1.0"?><sbml xmlns="http://www.sbml.org/sbml/level2/version4"><model id="m"/></sbml>',
     "m.xml: model m: no celldesigner:modelDisplay in its annotation (not saved by CellDesigner?)"),
    ("not xml", "m.xml: line 1: not well-formed XML (syntax error)"),
    ("<sbml/>", "m.xml: sbml: not a CellDesigner map (CellDesigner writes SBML Level 2 Version 4 <sbml>)"),
    (SHIPPED_MAP.replace('<species metaid="s3" id="s3" name="TNFRSF1A"', '<species metaid="s3" id="s3"'),
     "m.xml: species s3: has no name"),
    (SHIPPED_MAP.replace('speciesAlias id="sa2" species="s2"', 'speciesAlias id="sa2"'),
     "m.xml: species alias sa2: has no 'species' attribute"),
    (SHIPPED_MAP.replace("<celldesigner:class>PROTEIN</celldesigner:class>", "<celldesigner:class/>", 1),
     "m.xml: species s1: has an empty celldesigner:class (PROTEIN, GENE, ...)"),
    (SHIPPED_MAP.replace('species="s1"', 'species="s1" compartmentAlias="ca9"', 1),
     "m.xml: species alias sa1: names compartment alias ca9, which is not on the map"),
    (re.sub(r"<rdf:Description.*?</rdf:Description>", "", SHIPPED_MAP, count=1, flags=re.S),
     "m.xml: species s1: has an rdf:RDF annotation without rdf:Description"),
])
def test_files_casq_cannot_convert(text, message):
    """Each of these made CaSQ stop with a bare Python error (or was not a map): the line names the element."""
    with pytest.raises(InputError) as info:
        celldesigner.loads(text, "m.xml")
    assert str(info.value) == message


def test_missing_file(tmp_path):
    with pytest.raises(InputError) as info:
        celldesigner.read(tmp_path / "none.xml")
    assert str(info.value) == f"{tmp_path / 'none.xml'}: no such file"


def test_shipped_celldesigner_map():
    """The project's own map (maps/celldesigner/tnf_nfkb_CD.xml), read through CaSQ.

    Expected rules follow the map's reactions and CaSQ's semantics (a product is on when a
    reaction can fire: a catalyst present and no inhibitor; each inactive form is merged
    into its active form): TNF -catalyses-> TNFR1 -catalyses-> IKK, IKK -inhibits-> IkBa,
    NF-kB needs IKK and no IkBa, NF-kB -> inflammation.
    """
    model = _quietly(celldesigner.read, booleanidt.maps.celldesigner_example())
    ids = {node.name: node_id for node_id, node in model.nodes.items()}
    assert sorted(ids) == ["IKBKB", "NFKBIA", "RELA", "TNF", "TNFRSF1A", "inflammation_phenotype"]
    assert model.inputs == (ids["TNF"],)
    assert model.nodes[ids["RELA"]].hgnc_symbols == ("RELA",)
    meaning = {
        "TNFRSF1A": lambda s: s["TNF"],
        "IKBKB": lambda s: s["TNFRSF1A"],
        "NFKBIA": lambda s: 1 - s["IKBKB"],
        "RELA": lambda s: s["IKBKB"] * (1 - s["NFKBIA"]),
        "inflammation_phenotype": lambda s: s["RELA"],
    }
    for levels in itertools.product((0, 1), repeat=len(ids)):
        by_name = dict(zip(sorted(ids), levels))
        state = {ids[name]: level for name, level in by_name.items()}
        for name, rule in meaning.items():
            assert evaluate(model.rules[ids[name]], state) == rule(by_name), (name, by_name)
    stable = fixed_points(model).rename(columns={i: n for n, i in ids.items()})
    rows = sorted(tuple(int(v) for v in row) for row in stable[sorted(ids)].itertuples(index=False))
    # columns: IKBKB, NFKBIA, RELA, TNF, TNFRSF1A, inflammation_phenotype
    assert rows == [(0, 1, 0, 0, 0, 0), (1, 0, 1, 1, 1, 1)]
