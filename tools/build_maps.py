"""Build the immune maps shipped in ``maps/`` from the rule tables typed in below.

Each map is a table, one node a line: ``id | name | identifiers | rule``.  A
multi-valued node is written ``id:max_level`` (``IL2R:2``).  Identifiers are HGNC
symbols, or GO terms (``GO:0042098``) for phenotypes.  A rule equal to the
node's own id marks an environmental input that keeps its value; rules of
multi-valued nodes give the target level as ``cond2 ? 2 : cond1`` (2 where cond2
holds, else 1 where cond1 holds, else 0) and compare levels with ``>=``, ``<=``.

Two kinds of maps are typed here:

* reductions written by the booleanidt project from the regulatory interactions
  described in the cited publications (th_differentiation,
  macrophage_polarization, ra_synovial_fibroblast; tests in tests/test_maps.py);
* transcriptions of published rule sets (th_naldi2010, macrophage_palma2018,
  cd4_martinez2015): each rule typed in readable form from the publication, with
  readable ids (the authors' ids are kept in the node notes where they differ);
  tests/test_maps_published.py checks that every rule is the same function as
  in the authors' model file and reproduces results the papers report.

Each map's README.md says what it reproduces.

The SBML-qual files are written by booleanidt's own writer and must validate
with zero libsbml errors.  Run from the repository root::

    python tools/build_maps.py            # write maps/<name>/<name>.sbml
    python tools/build_maps.py --check    # fail if a shipped file differs from the tables
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

import booleanidt
from booleanidt.expr import Var
from booleanidt.io._grammar import parse_expression
from booleanidt.io.sbmlqual import consistency_problems
from booleanidt.model import Annotation, LogicalModel, Node

MAPS_DIR = Path(__file__).resolve().parent.parent / "maps"
HGNC = "http://identifiers.org/hgnc.symbol/"
IDENTIFIERS = "http://identifiers.org/"


@dataclass(frozen=True)
class MapSpec:
    """What is needed to build one shipped map."""

    name: str
    title: str
    description: str
    publications: tuple
    table: str
    #: our id -> the id the authors' model file gives the node, where they differ
    original_ids: dict = field(default_factory=dict)


def _rows(spec: MapSpec):
    for number, line in enumerate(spec.table.strip().splitlines(), start=1):
        fields = [f.strip() for f in line.split("|", 3)]
        if len(fields) != 4:
            raise ValueError(f"{spec.name}: table line {number} does not have 4 fields: {line!r}")
        yield number, fields


def identifier_uri(token: str) -> str:
    """The identifiers.org URI of a table identifier: a GO term or an HGNC symbol.

    >>> identifier_uri("GO:0042098"), identifier_uri("TBX21")
    ('http://identifiers.org/GO:0042098', 'http://identifiers.org/hgnc.symbol/TBX21')
    """
    return IDENTIFIERS + token if token.startswith("GO:") else HGNC + token


def _node_notes(spec: MapSpec, node_id: str):
    original = spec.original_ids.get(node_id)
    return f"Id in the model file of the authors: {original}." if original else None


def build_model(spec: MapSpec) -> LogicalModel:
    """The model described by ``spec``: named, annotated nodes and the publication.

    Internal nodes start at 0 (a naive, unstimulated cell); environmental inputs
    have no initial level, so a simulation draws them at random unless set.
    """
    nodes, rules = {}, {}
    for number, (node_spec, name, identifiers, rule_text) in _rows(spec):
        node_id, _, max_level = node_spec.partition(":")
        rule = parse_expression(rule_text, f"{spec.name} table", number)
        is_input = rule == Var(node_id)
        uris = tuple(identifier_uri(token) for token in identifiers.split())
        nodes[node_id] = Node(node_id, name=name, max_level=int(max_level or 1),
                              initial_level=None if is_input else 0, notes=_node_notes(spec, node_id),
                              annotations=(Annotation("bqbiol:is", uris),) if uris else ())
        rules[node_id] = rule
    metadata = {"id": spec.name, "name": spec.title, "notes": spec.description,
                "annotations": (Annotation("bqmodel:isDescribedBy", spec.publications),)}
    return LogicalModel(nodes=nodes, rules=rules, metadata=metadata)


def validation_errors(path: Path) -> list:
    """libsbml's errors (consistency checks on, units off) for the file at ``path``, each
    ``element: message`` (:func:`booleanidt.io.sbmlqual.consistency_problems`)."""
    return [f"{element}: {message}" for element, message in consistency_problems(path.read_text(), str(path))]


TH_DIFFERENTIATION = MapSpec(
    name="th_differentiation",
    title="T-helper cell differentiation (Th1, Th2, Th17, iTreg)",
    description=(
        "Reduced Boolean model of CD4+ T-helper differentiation written by the booleanidt project "
        "from the regulatory interactions of Naldi et al. 2010 (PLoS Comput Biol 6:e1000912) and "
        "Abou-Jaoude et al. 2015 (Front Bioeng Biotechnol 2:86): four self-sustaining master "
        "regulators (TBET, GATA3, RORGT, FOXP3) driven by cytokine receptors and STATs. Inputs "
        "with suffix _e are cytokines of the environment."),
    publications=("http://identifiers.org/doi/10.1371/journal.pcbi.1000912",
                  "http://identifiers.org/doi/10.3389/fbioe.2014.00086"),
    table="""
