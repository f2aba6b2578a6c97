"""Regression tests of issue 11 (readers): hostile or out-of-domain input is one clear error, never a misread."""
from __future__ import annotations

import subprocess
import sys

import pytest

from booleanidt.errors import BooleanidtError, InputError
from booleanidt.expr import Not, Or, Var
from booleanidt.io import bnet, maboss, sbmlqual
from booleanidt.model import LogicalModel, Node
from test_sbmlqual import qual_document, transition

A_IS_ON = "<apply><eq/><ci>A</ci><cn type='integer'>1</cn></apply>"


def cli(*args):
    return subprocess.run([sys.executable, "-m", "booleanidt", *map(str, args)], capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("word", ["TRUE", "FALSE", "OR", "AND", "NOT", "xor", "node"])
def test_grammar_word_ids_round_trip(tmp_path, word):
    """A species named like a grammar word is refused before writing (exit 2, no file), never misread."""
    source = tmp_path / "words.sbml"
    source.write_text(qual_document([word, "C"], transition("tC", [word], ["C"], [
        (1, f"<apply><eq/><ci>{word}</ci><cn type='integer'>0</cn></apply>")])))
    model = sbmlqual.read(source)
    assert model.rules["C"] == Not(Var(word))
    for suffix in (".bnet", ".bnd"):
        out = tmp_path / f"out{suffix}"
        result = cli("convert", source, out)
        if word == "node" and suffix == ".bnet":  # only MaBoSS reserves 'node'
            assert result.returncode == 0
            assert bnet.read(out).rules["C"] == Not(Var("node"))
            continue
        assert result.returncode == 2, result.stderr
        assert f"node {word}: '{word}' is a keyword" in result.stderr
        assert "Traceback" not in result.stderr
        assert not out.exists() and not out.with_suffix(".cfg").exists()


@pytest.mark.parametrize("text", ["TRUE, TRUE\nC, !TRUE\n", "xor, xor\nC, !xor\n"])
def test_grammar_word_ids_in_bnet_are_refused(text):
    with pytest.raises(InputError, match=r"m.bnet: line 1, column 1: '\w+' is a keyword of the rule grammar"):
        bnet.loads(text, "m.bnet")


def test_grammar_word_ids_in_bnd_are_refused():
    with pytest.raises(InputError, match="m.bnd: line 1, column 6: 'True' is a keyword"):
        maboss.loads("node True { logic = True; }\nnode C { logic = !True; }", source="m.bnd")


def test_initial_level_above_max_level_is_an_error():
    text = qual_document(["A", "B"], transition("tB", ["A"], ["B"], [(1, A_IS_ON)])).replace(
        'qual:id="A" ', 'qual:id="A" qual:initialLevel="3" ')
    with pytest.raises(InputError, match=r"x.sbml: qualitativeSpecies A: initialLevel 3 is outside 0..1"):
        sbmlqual.loads(text, "x.sbml")


def test_duplicate_transition_ids_are_an_error():
    text = qual_document(["A", "B", "C"], transition("t1", ["A"], ["B"], [(1, A_IS_ON)]) +
                         transition("t1", ["A"], ["C"], [(1, A_IS_ON)]))
    with pytest.raises(InputError, match="x.sbml: transition t1: id declared twice"):
        sbmlqual.loads(text, "x.sbml")


def test_species_transition_id_clash_is_an_error():
    text = qual_document(["A", "B"], transition("B", ["A"], ["B"], [(1, A_IS_ON)]))
    with pytest.raises(InputError, match="x.sbml: transition B: id B is also a qualitativeSpecies id"):
        sbmlqual.loads(text, "x.sbml")


def test_model_refuses_initial_level_outside_its_range():
    with pytest.raises(BooleanidtError, match="initial level 2 is outside 0..1"):
        LogicalModel(nodes={"A": Node("A", initial_level=2)}, rules={"A": None})


def nested_not(levels: int) -> str:
    return "<apply><not/>" * levels + "<ci>A</ci>" + "</apply>" * levels


@pytest.mark.parametrize("levels", [150, 800, 10_000])
def test_mathml_nested_10000_levels_is_an_error(tmp_path, levels):
    path = tmp_path / "deep.sbml"
    path.write_text(qual_document(["A", "B"], transition("tB", ["A"], ["B"], [(1, nested_not(levels))])))
    for command in ("info", "validate"):
        result = cli(command, path)
        assert result.returncode == 2, (result.returncode, result.stderr[-300:])
        assert result.stderr.count("\n") == 1 and "nested more than" in result.stderr


@pytest.mark.parametrize("rule", ["(" * 2000 + "A" + ")" * 2000, "!" * 5000 + "A", " - ".join(["A"] * 3000)])
def test_deep_rule_text_is_an_error(rule):
    with pytest.raises(InputError, match="m.bnd: line 1, column \\d+: expression nested more than 100 levels"):
        maboss.loads(f"node A {{ logic = {rule}; }}", source="m.bnd")


def test_max_level_2000000000_is_refused(tmp_path):
    path = tmp_path / "big.sbml"
    path.write_text(qual_document(["A", "B"], transition("tB", ["A"], ["B"], [(1, A_IS_ON)]), max_level=2_000_000_000))
    result = cli("convert", path, tmp_path / "big.bnet")
    assert result.returncode == 2
    assert "qualitativeSpecies A: maxLevel 2,000,000,000 is outside 1..127" in result.stderr
    assert not (tmp_path / "big.bnet").exists()


def test_booleanization_is_bounded():
    from booleanidt.booleanize import booleanize
    nodes = {f"X{i}": Node(f"X{i}", max_level=127) for i in range(800)}
    model = LogicalModel(nodes=nodes, rules={n: None for n in nodes})
    with pytest.raises(BooleanidtError, match="booleanizing would create 101,600 Boolean nodes"):
        booleanize(model)


def test_wide_rule_is_flat():
    """A 20,000-term disjunction is parsed into one Or (the old parser rebuilt it per term: quadratic)."""
    names = [f"N{i}" for i in range(20_000)]
    text = "".join(f"{n}, {n}\n" for n in names) + "W, " + " | ".join(names) + "\n"
    model = bnet.loads(text)
    assert model.rules["W"] == Or(tuple(Var(n) for n in names))


TRUNCATED = "gene,S1,S2,S3\nTP53,1,2,3\n\nEGFR,1,2\n"
EMPTY_SAMPLE_ROW = "sample,TP53,EGFR\nS1,1,2\n,3,4\n"
EMPTY_SAMPLE_COLUMN = "gene\tS1\t\tS3\nTP53\t1\t2\t3\nEGFR\t1\t2\t3\nMYC\t1\t2\t3\n"


@pytest.mark.parametrize("name, text, place, problem", [
    ("rna.csv", TRUNCATED, "line 4", "3 of the header's 4 values"),
    ("rna.csv", 'gene,S1,S2\n"TP\n53",1,2\nEGFR,1\n', "line 4", "2 of the header's 3 values"),
    ("rna.csv", EMPTY_SAMPLE_ROW, "line 3", "empty sample id"),
    ("rna.tsv", EMPTY_SAMPLE_COLUMN, "line 1, column 3", "empty sample id"),
    ("rna.csv", "gene,S1,S2\nTP53,1,x\n", "line 2 (row TP53), column S2", "'x' is not a number"),
])
def test_omics_truncated_row_and_empty_sample_id_are_errors(tmp_path, name, text, place, problem):
    from booleanidt.personalization.omics import read_table
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(InputError) as raised:
        read_table(path, genes=["TP53", "EGFR"])
    assert str(raised.value) == f"{path}: {place}: {problem}" + ("" if problem.startswith(("empty", "'x'"))
                                                                 else " (a truncated row?)")


def test_omics_gzipped_truncated_row_is_an_error(tmp_path):
    import gzip
    from booleanidt.personalization.omics import read_table
    path = tmp_path / "rna.csv.gz"
    path.write_bytes(gzip.compress(TRUNCATED.encode()))
    with pytest.raises(InputError, match=r"rna\.csv\.gz: line 4: 3 of the header's 4 values"):
        read_table(path, genes=["TP53"])


def test_omics_blank_cells_stay_missing_values(tmp_path):
    from booleanidt.personalization.omics import read_table
    path = tmp_path / "rna.csv"
    path.write_text("gene,S1,S2\nTP53,1,\n\nEGFR,,2\n")
    table = read_table(path, genes=["TP53"])
    assert table.loc["S1", "TP53"] == 1.0 and table.loc["S2", "EGFR"] == 2.0
    assert table.isna().to_numpy().sum() == 2


@pytest.mark.parametrize("command", ["personalize", "cohort"])
@pytest.mark.parametrize("text, message", [(TRUNCATED, "line 4: 3 of the header's 4 values"),
                                           (EMPTY_SAMPLE_ROW, "line 3: empty sample id")])
def test_cli_omics_bad_rows_exit_2(tmp_path, command, text, message):
    model = tmp_path / "m.bnet"
    model.write_text("TP53, TP53\nEGFR, !TP53\n")
    rna = tmp_path / "rna.csv"
    rna.write_text(text)
    out = tmp_path / "out"
    extra = ["--outputs", "EGFR"] if command == "cohort" else []
    result = cli(command, model, "--rna", rna, *extra, "-o", out)
    assert result.returncode == 2, result.stderr[-500:]
    assert result.stderr.count("\n") == 1 and f"{rna}: {message}" in result.stderr, result.stderr
    assert not out.exists() or not any(out.iterdir())
