"""Fuzzing every reader with hostile text: the result is a model, or one clean InputError naming the file.

Readers: .bnet, .bnd/.cfg, SBML-qual, CellDesigner (edited copies of the shipped map, through CaSQ), omics
CSV/TSV/Parquet, UPMaBoSS .upp and PopMaBoSS .pbnd/.pcfg; the command line on a few hostile files.

Default: a few dozen examples per reader, derandomized (stable in CI).  A longer run:
``BOOLEANIDT_FUZZ_EXAMPLES=2000 python -m pytest tests/test_fuzz_readers.py``.
"""
from __future__ import annotations

import copy
import os
import resource
import subprocess
import sys
import warnings
from pathlib import Path
from xml.etree import ElementTree

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import booleanidt
from booleanidt.errors import BooleanidtError
from booleanidt.personalization.omics import read_table
from test_sbmlqual import qual_document, transition

EXAMPLES = int(os.environ.get("BOOLEANIDT_FUZZ_EXAMPLES", "20"))
FUZZ = settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

WORDS = ["A", "B", "C", "TRUE", "FALSE", "OR", "AND", "NOT", "xor", "node", "logic", "rate_up", "$k", "@logic",
         "1", "0", "1e308", "-1", "nan", "inf", "// booleanidt pair 0123456789abcdef\n"]
SYMBOLS = ["!", "&", "|", "^", "(", ")", ",", ";", ":", "?", "=", "{", "}", "==", ">=", "+", "-", "*", "/",
           "\n", " ", "#", "//", "/*", "*/", "\x00", "é", "\r\n", '"']
pieces = st.lists(st.sampled_from(WORDS + SYMBOLS) | st.text(max_size=3), max_size=60).map(" ".join)
repeated = st.builds(lambda s, n: s * n, st.sampled_from(["(", "!", "- A ", "A | ", "A ? B : "]),
                     st.integers(0, 3000))