TCR    | T-cell receptor engagement by an antigen-presenting cell | CD3E | TCR
IL12_e | interleukin 12 in the environment | IL12A IL12B | IL12_e
IFNG_e | interferon gamma in the environment | IFNG | IFNG_e
IL4_e  | interleukin 4 in the environment | IL4 | IL4_e
TGFB_e | TGF-beta in the environment | TGFB1 | TGFB_e
IL2_e  | interleukin 2 in the environment | IL2 | IL2_e
IL6_e  | interleukin 6 in the environment | IL6 | IL6_e
IL23_e | interleukin 23 in the environment | IL23A | IL23_e
IL12R  | IL-12 receptor (beta 2 chain down-regulated by STAT6) | IL12RB1 IL12RB2 | IL12_e & !STAT6
STAT4  | STAT4 | STAT4 | IL12R & !GATA3
IFNGR  | interferon gamma receptor | IFNGR1 IFNGR2 | IFNG_e | IFNG
STAT1  | STAT1 | STAT1 | IFNGR
TBET   | T-bet, Th1 master regulator | TBX21 | (STAT1 | TBET) & !GATA3
IFNG   | interferon gamma produced by the cell | IFNG | TCR & (TBET | STAT4)
IL4R   | IL-4 receptor | IL4R | IL4_e | IL4
STAT6  | STAT6 | STAT6 | IL4R
GATA3  | GATA3, Th2 master regulator | GATA3 | (STAT6 | GATA3) & !TBET
IL4    | interleukin 4 produced by the cell | IL4 | TCR & GATA3 & !STAT1
IL2    | interleukin 2 produced by the cell (repressed by FOXP3) | IL2 | TCR & !FOXP3
IL2R   | IL-2 receptor | IL2RA IL2RB IL2RG | IL2_e | IL2
STAT5  | STAT5 | STAT5A STAT5B | IL2R
TGFB   | TGF-beta produced by the cell | TGFB1 | FOXP3
TGFBR  | TGF-beta receptor | TGFBR1 TGFBR2 | TGFB_e | TGFB
IL6R   | IL-6 receptor | IL6R IL6ST | IL6_e
IL21   | interleukin 21 produced by the cell | IL21 | TCR & STAT3
IL21R  | IL-21 receptor | IL21R | IL21
IL23R  | IL-23 receptor (induced by STAT3) | IL23R IL12RB1 | IL23_e & STAT3
STAT3  | STAT3 | STAT3 | IL6R | IL21R | IL23R
RORGT  | ROR-gamma-t, Th17 master regulator | RORC | TGFBR & STAT3 & !FOXP3
FOXP3  | FOXP3, regulatory T-cell master regulator | FOXP3 | (STAT5 & TGFBR | FOXP3) & !STAT3
IL17   | interleukin 17 | IL17A IL17F | RORGT & STAT3
IL10   | interleukin 10 | IL10 | GATA3 | FOXP3
""")

MACROPHAGE_POLARIZATION = MapSpec(
    name="macrophage_polarization",
    title="Macrophage polarization (M1, M2a, M2b, M2c)",
    description=(
        "Reduced Boolean model of macrophage polarization written by the booleanidt project from "
        "the signalling described by Palma et al. 2018 (Front Physiol 9:1659): IFN-gamma/STAT1 and "
        "TLR4/NF-kB drive M1, IL-4/STAT6 drives M2a, immune complexes with a TLR signal drive M2b, "
        "IL-10/STAT3 drives M2c. Phenotype nodes M1, M2a, M2b and M2c read the marker genes."),
    publications=("http://identifiers.org/doi/10.3389/fphys.2018.01659",),
    table="""
