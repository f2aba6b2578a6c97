"""Van Ham booleanization: brute force on small random models, and the multi-valued corpus models
against the multi-valued fixed points and against cmaboss's own booleanization solved by biodivine-aeon."""
from __future__ import annotations

import functools
import itertools
import json
import random
import subprocess
import sys
import textwrap
import warnings

import pandas as pd
import pytest

from booleanidt.analysis import fixed_points
from booleanidt.booleanize import booleanize, levels_from_booleanized
from booleanidt.expr import And, Compare, Const, IfThenElse, Not, Or, Var, evaluate
from booleanidt.io import sbmlqual
from booleanidt.model import LogicalModel, Node
from conftest import SBML_QUAL, needs_corpus
import reference_aeon


# --- brute force on small random multi-valued models ------------------------------------------

def random_multivalued_model(seed: int) -> LogicalModel:
    """3-4 nodes with max levels 1-3 and rules that are if-then-else chains over level tests."""
    rng = random.Random(seed)
    names = [f"N{i}" for i in range(rng.randint(3, 4))]
    tops = {n: rng.randint(1, 3) for n in names}

    def test():
        name = rng.choice(names)
        return Compare(rng.choice([">=", "==", "<=", "<", "!="]), Var(name), Const(rng.randint(0, tops[name])))

    def condition():
        a, b = test(), test()
        return rng.choice([And((a, b)), Or((a, Not(b))), a])

    rules = {}
    for n in names:
        rule = Const(rng.randint(0, tops[n]))
        for _ in range(rng.randint(1, 3)):
            rule = IfThenElse(condition(), Const(rng.randint(0, tops[n])), rule)
        rules[n] = rule
    return LogicalModel(nodes={n: Node(n, max_level=tops[n]) for n in names}, rules=rules)


def states(levels: dict):
    names = list(levels)
    for combo in itertools.product(*(range(levels[n] + 1) for n in names)):
        yield dict(zip(names, combo))


def targets(model: LogicalModel, state: dict) -> dict:
    return {n: min(max(int(evaluate(r, state)), 0), model.nodes[n].max_level) if r is not None else state[n]
            for n, r in model.rules.items()}


def encode(state: dict, mapping: dict) -> dict:
    bits = {}
    for name, level in state.items():
        for k, bit in enumerate(mapping.get(name, ()), start=1):
            bits[bit] = int(level >= k)
        if name not in mapping:
            bits[name] = level
    return bits


@pytest.mark.parametrize("seed", range(25))
def test_van_ham_mapping_by_brute_force(seed):
    model = random_multivalued_model(seed)
    boolean = booleanize(model)
    mapping = boolean.metadata["booleanized_from"]
    assert boolean.is_boolean

    stable = [s for s in states(model.max_levels) if targets(model, s) == s]
    boolean_stable = [s for s in states(boolean.max_levels) if targets(boolean, s) == s]
    assert sorted(map(sorted, (encode(s, mapping).items() for s in stable))) == \
        sorted(map(sorted, (s.items() for s in boolean_stable)))

    for state in states(model.max_levels):
        bits = encode(state, mapping)
        goal = targets(model, state)
        bit_goal = targets(boolean, bits)
        moved = {b for b in bits if bit_goal[b] != bits[b]}
        for name, top in model.max_levels.items():
            if name not in mapping:
                continue
            own = {b for b in mapping[name] if b in moved}
            step = 0 if goal[name] == state[name] else (1 if goal[name] > state[name] else -1)
            # exactly one bit can move, and it moves the level one step toward the target
            expected = set() if step == 0 else {mapping[name][state[name] if step > 0 else state[name] - 1]}
            assert own == expected, (name, state, goal)


def test_levels_from_booleanized_on_tables():
    table = pd.DataFrame({"A": [0, 1], "X_b1": [1, 1], "X_b2": [0, 1]})
    back = levels_from_booleanized(table, {"X": ("X_b1", "X_b2")})
    assert back.to_dict("list") == {"A": [0, 1], "X": [1, 2]}


