"""``booleanidt personalize`` and ``booleanidt cohort`` on the Fumia 2013 model: outputs and bad input."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from booleanidt.cli import main

from conftest import PROFILE

FUMIA = PROFILE / "models" / "Fumia2013"
TCGA = PROFILE / "tcga"
BND = FUMIA / "Fumia2013.bnd"
MAPPING = FUMIA / "Fumia_namesToHugo_curated.txt"

pytestmark = pytest.mark.skipif(not FUMIA.is_dir(), reason=f"corpus folder {FUMIA} not found")


def cfg_values(text):
    """``$name = value;`` parameters and ``[X].istate = p [1] ...`` probabilities of a .cfg (own regexes).

    MaBoSS writes a random initial state (probability 0.5) as ``X.istate = -1;``.
    """
    parameters = {k: float(v) for k, v in re.findall(r"^\$(\w+)\s*=\s*([^;]+);", text, re.M)}
    istates = {}
    for node, body in re.findall(r"^\[?(\w+)\]?\.istate\s*=\s*([^;]+);", text, re.M):
        one = re.search(r"([0-9.eE+-]+)\s*\[1\]", body)
        istates[node] = float(one.group(1)) if one else {-1.0: 0.5}.get(float(body), float(body))
    return parameters, istates


@pytest.fixture(scope="module")
def processed_tables(tmp_path_factory):
    """Three TCGA patients' processed profiles (RNA_norm, mutCNA) written as small CSV files."""
    folder = tmp_path_factory.mktemp("processed")
    rna = pd.read_csv(TCGA / "Fumia_TCGA_RNA_norm.csv", index_col=0)
    mutcna = pd.read_csv(TCGA / "Fumia_TCGA_mutCNA.csv", index_col=0)
    fixed = mutcna.notna().sum(axis=1)
    patients = list(fixed[fixed > 0].index[:3])
    rna.loc[patients].to_csv(folder / "rna_norm.csv")
    mutcna.loc[patients].to_csv(folder / "mutcna.csv")
    return folder, rna.loc[patients], mutcna.loc[patients]


def test_personalize_processed_profiles_writes_profile_arithmetic(tmp_path, processed_tables, capsys):
    folder, rna, mutcna = processed_tables
    out = tmp_path / "out"
    code = main(["personalize", str(BND), "--continuous", str(folder / "rna_norm.csv"),
                 "--discrete", str(folder / "mutcna.csv"), "--outputs", "Proliferation,Apoptosis", "-o", str(out)])
    assert code == 0
    original, _ = cfg_values((FUMIA / "Fumia2013.cfg").read_text())
    for patient in rna.index:
        cfg = (out / f"{patient}.cfg").read_text()
        assert (out / f"{patient}.bnd").is_file()
        parameters, istates = cfg_values(cfg)
        for node, x in rna.loc[patient].dropna().items():
            if not pd.isna(mutcna.loc[patient, node]):
                continue
            up = round(100 ** (2 * x - 1), 5)
            assert parameters[f"u_{node}"] == pytest.approx(up * original[f"u_{node}"], rel=1e-9)
            assert parameters[f"d_{node}"] == pytest.approx(round(1 / up, 5) * original[f"d_{node}"], rel=1e-9)
            assert istates[node] == pytest.approx(round(x, 5))
        for node, value in mutcna.loc[patient].dropna().items():
            assert istates[node] == value
            assert parameters[f"{'u' if value == 0 else 'd'}_{node}"] == 0
        internal = set(re.findall(r"^\[?(\w+)\]?\.is_internal\s*=\s*(?:1|TRUE)\s*;", cfg, re.M))
        assert len(internal) == 96 and not internal & {"Proliferation", "Apoptosis"}
    report = pd.read_csv(out / "mapping_report.csv")
    assert set(report.loc[report["status"] == "covered", "node"]) == set(rna.columns) | set(mutcna.columns)