IFNG_e | interferon gamma in the environment | IFNG | IFNG_e
LPS    | lipopolysaccharide (TLR4 ligand) | | LPS
IL4_e  | interleukin 4 / 13 in the environment | IL4 IL13 | IL4_e
IL10_e | interleukin 10 in the environment | IL10 | IL10_e
IC     | immune complexes (Fc-gamma receptor ligands) | | IC
IFNGR  | interferon gamma receptor | IFNGR1 IFNGR2 | IFNG_e
STAT1  | STAT1 (blocked by SOCS1) | STAT1 | IFNGR & !SOCS1
TLR4   | toll-like receptor 4 | TLR4 | LPS
MYD88  | MyD88 adaptor | MYD88 | TLR4
NFKB   | NF-kappa-B (trans-repressed by PPAR-gamma and KLF4) | NFKB1 RELA | MYD88 & !PPARG & !KLF4
FCGR   | Fc-gamma receptors | FCGR1A FCGR2A FCGR3A | IC
ERK    | ERK1/2 | MAPK3 MAPK1 | FCGR
IL4R   | IL-4 receptor | IL4R | IL4_e
STAT6  | STAT6 | STAT6 | IL4R
SOCS1  | SOCS1 | SOCS1 | STAT6
PPARG  | PPAR-gamma | PPARG | STAT6
KLF4   | KLF4 | KLF4 | STAT6
IRF4   | IRF4 | IRF4 | STAT6
IRF5   | IRF5 (competes with IRF4 for MyD88) | IRF5 | MYD88 & !IRF4
IL10R  | IL-10 receptor | IL10RA IL10RB | IL10_e | IL10
STAT3  | STAT3 | STAT3 | IL10R
IL10   | interleukin 10 produced by the cell | IL10 | NFKB & (ERK | STAT3)
TNF    | tumour necrosis factor | TNF | NFKB & !STAT3
IL12B  | interleukin 12 p40 | IL12B | NFKB & IRF5 & !STAT3
IL1B   | interleukin 1 beta | IL1B | NFKB
NOS2   | inducible nitric oxide synthase | NOS2 | NFKB & STAT1 & !KLF4
ARG1   | arginase 1 | ARG1 | STAT6 & KLF4
MRC1   | mannose receptor (CD206) | MRC1 | PPARG
CD163  | CD163 scavenger receptor | CD163 | STAT3
M1     | classically activated macrophage (IL-12 and iNOS) | | IL12B & NOS2
M2a    | alternatively activated macrophage (arginase and CD206) | | ARG1 & MRC1
M2b    | type 2 activated macrophage (IL-10 and IL-1 high, IL-12 low) | | IL10 & IL1B & !IL12B
M2c    | deactivated macrophage (CD163 without NF-kB activity) | | CD163 & !NFKB
""")

RA_SYNOVIAL = MapSpec(
    name="ra_synovial_fibroblast",
    title="Rheumatoid arthritis synovial fibroblast signalling",
    description=(
        "Reduced Boolean model of cytokine signalling in rheumatoid-arthritis synovial fibroblasts "
        "written by the booleanidt project after Miagoux et al. 2021 (J Pers Med 11:785): TNF, "
        "IL-1 and IL-6 act through TAK1/NF-kB, MAPK/AP-1, JAK1/STAT3 and PI3K/AKT on the "
        "Apoptosis, Proliferation and Inflammation phenotypes."),
    publications=("http://identifiers.org/doi/10.3390/jpm11080785",),
    table="""
