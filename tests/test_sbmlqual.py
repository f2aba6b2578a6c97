"""SBML-qual import and export against the corpus, with biodivine-aeon, libsbml and cmaboss as references."""
from __future__ import annotations

import functools
import re
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import libsbml
import pytest

from booleanidt.analysis import fixed_points
from booleanidt.errors import InputError
from booleanidt.expr import Var, evaluate
from booleanidt.model import LogicalModel
from booleanidt.io import bnet, sbmlqual
from conftest import SBML_QUAL, corpus_files, needs_corpus
import reference_aeon
from test_analysis_references import input_assignments

ALL_FILES = corpus_files(SBML_QUAL, "*.sbml") + corpus_files(SBML_QUAL, "*.xml")
EGF_TNF = SBML_QUAL / "136_EGF-TNF-ALPHA-SIGNALLING-PATHWAY__source.raw.xml"


@functools.lru_cache(maxsize=None)
def read_quietly(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sbmlqual.read(path)


@functools.lru_cache(maxsize=None)
def exported(path) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sbmlqual.dumps(read_quietly(path))


def is_boolean_file(path) -> bool:
    """Corpus files whose species all have maxLevel 1 (SOURCES.md lists the kinds)."""
    return "multivalued" not in path.name and not path.name.startswith(("160_", "Cacace", "Traynard"))


BOOLEAN_FILES = [p for p in ALL_FILES if not isinstance(p, Path) or (is_boolean_file(p) and p != EGF_TNF)]


# --- fixed points against biodivine-aeon ----------------------------------------------------

@needs_corpus
@pytest.mark.parametrize("path", BOOLEAN_FILES, ids=lambda p: p.name[:24] if p else "absent")
def test_boolean_model_fixed_points_equal_aeon(path):
    model = read_quietly(path)
    assert model.is_boolean
    aeon_network = reference_aeon.network_from_sbml(path.read_text())
    assert sorted(aeon_network.variable_names()) == sorted(model.node_ids)
    for name, assignment in input_assignments(model).items():
        ours = reference_aeon.as_state_set(fixed_points(model, inputs=assignment))
        theirs = reference_aeon.fixed_points(aeon_network, assignment)
        assert ours == theirs, f"{name}: {len(ours)} fixed points here, {len(theirs)} in aeon"


EGF_TNF_BY_HAND = """\
targets, factors
erk, mek
ikk, nik
gsk3, !akt
p38, mkk4
mkk7, ask1 | map3k1
mkk4, map3k7 & map3k1
nik, map3k7
jnk, mkk7
traf2, tnfr
pi3k, egfr
ikb, ex | !ikk
map3k1, ras
raf1, ras
tnfr, tnfa
map3k7, traf2
ask1, traf2
akt, pi3k
egfr, egf
nfkb, !ikb
ex, nfkb
ap1, cjun
cjun, jnk
ph, ph | erk
mek, raf1
ras, sos
sos, egfr & !ph
egf, egf
tnfa, tnfa
"""


@needs_corpus
def test_egf_tnf_thresholds_named_by_input_id():
    """136 writes every test as ``X >= theta`` where theta is the input's id (thresholdLevel 1).

    Read by hand (EGF_TNF_BY_HAND, one line per transition of the file) the model has
    2 fixed points with both inputs at 0 (ph keeps itself on or off) and none with both
    at 1 (tnfa turns ikk on, and then ikb -> nfkb -> ex -> ikb is a negative loop).
    biodivine-aeon turns ``X >= inputId`` into a tautology, so it finds 1 fixed point in
    both cases: it is the reference that is wrong here, not us.
    """
    model = read_quietly(EGF_TNF)
    by_hand = bnet.loads(EGF_TNF_BY_HAND)
    for assignment in input_assignments(model).values():
        ours = reference_aeon.as_state_set(fixed_points(model, inputs=assignment))
        expected = reference_aeon.as_state_set(fixed_points(by_hand, inputs=assignment))
        assert ours == expected
    assert len(fixed_points(model, inputs={"egf": 0, "tnfa": 0})) == 2
    assert len(fixed_points(model, inputs={"egf": 1, "tnfa": 1})) == 0
    aeon = reference_aeon.fixed_points(reference_aeon.network_from_sbml(EGF_TNF.read_text()),
                                       {"egf": 1, "tnfa": 1})
    assert len(aeon) == 1  # aeon's misreading, documented above


# --- what the reader keeps ----------------------------------------------------------------

@needs_corpus
def test_annotations_match_libsbml_cvterms():
    path = SBML_QUAL / "113_ER-STRESS__source.sbml"
    model = read_quietly(path)
    document = libsbml.readSBMLFromFile(str(path))
    qual = document.getModel().getPlugin("qual")
    for species in qual.getListOfQualitativeSpecies():
        uris = [species.getCVTerm(i).getResources().getValue(j)
                for i in range(species.getNumCVTerms())
                for j in range(species.getCVTerm(i).getResources().getLength())]
        assert [u for a in model.nodes[species.getId()].annotations for u in a.uris] == uris
    assert sum(bool(n.annotations) for n in model.nodes.values()) > 100


@needs_corpus
def test_missing_max_level_inferred_with_warning():
    with pytest.warns(UserWarning, match="28 qualitativeSpecies without maxLevel"):
        model = sbmlqual.read(EGF_TNF)
    assert model.is_boolean


@needs_corpus
def test_essential_attribute_read_not_written():
    path = SBML_QUAL / "094_MACROPHAGE-POLARIZATION-STATES__model.sbml"
    model = read_quietly(path)
    inputs = model.nodes["v_FcgR"].metadata["sbml_inputs"]
    assert {i["species"]: i["essential"] for i in inputs} == {"v_IC_e": True, "v_IL1b_e": False, "v_LPS_e": True}
    assert "essential=" not in exported(path)
    # 094 writes its 8 inputs as transitions without any function term (aeon's way): free, not constant 0
    assert len(model.inputs) == 8


@needs_corpus
def test_invalid_layout_dropped_with_warning():
    path = SBML_QUAL / "078_IMMUNE-SYSTEM__source.raw.sbml"
    with pytest.warns(UserWarning, match="layout dropped"):
        model = sbmlqual.read(path)
    assert "sbml_layout" not in model.metadata


def test_several_outputs_share_the_function_and_transitionless_species_are_free():
    model = sbmlqual.loads(qual_document(
        species=["A", "B", "C", "D"],
        transitions=transition("t", inputs=["A"], outputs=["B", "C"], terms=[(1, "<apply><eq/><ci>A</ci><cn type='integer'>0</cn></apply>")])))
    assert model.rules["B"] == model.rules["C"]
    assert model.inputs == ("A", "D")


def test_constant_transition_gives_a_constant():
    model = sbmlqual.loads(qual_document(species=["A"], transitions=transition("t", [], ["A"], [], default=1)))
    assert model.constants == ("A",)


# --- round trips ----------------------------------------------------------------------------

def consistency_errors(text: str) -> list:
    document = libsbml.readSBMLFromString(text)
    document.setConsistencyChecks(libsbml.LIBSBML_CAT_UNITS_CONSISTENCY, False)
    document.checkConsistency()
    return [document.getError(i).getMessage() for i in range(document.getNumErrors())
            if document.getError(i).getSeverity() >= libsbml.LIBSBML_SEV_ERROR]


@needs_corpus
@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name[:24] if p else "absent")
def test_export_is_valid_and_keeps_everything(path):
    model = read_quietly(path)
    text = exported(path)
    assert consistency_errors(text) == []
    again = sbmlqual.loads(text)
    assert again.rules == model.rules
    for node_id, node in model.nodes.items():
        twin = again.nodes[node_id]
        # 094/098 leave out the required qual:compartment: the export puts such nodes in "default"
        assert (twin.name, twin.max_level, twin.initial_level, twin.compartment) == \
            (node.name, node.max_level, node.initial_level, node.compartment or "default")
        # bqbiol:unknownQualifier (GINsim) is not MIRIAM and crashes libsbml's writer: not written
        assert twin.annotations == tuple(a for a in node.annotations if a.qualifier != "bqbiol:unknown")
        assert twin.notes == node.notes
        if model.rules[node_id] is not None:
            assert twin.metadata["sbml_transition"] == node.metadata["sbml_transition"]
    assert again.metadata.get("sbml_layout") == model.metadata.get("sbml_layout")
    assert again.metadata.get("id") == model.metadata.get("id", "model")  # the export needs an id


