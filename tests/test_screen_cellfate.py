"""Knock-out / knock-in screen of the cell fate model (Calzone et al. 2010, TNF on) against
cmaboss's own ``mutate`` runs, mutant by mutant, within 5 combined standard errors.

Settings are those of corpus maboss/cellfate_TNF.cfg (max_time 10, time_tick 0.1, TNF on at
t = 0) with 2,000 trajectories per mutant on both sides; cmaboss runs with use_physrandgen=0.
cmaboss gives no standard error per node, so its side uses sqrt(p(1 - p)/S), the largest
standard error a time average in [0, 1] with mean p can have over S trajectories.

Mutant semantics: cmaboss's default ``mutate(node, state)`` (``simple=True``, also the default
of pyMaBoSS's CMaBoSSSimulation.mutate) makes the rule constant and drops explicit rates, so the
node leaves its initial value at rate 1: a TNF knock-out still starts with TNF on and lets
15% of cells reach apoptosis by t = 10.  ``LogicalModel.mutate`` is this mutant (DESIGN.md
section 4), so we compare with cmaboss's default.  (``simple=False`` is pyMaBoSS's classic
mutant, ``$Low_X ? 1E308/$nb_mutable``, which switches the node at t = 0: our ``fix``.)

Qualitative effects Calzone et al. (2010, PLoS Comput Biol 6:e1000702) report under TNF, next
to what this screen measures at t = 10 (wild type: Apoptosis 0.61, NonACD 0.036, Survival 0.028):
* CASP8 knock-out removes apoptosis in favour of necrosis (NonACD) and survival:
  measured Apoptosis 0.61 -> ~0.01, NonACD 0.036 -> ~0.07, Survival 0.028 -> ~0.17.
* RIP1 knock-out removes necrosis: measured NonACD -> 0 (and Survival -> 0), apoptosis stays high (~0.65).
* cFLIP over-expression (knock-in) blocks caspase-8 and so apoptosis: measured Apoptosis -> ~0.04,
  Survival up to ~0.16.
* NFkB knock-out removes survival and raises necrosis: measured Survival -> 0, NonACD ~0.07.
The tests below check these qualitative effects on our scores and the per-mutant agreement.
"""
from __future__ import annotations

import math

import pytest

from booleanidt.analysis.screen import knockins, knockouts, ranked, screen

from conftest import MABOSS, needs_corpus

pytestmark = [needs_corpus, pytest.mark.corpus]

PHENOTYPES = ["Apoptosis", "NonACD", "Survival"]
TRAJECTORIES = 2000
BND, CFG = MABOSS / "cellfate.bnd", MABOSS / "cellfate_TNF.cfg"


@pytest.fixture(scope="module")
def cellfate():
    from booleanidt.io import maboss as maboss_io
    return maboss_io.read(BND, CFG), maboss_io.read_settings(CFG)


@pytest.fixture(scope="module")
def our_screen(cellfate):
    model, settings = cellfate
    perturbations = knockouts(model, exclude=PHENOTYPES) + knockins(model, exclude=PHENOTYPES)
    return screen(model, perturbations, PHENOTYPES, settings=settings, sample_count=TRAJECTORIES)


def cmaboss_run(mutation, seed):
    maboss = pytest.importorskip("maboss")
    sim = maboss.load(str(BND), str(CFG), cmaboss=True)
    sim.update_parameters(sample_count=TRAJECTORIES, use_physrandgen=0, thread_count=2, seed_pseudorandom=seed)
    if mutation is not None:
        sim.mutate(*mutation)
    last = sim.run().get_last_nodes_probtraj(as_series=True)
    return {n: float(last.get(n, 0.0)) for n in PHENOTYPES}


def parse(name):
    if name == "wild type":
        return None
    node, kind = name.split()
    return node, {"KO": "OFF", "KI": "ON"}[kind]


def test_every_mutant_agrees_with_cmaboss(our_screen, cellfate):
    seed = cellfate[1].seed
    failures = []
    for name, rows in our_screen.groupby("perturbation", sort=False):
        reference = cmaboss_run(parse(name), seed)
        for row in rows.itertuples():
            p = reference[row.output]
            combined = math.hypot(row.error, math.sqrt(max(p * (1 - p), 0.0) / TRAJECTORIES))
            if abs(row.score - p) > 5 * combined + 1e-9:
                failures.append(f"{name} {row.output}: ours {row.score:.4f} +- {row.error:.4f}, cmaboss {p:.4f}")
    assert len(our_screen) == 57 * 3
    assert not failures, failures


def score(table, perturbation, output):
    return float(table[(table.perturbation == perturbation) & (table.output == output)].score.iloc[0])


def test_calzone_qualitative_effects(our_screen):
    wild = {n: score(our_screen, "wild type", n) for n in PHENOTYPES}
    assert score(our_screen, "CASP8 KO", "Apoptosis") < 0.05 < wild["Apoptosis"]
    assert score(our_screen, "CASP8 KO", "NonACD") > wild["NonACD"]
    assert score(our_screen, "RIP1 KO", "NonACD") == 0.0 < wild["NonACD"]
    assert score(our_screen, "cFLIP KI", "Apoptosis") < 0.1
    assert score(our_screen, "cFLIP KI", "Survival") > wild["Survival"]
    assert score(our_screen, "NFkB KO", "Survival") == 0.0
    assert score(our_screen, "NFkB KO", "NonACD") > wild["NonACD"]


def test_ranking_puts_the_strongest_apoptosis_effects_first(our_screen):
    table = ranked(our_screen, by="Apoptosis")
    effects = (table["Apoptosis"] - table.loc["wild type", "Apoptosis"]).abs()
    assert list(effects) == sorted(effects, reverse=True)
    assert table.index[-1] != "CASP8 KO"


def test_screen_by_stable_states(cellfate):
    # With TNF fixed on, the wild type has 12 stable states, 4 per fate (Calzone 2010: the three
    # fates are the stable outcomes).  Stable states count whether or not the initial state
    # reaches them: RIP1 knock-out keeps stable states with NonACD on (0.4 of them) although
    # simulations from the TNF initial state never reach necrosis (test above: NonACD = 0).
    model, _ = cellfate
    perturbations = knockouts(model, ["CASP8", "RIP1", "NFkB"]) + knockins(model, ["cFLIP"])
    table = screen(model, perturbations, PHENOTYPES, method="fixed_points", inputs={"TNF": 1}, executor="serial")
    assert [score(table, "wild type", n) for n in PHENOTYPES] == pytest.approx([1 / 3] * 3)
    assert score(table, "CASP8 KO", "Apoptosis") == 0.0 and score(table, "cFLIP KI", "Apoptosis") == 0.0
    assert score(table, "NFkB KO", "Survival") == 0.0 and score(table, "RIP1 KO", "Survival") == 0.0
    assert score(table, "RIP1 KO", "NonACD") == pytest.approx(0.4)