TNF_e   | tumour necrosis factor in the joint | TNF | TNF_e
IL1_e   | interleukin 1 beta in the joint | IL1B | IL1_e
IL6_e   | interleukin 6 in the joint | IL6 | IL6_e
TNFR1   | TNF receptor 1 | TNFRSF1A | TNF_e
IL1R1   | IL-1 receptor type 1 | IL1R1 | IL1_e
IL6R    | IL-6 receptor with gp130 | IL6R IL6ST | IL6_e | IL6
TRAF2   | TRAF2 | TRAF2 | TNFR1
MYD88   | MyD88 adaptor (IL-1 receptor) | MYD88 | IL1R1
TAK1    | TAK1 kinase | MAP3K7 | TRAF2 | MYD88
IKK     | I-kappa-B kinase complex (also activated by AKT) | CHUK IKBKB IKBKG | TAK1 | AKT
NFKB    | NF-kappa-B | NFKB1 RELA | IKK
P38     | p38 MAP kinase | MAPK14 | TAK1
JNK     | JNK | MAPK8 | TAK1
AP1     | AP-1 | JUN FOS | JNK | P38
JAK1    | JAK1 | JAK1 | IL6R
STAT3   | STAT3 | STAT3 | JAK1
PI3K    | PI3 kinase | PIK3CA | JAK1 | MYD88
AKT     | AKT | AKT1 | PI3K
CFLAR   | c-FLIP | CFLAR | NFKB
XIAP    | XIAP | XIAP | NFKB | AKT
BCL2    | BCL-2 | BCL2 | NFKB | STAT3
CASP8   | caspase 8 | CASP8 | TNFR1 & !CFLAR
BID     | BID | BID | CASP8
CASP9   | caspase 9 | CASP9 | BID & !BCL2
CASP3   | caspase 3 | CASP3 | (CASP8 | CASP9) & !XIAP
IL6     | interleukin 6 secreted by the fibroblast | IL6 | NFKB | AP1 & STAT3
CXCL8   | interleukin 8 | CXCL8 | NFKB
MMP     | matrix metalloproteinases | MMP1 MMP3 MMP13 | AP1 & (NFKB | STAT3)
CCND1   | cyclin D1 | CCND1 | (AP1 | STAT3) & AKT
MYC     | MYC | MYC | STAT3
Apoptosis     | apoptosis | | CASP3
Proliferation | proliferation | | CCND1 & MYC & !CASP3
Inflammation  | inflammatory mediator release | | IL6 | CXCL8
""")

TH_NALDI2010 = MapSpec(
    name="th_naldi2010",
    title="T-helper cell differentiation: the 65-component model of Naldi et al. 2010",
    description=(
        "The multi-valued logical model of CD4+ T-helper differentiation published by Naldi A, "
        "Carneiro J, Chaouiya C, Thieffry D (2010) Diversity and plasticity of Th cell types "
        "predicted from regulatory network modelling, PLoS Comput Biol 6:e1000912 "
        "(doi:10.1371/journal.pcbi.1000912; article under CC BY). The rules are those of "
        "the authors (Figures 1-2 and Table 1 of the article; their GINsim model), "
        "typed in readable form by the booleanidt project in tools/build_maps.py and checked "
        "rule by rule against the model file of the authors. Thirteen inputs: antigen presentation (APC) "
        "and twelve environmental cytokines (suffix _e). IL2R, IL4R, IL15R, IL12RB1, IL4RA and "
        "STAT5 are ternary (levels 0, 1, 2) as published."),
    publications=("http://identifiers.org/doi/10.1371/journal.pcbi.1000912",),
    table="""