def test_initial_levels_and_mutants_follow_the_levels():
    model = LogicalModel(nodes={"X": Node("X", max_level=3, initial_level=2), "A": Node("A")},
                         rules={"X": None, "A": Compare(">=", Var("X"), Const(2))}).mutate({"X": 1})
    boolean = booleanize(model)
    assert [boolean.nodes[b].initial_level for b in ("X_b1", "X_b2", "X_b3")] == [1, 1, 0]
    assert boolean.mutations == {"X_b1": 1, "X_b2": 0, "X_b3": 0}
    assert boolean.rules["A"] == Var("X_b2")


# --- corpus -------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def corpus_model(name: str) -> LogicalModel:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sbmlqual.read(SBML_QUAL / name)


def level_states(table: pd.DataFrame) -> set:
    return {tuple(sorted(row.items())) for row in table.to_dict("records")}


@needs_corpus
@pytest.mark.parametrize("name, count", [
    ("154_CONTROL-OF-TH1-TH2-DIFFERENTIATION__source.multivalued.sbml", 4),
    ("Traynard_MultiLevel_MamCC_Apr2016.sbml", 2),
])
def test_small_multivalued_stable_states_map_one_to_one(name, count):
    model = corpus_model(name)
    boolean = booleanize(model)
    multivalued = fixed_points(model)
    booleanized = fixed_points(boolean)
    assert len(multivalued) == len(booleanized) == count
    back = levels_from_booleanized(booleanized, boolean.metadata["booleanized_from"])
    assert level_states(back) == level_states(multivalued)


CMABOSS_RULES = textwrap.dedent("""
    import json, sys, maboss
    print(json.dumps(maboss.loadSBML(sys.argv[1], cmaboss=True).get_logical_rules()))
""")


def cmaboss_booleanization(path) -> dict:
    """cmaboss's own booleanization of the file (fresh process: see test_sbmlqual's cmaboss note)."""
    run = subprocess.run([sys.executable, "-c", CMABOSS_RULES, str(path)], capture_output=True, text=True,
                         timeout=300, check=True)
    return json.loads(run.stdout)


@needs_corpus
@pytest.mark.parametrize("name", [
    "157_CONTROL-OF-TH-DIFFERENTATION__source.multivalued.sbml",
    "161_DIFFERENTIATION-OF-MONOCYTES__source.multivalued.sbml",
    "195_CTLA4-PD1-CHECKPOINT-INHIBITORS__source.multivalued.sbml",
])
def test_large_multivalued_equal_cmaboss_booleanization(name):
    boolean = booleanize(corpus_model(name))
    rules = cmaboss_booleanization(SBML_QUAL / name)
    assert sorted(rules) == sorted(boolean.node_ids)
    network = reference_aeon.network_from_rules(rules)
    inputs = sorted(boolean.inputs)
    rng = random.Random(7)
    for assignment in ({i: 0 for i in inputs}, {i: rng.randint(0, 1) for i in inputs}):
        ours = reference_aeon.as_state_set(fixed_points(boolean, inputs=assignment))
        assert ours == reference_aeon.fixed_points(network, assignment)


def test_bits_keep_names_and_annotations():
    from booleanidt.model import Annotation
    note = (Annotation("bqbiol:is", ("urn:miriam:hgnc.symbol:STAT5A",)),)
    model = LogicalModel(nodes={"X": Node("X", name="STAT5", max_level=2, annotations=note)}, rules={"X": None})
    bits = booleanize(model).nodes
    assert [(b.name, b.annotations) for b in bits.values()] == [("STAT5_b1", note), ("STAT5_b2", note)]


@needs_corpus
def test_booleanized_model_exports_to_valid_sbml():
    boolean = booleanize(corpus_model("157_CONTROL-OF-TH-DIFFERENTATION__source.multivalued.sbml"))
    # the layout draws the multi-valued species, which the booleanized model no longer has
    with pytest.warns(UserWarning, match="layout dropped"):
        text = sbmlqual.dumps(boolean)
    assert sbmlqual.consistency_problems(text) == []
    assert sbmlqual.loads(text).rules == boolean.rules
