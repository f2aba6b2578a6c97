"""Nodes by name on real maps: CaSQ maps (CellDesigner and SBML-qual), CellCollective, the shipped maps.

Each map is used the way its users speak of it: a node perturbed by its name, an ambiguous
name refused with its candidates, a typo answered with suggestions, the phenotypes as the
default outputs, and printouts and plots labelled by name.
"""
from __future__ import annotations

import concurrent.futures
import json
import logging
import warnings

import matplotlib
import pandas as pd
import pytest

import booleanidt
from booleanidt import analysis, maps, naming
from booleanidt.cli import main
from booleanidt.io import read
from booleanidt.simulation import simulate
from conftest import CELLDESIGNER, SBML_QUAL

matplotlib.use("Agg")

QUICK = dict(max_time=4, time_tick=1, sample_count=200, seed=3)
QUICK_CLI = ["--set", "max_time=4", "--set", "time_tick=1", "--set", "sample_count=200", "--no-progress"]
INTERFERON = SBML_QUAL / "118_INTERFERON-1__source.sbml"              # CaSQ-made (COVID-19 Disease Map)
MACROPHAGE = SBML_QUAL / "001_SIGNALING-IN-MACROPHAGE-ACTIVATION__source.raw.sbml"   # CellCollective, 321 nodes


def _quietly(function, *args):
    logging.disable(logging.WARNING)   # CaSQ logs each merge it makes
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return function(*args)
    finally:
        logging.disable(logging.NOTSET)


@pytest.fixture(scope="module")
def jnk():
    pytest.importorskip("casq")
    if not (CELLDESIGNER / "JNK_CD.xml").is_file():
        pytest.skip(f"reference corpus not found at {CELLDESIGNER}")
    return _quietly(read, CELLDESIGNER / "JNK_CD.xml")


@pytest.fixture(scope="module")
def interferon():
    if not INTERFERON.is_file():
        pytest.skip(f"reference corpus not found at {INTERFERON}")
    return _quietly(read, INTERFERON)


@pytest.fixture(scope="module")
def macrophage():
    if not MACROPHAGE.is_file():
        pytest.skip(f"reference corpus not found at {MACROPHAGE}")
    return _quietly(read, MACROPHAGE)


def _legend(ax) -> list:
    return [text.get_text() for text in ax.get_legend().get_texts()]


def _ticks(ax) -> list:
    return [text.get_text() for text in ax.get_yticklabels()]


# --- CellDesigner map through CaSQ ---------------------------------------------------------------

def test_celldesigner_map_by_name(jnk):
    apoptosis = jnk.resolve("Apoptosis")            # CaSQ's name: Apoptosis_phenotype
    assert jnk.nodes[apoptosis].name == "Apoptosis_phenotype"
    assert jnk.mutate({"Apoptosis_phenotype": 0}).mutations == {apoptosis: 0}
    assert jnk.fix({"innate immunity phenotype": 1}).fixed == {jnk.resolve("Innate_space_Immunity_phenotype"): 1}
    with pytest.raises(naming.NodeNameError) as ambiguous:
        jnk.resolve("JNK_complex")
    twins = [n for n, node in jnk.nodes.items() if node.name in ("JNK_complex_cell", "JNK_complex_cell_1")]
    assert len(twins) == 2 and all(f"{n} (" in str(ambiguous.value) for n in twins)
    with pytest.raises(naming.NodeNameError, match=rf"closest: Apoptosis_phenotype \({apoptosis}\)"):
        jnk.mutate({"Apoptosys_phenotype": 0})