APC     | antigen-presenting cell engaging the T-cell receptor | GO:0019882 | APC
IFNB_e  | interferon beta in the environment | IFNB1 | IFNB_e
IFNG_e  | interferon gamma in the environment | IFNG | IFNG_e
IL2_e   | interleukin 2 in the environment | IL2 | IL2_e
IL4_e   | interleukin 4 in the environment | IL4 | IL4_e
IL6_e   | interleukin 6 in the environment | IL6 | IL6_e
IL10_e  | interleukin 10 in the environment | IL10 | IL10_e
IL12_e  | interleukin 12 in the environment | IL12A IL12B | IL12_e
IL15_e  | interleukin 15 in the environment | IL15 | IL15_e
IL21_e  | interleukin 21 in the environment | IL21 | IL21_e
IL23_e  | interleukin 23 in the environment | IL23A IL12B | IL23_e
IL27_e  | interleukin 27 in the environment | IL27 EBI3 | IL27_e
TGFB_e  | TGF-beta in the environment | TGFB1 | TGFB_e
CD28    | CD28 co-stimulation | CD28 | APC
TCR     | T-cell receptor signalling | CD3E | APC
NFAT    | NFAT (with AP-1) | NFATC1 NFATC2 | TCR & CD28
IKB     | I-kappa-B alpha | NFKBIA | !TCR
NFKB    | NF-kappa-B | NFKB1 RELA | !FOXP3 & !IKB
IFNBR   | interferon alpha/beta receptor | IFNAR1 IFNAR2 | IFNB_e
IFNGR1  | interferon gamma receptor chain 1 | IFNGR1 | 1
IFNGR2  | interferon gamma receptor chain 2 | IFNGR2 | 1
IFNGR   | interferon gamma receptor | IFNGR1 IFNGR2 | (IFNG_e | IFNG) & IFNGR1 & IFNGR2
CGC     | common gamma chain | IL2RG | 1
IL2RA   | IL-2 receptor alpha chain (CD25) | IL2RA | NFAT & (FOXP3 | STAT5 >= 1 | SMAD3 | NFKB)
IL2RB   | IL-2/IL-15 receptor beta chain | IL2RB | 1
IL2R:2  | IL-2 receptor (level 2: high-affinity, with CD25) | IL2RA IL2RB IL2RG | (IL2_e | IL2) & CGC & IL2RB & IL2RA ? 2 : (IL2_e | IL2) & CGC & IL2RB
IL4RA:2 | IL-4 receptor alpha chain (level 2: induced by STAT5) | IL4R | STAT5 >= 2 ? 2 : 1
IL4R:2  | IL-4 receptor | IL4R IL2RG | (IL4_e | IL4) & CGC & IL4RA >= 2 ? 2 : (IL4_e | IL4) & CGC & IL4RA >= 1
GP130   | gp130 | IL6ST | 1
IL6RA   | IL-6 receptor alpha chain | IL6R | 1
IL6R    | IL-6 receptor | IL6R IL6ST | IL6_e & GP130 & IL6RA
IL10RA  | IL-10 receptor alpha chain | IL10RA | 1
IL10RB  | IL-10 receptor beta chain | IL10RB | 1
IL10R   | IL-10 receptor | IL10RA IL10RB | (IL10_e | IL10) & IL10RA & IL10RB
IL12RB1:2 | IL-12 receptor beta 1 chain (level 2: induced by IRF1) | IL12RB1 | IRF1 ? 2 : 1
IL12RB2 | IL-12 receptor beta 2 chain | IL12RB2 | !STAT6
IL12R   | IL-12 receptor | IL12RB1 IL12RB2 | IL12_e & IL12RB1 >= 2 & IL12RB2
IL15RA  | IL-15 receptor alpha chain | IL15RA | 1
IL15R:2 | IL-15 receptor | IL15RA IL2RB IL2RG | IL15_e & CGC & IL15RA & IL2RB
IL21R   | IL-21 receptor | IL21R IL2RG | (IL21_e | IL21) & GP130 & CGC
IL23R   | IL-23 receptor | IL23R IL12RB1 | (IL23_e | IL23) & GP130 & IL12RB1 >= 1 & STAT3 & RORGT
IL27RA  | IL-27 receptor alpha chain | IL27RA | 1
IL27R   | IL-27 receptor | IL27RA IL6ST | IL27_e & GP130 & IL27RA
TGFBR   | TGF-beta receptor | TGFBR1 TGFBR2 | TGFB_e | TGFB
STAT1   | STAT1 | STAT1 | IFNBR | IFNGR | IL27R
STAT3   | STAT3 | STAT3 | IL6R | IL10R | IL21R | IL23R | IL27R
STAT4   | STAT4 | STAT4 | IL12R & !GATA3
STAT5:2 | STAT5 | STAT5A STAT5B | IL2R >= 2 | IL4R >= 2 ? 2 : IL2R >= 1 | IL4R >= 1 | IL15R >= 1
STAT6   | STAT6 | STAT6 | IL4R >= 1
SMAD3   | SMAD3 | SMAD3 | TGFBR
IRF1    | IRF1 | IRF1 | STAT1
RUNX3   | RUNX3 | RUNX3 | TBET
TBET    | T-bet, Th1 master regulator | TBX21 | (TBET | STAT1) & !GATA3
GATA3   | GATA3, Th2 master regulator | GATA3 | (GATA3 | STAT6) & !TBET
RORGT   | ROR-gamma-t, Th17 master regulator | RORC | TGFBR & STAT3 | RORGT & (TGFBR | STAT3)
FOXP3   | FOXP3, regulatory T-cell master regulator | FOXP3 | NFAT & STAT5 >= 1 & (FOXP3 | SMAD3 & !STAT1 & !(STAT3 & RORGT))
proliferation | T-cell proliferation | GO:0042098 | STAT5 >= 2 | proliferation
IFNG    | interferon gamma produced by the cell | IFNG | NFAT & proliferation & !FOXP3 & !STAT3 & (STAT4 | TBET & RUNX3)
IL2     | interleukin 2 produced by the cell | IL2 | !(STAT5 >= 1 & STAT6) & (!TBET & (NFAT & !FOXP3 | NFKB) | TBET & NFAT & !FOXP3 & !NFKB)
IL4     | interleukin 4 produced by the cell | IL4 | GATA3 & NFAT & proliferation & !FOXP3 & !IRF1 & !(TBET & RUNX3)
IL10    | interleukin 10 produced by the cell | IL10 | NFAT & proliferation & (GATA3 | STAT3)
IL21    | interleukin 21 produced by the cell | IL21 | NFAT & STAT3 & proliferation
IL23    | interleukin 23 produced by the cell | IL23A IL12B | NFAT & STAT3 & proliferation
TGFB    | TGF-beta produced by the cell | TGFB1 | FOXP3 & NFAT & proliferation
IL17    | interleukin 17 | IL17A IL17F | RORGT & STAT3 & NFAT & NFKB & proliferation & !FOXP3 & !STAT1 & !STAT6 & STAT5 <= 0
""")

MACROPHAGE_PALMA2018 = MapSpec(
    name="macrophage_palma2018",
    title="Macrophage polarization: the Boolean network of Palma et al. 2018",
    description=(
        "The Boolean gene-regulatory network of macrophage polarization published by Palma A, "
        "Jarrah AS, Tieri P, Cesareni G, Castiglione F (2018) Gene regulatory network modeling "
        "of macrophage differentiation corroborates the continuum hypothesis of polarization "
        "states, Front Physiol 9:1659 (doi:10.3389/fphys.2018.01659; article under CC BY). "
        "The rules are those of the authors (the logical rules of the article and its "
        "supplementary model files), typed in readable form by the booleanidt project in tools/build_maps.py "
        "and checked rule by rule against the model file of the authors; their ids (prefix v_) "
        "are kept in the node notes. Eight inputs (suffix _e): GM-CSF, immune complexes, IFN-gamma, "
        "IL-10, IL-16, IL-1beta, IL-4 and LPS. Read-outs of the subsets: IL12 (M1: NF-kB, STAT1, "
        "STAT5), STAT6 (M2a), ERK (M2b), STAT3 (M2c)."),
    publications=("http://identifiers.org/doi/10.3389/fphys.2018.01659",),
    original_ids={**{node: f"v_{node}" for node in (
        "IC_e IL10_e IL16_e IL4_e ERK IL10R IL1R IRF3 IRF4 JMJD3 KLF4 SOCS1 STAT1 STAT3 STAT5 STAT6 "
        "TLR4").split()},
        "GMCSF_e": "v_GM_CSF_e", "IFNG_e": "v_IFNg_e", "IL1B_e": "v_IL1b_e", "LPS_e": "v_LPS_e",
        "CSF2RA": "v_CSF2Ra", "FCGR": "v_FcgR", "IFNB": "v_IFNb", "IFNGR": "v_IFNgR",
        "IL10": "v_IL10_out", "IL12": "v_IL12_out", "IL1B": "v_IL1b", "IL4RA": "v_IL4Ra",
        "NFKB": "v_NF_kB", "PPARG": "v_PPARg"},
    table="""