@needs_corpus
@pytest.mark.parametrize("path", BOOLEAN_FILES, ids=lambda p: p.name[:24] if p else "absent")
def test_export_read_by_aeon_with_same_fixed_points(path):
    model = read_quietly(path)
    aeon_network = reference_aeon.network_from_sbml(exported(path))
    assignment = input_assignments(model)["all0"]
    assert reference_aeon.fixed_points(aeon_network, assignment) == \
        reference_aeon.as_state_set(fixed_points(model, inputs=assignment))


CMABOSS_RUN = textwrap.dedent("""
    import sys, maboss
    for path in sys.argv[1:]:
        sim = maboss.loadSBML(path, cmaboss=True)
        sim.param.update(sample_count=20, max_time=2, thread_count=1, use_physrandgen=0)
        table = sim.run().get_last_states_probtraj()
        print(path, round(float(table.to_numpy().sum()), 6), sep="\t", flush=True)
""")


@pytest.fixture(scope="module")
def cmaboss_runs(tmp_path_factory) -> dict:
    """Exported file name -> sum of cmaboss's last-state probabilities (or why it failed).

    cmaboss runs in one fresh process (restarted after a crash): it bundles its own
    libsbml and crashes when the process already walked layouts with python-libsbml.
    """
    folder = tmp_path_factory.mktemp("cmaboss")
    pending = []
    for path in ALL_FILES:
        if isinstance(path, Path):
            out = folder / f"{path.stem}.sbml"
            out.write_text(exported(path))
            pending.append(out)
    results = {}
    while pending:
        run = subprocess.run([sys.executable, "-c", CMABOSS_RUN, *map(str, pending)],
                             capture_output=True, text=True, timeout=900)
        for line in run.stdout.splitlines():
            name, total = line.rsplit("\t", 1)
            results[Path(name).name] = total
        if run.returncode != 0:
            stuck = next(p for p in pending if p.name not in results)
            results[stuck.name] = f"failed (exit {run.returncode}): {run.stderr[-1500:]}"
        pending = [p for p in pending if p.name not in results]
    return results