def assert_contract(path):
    """Reading ``path`` gives a model, or a one-line BooleanidtError that names the file (or the .cfg beside it)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            booleanidt.read(path)
        except BooleanidtError as exc:
            message = str(exc)
            assert "\n" not in message and str(path.with_suffix("")) in message, message


@FUZZ
@given(text=st.one_of(pieces, repeated.map(lambda r: f"A, A\nB, {r}A\n")))
def test_bnet_reader_contract(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("bnet") / "m.bnet"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    assert_contract(path)


@FUZZ
@given(text=st.one_of(pieces, repeated.map(lambda r: f"node A {{ logic = {r}A; }}")),
       cfg=st.one_of(st.just(""), pieces))
def test_bnd_cfg_reader_contract(tmp_path_factory, text, cfg):
    folder = tmp_path_factory.mktemp("bnd")
    (folder / "m.bnd").write_text(text, encoding="utf-8", errors="surrogatepass")
    if cfg:
        (folder / "m.cfg").write_text(cfg, encoding="utf-8", errors="surrogatepass")
    assert_contract(folder / "m.bnd")


ids = st.sampled_from(["A", "B", "TRUE", "xor", "1A", "", "A B", "tB"])
levels = st.sampled_from(["0", "1", "2", "-1", "127", "128", "2000000000", "x", "1.5"])
maths = st.one_of(
    st.sampled_from(["<apply><eq/><ci>A</ci><cn type='integer'>1</cn></apply>", "<ci>A</ci>", "<true/>",
                     "<apply><sin/><ci>A</ci></apply>", "<apply><and/></apply>", "<ci>Q</ci>", "<apply>",
                     "<apply><eq/><ci>A</ci></apply>", "<piecewise><piece><cn>1</cn><ci>A</ci></piece></piecewise>"]),
    st.integers(0, 12_000).map(lambda n: "<apply><not/>" * n + "<ci>A</ci>" + "</apply>" * n))


@FUZZ
@given(species=st.lists(ids, min_size=1, max_size=4), output=ids, tid=ids, level=levels, max_level=levels,
       initial=levels, math=maths, cut=st.integers(0, 3000))
def test_sbml_reader_contract(tmp_path_factory, species, output, tid, level, max_level, initial, math, cut):
    text = qual_document(species, transition(tid, ["A"], [output], [(level, math)]), max_level=max_level)
    text = text.replace('qual:id="A" ', f'qual:id="A" qual:initialLevel="{initial}" ', 1)
    if cut:  # a truncated file
        text = text[:-cut] or "<"
    path = tmp_path_factory.mktemp("sbml") / "m.sbml"
    path.write_text(text)
    assert_contract(path)


# --- CellDesigner maps, through CaSQ -------------------------------------------------------------------------
CD_MAP = Path(__file__).resolve().parents[1] / "maps" / "celldesigner" / "tnf_nfkb_CD.xml"
POPULATION_DATA = Path(__file__).resolve().parent / "data" / "population"
CD_VALUES = ["", "s1", "sa1", "s999", "re1", "csa1", "TRUE", "1e308", "-1", "nan", "x y", "é", "<", "&amp;",
             "STATE_TRANSITION", "INHIBITION", "UNKNOWN_TYPE", "PHENOTYPE", "PROTEIN", "active", "0"]
cd_edits = st.lists(st.tuples(st.sampled_from(["drop", "attribute", "text", "duplicate", "cut"]),
                              st.integers(0, 10_000), st.sampled_from(CD_VALUES)), min_size=1, max_size=4)


def _edited_map(edits) -> str:
    """The shipped CellDesigner map with ``edits`` applied: elements dropped or duplicated, attribute values
    and texts replaced by hostile ones (dangling references, id clashes, unknown classes), or the file cut."""
    tree = ElementTree.parse(CD_MAP)
    cut = None
    for action, index, value in edits:
        elements = list(tree.iter())[1:]
        if not elements:
            break
        element = elements[index % len(elements)]
        parent = next(p for p in tree.iter() if element in list(p))
        if action == "drop":
            parent.remove(element)
        elif action == "duplicate":
            parent.append(copy.deepcopy(element))
        elif action == "attribute" and element.attrib:
            names = sorted(element.attrib)
            element.set(names[index % len(names)], value)
        elif action in ("text", "attribute"):
            element.text = value
        else:
            cut = index
    text = ElementTree.tostring(tree.getroot(), encoding="unicode")
    return text[:cut % len(text)] if cut else text


@FUZZ
@given(edits=cd_edits)
def test_celldesigner_reader_contract(tmp_path_factory, edits):
    """A CellDesigner map CaSQ cannot make sense of is one clean line naming the file, never a CaSQ traceback."""
    pytest.importorskip("casq")
    path = tmp_path_factory.mktemp("cd") / "map.xml"
    path.write_text(_edited_map(edits))
    assert_contract(path)


cells = st.sampled_from(["1.5", "0", "-2", "", "NA", "x", "nan", "inf", "1e400", '"', "TP53", "s1"])
rows = st.lists(st.lists(cells, max_size=5), max_size=5)


def assert_table_contract(path):
    """Reading ``path`` gives a table without empty sample ids, or one clean line naming the file."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            table = read_table(path)
        except BooleanidtError as exc:
            assert "\n" not in str(exc) and str(path) in str(exc), str(exc)
            return
    assert "" not in table.index and not table.index.str.startswith("Unnamed:").any()