def test_celldesigner_map_phenotypes_are_the_default_outputs(jnk, tmp_path, capsys):
    phenotypes = [n for n, node in jnk.nodes.items() if node.name.endswith("_phenotype")]
    assert len(phenotypes) == 4 and list(jnk.phenotypes) == phenotypes
    out = tmp_path / "jnk"
    assert main(["simulate", str(CELLDESIGNER / "JNK_CD.xml"), "--mutant", "Apoptosis=OFF", "-o", str(out)]
                + QUICK_CLI) == 0
    printed = capsys.readouterr().out
    run = json.loads((out / "run.json").read_text())
    assert run["outputs"] == phenotypes and run["mutants"] == {jnk.resolve("Apoptosis"): 0}
    assert "Innate Immunity_phenotype" in printed and "TP53 signalling_phenotype" in printed


# --- CaSQ-made SBML-qual ------------------------------------------------------------------------

def test_casq_sbml_by_name(interferon):
    response = interferon.resolve("type I IFN response")
    assert interferon.nodes[response].name == "type I IFN response_phenotype"
    assert interferon.mutate({"type I IFN response_phenotype": 1}).mutations == {response: 1}
    with pytest.raises(naming.NodeNameError) as ambiguous:   # two species share this name
        interferon.mutate({"IFNB1_extracellular space": 1})
    assert "is ambiguous: sa3 (IFNB1_extracellular space, comp1), sa27 (IFNB1_extracellular space, comp1)" \
        in str(ambiguous.value)
    with pytest.raises(naming.NodeNameError, match=r"closest: .*ISG expression_antiviral response_phenotype \(sa81\)"):
        interferon.resolve("ISG expresion_antiviral response_phenotype")


def test_casq_sbml_phenotypes_labels_and_plots(interferon):
    assert interferon.phenotypes == ("sa81", "sa162", "sa196", "sa260")
    result = simulate(interferon.mutate({"JAK1": 0}), outputs=interferon.phenotypes, **QUICK)
    summary = result.summary()
    assert "type I IFN response_phenotype" in summary and "sa260" not in summary
    ax = result.plot_trajectories()
    assert [label.replace("_\n", "_").replace("\n", " ") for label in _legend(ax)] == [
        "ISG expression_antiviral response_phenotype", "Viral replication_phenotype",
        "Proinflammatory cytokine expression_Inflammation_phenotype", "type I IFN response_phenotype"]
    bars = result.plot_final_states(ax=matplotlib.pyplot.subplots()[1])
    assert all("sa" not in tick.split("_")[0] for tick in _ticks(bars))
    matplotlib.pyplot.close("all")



def test_casq_sbml_schedule_and_initial_state_by_name(interferon):
    """Scheduled perturbations and initial probabilities take names as mutants do (API)."""
    response = interferon.resolve("type I IFN response")
    assert interferon.schedule({"type I IFN response": [(2, 0.5)]}).schedules[response][0][0] == 2.0
    assert interferon.with_initial_probabilities({"type I IFN response_phenotype": 0.25}) \
        .initial_probabilities[response] == 0.25
    for perturb, what in ((lambda m, n: m.schedule({n: [(1, 1.0)]}), "schedule"),
                          (lambda m, n: m.with_initial_probabilities({n: 1.0}), "initial probability")):
        with pytest.raises(naming.NodeNameError, match=rf"^{what}: node 'IFNB1_extracellular space' is "
                           r"ambiguous: sa3 \(IFNB1_extracellular space, comp1\), sa27 "):
            perturb(interferon, "IFNB1_extracellular space")
        with pytest.raises(naming.NodeNameError, match=rf"^{what}: unknown node 'type I IFN respons_phenotype' "
                           rf"\(closest: type I IFN response_phenotype \({response}\)"):
            perturb(interferon, "type I IFN respons_phenotype")