@needs_corpus
@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name[:24] if p else "absent")
def test_export_runs_in_cmaboss(path, cmaboss_runs):
    assert cmaboss_runs[f"{path.stem}.sbml"] == "1.0"  # last-state probabilities sum to 1


# --- bad input ----------------------------------------------------------------------------

BROKEN = SBML_QUAL / "broken"
DECLARATION = ('line 1: unreadable XML declaration <?xml version="1.0" encoding="UTF8"?> '
               '(libsbml needs a known encoding such as encoding="UTF-8")')


@needs_corpus
@pytest.mark.parametrize("name, message", [
    ("example.sbml", DECLARATION),
    ("phage_lambda.sbml", DECLARATION),
    ("phage_lambda_bad_ids.sbml", "transition tr_CI: output names undeclared species 's_CI'"),
    ("examplePetri.sbml", "transition t1: not a logical model: a Petri net (production/consumption transitions)"),
])
def test_broken_corpus_files(name, message):
    path = BROKEN / name
    with pytest.raises(InputError) as caught:
        sbmlqual.read(path)
    assert str(caught.value) == f"{path}: {message}"


def qual_document(species, transitions="", max_level=1) -> str:
    declared = "".join(f'<qual:qualitativeSpecies qual:id="{s}" qual:compartment="c" qual:constant="false" '
                       f'qual:maxLevel="{max_level}"/>' for s in species)
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            '<sbml xmlns="http://www.sbml.org/sbml/level3/version1/core" level="3" version="1" '
            'xmlns:qual="http://www.sbml.org/sbml/level3/version1/qual/version1" qual:required="true">'
            '<model id="m"><listOfCompartments><compartment id="c" constant="true"/></listOfCompartments>'
            f'<qual:listOfQualitativeSpecies>{declared}</qual:listOfQualitativeSpecies>'
            f'<qual:listOfTransitions>{transitions}</qual:listOfTransitions></model></sbml>')


def transition(tid, inputs, outputs, terms, default=0) -> str:
    ins = "".join(f'<qual:input qual:qualitativeSpecies="{s}" qual:transitionEffect="none"/>' for s in inputs)
    outs = "".join(f'<qual:output qual:qualitativeSpecies="{s}" qual:transitionEffect="assignmentLevel"/>'
                   for s in outputs)
    functions = "".join(f'<qual:functionTerm qual:resultLevel="{level}"><math '
                        f'xmlns="http://www.w3.org/1998/Math/MathML">{math}</math></qual:functionTerm>'
                        for level, math in terms)
    return (f'<qual:transition qual:id="{tid}"><qual:listOfInputs>{ins}</qual:listOfInputs>'
            f'<qual:listOfOutputs>{outs}</qual:listOfOutputs><qual:listOfFunctionTerms>'
            f'<qual:defaultTerm qual:resultLevel="{default}"/>{functions}</qual:listOfFunctionTerms></qual:transition>')