@pytest.fixture(scope="module")
def raw_data(tmp_path_factory):
    """Synthetic raw omics for 30 samples on genes of the Fumia mapping, plus a MAF and a CNA table."""
    folder = tmp_path_factory.mktemp("raw")
    rng = np.random.default_rng(3)
    samples = [f"S{i:02d}" for i in range(30)]
    genes = ["AKT1", "MAPK1", "CCND1", "CCND2", "TP53", "MYC", "BAX", "BCL2", "NOTAGENE"]
    rna = pd.DataFrame(rng.lognormal(3, 1, size=(len(genes), len(samples))), index=genes, columns=samples)
    rna.index.name = "gene"
    rna.to_csv(folder / "rna.tsv", sep="\t")
    maf = pd.DataFrame({"Tumor_Sample_Barcode": ["S01", "S02"], "Hugo_Symbol": ["TP53", "AKT1"],
                        "Variant_Classification": ["Nonsense_Mutation", "Missense_Mutation"],
                        "HGVSp_Short": ["p.R196*", "p.E17K"]})
    maf.to_csv(folder / "maf.tsv", sep="\t", index=False)
    cna = pd.DataFrame({"S02": [2, 0], "S03": [0, -2]}, index=pd.Index(["MYC", "BAX"], name="Hugo_Symbol"))
    cna.to_csv(folder / "cna.tsv", sep="\t")
    return folder


def test_personalize_raw_omics(tmp_path, raw_data):
    out = tmp_path / "out"
    code = main(["personalize", str(BND), "--rna", str(raw_data / "rna.tsv"), "--mutations", str(raw_data / "maf.tsv"),
                 "--cna", str(raw_data / "cna.tsv"), "--mapping", str(MAPPING), "-o", str(out)])
    assert code == 0
    assert len(list(out.glob("*.bnd"))) == 30
    _, s01 = cfg_values((out / "S01.cfg").read_text())
    parameters, s02 = cfg_values((out / "S02.cfg").read_text())
    assert s01["p53"] == 0.0                        # nonsense mutation of TP53 -> p53 forced off
    assert s02["MYC"] == 1.0 and parameters["d_MYC"] == 0    # MYC amplified (+2) -> forced on
    _, s03 = cfg_values((out / "S03.cfg").read_text())
    assert s03["BAX"] == 0.0                        # BAX deleted (-2)
    # CyclinD = mean of its normalised genes CCND1, CCND2: in (0, 1), never forced
    assert 0 < s01["CyclinD"] < 1
    report = pd.read_csv(out / "mapping_report.csv")
    assert "NOTAGENE" in set(report.loc[report["status"] == "gene unused", "genes"])
    assert "CyclinD" in set(report.loc[report["status"] == "covered", "node"])


def _bad_rna(folder, text, name="rna.tsv"):
    path = folder / name
    path.write_text(text)
    return path