GMCSF_e | GM-CSF in the environment | CSF2 | GMCSF_e
IC_e    | immune complexes in the environment | | IC_e
IFNG_e  | interferon gamma in the environment | IFNG | IFNG_e
IL10_e  | interleukin 10 in the environment | IL10 | IL10_e
IL16_e  | interleukin 16 in the environment (no target in the published network) | IL16 | IL16_e
IL1B_e  | interleukin 1 beta in the environment | IL1B | IL1B_e
IL4_e   | interleukin 4 in the environment | IL4 | IL4_e
LPS_e   | lipopolysaccharide in the environment | | LPS_e
CSF2RA  | GM-CSF receptor | CSF2RA CSF2RB | GMCSF_e
FCGR    | Fc-gamma receptors | FCGR1A FCGR2A FCGR3A | IC_e & LPS_e
ERK     | ERK1/2 | MAPK3 MAPK1 | FCGR | ERK
TLR4    | toll-like receptor 4 | TLR4 | LPS_e & !FCGR
IRF3    | IRF3 | IRF3 | TLR4
IFNB    | interferon beta produced by the cell | IFNB1 | IRF3
IFNGR   | interferon gamma receptor | IFNGR1 IFNGR2 | IFNG_e | IFNB
IL1R    | IL-1 receptor | IL1R1 | IL1B_e | IL1B
IL4RA   | IL-4 receptor alpha | IL4R | IL4_e
IL10R   | IL-10 receptor | IL10RA IL10RB | IL10_e | IL10
JMJD3   | JMJD3 histone demethylase | KDM6B | JMJD3 | IL4RA
IRF4    | IRF4 | IRF4 | JMJD3
PPARG   | PPAR-gamma | PPARG | PPARG | IL4RA
STAT6   | STAT6 | STAT6 | STAT6 | IL4RA
KLF4    | KLF4 | KLF4 | STAT6
SOCS1   | SOCS1 | SOCS1 | STAT6
STAT3   | STAT3 | STAT3 | (IL10R | STAT3) & !PPARG & !FCGR
STAT1   | STAT1 | STAT1 | IFNGR & !STAT3 & !SOCS1
STAT5   | STAT5 | STAT5A STAT5B | CSF2RA & !STAT3 & !IRF4
NFKB    | NF-kappa-B | NFKB1 RELA | (IL1R | TLR4) & !STAT3 & !FCGR & !PPARG & !KLF4
IL1B    | interleukin 1 beta produced by the cell | IL1B | NFKB
IL12    | interleukin 12 produced by the cell (M1 read-out) | IL12A IL12B | NFKB | STAT5 | STAT1
IL10    | interleukin 10 produced by the cell | IL10 | ERK | PPARG | STAT6 | JMJD3 | STAT3
""")

CD4_MARTINEZ2015 = MapSpec(
    name="cd4_martinez2015",
    title="CD4+ T-cell differentiation and plasticity: the minimal network of Martinez-Sanchez et al. 2015",
    description=(
        "The Boolean regulatory network of CD4+ T-cell differentiation and plasticity published by "
        "Martinez-Sanchez ME, Mendoza L, Villarreal C, Alvarez-Buylla ER (2015) A minimal regulatory "
        "network of extrinsic and intrinsic factors recovers observed patterns of CD4+ T cell "
        "differentiation and plasticity, PLoS Comput Biol 11:e1004324 "
        "(doi:10.1371/journal.pcbi.1004324; article under CC BY). The rules are those of the "
        "authors (their Cell Collective model, BioModels BIOMD0000000593), typed in readable form by "
        "the booleanidt project in tools/build_maps.py and checked rule by rule against the model "
        "file of the authors. Five transcription factors (TBET, GATA3, RORGT, FOXP3, BCL6) and seven "
        "cytokines the cell makes and senses (intrinsic); six inputs are the same cytokines made by "
        "other cells (extrinsic, suffix _e; the authors' ids end in e)."),
    publications=("http://identifiers.org/doi/10.1371/journal.pcbi.1004324",),
    original_ids={f"{cytokine}_e": f"{cytokine}e" for cytokine in ("IFNG", "IL2", "IL4", "IL21", "TGFB", "IL10")},
    table="""