def test_casq_sbml_schedule_option_by_name(tmp_path, capsys, interferon):
    response = interferon.resolve("type I IFN response")
    out = tmp_path / "scheduled"
    assert main(["simulate", str(INTERFERON), "--schedule", "type I IFN response=1:0.5", "-o", str(out)]
                + QUICK_CLI) == 0
    assert json.loads((out / "run.json").read_text())["schedules"] == {response: [[1.0, "Const(value=0.5)"]]}
    capsys.readouterr()
    assert main(["simulate", str(INTERFERON), "--schedule", "IFNB1_extracellular space=1:0.5",
                 "-o", str(tmp_path / "bad")] + QUICK_CLI) == 2
    assert "schedule: node 'IFNB1_extracellular space' is ambiguous: sa3 (" in capsys.readouterr().err
    assert main(["simulate", str(INTERFERON), "--schedule", "type I IFN respons=1:0.5",
                 "-o", str(tmp_path / "bad")] + QUICK_CLI) == 2
    assert "unknown node 'type I IFN respons' (closest: type I IFN response_phenotype" in capsys.readouterr().err
    assert not (tmp_path / "bad").exists()


def test_sensitivity_cohort_and_treat_outputs_and_targets_by_name():
    from booleanidt import cohort
    from booleanidt.expr import Const, IfThenElse, Logic, Param, Var
    from booleanidt.model import LogicalModel, Node
    from booleanidt.simulation.rate_sensitivity import sensitivity
    from booleanidt.simulation.settings import SimulationSettings
    from booleanidt.treatment.screen import treat

    model = LogicalModel.from_rules({"A": Const(1), "B": Var("A")}, nodes={"A": Node("A", name="TNF"),
                                                                         "B": Node("B", name="Apoptosis_phenotype")},
                                    rates_up={"B": IfThenElse(Logic(), Param("k"), Const(0))}, parameters={"k": 0.5})
    settings = SimulationSettings(max_time=1, time_tick=1, sample_count=100)
    assert set(sensitivity(model, ["Apoptosis"], settings=settings).table["output"]) == {"B"}
    typo = r"unknown node 'Apoptosys_phenotype' \(closest: Apoptosis_phenotype \(B\)"
    with pytest.raises(naming.NodeNameError, match=typo):
        sensitivity(model, "Apoptosys_phenotype", settings=settings)
    serial = concurrent.futures.ThreadPoolExecutor(1)
    scores = cohort.run(model, {"P1": {}}, ["Apoptosis"], settings=settings, executor=serial)
    assert list(scores.columns[:2]) == ["B", "B_se"]
    treated = treat(model, {"P1": {}}, ["TNF"], "1 - Apoptosis_phenotype", settings=settings, executor=serial)
    assert set(treated["treatment"]) == {"untreated", "A"}
    assert (treated["objective"] == 1 - treated["B"]).all()   # the objective names B by its name


# --- CellCollective -----------------------------------------------------------------------------

def test_cellcollective_names_instead_of_ids(macrophage, tmp_path, capsys):
    assert macrophage.resolve("CD40LG") == "S_22" and macrophage.find("cd40lg")[0] == "S_22"
    with pytest.raises(naming.NodeNameError, match=r"unknown node 'CD40LGG' \(closest: CD40LG \(S_22\)"):
        macrophage.resolve("CD40LGG")
    out = tmp_path / "macrophage"
    assert main(["simulate", str(MACROPHAGE), "--mutant", "CD40LG=ON", "-o", str(out), "--plot"] + QUICK_CLI) == 0
    printed = capsys.readouterr().out
    run = json.loads((out / "run.json").read_text())
    assert run["mutants"] == {"S_22": 1}
    assert run["outputs"] == list(macrophage.outputs) == list(macrophage.phenotypes)   # no phenotype species
    assert f"... and {len(macrophage.outputs) - 30} more, see nodes.csv" in printed
    assert "Apoptosis" in printed and "S_" not in printed
    names = (out / "names.csv").read_text().splitlines()
    assert "S_22\tCD40LG\textracellular\tCD40LG" in names


