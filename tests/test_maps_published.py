"""The maps transcribed from published rule sets: same rules as the authors, and published results.

Three shipped maps are the authors' rules typed in readable form in tools/build_maps.py:
``th_naldi2010`` (Naldi et al. 2010, PLoS Comput Biol 6:e1000912), ``macrophage_palma2018``
(Palma et al. 2018, Front Physiol 9:1659) and ``cd4_martinez2015`` (Martinez-Sanchez et al.
2015, PLoS Comput Biol 11:e1004324).  For each one:

* every update function equals the one of the authors' model file (corpus, skipped without it),
  compared by our evaluator on every state of the node's regulators;
* results typed in from the publication (figure or section named in a comment), computed with
  ``booleanidt.analysis`` (stable states, attractors) or by stochastic simulation from a naive
  cell (every internal node at 0, the environment fixed).
"""
from __future__ import annotations

import itertools

import pandas
import pytest

import booleanidt
import booleanidt.maps
from booleanidt.analysis import attractors, fixed_points
from booleanidt.analysis.fixed_points import target_level
from booleanidt.expr import evaluate, variables
from booleanidt.simulation.api import simulate
from conftest import SBML_QUAL, needs_corpus
from test_maps import MASTERS, build_maps, environment, from_naive_cell  # noqa: F401  (build_maps is a fixture)


@pytest.fixture(scope="module")
def naldi():
    return booleanidt.maps.load("th_naldi2010")


@pytest.fixture(scope="module")
def palma():
    return booleanidt.maps.load("macrophage_palma2018")


@pytest.fixture(scope="module")
def martinez():
    return booleanidt.maps.load("cd4_martinez2015")


# --- (a) the same update functions as the authors' model files ----------------------------

AUTHORS_FILES = {
    "th_naldi2010": "155_CONTROL-OF-TH1-TH2-TH17-TREG-DIFFERENTATION__source.multivalued.sbml",
    "macrophage_palma2018": "094_MACROPHAGE-POLARIZATION-STATES__model.sbml",
    "cd4_martinez2015": "062_CD4-T-CELL-DIFFERENTIATION-AND-PLASTICITY__source.biomodels.v2.sbml",
}


@needs_corpus
@pytest.mark.parametrize("name", AUTHORS_FILES)
def test_every_rule_is_the_authors_function(build_maps, name):
    spec = next(s for s in build_maps.SPECS if s.name == name)
    ours = booleanidt.maps.load(name)
    theirs = booleanidt.read(SBML_QUAL / AUTHORS_FILES[name])
    to_theirs = {node: spec.original_ids.get(node, node) for node in ours.nodes}
    assert sorted(to_theirs.values()) == sorted(theirs.nodes)
    for node, their_node in to_theirs.items():
        top = ours.nodes[node].max_level
        assert top == theirs.nodes[their_node].max_level, node  # levels as published
        assert ours.is_input(node) == theirs.is_input(their_node), node
        if ours.is_input(node):
            continue
        regulators = sorted(variables(ours.rules[node])
                            | {n for n in ours.nodes if to_theirs[n] in variables(theirs.rules[their_node])})
        ranges = [range(ours.nodes[r].max_level + 1) for r in regulators]
        for levels in itertools.product(*ranges):
            state = dict(zip(regulators, levels))
            their_state = {to_theirs[r]: level for r, level in state.items()}
            assert target_level(evaluate(ours.rules[node], state), top) == \
                target_level(evaluate(theirs.rules[their_node], their_state), top), (node, state)


@pytest.mark.parametrize("name, doi", [
    ("th_naldi2010", "10.1371/journal.pcbi.1000912"),
    ("macrophage_palma2018", "10.3389/fphys.2018.01659"),
    ("cd4_martinez2015", "10.1371/journal.pcbi.1004324"),
])
def test_publication_licence_and_authors_ids_are_recorded(build_maps, name, doi):
    model = booleanidt.maps.load(name)
    assert booleanidt.maps.publications(model) == (f"http://identifiers.org/doi/{doi}",)
    assert "CC BY" in model.metadata["notes"]
    spec = next(s for s in build_maps.SPECS if s.name == name)
    for node, original in spec.original_ids.items():
        assert model.nodes[node].notes == f"Id in the model file of the authors: {original}."


# --- Naldi et al. 2010: T-helper differentiation (multi-valued, 65 components) ------------

