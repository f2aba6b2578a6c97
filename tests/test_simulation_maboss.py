"""booleanidt's simulator against MaBoSS (cmaboss) on the corpus: same statistics.

Both sides run 20,000 trajectories (cmaboss with ``use_physrandgen=0`` and the
build ``maboss.load(..., cmaboss=True)`` picks for the model's size).  Every
output node's probability in every window, the last window's output-state
distribution and the fixed-point probabilities must agree within 5 combined
standard errors + 0.002.

Standard errors: ours come from the per-trajectory window fractions.  cmaboss
gives state errors (used for states) but its node "errors" are sums of state
errors, far above the real ones, so for node probabilities the reference's SE
is taken equal to ours (same estimator, same trajectory count: under the null
hypothesis both have the same SE).  Fixed points: binomial SE on both sides.

State labels differ in node order only: MaBoSS orders nodes by their first
mention in the .bnd (a node named in an earlier rule comes first), we keep the
declaration order; states are compared as sets of active nodes.

max_time/time_tick are chosen per model so each comparison takes seconds;
MaBoSS needs 3-6 us per transition on sizek and Montagud, so they run shorter.
"""
from __future__ import annotations

import math
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pytest

from conftest import MABOSS, SBML_QUAL, needs_corpus

maboss = pytest.importorskip("maboss")

import booleanidt  # noqa: E402
from booleanidt.io import maboss as maboss_io  # noqa: E402
from booleanidt.simulation import SimulationResult, simulate  # noqa: E402

pytestmark = [needs_corpus, pytest.mark.corpus]

TRAJECTORIES = 20_000
SEED = 11


def _frozen(label: str) -> frozenset:
    return frozenset() if label == "<nil>" else frozenset(label.split(" -- "))


def _utf8_copy(path: Path, folder: Path) -> Path:
    """cmaboss's Python loader reads UTF-8 only; p53_Mdm2.bnd has Latin-1 comments."""
    copy = folder / path.name
    copy.write_bytes(path.read_bytes().decode("latin-1").encode("utf-8"))
    return copy


def _run_cmaboss(bnd: Path, cfg: Path, max_time: float, time_tick: float, mutants=(), sbml=False):
    """cmaboss's node table, and its _probtraj.csv/_fp.csv read back with SimulationResult.load."""
    sim = maboss.loadSBML(str(bnd), str(cfg), cmaboss=True) if sbml else \
        maboss.load(str(bnd), str(cfg), cmaboss=True)
    sim.update_parameters(use_physrandgen=0, sample_count=TRAJECTORIES, max_time=max_time, time_tick=time_tick,
                          thread_count=1, seed_pseudorandom=SEED)
    for node, value in mutants:
        sim.mutate(node, value)  # cmaboss's own mutant, its default form (simple=True)
    result = sim.run()
    folder = Path(tempfile.mkdtemp(prefix="cmaboss_"))
    result.save(str(folder / "ref"))
    return result.get_nodes_probtraj(), SimulationResult.load(folder / "ref" / "res")


def _assert_close(ours, theirs, se_ours, se_theirs, what):
    bound = 5 * np.sqrt(se_ours ** 2 + se_theirs ** 2) + 0.002
    bad = np.abs(ours - theirs) > bound
    assert not bad.any(), (f"{what}: {int(bad.sum())} values differ by more than 5 SE + 0.002, e.g. ours "
                           f"{ours[bad][:3]} vs MaBoSS {theirs[bad][:3]} (bound {bound[bad][:3]})")


def compare(result, reference):
    """Assert that our result and cmaboss's agree (module docstring)."""
    ref_nodes, saved = reference
    assert len(ref_nodes) == len(result.node_probabilities), "window counts differ"
    nodes = list(ref_nodes.columns)
    ours = result.node_probabilities[nodes].to_numpy()
    se = result.node_errors[nodes].to_numpy()
    _assert_close(ours, ref_nodes.to_numpy(), se, se, "node probabilities")

    ref_states = saved.state_probabilities.iloc[-1]
    ref_errors = saved.state_errors.iloc[-1]
    mine = {_frozen(s): (p, result.state_errors[s].iloc[-1])
            for s, p in result.state_probabilities.iloc[-1].items() if p > 0}
    theirs = {_frozen(s): (p, ref_errors[s]) for s, p in ref_states.items() if p > 0}
    keys = sorted(set(mine) | set(theirs), key=sorted)
    pick = lambda table, i: np.array([table.get(k, (0.0, 0.0))[i] for k in keys])  # noqa: E731
    _assert_close(pick(mine, 0), pick(theirs, 0), pick(mine, 1), pick(theirs, 1), "last-window states")

    ref_fp = saved.fixed_points
    theirs_fp = {_frozen(s): p for s, p in zip(ref_fp["State"], ref_fp["Proba"])} if len(ref_fp) else {}
    mine_fp = {_frozen(s): p for s, p in zip(result.fixed_points["State"], result.fixed_points["Proba"])}
    keys = sorted(set(mine_fp) | set(theirs_fp), key=sorted)
    a = np.array([mine_fp.get(k, 0.0) for k in keys])
    b = np.array([theirs_fp.get(k, 0.0) for k in keys])
    binomial = lambda p: np.sqrt(p * (1 - p) / TRAJECTORIES)  # noqa: E731
    _assert_close(a, b, binomial(a), binomial(b), "fixed points")
    return len(keys)