@FUZZ
@given(rows=rows, sep=st.sampled_from([",", "\t"]), truncate=st.booleans())
def test_omics_reader_contract(tmp_path_factory, rows, sep, truncate):
    """Jagged rows (a truncated row), empty labels and hostile cells in CSV/TSV."""
    path = tmp_path_factory.mktemp("omics") / ("t.csv" if sep == "," else "t.tsv")
    text = "\n".join(sep.join(row) for row in rows)
    path.write_text(text[:len(text) // 2] if truncate else text)
    assert_table_contract(path)


@FUZZ
@given(labels=st.lists(st.sampled_from(["s1", "s2", "", None, "TP53"]), min_size=1, max_size=4),
       columns=st.lists(st.sampled_from(["TP53", "EGFR", "", "s1"]), min_size=1, max_size=3, unique=True),
       cell=st.sampled_from([1.5, float("nan"), float("inf"), "x", None, "2"]))
def test_omics_parquet_reader_contract(tmp_path_factory, labels, columns, cell):
    """Parquet: empty or missing labels, mixed cell types."""
    import pandas as pd
    path = tmp_path_factory.mktemp("omics") / "t.parquet"
    frame = pd.DataFrame({column: [cell] * len(labels) for column in columns})
    frame.insert(0, "sample", labels)
    frame.to_parquet(path)
    assert_table_contract(path)


def _limited():  # runs in the child before exec: 2 GB of address space at most
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


HOSTILE = {
    "deep.sbml": qual_document(["A", "B"], transition("tB", ["A"], ["B"], [
        (1, "<apply><not/>" * 10_000 + "<ci>A</ci>" + "</apply>" * 10_000)])),
    "huge_level.sbml": qual_document(["A", "B"], transition("tB", ["A"], ["B"], [(1, "<ci>A</ci>")]),
                                     max_level="2000000000"),
    "words.bnet": "TRUE, TRUE\nC, !TRUE\n",
    "parens.bnet": "A, A\nB, " + "(" * 2000 + "A" + ")" * 2000 + "\n",
    "nots.bnd": "node A { logic = " + "!" * 5000 + "A; }\n",
    "binary.bnet": "A, A\nB, \x00\xff\n",
    "classless_map.xml": CD_MAP.read_text().replace("<celldesigner:class>PROTEIN</celldesigner:class>",
                                                    "<celldesigner:class/>", 1),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
@pytest.mark.parametrize("command", ["info", "validate", "convert"])
def test_cli_contract_on_hostile_files(tmp_path, name, command):
    path = tmp_path / name
    path.write_text(HOSTILE[name])
    out = tmp_path / ("out.sbml" if not name.endswith(".sbml") else "out.bnet")
    args = [path, out] if command == "convert" else [path]
    result = subprocess.run([sys.executable, "-m", "booleanidt", command, *map(str, args)], capture_output=True,
                            text=True, timeout=120, preexec_fn=_limited)
    assert result.returncode in (0, 2), (result.returncode, result.stderr[-500:])
    assert "Traceback" not in result.stderr
    if result.returncode == 2:
        assert result.stderr.count("\n") == 1 and str(path) in result.stderr, result.stderr
        assert not out.exists()


# --- population files: UPMaBoSS .upp and PopMaBoSS .pbnd/.pcfg -----------------------------------------------
UPP_WORDS = ["steps", "death", "division", "=", "u=", "$x", "$signal_level", "@Growth", "@Ghost", "p[", "]", "(",
             ")", "Growth", "Death", "#rand", "#pop_ratio", ";", "1", "0", "-1", "1e308", "nan", "\n", "/", "*", "?",
             ":", "//", "/*", "*/", "p[(Growth) = (1)]", "p[(Growth,Death) = (1,0)]"]
upp_texts = st.lists(st.sampled_from(UPP_WORDS) | st.text(max_size=3), max_size=40).map(" ".join)


@FUZZ
@given(text=upp_texts)
def test_upp_reader_contract(text):
    """A .upp text parses and fits the model, or is one clean line naming the file."""
    from booleanidt.population.upp import parse_upp
    model = booleanidt.read(POPULATION_DATA / "growth_signal.bnd", cfg_path=POPULATION_DATA / "growth_signal.cfg")
    try:
        parse_upp(text, "bad.upp").check_against(model.node_ids, model.parameters.keys())
    except BooleanidtError as exc:
        assert "\n" not in str(exc) and "bad.upp" in str(exc), str(exc)


PBND_WORDS = WORDS + ["division", "death", "rate", "A.daughter1", "B.daughter2", "#cell(A)", "#cell(", "#cell(!B)",
                      "init_pop", "pop_istate", "[A].pop_istate", "[{[1]: 2}]", "custom_pop_output", "1 /"]
pbnd_pieces = st.lists(st.sampled_from(PBND_WORDS + SYMBOLS) | st.text(max_size=3), max_size=60).map(" ".join)


@FUZZ
@given(pbnd=st.one_of(pbnd_pieces, pbnd_pieces.map(lambda r: f"node A {{ logic = A; rate_up = {r}; }}\n"
                                                              "node B { logic = A; }\n")),
       cfg=st.one_of(st.just(""), pbnd_pieces))
def test_pbnd_reader_contract(pbnd, cfg):
    """A .pbnd with its .pcfg reads, or is one clean line naming one of the two files."""
    from booleanidt.population.pbnd import loads_pbnd
    try:
        loads_pbnd(pbnd, cfg or None, source="bad.pbnd", cfg_source="bad.pcfg")
    except BooleanidtError as exc:
        assert "\n" not in str(exc) and ("bad.pbnd" in str(exc) or "bad.pcfg" in str(exc)), str(exc)