def test_naldi_keeps_the_published_size_inputs_and_ternary_components(naldi):
    # Naldi et al. 2010, Figure 2: 65 components, 13 inputs; rectangles are the ternary components
    assert len(naldi.nodes) == 65 and len(naldi.inputs) == 13
    assert sorted(naldi.multivalued_nodes) == ["IL12RB1", "IL15R", "IL2R", "IL4R", "IL4RA", "STAT5"]
    assert all(naldi.nodes[n].max_level == 2 for n in naldi.multivalued_nodes)


def test_naldi_regulatory_graph_has_one_dual_interaction(naldi):
    # Naldi et al. 2010, Figure 2 (legend): "A peculiar blue arrow denotes the unique dual
    # interaction"; every other edge is an activation or an inhibition (signs computed exactly
    # from the rules; here the dual edge is NF-kB -> IL-2)
    signs = [sign for _, _, sign in naldi.graph.edges(data="sign")]
    assert signs.count(0) == 1 and signs.count(-1) > 0


@pytest.fixture(scope="module")
def naldi_all_stable_states(naldi):
    """Every stable state of the model with the 13 inputs free (about 68,000 states, ~20 s)."""
    return fixed_points(naldi)


def test_naldi_stable_patterns_of_figure_4(naldi_all_stable_states):
    # Naldi et al. 2010, Figure 4 (legend): the four self-activating master regulators define 12
    # groups (Th0, Th1, Th2, Th17, Treg and 7 hybrids: TBET and GATA3 exclude each other); the
    # two other positive circuits (proliferation, STAT3) give 4 patterns per group, 48 in all,
    # "five patterns are not compatible with any input combination".
    states = naldi_all_stable_states
    groups = states[MASTERS].drop_duplicates()
    assert len(groups) == 12
    assert not ((groups["TBET"] == 1) & (groups["GATA3"] == 1)).any()
    patterns = states[MASTERS + ["proliferation", "STAT3"]].drop_duplicates()
    assert len(patterns) == 48 - 5


# Prototypic environments (Naldi et al. 2010, Figure 5: antigen presentation plus the polarising
# cytokines) and the canonical subtype each one gives (Figure 4: one master regulator, none for Th0).
NALDI_ENVIRONMENTS = {
    "Th0": (("APC",), {"TBET": 0, "GATA3": 0, "RORGT": 0, "FOXP3": 0}),
    "Th1": (("APC", "IL12_e", "IFNG_e"), {"TBET": 1, "GATA3": 0, "RORGT": 0, "FOXP3": 0}),
    "Th2": (("APC", "IL4_e"), {"TBET": 0, "GATA3": 1, "RORGT": 0, "FOXP3": 0}),
    "Th17": (("APC", "TGFB_e", "IL6_e"), {"TBET": 0, "GATA3": 0, "RORGT": 1, "FOXP3": 0}),
    "iTreg": (("APC", "TGFB_e", "IL2_e"), {"TBET": 0, "GATA3": 0, "RORGT": 0, "FOXP3": 1}),
}


@pytest.mark.parametrize("subtype", NALDI_ENVIRONMENTS)
def test_naldi_canonical_subtype_is_a_stable_state_of_its_environment(naldi, subtype):
    present, masters = NALDI_ENVIRONMENTS[subtype]
    states = fixed_points(naldi, inputs=environment(naldi, present))
    assert (states[MASTERS] == list(masters.values())).all(axis=1).any()


@pytest.mark.parametrize("subtype", NALDI_ENVIRONMENTS)
def test_naldi_naive_cell_acquires_the_subtype_of_its_environment(naldi, subtype):
    # Naldi et al. 2010, Figure 5: from the naive state, each prototypic environment gives its
    # canonical subtype.  Runs through the Van Ham booleanization of the ternary components.
    present, masters = NALDI_ENVIRONMENTS[subtype]
    final = from_naive_cell(naldi, present, MASTERS)
    for master, level in masters.items():
        assert (final[master] > 0.95) if level else (final[master] < 0.05), (master, final[master])


