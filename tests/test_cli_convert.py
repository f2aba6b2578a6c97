"""`booleanidt convert / info / validate` on the corpus and on bad input."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import warnings

import libsbml
import pytest

from booleanidt.cli import main
from booleanidt.io import bnet, sbmlqual
from conftest import SBML_QUAL, needs_corpus

ER_STRESS = SBML_QUAL / "113_ER-STRESS__source.sbml"
BROKEN = SBML_QUAL / "broken"


@needs_corpus
def test_convert_sbml_to_bnet_and_back(tmp_path, capsys):
    out = tmp_path / "er.bnet"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main(["convert", str(ER_STRESS), str(out)]) == 0
        assert main(["convert", str(out), str(tmp_path / "er.sbml")]) == 0
        original = sbmlqual.read(ER_STRESS)
    for converted in (bnet.read(out), sbmlqual.read(tmp_path / "er.sbml")):
        # .bnet writes free inputs as `X, X` (a self-loop): the same free input
        assert converted.inputs == original.inputs
        assert {n: r for n, r in converted.rules.items() if n not in original.inputs} == \
            {n: r for n, r in original.rules.items() if n not in original.inputs}
    assert "wrote 182 nodes" in capsys.readouterr().out


@needs_corpus
def test_info_json_counts(capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main(["info", str(ER_STRESS), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    document = libsbml.readSBMLFromFile(str(ER_STRESS))
    qual = document.getModel().getPlugin("qual")
    constant = [s.getId() for s in qual.getListOfQualitativeSpecies() if s.getConstant()]
    assert summary["nodes"] == qual.getNumQualitativeSpecies()
    assert sorted(summary["free_inputs"]) == sorted(summary["inputs"])
    assert set(constant) <= set(summary["inputs"])
    assert summary["annotated"] == sum(1 for s in qual.getListOfQualitativeSpecies() if s.getNumCVTerms())


@needs_corpus
def test_info_says_species_without_function_are_kept_free(capsys):
    # 094 gives its 8 inputs transitions without any function term: no rule, so kept free
    path = SBML_QUAL / "094_MACROPHAGE-POLARIZATION-STATES__model.sbml"
    assert main(["info", str(path)]) == 0
    table = capsys.readouterr().out
    rows = dict(line.split(None, 1) for line in table.splitlines())
    assert rows["inputs"].startswith("8 (") and rows["nodes"] == "31"
    assert "  no rule            8 (" in table and table.count("kept free: they keep their initial value") == 1


BAD_INPUTS = {
    "encoding": (BROKEN / "example.sbml", "line 1: unreadable XML declaration"),
    "bad ids": (BROKEN / "phage_lambda_bad_ids.sbml", "transition tr_CI: output names undeclared species 's_CI'"),
    "petri": (BROKEN / "examplePetri.sbml", "not a logical model"),
    "missing": (SBML_QUAL / "no_such_file.sbml", "no such file"),
}


@needs_corpus
@pytest.mark.parametrize("case", BAD_INPUTS)
def test_convert_bad_input_exit_2_one_line_no_output(case, tmp_path, capsys):
    path, fragment = BAD_INPUTS[case]
    out = tmp_path / "out.bnet"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main(["convert", str(path), str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and fragment in err and "Traceback" not in err
    assert err.startswith(f"booleanidt convert: error: {path}")
    assert list(tmp_path.iterdir()) == []


def test_console_script_exit_code_and_no_partial_file(tmp_path):
    bad = tmp_path / "bad.sbml"
    bad.write_text("not xml at all")
    out = tmp_path / "out.sbml"
    run = subprocess.run([sys.executable, "-m", "booleanidt", "convert", str(bad), str(out)],
                         capture_output=True, text=True)
    assert run.returncode == 2
    assert run.stderr == f"booleanidt convert: error: {bad}: line 1: not XML (SBML-qual files start with '<')\n"
    assert not out.exists() and [p.name for p in tmp_path.iterdir()] == ["bad.sbml"]


@needs_corpus
def test_validate_reports_invalid_input_file(capsys):
    path = SBML_QUAL / "094_MACROPHAGE-POLARIZATION-STATES__model.sbml"
    assert main(["validate", str(path), "--json"]) == 1
    problems = json.loads(capsys.readouterr().out)
    errors = [p for p in problems if p["severity"] == "error"]
    document = libsbml.readSBMLFromFile(str(path))
    document.setConsistencyChecks(libsbml.LIBSBML_CAT_UNITS_CONSISTENCY, False)
    document.checkConsistency()
    assert len(errors) == sum(document.getError(i).getSeverity() >= libsbml.LIBSBML_SEV_ERROR
                              for i in range(document.getNumErrors()))
    # 094 is written on one line: each error names the species it is about, not just "line 1"
    missing_compartment = [p["elements"] for p in errors if "'compartment' is missing" in p["problem"]]
    species = re.findall(r'<qual:qualitativeSpecies [^>]*qual:id="([^"]+)"', path.read_text())
    assert missing_compartment == [[f"qualitativeSpecies {s} (line 1)"] for s in species]


@needs_corpus
def test_validate_clean_export(tmp_path, capsys):
    out = tmp_path / "er.sbml"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main(["convert", str(ER_STRESS), str(out)]) == 0
        assert main(["validate", str(out)]) == 0
    assert "0 error(s)" in capsys.readouterr().out


def test_export_warnings_are_one_line_each(tmp_path, capsys):
    assert main(["convert", "cd4_martinez2015", str(tmp_path / "cd4.bnet")]) == 0
    assert capsys.readouterr().err == ("booleanidt convert: warning: .bnet keeps only the rules and descriptions; "
                                       "not written: initial states\n")


@needs_corpus
def test_bnd_export_keeps_names_and_annotations_and_says_the_layout_is_lost(tmp_path, capsys):
    assert main(["convert", str(ER_STRESS), str(tmp_path / "er.bnd")]) == 0
    assert capsys.readouterr().err == ("booleanidt convert: warning: MaBoSS files have no layout: "
                                       "the SBML layout is not written\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        original = sbmlqual.read(ER_STRESS)
    back = main(["convert", str(tmp_path / "er.bnd"), str(tmp_path / "er.sbml")])
    assert back == 0
    converted = sbmlqual.read(tmp_path / "er.sbml")
    for node_id, node in original.nodes.items():
        assert (converted.nodes[node_id].name, converted.nodes[node_id].annotations) == (node.name, node.annotations)