@pytest.mark.parametrize("case, message", [
    ("no_overlap", r"rna\.tsv: genes: none of the 4 genes \(FOO, BAR, BAZ, QUX\) maps to a model node"),
    ("duplicated", r"rna\.tsv: sample S1: appears more than once"),
    ("not_a_number", r"rna\.tsv: line 2 \(row MYC\), column S2: 'high' is not a number"),
    ("maf_columns", r"maf\.tsv: header: missing required column\(s\) Variant_Classification"),
    ("mapping_nodes", r"mapping\.txt: nodes: 1 node\(s\) not in the model: NotANode"),
    ("drug_target", r"Fumia2013\.bnd: --drugs: unknown node 'NotANode'"),
    ("drug_strength", r"Fumia2013\.bnd: --drugs: drug strength must lie in \[0, 1\], got AKT=1\.5"),
    ("drug_syntax", r"argument --drugs: expected TARGET=STRENGTH, got 'AKT=strong'"),
])
def test_bad_input_is_one_line_exit_2_nothing_written(tmp_path, capsys, case, message):
    data = tmp_path / "data"
    data.mkdir()
    args = ["personalize", str(BND), "-o", str(tmp_path / "out")]
    good_rna = "gene\tS1\tS2\tS3\nMYC\t1\t2\t3\nTP53\t3\t2\t5\n"
    if case == "no_overlap":
        args += ["--rna", str(_bad_rna(data, "gene\tS1\tS2\tS3\nFOO\t1\t2\t3\nBAR\t3\t2\t5\nBAZ\t1\t1\t1\n"
                                             "QUX\t0\t2\t1\n"))]
    elif case == "duplicated":
        args += ["--rna", str(_bad_rna(data, "gene\tS1\tS1\tS3\nMYC\t1\t2\t3\nTP53\t3\t2\t5\n"))]
    elif case == "not_a_number":
        args += ["--rna", str(_bad_rna(data, "gene\tS1\tS2\tS3\nMYC\t1\thigh\t3\nTP53\t3\t2\t5\n"))]
    elif case == "maf_columns":
        args += ["--mutations", str(_bad_rna(data, "Tumor_Sample_Barcode\tHugo_Symbol\tHGVSp_Short\nS1\tTP53\tp.R1*\n",
                                             "maf.tsv"))]
    elif case == "mapping_nodes":
        args += ["--rna", str(_bad_rna(data, good_rna)),
                 "--mapping", str(_bad_rna(data, "Node\tHGNC\nMYC\tMYC\nNotANode\tTP53\n", "mapping.txt"))]
    elif case.startswith("drug_"):
        drugs = {"drug_target": "NotANode=0.5", "drug_strength": "AKT=1.5", "drug_syntax": "AKT=strong"}[case]
        args += ["--rna", str(_bad_rna(data, good_rna)), "--drugs", drugs]
    capsys.readouterr()
    if case == "drug_syntax":  # argparse: usage, then the one error line
        with pytest.raises(SystemExit) as exit_info:
            main(args)
        assert exit_info.value.code == 2
        err = capsys.readouterr().err.strip().splitlines()[-1]
    else:
        assert main(args) == 2
        lines = capsys.readouterr().err.strip().splitlines()
        # one error line, last; before it only one-line warnings (e.g. how the table was read)
        err = lines[-1]
        assert err.startswith("booleanidt personalize: error: "), lines
        assert all(line.startswith("booleanidt personalize: warning: ") for line in lines[:-1]), lines
    assert re.search(message, err), err
    assert not (tmp_path / "out").exists()


def test_personalize_profile_scripts_compat(tmp_path, processed_tables):
    """``--compat profile-scripts``: forced-ON nodes only start ON, $d_X is 1/up unrounded, and only
    the patients of both tables are personalised (PROFILE's scripts take the intersection)."""
    folder, rna, mutcna = processed_tables
    only_two = folder / "mutcna_two.csv"
    mutcna.iloc[:2].to_csv(only_two)
    out = tmp_path / "out"
    assert main(["personalize", str(BND), "--continuous", str(folder / "rna_norm.csv"), "--discrete", str(only_two),
                 "--compat", "profile-scripts", "-o", str(out)]) == 0
    assert sorted(p.stem for p in out.glob("*.cfg")) == sorted(mutcna.index[:2])
    original, _ = cfg_values((FUMIA / "Fumia2013.cfg").read_text())
    forced_on = 0
    for patient in mutcna.index[:2]:
        parameters, istates = cfg_values((out / f"{patient}.cfg").read_text())
        for node, value in mutcna.loc[patient].dropna().items():
            assert istates[node] == value
            if value == 0:
                assert parameters[f"u_{node}"] == 0
                continue
            forced_on += 1
            x = rna.loc[patient, node] if node in rna.columns else float("nan")
            down = 1 / round(100 ** (2 * x - 1), 5) if not pd.isna(x) else 1.0
            assert parameters[f"d_{node}"] == pytest.approx(down * original[f"d_{node}"], rel=1e-12)
    assert forced_on