def test_cellcollective_gene_mapping_by_name(macrophage):
    from booleanidt.personalization.mapping import loads_mapping

    mapping = loads_mapping("Node\tHGNC\nCD40LG\tCD40LG\nIFNB1gene\tIFNB1\n", "genes.txt", model=macrophage)
    assert mapping.node_genes == {"S_22": ("CD40LG",), macrophage.resolve("IFNB1gene"): ("IFNB1",)}


def test_cellcollective_screen_api_by_name(macrophage):
    from booleanidt.analysis import knockouts

    assert [p.mutations for p in knockouts(macrophage, ["CD40LG", "Apoptosis"])] == \
        [(("S_22", 0),), ((macrophage.resolve("Apoptosis"), 0),)]
    assert [p.mutations for p in knockouts(macrophage, ["CD40LG", "Apoptosis"], exclude=["Apoptosis"])] == \
        [(("S_22", 0),)]


def test_cellcollective_personalization_by_name(macrophage):
    patient = booleanidt.personalize(macrophage, continuous={"CD40LG": 0.25}, discrete={"Apoptosis": 0},
                                     continuous_as="initial", drugs={"IFNB1gene": 0.5})
    assert patient.initial_probabilities["S_22"] == 0.25 and patient.fixed == {macrophage.resolve("Apoptosis"): 0}
    assert f"anti_{macrophage.resolve('IFNB1gene')}" in patient.nodes


def test_cellcollective_plot_keeps_a_dozen_named_lines(macrophage):
    with pytest.warns(UserWarning, match="68 output nodes: output-state probabilities are not tracked"):
        result = simulate(macrophage, outputs=macrophage.outputs, **QUICK)
    ax = result.plot_trajectories()
    legend = _legend(ax)
    assert len(legend) == 12 and len(macrophage.outputs) > 12
    assert set(legend) <= {macrophage.nodes[n].name for n in macrophage.outputs}
    assert ax.get_title() == f"the 12 of {len(macrophage.outputs)} nodes that change most (all in nodes.csv)"
    matplotlib.pyplot.close("all")


def test_cellcollective_result_nodes_by_name(macrophage):
    """A result's own methods take the names too (CD40LG is S_22): the plot, pyMaBoSS's table, typos."""
    result = simulate(macrophage, outputs=["CD40LG"], **QUICK)
    assert result.node_ids("CD40LG, cd40lg") == ["S_22", "S_22"]
    assert list(result.get_nodes_probtraj(["CD40LG"]).columns) == ["S_22"]
    assert _legend(result.plot_trajectories(nodes=["CD40LG"])) == ["CD40LG"]
    with pytest.raises(naming.NodeNameError, match="nodes: unknown node 'CD40LGG' \\(closest: CD40LG"):
        result.plot_trajectories(nodes=["CD40LGG"])
    matplotlib.pyplot.close("all")


# --- shipped maps -------------------------------------------------------------------------------

def test_shipped_map_outputs_are_its_phenotypes(tmp_path, capsys):
    out = tmp_path / "th"
    assert main(["simulate", "th_naldi2010", "-o", str(out)] + QUICK_CLI) == 0
    captured = capsys.readouterr()
    assert json.loads((out / "run.json").read_text())["outputs"] == ["TBET", "GATA3", "RORGT", "FOXP3"]
    assert (out / "probtraj.csv").is_file() and "output nodes" not in captured.err
    assert "TBET" in captured.out
    summary = pd.read_csv(out / "fixed_points.csv", sep="\t")
    assert list(summary.columns) == ["Proba", "TBET", "GATA3", "RORGT", "FOXP3"]
    assert summary["Proba"].is_monotonic_decreasing and not (out / "fp.csv").exists()


def test_full_fixed_point_table_on_request(tmp_path):
    out = tmp_path / "th"
    assert main(["simulate", "th_naldi2010", "-o", str(out), "--full-fp"] + QUICK_CLI) == 0
    full = pd.read_parquet(out / "fp.parquet")
    by_outputs = pd.read_csv(out / "fixed_points.csv", sep="\t")
    assert len(full.columns) == 2 + 71 and full["Proba"].sum() == pytest.approx(by_outputs["Proba"].sum())
    assert (out / "fp.csv").read_text().startswith(f"Fixed Points ({len(full)})")