def test_naldi_canonical_subtypes_coexist_with_environment_dependent_hybrids(naldi):
    # Naldi et al. 2010, Abstract (as summarised on the authors' GINsim model page, node/79): the
    # stable states of the canonical subtypes "coexist with other transient hybrid cell types
    # that co-express combinations of Th1, Th2, Treg and Th17 markers in an environment-dependent
    # fashion"; in the model these hybrids are stable states too (Figure 4 legend counts them)
    def groups(subtype):
        states = fixed_points(naldi, inputs=environment(naldi, NALDI_ENVIRONMENTS[subtype][0]))
        return set(map(tuple, states[MASTERS].drop_duplicates().to_numpy().tolist()))
    th17, itreg = groups("Th17"), groups("iTreg")
    assert (0, 0, 1, 0) in th17 and (1, 0, 1, 0) in th17       # Th17 with Th1/Th17 hybrids
    assert not any(foxp3 for *_, foxp3 in th17)                 # no FOXP3 hybrid with IL-6
    assert (0, 0, 0, 1) in itreg and (0, 0, 1, 1) in itreg     # iTreg with RORgt+FOXP3 hybrids


def test_naldi_il6_diverts_tgfb_from_treg_to_th17(naldi):
    # Bettelli et al. 2006 Nature 441:235 (the Th17/iTreg balance the model covers): TGF-b with
    # IL-6 gives RORgt and no FOXP3 in every stable state; without IL-6 signalling (STAT3
    # knockout) FOXP3 comes back and RORgt is lost.
    with_il6 = fixed_points(naldi, inputs=environment(naldi, ("APC", "TGFB_e", "IL6_e")))
    assert (with_il6["RORGT"] == 1).all() and (with_il6["FOXP3"] == 0).all()
    # Yang et al. 2007 J Biol Chem 282:9358: STAT3-deficient T cells do not express RORgt.  In a
    # run from the naive cell about 60 % of the cells become Treg: FOXP3 needs STAT5 >= 1, i.e.
    # the cell's own IL-2, which races with the NF-kB/IKB switch (a property of the rules).
    knockout = from_naive_cell(naldi, ("APC", "TGFB_e", "IL6_e"), MASTERS, {"STAT3": 0})
    assert knockout["RORGT"] == 0 and 0.3 < knockout["FOXP3"] < 0.9


@pytest.mark.parametrize("present, knockout, lost", [
    # Kaplan et al. 1996 Immunity 4:313: STAT6-deficient T cells do not become Th2 in IL-4
    (("APC", "IL4_e"), "STAT6", "GATA3"),
    # Afkarian et al. 2002 Nat Immunol 3:549: T-bet induction in Th1 conditions needs STAT1
    (("APC", "IL12_e", "IFNG_e"), "STAT1", "TBET"),
])
def test_naldi_knockouts_block_differentiation(naldi, present, knockout, lost):
    assert from_naive_cell(naldi, present, MASTERS, {knockout: 0})[lost] < 0.05


def test_naldi_multivalued_levels_are_reported_per_level(naldi):
    # STAT5 is ternary: IL-2 with its high-affinity receptor (IL2RA, level 2 of IL2R) drives it
    # to level 2, which launches proliferation (Naldi et al. 2010, Figure 1 right: IL2R module)
    result = simulate(naldi.fix(environment(naldi, ("APC", "IL2_e"))), outputs=["STAT5", "proliferation"],
                      max_time=30, time_tick=1, sample_count=200, seed=7)
    assert result.levels["STAT5"] == ("STAT5_b1", "STAT5_b2")
    final = result.last_node_probabilities
    assert final["STAT5_b2"] > 0.95 and final["proliferation"] > 0.95


# --- Palma et al. 2018: macrophage polarization ---------------------------------------------

# Palma et al. 2018 (Abstract, Introduction and the polarizing conditions simulated in the
# Results): the subsets are elicited by IFN-g + LPS (M1), IL-4 (M2a), immune complexes with a
# TLR ligand (M2b) and IL-10 (M2c); the subsets are read on their transcription factors and
# cytokines (M1: NF-kB, STAT1 and IL-12; M2a: STAT6, PPARg, KLF4; M2b: ERK and IL-10 without
# NF-kB; M2c: STAT3 and IL-10).
PALMA_READOUTS = ["IL12", "NFKB", "STAT1", "STAT6", "PPARG", "KLF4", "ERK", "STAT3", "IL10"]
PALMA_SUBSETS = {
    "M0": ((), []),
    "M1": (("IFNG_e", "LPS_e"), ["IL12", "NFKB", "STAT1"]),
    "M2a": (("IL4_e",), ["STAT6", "PPARG", "KLF4", "IL10"]),
    "M2b": (("IC_e", "LPS_e"), ["ERK", "IL10"]),
    "M2c": (("IL10_e",), ["STAT3", "IL10"]),
}