A_IS_ON = "<apply><eq/><ci>A</ci><cn type='integer'>1</cn></apply>"
BAD_DOCUMENTS = {
    "not XML": ("hello", "x.sbml: line 1: not XML (SBML-qual files start with '<')"),
    "not SBML": ("<foo/>", "x.sbml: not an SBML document (no <sbml> root element)"),
    "no qual": (re.sub(r'xmlns:qual="[^"]*" qual:required="true"|<qual:.*</qual:listOfTransitions>', "",
                       qual_document(["A"])),
                "x.sbml: model: SBML without the qual package (not a logical model)"),
    "undeclared species": (qual_document(["A", "B"], transition("tB", ["Z"], ["B"], [(1, A_IS_ON)])),
                           "x.sbml: transition tB: input names undeclared species 'Z'"),
    "unknown operator": (qual_document(["A", "B"], transition(
        "tB", ["A"], ["B"], [(1, "<apply><sin/><ci>A</ci></apply>")])),
        "x.sbml: transition tB: unsupported MathML operator <sin>"),
    "level above max": (qual_document(["A", "B"], transition("tB", ["A"], ["B"], [(2, A_IS_ON)])),
                        "x.sbml: transition tB: resultLevel 2 is above the maxLevel 1 of B"),
    "unknown identifier": (qual_document(["A", "B"], transition(
        "tB", ["A"], ["B"], [(1, "<apply><eq/><ci>Q</ci><cn type='integer'>1</cn></apply>")])),
        "x.sbml: transition tB: MathML names unknown identifier 'Q' (neither a qualitativeSpecies nor an input id)"),
    "two transitions": (qual_document(["A", "B"], transition("t1", ["A"], ["B"], [(1, A_IS_ON)]) +
                                      transition("t2", ["A"], ["B"], [(0, A_IS_ON)], default=1)),
                        "x.sbml: transition t2: species B is also the output of transition t1 with a different "
                        "function (several transitions for one output cannot be combined)"),
    "empty": ("  \n", "x.sbml: file is empty"),
}


@pytest.mark.parametrize("case", BAD_DOCUMENTS)
def test_bad_documents_give_one_line(case):
    text, message = BAD_DOCUMENTS[case]
    with pytest.raises(InputError) as caught:
        sbmlqual.loads(text, "x.sbml")
    assert str(caught.value) == message


def test_missing_and_empty_files(tmp_path):
    with pytest.raises(InputError, match=r"nothere\.sbml: no such file$"):
        sbmlqual.read(tmp_path / "nothere.sbml")
    empty = tmp_path / "empty.sbml"
    empty.write_text("")
    with pytest.raises(InputError, match=r"empty\.sbml: file is empty$"):
        sbmlqual.read(empty)


def test_identical_transitions_for_one_output_are_combined():
    model = sbmlqual.loads(qual_document(["A", "B"], transition("t1", ["A"], ["B"], [(1, A_IS_ON)]) +
                                         transition("t2", ["A"], ["B"], [(1, A_IS_ON)])))
    assert model.regulators("B") == ("A",)


def test_comparisons_in_both_operand_orders_and_constants():
    terms = [(1, "<apply><and/><apply><lt/><cn type='integer'>0</cn><ci>A</ci></apply>"
                 "<apply><leq/><ci>C</ci><cn type='integer'>0</cn></apply><true/></apply>")]
    model = sbmlqual.loads(qual_document(["A", "B", "C"], transition("tB", ["A", "C"], ["B"], terms)))
    # 0 < A and C <= 0 and true
    assert [evaluate(model.rules["B"], {"A": a, "C": c}) for a in (0, 1) for c in (0, 1)] == [0, 0, 1, 0]


@needs_corpus
def test_thresholds_named_by_input_id_written_as_numbers():
    text = exported(EGF_TNF)
    assert "theta_" not in re.sub(r'qual:id="theta_[^"]*"', "", text)  # input ids kept, never used in math
    assert re.search(r"<ci>\s*theta", text) is None


def test_initial_levels_from_probabilities_0_or_1():
    model = LogicalModel.from_rules({"A": None, "B": Var("A"), "C": Var("B")}).with_initial_probabilities(
        {"A": 1.0, "B": 0.3, "C": 0.0})
    again = sbmlqual.loads(sbmlqual.dumps(model))
    assert [again.nodes[n].initial_level for n in "ABC"] == [1, None, 0]