def test_shipped_map_by_name():
    model = maps.load("ra_synovial_fibroblast")
    assert model.phenotypes == ("Apoptosis", "Proliferation", "Inflammation")
    tnf = model.resolve("tumour necrosis factor in the joint")
    assert model.fix({"tumour necrosis factor in the joint": 1}).fixed == {tnf: 1}
    with pytest.raises(naming.NodeNameError, match=r"closest: .*Apoptosis"):
        model.mutate({"Apoptosys": 1})
    assert naming.labels(model)["Apoptosis"] == "Apoptosis"   # shown by id: the names are descriptions


def test_sbo_phenotype_is_read_kept_and_a_default_output():
    from booleanidt.expr import Var
    from booleanidt.io import sbmlqual
    from booleanidt.model import LogicalModel, Node

    model = LogicalModel.from_rules({"A": None, "B": Var("A"), "C": Var("A")},
                                    nodes={"A": Node("A"), "B": Node("B", name="cell death"), "C": Node("C")})
    text = sbmlqual.dumps(model).replace('qual:id="B"', 'qual:id="B" sboTerm="SBO:0000358"')
    back = sbmlqual.loads(text)
    assert back.phenotypes == ("B",)                       # C regulates nothing too, but B is the phenotype
    assert 'sboTerm="SBO:0000358"' in sbmlqual.dumps(back)


def test_celldesigner_map_stable_states_by_name(jnk, capsys):
    inputs = "SARS-CoV-1 proteins=1,JNK_complex_cell_1=1,3b=0,7a=0,3a=0,S=0"
    assert _quietly(main, ["analyze", str(CELLDESIGNER / "JNK_CD.xml"), "--fixed-points", "--inputs", inputs]) == 0
    header, row = capsys.readouterr().out.splitlines()[:2]
    assert header.split()[:3] == ["Innate", "Immunity_phenotype", "Apoptosis_phenotype"]   # phenotypes first
    assert row.split()[:4] == ["1", "0", "1", "1"]


def test_attractor_search_says_how_many_inputs_are_free(capsys):
    assert main(["analyze", "th_naldi2010", "--attractors", "--time-limit", "0.5"]) == 2
    err = capsys.readouterr().err
    assert "searching attractors with 13 free inputs" in err and "each of the 8,192 input combinations" in err


def test_short_reprs_for_notebooks(interferon):
    assert repr(interferon) == "<LogicalModel 'model_id': 121 nodes, 55 inputs, 190 edges>"
    html = interferon.mutate({"JAK1": 0})._repr_html_()
    assert "type I IFN response_phenotype" in html and "JAK1=0" in html and len(html) < 2000
    result = simulate(interferon, outputs=interferon.phenotypes, **QUICK)
    assert repr(result).startswith("<SimulationResult: 200 trajectories, 4 windows, 121 nodes, 4 outputs")
    assert "type I IFN response_phenotype" in result._repr_html_()


def test_analysis_tables_put_outputs_named_by_name_first(jnk):
    inputs = {"SARS-CoV-1 proteins": 1, "JNK_complex_cell_1": 1, "3b": 0, "7a": 0, "3a": 0, "S": 0}
    table = analysis.fixed_points(jnk, inputs, outputs=["Apoptosis", "Innate Immunity"])
    assert list(table.columns[:2]) == [jnk.resolve("Apoptosis"), jnk.resolve("Innate Immunity")]
    with pytest.raises(naming.NodeNameError, match=r"^outputs: unknown node 'Apoptosys_phenotype' \(closest: "):
        analysis.fixed_points(jnk, inputs, outputs=["Apoptosys_phenotype"])