@pytest.mark.parametrize("subset", PALMA_SUBSETS)
def test_palma_unpolarized_macrophage_reaches_the_subset_of_its_stimulus(palma, subset):
    present, on = PALMA_SUBSETS[subset]
    final = from_naive_cell(palma, present, PALMA_READOUTS)
    for readout in PALMA_READOUTS:
        assert (final[readout] > 0.95) if readout in on else (final[readout] < 0.05), (readout, final[readout])
    # the state reached is a stable state of that environment
    states = fixed_points(palma, inputs=environment(palma, present))
    expected = [int(r in on) for r in PALMA_READOUTS]
    assert (states[PALMA_READOUTS] == expected).all(axis=1).any()


def test_palma_stable_states_form_a_continuum_of_mixed_phenotypes(palma):
    # Palma et al. 2018 (title: the model "corroborates the continuum hypothesis of polarization
    # states"):
    # besides the pure subsets, stable states mix the markers of several subsets
    states = fixed_points(palma)
    m1 = states["IL12"] == 1
    assert (m1 & (states["IL10"] == 1)).any()                       # M1 with IL-10
    assert ((states["STAT6"] == 1) & (states["ERK"] == 1) & (states["STAT3"] == 1)).any()  # M2a/b/c
    assert not (m1 & (states["STAT6"] == 1) & (states["NFKB"] == 1)).any()  # KLF4 blocks NF-kB


def test_palma_stat6_knockout_keeps_ppar_gamma_but_loses_klf4(palma):
    # Takeda et al. 1996 Nature 380:627: IL-4 responses need STAT6.  In the published rules
    # PPARg is driven by the IL-4 receptor directly, so it stays on; KLF4 and SOCS1 are lost.
    final = from_naive_cell(palma, ("IL4_e",), ["STAT6", "KLF4", "SOCS1", "PPARG"], {"STAT6": 0})
    assert final["KLF4"] < 0.05 and final["SOCS1"] < 0.05 and final["PPARG"] > 0.95


# --- Martinez-Sanchez et al. 2015: CD4+ T-cell differentiation and plasticity -------------

# The cell types the published network recovers (Abstract: "Th0, Th1, Th2, Th17, Tfh, Th9, iTreg,
# and Foxp3-independent T regulatory cells"), each read on the transcription factors and cytokines
# of the map that define it (Zhu & Paul 2010 Immunol Rev 238:247): exactly the master regulators
# listed are on (none for Th0, Th9 and the Foxp3-independent Treg) and the signature cytokines
# listed are made.
MARTINEZ_REGULATORS = ["TBET", "GATA3", "RORGT", "FOXP3", "BCL6"]
MARTINEZ_CELL_TYPES = {
    "Th0": ((), ()),
    "Th1": (("TBET",), ("IFNG",)),
    "Th2": (("GATA3",), ("IL4",)),
    "Th17": (("RORGT",), ("IL21",)),
    "Tfh": (("BCL6",), ("IL21",)),
    "Th9": ((), ("IL9",)),
    "iTreg": (("FOXP3",), ("TGFB",)),
    "Foxp3-independent Treg": ((), ("IL10",)),
}
MARTINEZ_CYTOKINES = ["IFNG", "IL2", "IL4", "IL21", "TGFB", "IL10", "IL9"]


def is_cell_type(states, regulators, cytokines):
    """Which rows of ``states`` have exactly ``regulators`` among the master regulators on and
    make every cytokine of ``cytokines`` (Th0: no master regulator and no cytokine at all)."""
    on = (states[MARTINEZ_REGULATORS] == 1)
    chosen = on[list(regulators)].all(axis=1) & (on.sum(axis=1) == len(regulators))
    made = states[list(cytokines)].eq(1).all(axis=1) if cytokines else (states[MARTINEZ_CYTOKINES] == 0).all(axis=1)
    return chosen & made


def stable_states_of_every_environment(model):
    """The stable states of every one of the 64 micro-environments, in one table."""
    return pandas.concat([fixed_points(model, inputs=dict(zip(model.inputs, levels)))
                          for levels in itertools.product((0, 1), repeat=len(model.inputs))],
                         ignore_index=True)