# model, cfg, max_time, time_tick; heavy ones marked slow
MABOSS_CASES = [
    pytest.param("cellcycle.bnd", "cellcycle_runcfg.cfg", 5.0, 0.2, id="cellcycle-discrete"),
    pytest.param("cellfate.bnd", "cellfate_TNF.cfg", 20.0, 1.0, id="cellfate-TNF"),
    pytest.param("metastasis.bnd", "metastasis.cfg", 20.0, 1.0, id="metastasis"),
    pytest.param("p53_Mdm2.bnd", "p53_Mdm2_runcfg.cfg", 20.0, 1.0, id="p53_Mdm2"),
    pytest.param("sizek.bnd", "sizek.cfg", 3.0, 1.0, id="sizek", marks=pytest.mark.slow),
    pytest.param("Montagud2022_Prostate_Cancer.bnd", "Montagud2022_Prostate_Cancer.cfg", 1.5, 0.25,
                 id="Montagud", marks=pytest.mark.slow),
]


@pytest.mark.parametrize("bnd, cfg, max_time, time_tick", MABOSS_CASES)
def test_maboss_models_agree_with_cmaboss(bnd, cfg, max_time, time_tick, tmp_path):
    bnd_path, cfg_path = _utf8_copy(MABOSS / bnd, tmp_path), _utf8_copy(MABOSS / cfg, tmp_path)
    model = maboss_io.read(bnd_path, cfg_path)
    settings = maboss_io.read_settings(cfg_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = simulate(model, settings, max_time=max_time, time_tick=time_tick, sample_count=TRAJECTORIES,
                        seed=SEED, threads=2)
    compare(ours, _run_cmaboss(bnd_path, cfg_path, max_time, time_tick))


CELLFATE_OFF = "cellfate.cfg"  # TNF.istate = 0 there


@pytest.mark.parametrize("cfg, mutants", [
    (CELLFATE_OFF, [("TNF", "ON")]), ("cellfate_TNF.cfg", [("TNF", "OFF")]), ("cellfate_TNF.cfg", [("CASP8", "OFF")]),
    (CELLFATE_OFF, [("TNF", "ON"), ("CASP8", "OFF")])], ids=["TNF-ON", "TNF-OFF", "CASP8-OFF", "TNF-ON+CASP8-OFF"])
def test_mutants_agree_with_cmaboss_mutate(cfg, mutants):
    """Our ``mutate`` against cmaboss's own ``mutate`` on cellfate (TNF starting OFF or ON).

    cmaboss's default ``mutate(node, value)`` (``simple=True``) writes ``logic = 1|0`` and
    drops the node's explicit rates: the node keeps its initial state and moves to the value
    at rate 1, as ours does (DESIGN.md section 4).  (Its ``simple=False`` is pyMaBoSS's
    immediate switch, which is our ``fix``.)
    """
    model = maboss_io.read(MABOSS / "cellfate.bnd", MABOSS / cfg)
    model = model.mutate({node: int(value == "ON") for node, value in mutants})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = simulate(model, max_time=20, time_tick=1, sample_count=TRAJECTORIES, seed=SEED, threads=2)
    compare(ours, _run_cmaboss(MABOSS / "cellfate.bnd", MABOSS / cfg, 20.0, 1.0, mutants))


JOINT = "[TNF, CASP8].istate = 0.25 [0, 0], 0.5 [1, 0], 0.25 [1, 1];\n"


def test_joint_initial_states_agree_with_cmaboss(tmp_path):
    """A joint group on cellfate: TNF ON or OFF with CASP8 OFF, or both ON."""
    text = (MABOSS / CELLFATE_OFF).read_text()
    text = "\n".join(line for line in text.splitlines()
                     if not line.startswith(("TNF.istate", "CASP8.istate"))) + "\n" + JOINT
    cfg = tmp_path / "cellfate_joint.cfg"
    cfg.write_text(text)
    model = maboss_io.read(MABOSS / "cellfate.bnd", cfg)
    assert model.joint_initial_states, "the reader should keep the joint group"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = simulate(model, max_time=20, time_tick=1, sample_count=TRAJECTORIES, seed=SEED, threads=2)
    assert ours.node_probabilities["TNF"].iloc[0] == pytest.approx(0.75, abs=0.02)
    compare(ours, _run_cmaboss(MABOSS / "cellfate.bnd", cfg, 20.0, 1.0))


SBML_CASES = [
    pytest.param("150_CELL-FATE-DECISION-MULTISCALE__source.sbml", id="150"),
    pytest.param("134_RHEUMATOID-ARTHRITIS__source.sbml", id="134"),
    pytest.param("155_CONTROL-OF-TH1-TH2-TH17-TREG-DIFFERENTATION__source.booleanized.sbml", id="155-booleanized"),
]


@pytest.mark.parametrize("name", SBML_CASES)
def test_sbml_models_agree_with_cmaboss(name, tmp_path):
    """Every node starts at random; the last 8 nodes are the outputs (the rest internal) on both sides."""
    path = SBML_QUAL / name
    model = booleanidt.read(path)
    outputs = list(model.node_ids)[-8:]
    cfg = tmp_path / "run.cfg"
    cfg.write_text("".join(f"{n}.istate = -1;\n{n}.is_internal = {int(n not in outputs)};\n" for n in model.nodes))
    model = model.with_initial_probabilities({n: 0.5 for n in model.nodes})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = simulate(model, max_time=6, time_tick=1, sample_count=TRAJECTORIES, seed=SEED, threads=2,
                        outputs=outputs)
    compare(ours, _run_cmaboss(path, cfg, 6.0, 1.0, sbml=True))


def test_comparison_detects_a_real_difference(tmp_path):
    """The comparison is not vacuous: cIAP's transcription rate tripled is caught."""
    model = maboss_io.read(MABOSS / "cellfate.bnd", MABOSS / "cellfate_TNF.cfg")
    slower = model.with_parameters({"TransRate": model.parameters["TransRate"] * 3})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = simulate(slower, max_time=10, time_tick=1, sample_count=TRAJECTORIES, seed=SEED, threads=2)
    with pytest.raises(AssertionError):
        compare(ours, _run_cmaboss(MABOSS / "cellfate.bnd", MABOSS / "cellfate_TNF.cfg", 10.0, 1.0))


def test_decay_check_matches_closed_form():
    """decay_check: one node switched on at rate 1; window k averages 1 - e^-k (1 - e^-1)."""
    model = maboss_io.read(MABOSS / "decay_check.bnd", MABOSS / "decay_check.cfg")
    settings = maboss_io.read_settings(MABOSS / "decay_check.cfg")
    result = simulate(model, settings, seed=SEED)  # the .cfg asks for 1,000,000 trajectories
    expected = [1 - math.exp(-k) * (1 - math.exp(-1)) for k in range(5)]
    assert result.node_probabilities["A"].to_numpy() == pytest.approx(expected, abs=0.002)
    assert result.node_probabilities["A"].iloc[0] == pytest.approx(0.36788, abs=0.002)
    # every trajectory ends on the fixed point A = 1, which is credited up to max_time
    assert result.fixed_points["State"].tolist() == ["A"]
    assert result.fixed_points["Proba"].iloc[0] == pytest.approx(1 - math.exp(-5), abs=0.002)


def test_log_and_exp_of_node_dependent_arguments_give_their_closed_form_rates():
    """MaBoSS's log(x[, base]) and exp(x[, base]) on non-constant arguments: B turns on at rate
    exp(-$k * A) + log(4 - A, 2) = 2 + 1 while A is 0, and never decays: P(B on) = 1 - exp(-3t).  C turns
    on at rate exp(A * $k, 2) = 2 ** 1 once A (on from the start) is read: P(C on) = 1 - exp(-2t)."""
    bnd = ("node A { rate_up = 0; rate_down = 0; }\n"
           "node Z { rate_up = 0; rate_down = 0; }\n"
           "node B { rate_up = exp(-$k * Z) + log(4 - Z, 2); rate_down = 0; }\n"
           "node C { rate_up = exp(A * $k, 2); rate_down = 0; }\n")
    cfg = ("$k = 1; A.istate = 1; Z.istate = 0; B.istate = 0; C.istate = 0;\n"
           "max_time = 2; time_tick = 0.5; sample_count = 20000;\n")
    model = maboss_io.loads(bnd, cfg)
    assert "exp(-$k * Z) + log(4 - Z, 2)" in maboss_io.dumps(model)[0]
    result = simulate(model, maboss_io.loads_settings(cfg), seed=SEED)
    times = result.node_probabilities.index.to_numpy()

    def window_mean(rate):  # mean of 1 - exp(-rate t) over [t, t + 0.5)
        return 1 - (np.exp(-rate * times) - np.exp(-rate * (times + 0.5))) / (0.5 * rate)
    assert result.node_probabilities["B"].to_numpy() == pytest.approx(window_mean(3.0), abs=0.012)
    assert result.node_probabilities["C"].to_numpy() == pytest.approx(window_mean(2.0), abs=0.012)