IFNG_e | interferon gamma made by other cells (extrinsic) | IFNG | IFNG_e
IL2_e  | interleukin 2 made by other cells (extrinsic) | IL2 | IL2_e
IL4_e  | interleukin 4 made by other cells (extrinsic) | IL4 | IL4_e
IL21_e | interleukin 21 made by other cells (extrinsic) | IL21 | IL21_e
TGFB_e | TGF-beta made by other cells (extrinsic) | TGFB1 | TGFB_e
IL10_e | interleukin 10 made by other cells (extrinsic) | IL10 | IL10_e
TBET   | T-bet, Th1 master regulator | TBX21 | (IFNG | TBET) & !(IL4 | GATA3 | IL21 | BCL6)
GATA3  | GATA3, Th2 master regulator | GATA3 | (IL2 & IL4 | GATA3) & !(TBET | TGFB | IL21 | BCL6)
RORGT  | ROR-gamma-t, Th17 master regulator | RORC | IL21 & TGFB & !(TBET | FOXP3 | GATA3 | BCL6)
FOXP3  | FOXP3, regulatory T-cell master regulator | FOXP3 | IL2 & (TGFB | FOXP3) & !(IL21 | RORGT)
BCL6   | BCL6, follicular helper master regulator | BCL6 | (IL21 | IFNG) & !(TBET | IL2 | TGFB)
IFNG   | interferon gamma made by the cell, with its signalling | IFNG | (IFNG_e | (IFNG | TBET) & !(GATA3 | TGFB | BCL6)) & !(IL21 | IL4 | IL10 | IL9)
IL2    | interleukin 2 made by the cell, with its signalling | IL2 | (IL2_e | IL2 & !FOXP3) & !(IFNG | IL21 | IL10)
IL4    | interleukin 4 made by the cell, with its signalling | IL4 | (IL4_e | GATA3 & (IL2 | IL4) & !TBET) & !(IFNG | IL21)
IL21   | interleukin 21 made by the cell, with its signalling | IL21 | (IL21_e | IL21 | RORGT | BCL6) & !(IFNG | IL4 | IL10 | IL2 | IL9)
TGFB   | TGF-beta made by the cell, with its signalling | TGFB1 | TGFB_e | (TGFB | FOXP3) & !IL21
IL10   | interleukin 10 made by the cell, with its signalling | IL10 | IL10_e | IL10 & (IFNG | IL21 | TGFB | GATA3)
IL9    | interleukin 9 made by the cell, with its signalling | IL9 | IL4 & (IL10 & IL2 | TGFB) & !(IFNG | IL21)
""")

SPECS = (TH_DIFFERENTIATION, MACROPHAGE_POLARIZATION, RA_SYNOVIAL, TH_NALDI2010, MACROPHAGE_PALMA2018,
         CD4_MARTINEZ2015)


def main(argv=None) -> int:
    """Write (or, with ``--check``, compare) every shipped map; exit 1 on any problem."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    failed = False
    for spec in SPECS:
        path = MAPS_DIR / spec.name / f"{spec.name}.sbml"
        model = build_model(spec)
        if args.check:
            same = path.exists() and booleanidt.read(path).rules == model.rules
            print(f"{spec.name}: {'up to date' if same else 'DIFFERS from the table'}")
            failed |= not same
            continue
        booleanidt.write(model, path)
        errors = validation_errors(path)
        print(f"{spec.name}: {len(model.nodes)} nodes -> {path} ({len(errors)} libsbml errors)")
        for message in errors:
            print(f"  {message}")
        failed |= bool(errors)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