def test_piecewise_and_arithmetic_in_function_terms_are_read():
    """``<piecewise>`` (value, condition pairs, optional otherwise) and ``<plus/>``/``<minus/>``
    inside a term, as libsbml accepts them: B = 1 when (A ? 2 : 0) - C == 2, i.e. A and not C."""
    a_on = "<apply><eq/><ci>A</ci><cn type='integer'>1</cn></apply>"
    level = f"<piecewise><piece><cn type='integer'>2</cn>{a_on}</piece><otherwise><cn>0</cn></otherwise></piecewise>"
    terms = [(1, f"<apply><eq/><apply><minus/>{level}<ci>C</ci></apply><cn type='integer'>2</cn></apply>"),
             (1, "<apply><eq/><apply><plus/><ci>A</ci><ci>C</ci></apply><cn type='integer'>3</cn></apply>")]
    model = sbmlqual.loads(qual_document(["A", "B", "C"], transition("tB", ["A", "C"], ["B"], terms)))
    assert [evaluate(model.rules["B"], {"A": a, "C": c}) for a in (0, 1) for c in (0, 1)] == [0, 0, 1, 0]
    no_otherwise = f"<piecewise><piece><cn type='integer'>1</cn>{a_on}</piece></piecewise>"
    model = sbmlqual.loads(qual_document(["A", "B"], transition(
        "tB", ["A"], ["B"], [(1, f"<apply><eq/>{no_otherwise}<cn type='integer'>0</cn></apply>")])))
    assert [evaluate(model.rules["B"], {"A": a}) for a in (0, 1)] == [1, 0]  # no piece true: 0


def test_nested_level_rule_round_trips_as_exclusive_terms():
    """C = A ? (B ? 2 : 1) : 0 is written as one term per level, mutually exclusive (any
    reading order gives the function), valid for libsbml, and read back equal on every state."""
    from booleanidt.expr import Const, IfThenElse
    from booleanidt.model import Node
    rule = IfThenElse(Var("A"), IfThenElse(Var("B"), Const(2), Const(1)), Const(0))
    model = LogicalModel.from_rules({"A": None, "B": None, "C": rule})
    model = model.replace(nodes={**model.nodes, "C": Node("C", max_level=2)})
    text = sbmlqual.dumps(model)
    assert consistency_errors(text) == []
    assert "piecewise" not in text
    document = libsbml.readSBMLFromString(text)
    terms = document.getModel().getPlugin("qual").getTransition("tr_C").getListOfFunctionTerms()
    levels = sorted(terms.get(i).getResultLevel() for i in range(terms.size()))
    assert levels == [1, 2] and terms.getDefaultTerm().getResultLevel() == 0
    blocks = re.findall(r"<qual:functionTerm .*?</qual:functionTerm>", text, re.S)
    first, last = text.index(blocks[0]), text.index(blocks[-1]) + len(blocks[-1])
    reversed_text = text[:first] + "".join(reversed(blocks)) + text[last:]
    assert len(blocks) == 2 and reversed_text != text
    states = [{"A": a, "B": b} for a in (0, 1) for b in (0, 1)]
    for written in (text, reversed_text):
        back = sbmlqual.loads(written)
        assert [evaluate(back.rules["C"], s) for s in states] == [evaluate(rule, s) for s in states] == [0, 0, 1, 2]


def test_notes_with_xml_special_characters_round_trip():
    """Apostrophes, ampersands, angle brackets and quotes in notes come back as typed, not as entities."""
    import dataclasses
    note = "Naldi's rule: IL-4 & STAT6 < 2 \"as published\""
    model = LogicalModel.from_rules({"A": None, "B": Var("A")})
    model = model.replace(nodes={**model.nodes, "B": dataclasses.replace(model.nodes["B"], notes=note)})
    text = sbmlqual.dumps(model)
    assert consistency_errors(text) == []
    assert sbmlqual.loads(text).nodes["B"].notes == note


def test_rules_with_negation_are_written_and_log_is_refused_in_one_line():
    from booleanidt.errors import BooleanidtError
    from booleanidt.expr import Call, Compare, Const, Neg
    negated = LogicalModel.from_rules({"B": Var("B"), "A": Compare("<", Neg(Var("B")), Const(0))})
    back = sbmlqual.loads(sbmlqual.dumps(negated))
    assert [evaluate(back.rules["A"], {"B": b}) for b in (0, 1)] == [0, 1]
    rule = Compare(">=", Call("log", (Var("B"), Const(2))), Const(0))
    logarithm = LogicalModel.from_rules({"B": Var("B"), "A": rule})
    with pytest.raises(BooleanidtError, match=r"^cannot write SBML-qual: log\(B, 2\) in a rule is not a level"):
        sbmlqual.dumps(logarithm)
