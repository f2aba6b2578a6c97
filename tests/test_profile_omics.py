"""Omics tables, RPPA antibodies, gene -> node mapping and profiles (booleanidt.personalization)."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from booleanidt.errors import InputError
from booleanidt.expr import Var
from booleanidt.model import Annotation, LogicalModel, Node
from booleanidt.personalization import (GeneMapping, Profiles, genes_to_nodes, merge_preferring_first,
                                        read_antibody_table, read_mapping, read_rppa, read_table)
from booleanidt.personalization.mapping import loads_mapping
from booleanidt.personalization.omics import loads_table
from conftest import PROFILE, needs_corpus

TCGA = PROFILE / "tcga"


def _annotated(node_id, name, *uris):
    return Node(node_id, name=name, annotations=(Annotation("bqbiol:is", uris),))


@pytest.fixture
def model():
    nodes = {
        "s1": _annotated("s1", "p53", "urn:miriam:hgnc.symbol:TP53"),
        "s2": _annotated("s2", "Cyclin D", "http://identifiers.org/hgnc.symbol/CCND1",
                         "http://identifiers.org/hgnc.symbol/CCND2"),
        "s3": _annotated("s3", "EGFR protein", "http://identifiers.org/uniprot/P00533"),
        "s4": _annotated("s4", "MYC", "http://identifiers.org/ensembl/ENSG00000136997"),
        "AKT1": Node("AKT1"),
    }
    rules = {"s1": None, "s2": Var("s1"), "s3": Var("s2"), "s4": Var("s3"), "AKT1": Var("s4")}
    return LogicalModel.from_rules(rules, nodes=nodes)


# --- tables -----------------------------------------------------------------------------------

def _write(path, text):
    path.write_text(text)
    return path


def test_genes_x_samples_and_samples_x_genes_give_the_same_table(tmp_path):
    by_gene = _write(tmp_path / "rna.tsv", "gene\tS1\tS2\nTP53\t1.5\tNA\nCCND1\t0\t3\n")
    by_sample = _write(tmp_path / "rna.csv", "sample,TP53,CCND1\nS1,1.5,0\nS2,,3\n")
    a = read_table(by_gene, genes=["TP53", "CCND1"])
    b = read_table(by_sample, genes=["TP53", "CCND1"])
    assert a.attrs["orientation"] == "genes x samples" and b.attrs["orientation"] == "samples x genes"
    pd.testing.assert_frame_equal(a, b)
    assert a.loc["S1", "TP53"] == 1.5 and math.isnan(a.loc["S2", "TP53"])


def test_ensembl_versions_are_dropped_from_gene_labels(tmp_path):
    path = _write(tmp_path / "rna.tsv", "gene\tS1\nENSG00000136997.12\t1\nENSG00000141510\t2\n")
    assert list(read_table(path, orientation="genes x samples").columns) == ["ENSG00000136997", "ENSG00000141510"]


def test_orientation_without_known_genes_takes_the_longer_axis_as_genes_and_can_be_forced(tmp_path):
    path = _write(tmp_path / "rna.tsv", "id\tA\tB\nG1\t1\t2\nG2\t3\t4\nG3\t5\t6\n")
    with pytest.warns(UserWarning, match="no known gene tells the layout; read as genes x samples"):
        assert list(read_table(path).index) == ["A", "B"]
    assert list(read_table(path, orientation="samples x genes").index) == ["G1", "G2", "G3"]


def test_parquet_tables_are_read(tmp_path):
    frame = pd.DataFrame({"TP53": [1.0, 2.0], "MYC": [0.5, np.nan]}, index=pd.Index(["S1", "S2"], name="sample"))
    frame.to_parquet(tmp_path / "rna.parquet")
    table = read_table(tmp_path / "rna.parquet", orientation="samples x genes")
    assert table.loc["S1"].to_dict() == {"TP53": 1.0, "MYC": 0.5}
    assert table.loc["S2", "TP53"] == 2.0 and math.isnan(table.loc["S2", "MYC"])


def test_tcga_barcodes_can_be_cut_to_sample_ids(tmp_path):
    path = _write(tmp_path / "rna.tsv", "gene\tTCGA-A1-A0SB-01A-11\tTCGA-A1-A0SD-01A-11\nTP53\t1\t2\n")
    assert list(read_table(path, genes=["TP53"], sample_id_length=15).index) == ["TCGA-A1-A0SB-01",
                                                                                 "TCGA-A1-A0SD-01"]


def test_duplicated_sample_ids_are_refused(tmp_path):
    path = _write(tmp_path / "rna.tsv", "gene\tS1\tS2\tS1\nTP53\t1\t2\t3\n")
    with pytest.raises(InputError) as error:
        read_table(path, genes=["TP53"])
    assert str(error.value) == f"{path}: sample S1: appears more than once (genes x samples)"


def test_barcodes_that_collide_once_cut_are_refused(tmp_path):
    path = _write(tmp_path / "rna.tsv", "gene\tTCGA-A1-A0SB-01A\tTCGA-A1-A0SB-01B\nTP53\t1\t2\n")
    with pytest.raises(InputError) as error:
        read_table(path, genes=["TP53"], sample_id_length=15)
    assert str(error.value) == f"{path}: sample TCGA-A1-A0SB-01: appears more than once (genes x samples)"


def test_a_value_that_is_not_a_number_names_its_line_row_and_column(tmp_path):
    path = _write(tmp_path / "rna.tsv", "gene\tS1\tS2\nTP53\t1\t2\nMYC\t3\thigh\n")
    with pytest.raises(InputError) as error:
        read_table(path, genes=["TP53"])
    assert str(error.value) == f"{path}: line 3 (row MYC), column S2: 'high' is not a number"


def test_loads_table_sees_repeated_sample_ids_too():
    with pytest.raises(InputError, match=r"^<rna>: sample S1: appears more than once \(genes x samples\)$"):
        loads_table("gene,S1,S1\nTP53,1,2\n", "<rna>", genes=["TP53"])


def test_a_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError) as error:
        read_table(tmp_path / "absent.tsv")
    assert str(error.value) == f"{tmp_path / 'absent.tsv'}: no such file"


def test_anndata_files_are_read_when_anndata_is_installed(tmp_path):
    anndata = pytest.importorskip("anndata")
    data = anndata.AnnData(X=np.array([[1.0, 2.0], [3.0, 4.0]]),
                           obs=pd.DataFrame(index=["S1", "S2"]), var=pd.DataFrame(index=["TP53", "MYC"]))
    data.write_h5ad(tmp_path / "x.h5ad")
    from booleanidt.personalization import read_anndata
    assert read_anndata(tmp_path / "x.h5ad").loc["S2", "MYC"] == 4.0


# --- mapping ----------------------------------------------------------------------------------

def test_mapping_from_annotations_uses_hgnc_uniprot_ensembl_and_names(model):
    mapping = GeneMapping.from_model(model)
    assert mapping.node_genes == {"s1": ("TP53",), "s2": ("CCND1", "CCND2"),
                                  "s3": ("P00533", "EGFR protein", "s3", "EGFR PROTEIN", "S3"),
                                  "s4": ("ENSG00000136997", "MYC", "s4", "S4"), "AKT1": ("AKT1",)}


@needs_corpus
def test_mapping_of_a_model_annotated_with_genenames_links():
    import booleanidt
    model = booleanidt.read(PROFILE.parent / "sbml-qual" / "Cacace_TdevModel_SBML_2nov2019.sbml")
    genes = GeneMapping.from_model(model).node_genes
    # annotated with https://www.genenames.org/.../hgnc_id/HGNC:1834 and named CEBPb
    assert genes["CEBPb"] == ("HGNC:1834", "CEBPb", "CEBPB")


def test_mapping_report_counts_covered_nodes_unused_genes_and_conflicts(model):
    mapping = GeneMapping.from_model(model)
    calls = pd.DataFrame({"CCND1": [1.0, 1.0, 0.0], "CCND2": [0.0, 1.0, np.nan], "XIST": [1.0, 0.0, 1.0],
                          "ENSG00000136997.12": [np.nan, 1.0, 1.0]}, index=["P1", "P2", "P3"])
    calls.columns = [c.split(".")[0] for c in calls.columns]  # Ensembl versions are dropped by the reader
    report = mapping.report(calls.columns, calls)
    assert report.nodes_covered == ["s2", "s4"]
    assert report.nodes_missing == ["s1", "s3", "AKT1"]
    assert report.genes_unused == ["XIST"]
    assert report.conflicts == {"s2": 1}  # P1: CCND1 = 1, CCND2 = 0
    frame = report.to_frame()
    assert frame.loc[frame.node == "s2", "conflicting_samples"].item() == 1
    assert frame.loc[frame.status == "gene unused", "genes"].tolist() == ["XIST"]


def test_mapping_file_overrides_the_annotations(model, tmp_path):
    path = _write(tmp_path / "map.txt", "Node\tHGNC.symbols\ns1\tTP53, TP63\nAKT1\t\n")
    mapping = GeneMapping.from_model(model).updated(read_mapping(path, model))
    assert mapping.node_genes["s1"] == ("TP53", "TP63")
    assert mapping.node_genes["AKT1"] == ()
    assert mapping.node_genes["s2"] == ("CCND1", "CCND2")


def test_mapping_file_naming_unknown_nodes_is_refused(model, tmp_path):
    path = _write(tmp_path / "map.txt", "Node\tHGNC.symbols\ns1\tTP53\nRAS\tKRAS, HRAS\nWNT\tWNT1\n")
    with pytest.raises(InputError) as error:
        read_mapping(path, model)
    assert str(error.value) == f"{path}: nodes: 2 node(s) not in the model: RAS, WNT"


def test_a_table_with_no_gene_of_the_model_is_refused(model, tmp_path):
    path = _write(tmp_path / "rna.tsv", "gene\tS1\tS2\nXIST\t1\t2\nGAPDH\t3\t4\nACTB\t5\t6\n")
    table = read_table(path, orientation="genes x samples")
    with pytest.raises(InputError) as error:
        Profiles.from_tables(GeneMapping.from_model(model), continuous=table)
    assert str(error.value) == (f"{path}: genes: none of the 3 genes (XIST, GAPDH, ACTB) maps to a model node "
                                "(mapping from model annotations)")


@needs_corpus
def test_profile_names_to_hugo_file_reads_every_fumia_node():
    mapping = read_mapping(PROFILE / "models" / "Fumia2013" / "Fumia_namesToHugo_curated.txt")
    assert len(mapping.node_genes) == 98
    assert mapping.node_genes["RTK"][:3] == ("ERBB2", "ERBB3", "ERBB4")  # written without spaces
    assert mapping.node_genes["CyclinD"] == ("CCND1", "CCND2", "CCND3")
    assert mapping.node_genes["ATM_ATR"] == () and mapping.node_genes["Smad2_3_Smad4_Miz_1"] == ()


# --- profiles -----------------------------------------------------------------------------------

def test_node_values_average_genes_and_keep_binary_values_only_when_genes_agree():
    mapping = {"CyclinD": ("CCND1", "CCND2", "CCND3"), "P53": ("TP53",)}
    continuous = pd.DataFrame({"CCND1": [0.2, 0.9], "CCND2": [0.6, np.nan], "TP53": [np.nan, 0.1]},
                              index=["P1", "P2"])
    nodes = genes_to_nodes(continuous, mapping)
    assert nodes.loc["P1", "CyclinD"] == pytest.approx(0.4)
    assert nodes.loc["P2", "CyclinD"] == pytest.approx(0.9)  # missing genes are left out of the mean
    assert math.isnan(nodes.loc["P1", "P53"])
    discrete = pd.DataFrame({"CCND1": [1.0, 1.0, 0.0], "CCND2": [1.0, 0.0, np.nan]}, index=["P1", "P2", "P3"])
    calls = genes_to_nodes(discrete, mapping, "discrete")["CyclinD"]
    assert calls["P1"] == 1.0 and math.isnan(calls["P2"]) and calls["P3"] == 0.0


def test_profiles_are_the_plain_dicts_apply_takes():
    profiles = Profiles(continuous=pd.DataFrame({"A": [0.25, np.nan]}, index=["P1", "P2"]),
                        discrete=pd.DataFrame({"B": [np.nan, 1.0]}, index=["P1", "P3"]))
    assert list(profiles) == ["P1", "P2", "P3"]
    assert profiles["P1"] == {"continuous": {"A": 0.25}, "discrete": {}}
    assert profiles["P3"] == {"continuous": {}, "discrete": {"B": 1}}
    assert isinstance(profiles["P3"]["discrete"]["B"], int)


def test_profiles_refuse_values_out_of_range_and_duplicated_samples():
    with pytest.raises(InputError, match=r"^<continuous profiles>: values must lie in \[0, 1\]$"):
        Profiles(continuous=pd.DataFrame({"A": [1.5]}))
    with pytest.raises(InputError, match=r"^<discrete profiles>: sample P1: appears more than once$"):
        Profiles(discrete=pd.DataFrame({"A": [1.0, 0.0]}, index=["P1", "P1"]))


def test_phospho_over_total_over_rna():
    phospho = pd.DataFrame({"AKT1": [0.9]}, index=["P1"])
    total = pd.DataFrame({"AKT1": [0.1], "MTOR": [0.2]}, index=["P1"])
    rna = pd.DataFrame({"AKT1": [0.5], "MTOR": [0.5], "MYC": [0.7]}, index=["P1"])
    assert merge_preferring_first(phospho, total, rna).loc["P1"].to_dict() == {"AKT1": 0.9, "MTOR": 0.2, "MYC": 0.7}


@needs_corpus
def test_processed_profile_tables_are_node_tables():
    mapping = read_mapping(PROFILE / "models" / "Fumia2013" / "Fumia_namesToHugo_curated.txt")
    continuous = read_table(TCGA / "Fumia_TCGA_RNA_norm.csv", genes=mapping.node_genes)
    discrete = read_table(TCGA / "Fumia_TCGA_mutCNA.csv", genes=mapping.node_genes)
    profiles = Profiles.from_tables(mapping, continuous, discrete)
    assert len(profiles.continuous) == 817 and len(profiles.discrete) == 816  # file lines minus the header
    first = profiles["TCGA-A1-A0SD-01"]
    assert all(0 <= v <= 1 for v in first["continuous"].values())
    assert set(first["discrete"].values()) <= {0, 1}


# --- RPPA ---------------------------------------------------------------------------------------

@needs_corpus
def test_rppa_quirks_of_the_tcga_files():
    antibodies = read_antibody_table(TCGA / "RPPA_corres_TCGA.xlsx")  # header " Genes", '?' in Phospho
    assert len(antibodies) == 244
    assert antibodies.loc["akt", "genes"] == ("AKT1", "AKT2", "AKT3")
    assert math.isnan(antibodies.loc["pea15_ps116", "phospho"])
    protein = read_rppa(TCGA / "data_rppa.txt", antibodies, sample_id_length=15)
    assert protein.values.shape == (673, 226)  # the header's trailing tab makes no column
    assert all(len(s) == 15 for s in protein.values.index)
    assert protein.antibodies["in_table"].all()  # suffixes (-R-V) and case do not stop the join
    # "CHEK1|Chk1_pS296;CHEK1|CHK1_pS296": the first antibody, found in the table as CHK1_pS296
    assert protein.antibodies.loc["Chk1_pS296", ["genes", "phospho"]].tolist() == [("CHEK1",), 1.0]
    assert protein.antibodies.loc["4E-BP1_pS65", "phospho"] == -1.0
    # genes as the data file writes them (PDK1) or as the antibody table does (PDPK1)
    assert protein.antibodies.loc["PDK1_pS241", "genes"] == ("PDK1",)
    by_table = read_rppa(TCGA / "data_rppa.txt", antibodies, genes_from="table", sample_id_length=15)
    assert by_table.antibodies.loc["PDK1_pS241", "genes"] == ("PDPK1",)


@needs_corpus
def test_rppa_gene_level_averages_antibodies_and_can_flip_inhibitory_phospho():
    protein = read_rppa(TCGA / "data_rppa.txt", TCGA / "RPPA_corres_TCGA.xlsx", sample_id_length=15)
    values = protein.values
    all_akt = protein.gene_level()["AKT2"]
    assert all_akt.to_numpy() == pytest.approx(values[["Akt", "Akt_pS473", "Akt_pT308"]].mean(axis=1).to_numpy())
    assert protein.gene_level(which="total")["AKT2"].equals(values["Akt"].rename("AKT2"))
    scaled = (values - values.min()) / (values.max() - values.min())
    flipped = protein.gene_level(scaled, which="phospho", flip_inhibitory=True)["EIF4EBP1"]
    expected = (1 - scaled[["4E-BP1_pS65", "4E-BP1_pT37_T46", "4E-BP1_pT70"]]).mean(axis=1)
    assert flipped.to_numpy() == pytest.approx(expected.to_numpy())


def test_antibody_table_missing_columns_is_refused(tmp_path):
    path = _write(tmp_path / "ab.csv", "Ab,Gene\nAkt,AKT1\n")
    with pytest.raises(InputError) as error:
        read_antibody_table(path)
    assert str(error.value) == f"{path}: header: missing column(s) phospho (found: Ab, Gene)"


def test_mapping_text_without_nodes_is_refused():
    with pytest.raises(InputError, match=r"^m\.txt: no node -> genes line after the header$"):
        loads_mapping("Node\tHGNC.symbols\n", "m.txt")