def test_personalize_adds_profile_drugs(tmp_path, processed_tables):
    """``--drugs AKT=0.8,MYC``: PROFILE's anti_X nodes, inhibiting X, on with the drug's strength."""
    folder, rna, _ = processed_tables
    out = tmp_path / "out"
    assert main(["personalize", str(BND), "--continuous", str(folder / "rna_norm.csv"),
                 "--drugs", "AKT=0.8,MYC", "-o", str(out)]) == 0
    original = (BND).read_text()
    unspaced = lambda rule: re.sub(r"[\s()]", "", rule)  # noqa: E731  (the writer spaces and brackets its own way)
    akt_rule = unspaced(re.search(r"Node AKT \{\s*logic = ([^;]+);", original).group(1))
    for patient in rna.index:
        bnd = (out / f"{patient}.bnd").read_text()
        for target in ("AKT", "MYC"):
            assert re.search(rf"^node anti_{target} \{{", bnd, re.M | re.I)
            assert re.search(rf"^node {target} \{{\s*logic = [^;]*& !anti_{target};", bnd, re.M | re.I)
        drugged_rule = re.search(r"^node AKT \{\s*logic = ([^;]+) & !anti_AKT;", bnd, re.M | re.I).group(1)
        assert unspaced(drugged_rule) == akt_rule
        _, istates = cfg_values((out / f"{patient}.cfg").read_text())
        assert istates["anti_AKT"] == pytest.approx(0.8) and istates["anti_MYC"] == 1


def test_cohort_cli_applies_drugs(tmp_path, processed_tables):
    """A full-strength drug on Proliferation switches it off in every patient within max_time 5
    (rate 1 down), where the undrugged run has a patient at 1."""
    folder, rna, _ = processed_tables
    args = ["cohort", str(BND), "--continuous", str(folder / "rna_norm.csv"), "--discrete", str(folder / "mutcna.csv"),
            "--outputs", "Proliferation", "--set", "sample_count=200", "--set", "max_time=5",
            "--set", "time_tick=0.5", "--no-progress"]
    assert main(args + ["-o", str(tmp_path / "plain")]) == 0
    assert main(args + ["--drugs", "Proliferation", "-o", str(tmp_path / "drugged")]) == 0
    plain = pd.read_parquet(tmp_path / "plain" / "scores.parquet")["Proliferation"]
    drugged = pd.read_parquet(tmp_path / "drugged" / "scores.parquet")["Proliferation"]
    assert plain.max() > 0.9
    assert (drugged < 0.05).all(), drugged


def test_cohort_cli_writes_scores_and_resumes(tmp_path, processed_tables, capsys):
    folder, rna, _ = processed_tables
    out = tmp_path / "results"
    args = ["cohort", str(BND), "--continuous", str(folder / "rna_norm.csv"), "--discrete", str(folder / "mutcna.csv"),
            "--outputs", "Proliferation,Apoptosis", "-o", str(out), "--set", "sample_count=200",
            "--set", "max_time=5", "--set", "time_tick=0.5", "--seed", "3"]
    assert main(args) == 0
    scores = pd.read_parquet(out / "scores.parquet")
    assert list(scores.index) == list(rna.index)
    assert {"Proliferation", "Apoptosis", "Proliferation_se", "Apoptosis_se", "error"} <= set(scores.columns)
    assert scores["error"].isna().all()
    assert ((scores[["Proliferation", "Apoptosis"]] >= 0) & (scores[["Proliferation", "Apoptosis"]] <= 1)).all().all()
    assert (out / "heatmap.png").stat().st_size > 1000
    parts = sorted((out / "parts").glob("*.parquet"))
    assert parts
    assert main(args) == 0                                   # rerun: every patient done, nothing new
    assert sorted((out / "parts").glob("*.parquet")) == parts
    pd.testing.assert_frame_equal(pd.read_parquet(out / "scores.parquet"), scores)
    capsys.readouterr()
    assert main(args[:-2] + ["--seed", "4"]) == 2            # same folder, other seed: refused
    assert "other seed" in capsys.readouterr().err


def test_cohort_cli_rejects_unknown_outputs(tmp_path, processed_tables, capsys):
    folder, _, _ = processed_tables
    code = main(["cohort", str(BND), "--continuous", str(folder / "rna_norm.csv"), "--outputs", "Growth",
                 "-o", str(tmp_path / "r")])
    assert code == 2
    assert "--outputs: unknown node 'Growth'" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()