def cell_types_found(states):
    """The published cell types that some row of ``states`` shows."""
    return {name for name, definition in MARTINEZ_CELL_TYPES.items() if is_cell_type(states, *definition).any()}


@pytest.fixture(scope="module")
def martinez_stable_states(martinez):
    return stable_states_of_every_environment(martinez)


@pytest.mark.parametrize("cell_type", MARTINEZ_CELL_TYPES)
def test_martinez_network_recovers_each_published_cell_type(martinez_stable_states, cell_type):
    assert cell_type in cell_types_found(martinez_stable_states)


@pytest.mark.parametrize("knockout, lost", [
    ("TBET", "Th1"),      # Szabo et al. 2002 Science 295:338: no Th1 cells without T-bet
    ("GATA3", "Th2"),     # Zhu et al. 2004 Nat Immunol 5:1157: no Th2 cells without GATA3
    ("RORGT", "Th17"),    # Ivanov et al. 2006 Cell 126:1121: no Th17 cells without ROR-gamma-t
    ("BCL6", "Tfh"),      # Nurieva et al. 2009 Science 325:1001: no Tfh cells without BCL6
    ("FOXP3", "iTreg"),   # Fontenot et al. 2003 Nat Immunol 4:330: no Treg cells without FOXP3
])
def test_martinez_master_regulator_knockout_loses_only_its_cell_type(martinez, knockout, lost):
    # Abstract: the network "recovers mutant configurations that have been reported experimentally";
    # each knockout removes its own lineage and leaves the seven other cell types reachable
    found = cell_types_found(stable_states_of_every_environment(martinez.mutate({knockout: 0})))
    assert found == set(MARTINEZ_CELL_TYPES) - {lost}


@pytest.mark.parametrize("name", ["macrophage_palma2018", "cd4_martinez2015"])
def test_boolean_published_maps_have_the_stable_states_biodivine_aeon_finds(name):
    # aeon reads the shipped file itself; inputs free, so every environment is covered at once
    reference = pytest.importorskip("reference_aeon")
    network = reference.network_from_sbml(booleanidt.maps.path(name).read_text())
    assert reference.as_state_set(fixed_points(booleanidt.maps.load(name))) == reference.fixed_points(network, {})


def cmaboss_from_naive_cell(name, present, outputs):
    """Node probabilities at t = 30 when MaBoSS (cmaboss) runs the shipped file itself, inputs
    fixed as ``fix`` does (constant rule and initial state), internal nodes at their initial 0."""
    maboss = pytest.importorskip("maboss")
    reference = maboss.loadSBML(str(booleanidt.maps.path(name)), cmaboss=True)
    for node in booleanidt.maps.load(name).inputs:
        reference.mutate(node, "ON" if node in present else "OFF")
        reference.network.set_istate(node, [0, 1] if node in present else [1, 0])
    reference.update_parameters(max_time=30, time_tick=1, sample_count=500, use_physrandgen=0,
                                seed_pseudorandom=3)
    return reference.run().get_last_nodes_probtraj().iloc[-1][outputs]


@pytest.mark.parametrize("name, present, outputs", [
    ("th_naldi2010", NALDI_ENVIRONMENTS["Th1"][0], MASTERS),
    ("th_naldi2010", NALDI_ENVIRONMENTS["iTreg"][0], MASTERS),   # ternary IL2R/STAT5 involved
    ("macrophage_palma2018", PALMA_SUBSETS["M2b"][0], PALMA_READOUTS),
    ("cd4_martinez2015", ("TGFB_e", "IL21_e"), MARTINEZ_REGULATORS),   # Th17
    ("cd4_martinez2015", ("TGFB_e", "IL2_e"), MARTINEZ_REGULATORS),    # iTreg
])
def test_maboss_reads_the_shipped_file_and_agrees_from_the_naive_cell(name, present, outputs):
    # cmaboss booleanizes the ternary components of th_naldi2010 itself (STAT5_b1, STAT5_b2);
    # the outcomes are all-or-none, so both tools must give the same 0/1 per read-out
    model = booleanidt.maps.load(name)
    theirs = cmaboss_from_naive_cell(name, present, outputs)
    ours = from_naive_cell(model, present, outputs)
    for node in outputs:
        assert round(theirs[node]) == round(ours[node]) and abs(theirs[node] - round(theirs[node])) < 0.05, node
