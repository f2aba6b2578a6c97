"""Build the immune maps shipped in ``maps/`` from the rule tables typed in below.

Each map is a table, one node a line: ``id | name | HGNC symbols | rule``.  The
rules are Boolean (``& | !``); a rule equal to the node's own id marks an
environmental input that keeps its value.  The tables are reductions written by
the booleanidt project from the regulatory interactions described in the cited
publications (not copies of the authors' files); each map's README.md says what
it reproduces and the tests in tests/test_maps.py check it.

The SBML-qual files are written by booleanidt's own writer and must validate
with zero libsbml errors.  Run from the repository root::

    python tools/build_maps.py            # write maps/<name>/<name>.sbml
    python tools/build_maps.py --check    # fail if a shipped file differs from the tables
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import libsbml

import booleanidt
from booleanidt.expr import Var
from booleanidt.io._grammar import parse_expression
from booleanidt.model import Annotation, LogicalModel, Node

MAPS_DIR = Path(__file__).resolve().parent.parent / "maps"
HGNC = "http://identifiers.org/hgnc.symbol/"


@dataclass(frozen=True)
class MapSpec:
    """What is needed to build one shipped map."""

    name: str
    title: str
    description: str
    publications: tuple
    table: str


def _rows(spec: MapSpec):
    for number, line in enumerate(spec.table.strip().splitlines(), start=1):
        fields = [f.strip() for f in line.split("|", 3)]
        if len(fields) != 4:
            raise ValueError(f"{spec.name}: table line {number} does not have 4 fields: {line!r}")
        yield number, fields


def build_model(spec: MapSpec) -> LogicalModel:
    """The model described by ``spec``: named, HGNC-annotated nodes and the publication.

    Internal nodes start at 0 (a naive, unstimulated cell); environmental inputs
    have no initial level, so a simulation draws them at random unless set.
    """
    nodes, rules = {}, {}
    for number, (node_id, name, symbols, rule_text) in _rows(spec):
        rule = parse_expression(rule_text, f"{spec.name} table", number)
        is_input = rule == Var(node_id)
        uris = tuple(HGNC + symbol for symbol in symbols.split())
        nodes[node_id] = Node(node_id, name=name, initial_level=None if is_input else 0,
                              annotations=(Annotation("bqbiol:is", uris),) if uris else ())
        rules[node_id] = rule
    metadata = {"id": spec.name, "name": spec.title, "notes": spec.description,
                "annotations": (Annotation("bqmodel:isDescribedBy", spec.publications),)}
    return LogicalModel(nodes=nodes, rules=rules, metadata=metadata)


def validation_errors(path: Path) -> list:
    """libsbml's errors (consistency checks on, units off) for the file at ``path``."""
    document = libsbml.readSBMLFromFile(str(path))
    document.setConsistencyChecks(libsbml.LIBSBML_CAT_UNITS_CONSISTENCY, False)
    document.checkConsistency()
    log = document.getErrorLog()
    return [log.getError(i).getMessage().strip() for i in range(log.getNumErrors())
            if log.getError(i).getSeverity() >= libsbml.LIBSBML_SEV_ERROR]


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

SPECS = (TH_DIFFERENTIATION, MACROPHAGE_POLARIZATION, RA_SYNOVIAL)


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
