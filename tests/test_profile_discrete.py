"""Mutations and CNA -> forced 0/1 with PROFILE's precedence rules (booleanidt.personalization.discrete)."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from booleanidt.errors import InputError
from booleanidt.personalization import (INACTIVATING_CLASSES, cna_calls, combine_discrete, mutation_calls,
                                        mutation_effects, read_gene_roles, read_mutations, read_oncokb)
from booleanidt.personalization.discrete import mutations_from_frame
from conftest import PROFILE, needs_corpus


def _maf(*rows):
    """Mutation rows (sample, gene, class, protein change[, polyphen, sift, oncokb])."""
    columns = ["sample", "gene", "variant_class", "protein_change", "polyphen", "sift", "oncokb_effect"]
    return mutations_from_frame(pd.DataFrame([list(r) + [""] * (7 - len(r)) for r in rows], columns=columns))


def _call(mutations, **options):
    return mutation_effects(mutations, **options)["call"].tolist()


@pytest.mark.parametrize("variant_class", sorted(INACTIVATING_CLASSES))
def test_truncating_classes_are_loss_of_function(variant_class):
    assert _call(_maf(("P", "MYC", variant_class, "X1_splice"))) == [0.0]


@pytest.mark.parametrize("variant_class", ["Nonstop_Mutation", "Splice_Region", "In_Frame_Del", "Missense_Mutation"])
def test_other_classes_alone_say_nothing(variant_class):
    assert math.isnan(_call(_maf(("P", "MYC", variant_class, "A1B")))[0])


def test_oncokb_gain_and_loss_override_the_class_rule():
    oncokb = {"KRAS_G12D": "Gain-of-function", "TP53_Q136*": "Likely Loss-of-function", "EGFR_A1B": "Neutral"}
    mutations = _maf(("P", "KRAS", "Missense_Mutation", "p.G12D"),
                     ("P", "TP53", "Nonsense_Mutation", "Q136*"),
                     ("P", "EGFR", "Nonsense_Mutation", "A1B"))
    effects = mutation_effects(mutations, oncokb=oncokb, oncogenes={"EGFR"})
    assert effects["call"].tolist() == [1.0, 0.0, 0.0]  # neutral OncoKB keeps the truncation's 0
    assert effects["method"].tolist() == ["OncoKB"] * 3


def test_an_oncokb_gain_turns_a_truncating_class_into_gain():
    assert _call(_maf(("P", "NOTCH1", "Frame_Shift_Del", "P2514fs")), oncokb={"NOTCH1_P2514fs": "Gain-of-function"}) \
        == [1.0]


def test_an_effect_column_in_the_mutation_table_counts_as_oncokb():
    assert _call(_maf(("P", "PIK3CA", "Missense_Mutation", "H1047R", "", "", "Gain-of-function"))) == [1.0]


def test_oncogenes_and_tumour_suppressors_need_polyphen_or_sift():
    mutations = _maf(("P", "PIK3CA", "Missense_Mutation", "E545K", "probably_damaging", "tolerated"),
                     ("P", "PIK3CA", "Missense_Mutation", "E542K", "benign", "deleterious(0.01)"),
                     ("P", "PIK3CA", "Missense_Mutation", "E000K", "benign", "tolerated"),
                     ("P", "PTEN", "Missense_Mutation", "R130Q", "possibly_damaging", ""),
                     ("P", "BRCA2", "Missense_Mutation", "A1B", "probably_damaging", "deleterious"),
                     ("P", "DUAL", "Missense_Mutation", "A1B", "probably_damaging", ""))
    calls = _call(mutations, oncogenes={"PIK3CA", "DUAL"}, tumor_suppressors={"PTEN", "DUAL"})
    assert calls[:2] == [1.0, 1.0]
    assert math.isnan(calls[2])  # neither damaging nor deleterious
    assert calls[3] == 0.0
    assert math.isnan(calls[4])  # a gene of neither role
    assert calls[5] == 0.0  # both roles: the tumour-suppressor rule is applied last


def test_silent_and_oncokb_listed_mutations_skip_the_role_rule():
    mutations = _maf(("P", "PIK3CA", "Silent", "E545E", "probably_damaging"),
                     ("P", "PIK3CA", "Missense_Mutation", "E545K", "probably_damaging"))
    calls = _call(mutations, oncokb={"PIK3CA_E545K": "Inconclusive"}, oncogenes={"PIK3CA"})
    assert math.isnan(calls[0]) and math.isnan(calls[1])


def test_several_mutations_of_a_gene_zero_beats_one_beats_na():
    mutations = _maf(("P1", "TP53", "Missense_Mutation", "R175H"),    # 1 (OncoKB gain, below)
                     ("P1", "TP53", "Nonsense_Mutation", "R196*"),    # 0
                     ("P1", "TP53", "Missense_Mutation", "A1B"),      # NA
                     ("P2", "TP53", "Missense_Mutation", "R175H"),    # 1
                     ("P2", "TP53", "Missense_Mutation", "A1B"),      # NA
                     ("P3", "TP53", "Missense_Mutation", "A1B"))      # NA
    table = mutation_calls(mutations, oncokb={"TP53_R175H": "Gain-of-function"})
    assert table.loc["P1", "TP53"] == 0.0
    assert table.loc["P2", "TP53"] == 1.0
    assert math.isnan(table.loc["P3", "TP53"])


def test_cna_only_deep_deletions_and_amplifications_count():
    cna = pd.DataFrame({"MYC": [2, 1, 0, -1, -2, np.nan]}, index=list("ABCDEF"))
    calls = cna_calls(cna)["MYC"].tolist()
    assert calls[0] == 1.0 and calls[4] == 0.0
    assert all(math.isnan(v) for v in calls[1:4] + calls[5:])


def test_mutations_win_over_cna_which_fills_the_gaps():
    mutations = pd.DataFrame({"TP53": [0.0, np.nan, 1.0]}, index=["P1", "P2", "P3"])
    cna = pd.DataFrame({"TP53": [1.0, 0.0, np.nan], "MYC": [1.0, np.nan, np.nan]}, index=["P1", "P2", "P4"])
    merged = combine_discrete(mutations, cna)
    assert list(merged.index) == ["P1", "P2", "P3", "P4"]
    assert merged.loc["P1"].tolist() == [0.0, 1.0]   # mutation 0 beats amplification
    assert merged.loc["P2", "TP53"] == 0.0            # no mutation call: the deletion counts
    assert merged.loc["P3", "TP53"] == 1.0
    assert math.isnan(merged.loc["P4", "TP53"])
    assert list(combine_discrete(mutations, cna, samples="intersection").index) == ["P1", "P2"]


def test_a_mutation_table_missing_required_columns_names_them(tmp_path):
    path = tmp_path / "maf.txt"
    path.write_text("Hugo_Symbol\tVariant_Classification\tSIFT\nTP53\tMissense_Mutation\tdeleterious\n")
    with pytest.raises(InputError) as error:
        read_mutations(path)
    assert str(error.value) == (f"{path}: header: missing required column(s) Tumor_Sample_Barcode, HGVSp_Short "
                                "(sample, gene, variant class, protein change)")


def test_maf_headers_and_comment_lines_are_read(tmp_path):
    path = tmp_path / "maf.txt"
    path.write_text("#version 2.4\nHugo_Symbol\tTumor_Sample_Barcode\tVariant_Classification\tHGVSp_Short\t"
                    "dbSNP_RS\tPolyPhen\tSIFT\nKRAS\tTCGA-A1-A0SB-01A-11D\tMissense_Mutation\tp.G12D\trs#1\t\t"
                    "deleterious\n")
    mutations = read_mutations(path, sample_id_length=15)
    assert mutations.loc[0, ["sample", "gene", "protein_change", "sift"]].tolist() == [
        "TCGA-A1-A0SB-01", "KRAS", "G12D", "deleterious"]  # a '#' inside a line is data


def test_gene_roles_table(tmp_path):
    path = tmp_path / "roles.csv"
    path.write_text("gene,role\nKRAS,oncogene\nTP53,TSG\nNOTCH1,\"oncogene, TSG\"\n")
    oncogenes, suppressors = read_gene_roles(path)
    assert oncogenes == {"KRAS", "NOTCH1"} and suppressors == {"TP53", "NOTCH1"}


@needs_corpus
def test_oncokb_annotated_variants_file():
    oncokb = read_oncokb(PROFILE / "allAnnotatedVariants.txt")
    assert oncokb["KRAS_G12D"] == "Gain-of-function"
    assert oncokb["TP53_R175H"] == "Loss-of-function"
    mutations = _maf(("P", "KRAS", "Missense_Mutation", "p.G12D"), ("P", "TP53", "Missense_Mutation", "R175H"),
                     ("P", "CBL", "Missense_Mutation", "N454D"))  # CBL N454D: Neutral
    calls = mutation_calls(mutations, oncokb=oncokb)
    assert calls.loc["P", "KRAS"] == 1.0 and calls.loc["P", "TP53"] == 0.0 and math.isnan(calls.loc["P", "CBL"])


@needs_corpus
def test_mutations_over_cna_reproduces_profile_mutcna_on_single_gene_nodes():
    """Fumia_TCGA_mutCNA.csv = mutation calls, completed by CNA calls, for its 816 patients.

    PROFILE merges genes before mapping them to nodes, so the node files can be merged
    directly only for nodes measured by one gene (63 of them); PROFILE keeps the patients
    present in both tables (``samples="intersection"``).
    """
    from booleanidt.personalization import read_mapping
    tcga = PROFILE / "tcga"
    mutations = pd.read_csv(tcga / "Fumia_TCGA_mutations.csv", index_col=0)
    cna = pd.read_csv(tcga / "Fumia_TCGA_CNA.csv", index_col=0)
    expected = pd.read_csv(tcga / "Fumia_TCGA_mutCNA.csv", index_col=0)
    mapping = read_mapping(PROFILE / "models" / "Fumia2013" / "Fumia_namesToHugo_curated.txt")
    single = [n for n, genes in mapping.node_genes.items() if len(genes) == 1 and n in expected.columns]
    merged = combine_discrete(mutations, cna, samples="intersection")
    assert sorted(merged.index) == sorted(expected.index) and len(single) == 63
    ours, theirs = merged.loc[expected.index, single], expected[single]
    assert ((ours == theirs) | (ours.isna() & theirs.isna())).all().all()
    assert theirs.notna().sum().sum() > 500  # the comparison is not between empty tables
