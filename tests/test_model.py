"""LogicalModel: views, signed graph, perturbations, copies and pickling."""
import pickle

import pytest

from booleanidt.expr import And, Compare, Const, IfThenElse, Not, Or, Var
from booleanidt.model import (
    Annotation, JointInitialState, LogicalModel, ModelError, Node, default_rate_up, parse_identifier,
)


@pytest.fixture
def model():
    return LogicalModel.from_rules({
        "TNF": None,
        "NFKB": And((Var("TNF"), Not(Var("CASP3")))),
        "CASP3": Or((Var("TNF"), Var("CASP3"))),
        "Survival": Var("NFKB"),
        "Loop": Var("Loop"),
    })


def test_inputs_outputs_and_signed_graph(model):
    assert model.inputs == ("TNF", "Loop")
    edges = {(s, t): d["sign"] for s, t, d in model.graph.edges(data=True)}
    assert edges[("TNF", "NFKB")] == 1
    assert edges[("CASP3", "NFKB")] == -1
    assert edges[("NFKB", "Survival")] == 1


def test_outputs_are_nodes_regulating_no_other_node(model):
    # CASP3 regulates NFKB, so it is not an output; Loop only regulates itself
    assert model.outputs == ("Survival", "Loop")


def test_mutate_makes_rule_constant_drops_explicit_rates_and_keeps_initial_state(model):
    """cmaboss's own ``mutate`` (checked: a rate_up of 50 becomes rate 1 there)."""
    start = model.with_initial_probabilities({"NFKB": 0.0}).replace(rates_up={"NFKB": Const(50.0)})
    mutant = start.mutate({"NFKB": 1})
    assert mutant.rate_up("NFKB") == default_rate_up() and "NFKB" not in mutant.rates_up
    assert mutant.rules["NFKB"] == Const(1)
    assert mutant.initial_probability("NFKB") == 0.0
    assert mutant.mutations == {"NFKB": 1}
    assert model.rules["NFKB"] != Const(1), "the original model is unchanged"
    assert ("CASP3", "NFKB") not in mutant.graph.edges


def test_fix_sets_the_rate_away_to_zero_and_the_initial_state(model):
    fixed = model.fix({"CASP3": 0, "NFKB": 1})
    assert fixed.rate_up("CASP3") == Const(0)
    assert fixed.rate_down("CASP3") == model.rate_down("CASP3")
    assert fixed.rate_down("NFKB") == Const(0)
    assert fixed.initial_probability("CASP3") == 0.0 and fixed.initial_probability("NFKB") == 1.0
    assert fixed.rules == model.rules, "fix leaves the logic alone"
    assert fixed.fixed == {"CASP3": 0, "NFKB": 1}


def test_perturbations_reject_unknown_nodes_and_levels(model):
    with pytest.raises(ModelError, match="mutant: unknown node 'P53'"):
        model.mutate({"P53": 1})
    with pytest.raises(ModelError, match=r"fixed node: NFKB=2 is outside 0..1"):
        model.fix({"NFKB": 2})


def test_default_rates_and_initial_probability(model):
    assert model.rate_up("NFKB") == default_rate_up()
    assert model.rate_up("TNF") == Const(0), "a free input keeps its value"
    assert model.initial_probability("TNF") == 0.5
    leveled = model.replace(nodes={**model.nodes, "TNF": Node("TNF", initial_level=1)})
    assert leveled.initial_probability("TNF") == 1.0


def test_unknown_regulator_is_an_error():
    with pytest.raises(ModelError, match="rule of B names unknown node"):
        LogicalModel.from_rules({"B": Var("A")})


def test_joint_initial_states_normalise_and_reject_zero_weights():
    joint = JointInitialState(("A", "B"), ((0.3, (0, 0)), (0.9, (1, 1))))
    assert joint.probabilities() == [(0.25, (0, 0)), (0.75, (1, 1))]
    with pytest.raises(ModelError, match="sum to more than 0"):
        JointInitialState(("A", "B"), ((0, (0, 0)), (0, (1, 1))))


def test_multivalued_nodes_and_annotations():
    nodes = {"X": Node("X", max_level=2, annotations=(
        Annotation("bqbiol:is", ("http://identifiers.org/hgnc.symbol/IFNG", "urn:miriam:uniprot:P01579")),
        Annotation("bqbiol:isEncodedBy", ("https://identifiers.org/ensembl:ENSG00000111537",)),
    )), "Y": Node("Y")}
    rules = {"X": IfThenElse(Var("Y"), Const(2), Const(0)), "Y": Compare(">=", Var("X"), Const(2))}
    model = LogicalModel(nodes=nodes, rules=rules)
    assert not model.is_boolean and model.multivalued_nodes == ("X",)
    x = model.nodes["X"]
    assert (x.hgnc_symbols, x.uniprot_ids, x.ensembl_ids) == (("IFNG",), ("P01579",), ("ENSG00000111537",))
    with pytest.raises(ModelError, match="booleanize the model first"):
        model.fix({"X": 1})
    assert parse_identifier("not a uri") is None


def test_copies_are_equal_independent_and_picklable(model):
    copy = model.copy()
    assert copy == model and copy is not model
    copy.parameters["u"] = 2.0
    assert "u" not in model.parameters
    _ = model.graph  # a cached graph must not break pickling or equality
    clone = pickle.loads(pickle.dumps(model))
    assert clone == model
    assert sorted(clone.graph.edges) == sorted(model.graph.edges)


def test_replace_checks_changed_rules_only_once_but_always(model):
    with pytest.raises(ModelError, match="rule of Survival names unknown node"):
        model.replace(rules={**model.rules, "Survival": Var("P53")})
    with pytest.raises(TypeError, match="no field"):
        model.replace(rulez={})
    renamed = model.replace(nodes={"X": Node("X")}, rules={"X": None})
    assert renamed.node_ids == ("X",)
