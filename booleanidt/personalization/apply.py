"""Applying a patient profile to a logical model, the PROFILE way.

A profile is two mappings node id -> value (NaN or absent = no data):

* ``continuous`` values in [0, 1] (normalised RNA or protein);
* ``discrete`` values 0/1 (mutations, CNA: forced off / on).

:func:`personalize` applies them in the order of PROFILE's ``MaBoSS_specific.py``:

1. inputs (free nodes, self-loops) start at ``input_probability`` (0.5) and
   constant nodes at their constant: PROFILE's defaults for "implicit inputs";
2. continuous data (``continuous_as``):

   * ``"rates"`` (PROFILE ``-rb``): initial probability ``round(x, 5)``,
     ``up = round(F**(2x - 1), 5)``, ``down = round(1/up, 5)`` multiply the node's
     ``$u_X`` / ``$d_X`` when its rates use them, else its rate expressions
     (MaBoSS's default ``@logic ? 1 : 0`` for models without rates);
   * ``"advanced"`` (PROFILE ``-ra``): ``$u_X`` scaled by ``F**(2 m - 1)`` with ``m``
     the mean value of X's activators that have data, ``$d_X`` by the same with its
     inhibitors; inputs with data start at their value; other initial states untouched;
   * ``"initial"``: initial probabilities only;

3. discrete data (``discrete_as``): ``"fix"`` = :meth:`LogicalModel.fix` (0: rate up 0,
   starts at 0; 1: rate down 0, starts at 1; ``$u_X`` / ``$d_X`` set to 0 as PROFILE's
   .cfg does), or ``"initial"`` = initial states only.

Drugs (``drugs={"X": strength}``) add a free node ``anti_X`` whose initial
probability is the strength, and X's rule becomes ``(rule) & !anti_X``.

Where we differ from PROFILE: PROFILE reads a missing ``$u_X`` as a crash (its
``grep`` returns nothing); we scale the node's rate expression instead.  PROFILE's
``-ra`` mode writes ``round(nan, 5)`` as the initial state of an input without
data; we leave such inputs at ``input_probability``.  ``-ra`` reads activators and
inhibitors from PROFILE's ``.reggraph`` file; we read them from the model's signed
graph, which also holds regulators that cannot change the rule (Fumia's ``FOXO =
!AKT | AKT``), as activators.

Examples
--------
>>> from booleanidt.expr import Var, Not
>>> from booleanidt.model import LogicalModel
>>> m = LogicalModel.from_rules({"EGF": None, "ERK": Var("EGF"), "P53": Not(Var("ERK"))})
>>> p = personalize(m, continuous={"ERK": 1.0}, discrete={"P53": 0})
>>> p.initial_probabilities["EGF"], p.initial_probabilities["ERK"], p.fixed
(0.5, 1.0, {'P53': 0})
>>> from booleanidt.expr import to_text
>>> to_text(p.rate_up("ERK"))
'100.0 * (@logic ? 1 : 0)'
"""
from __future__ import annotations

import dataclasses
import math
from typing import Mapping, Optional

from ..errors import BooleanidtError
from ..expr import And, Arith, Const, Expr, Not, Var, parameters
from ..model import LogicalModel, Node
from ..naming import resolve_known

__all__ = ["personalize", "profile_values", "COMPAT_MODES", "mark_outputs", "add_drugs", "drug_problem", "rate_factors", "ProfileError",
           "CONTINUOUS_MODES", "DISCRETE_MODES", "DEFAULT_FACTOR"]

#: PROFILE's default amplification factor of the rates (``-rf 100``)
DEFAULT_FACTOR = 100.0
#: how continuous data are used: PROFILE -rb, PROFILE -ra, initial states only
CONTINUOUS_MODES = ("rates", "advanced", "initial")
#: how discrete data are used: forced nodes (PROFILE -m), initial states only (PROFILE -c)
DISCRETE_MODES = ("fix", "initial")
#: ``None``: PROFILE's documented method; ``"profile-scripts"``: what PROFILE's
#: ``MaBoSS_specific_Linux.py`` did to the .cfg (see :func:`personalize`)
COMPAT_MODES = (None, "profile-scripts")
#: decimals PROFILE keeps for initial probabilities and rate factors
_DECIMALS = 5


class ProfileError(BooleanidtError):
    """A profile that cannot be applied to the model (unknown node, value out of range...)."""


def rate_factors(x: float, factor: float = DEFAULT_FACTOR, round_down: bool = True) -> tuple:
    """PROFILE's rate multipliers for a node at normalised level ``x``.

    ``up = round(factor**(2x - 1), 5)`` and ``down = round(1/up, 5)`` (``1/up``
    unrounded with ``round_down=False``, as PROFILE's scripts compute it).

    >>> rate_factors(0.5)
    (1.0, 1.0)
    >>> rate_factors(0.25)
    (0.1, 10.0)
    >>> rate_factors(0.3)[1], rate_factors(0.3, round_down=False)[1]
    (6.30955, 6.309546343617894)
    """
    up = round(factor ** (2 * x - 1), _DECIMALS)
    return up, (round(1 / up, _DECIMALS) if round_down else 1 / up)


def _present(values: Optional[Mapping]) -> dict:
    """The entries of ``values`` that carry data (drop None and NaN)."""
    return {k: v for k, v in (values or {}).items() if v is not None and not (isinstance(v, float) and math.isnan(v))}


def profile_values(profile=None, continuous: Optional[Mapping] = None, discrete: Optional[Mapping] = None) -> tuple:
    """The ``(continuous, discrete)`` values of a profile that carry data (NaN and None dropped).

    ``profile`` is a mapping or an object with ``continuous`` and ``discrete``; the
    mappings given directly win over its entries.

    >>> profile_values({"continuous": {"A": 0.5, "B": float("nan")}}, discrete={"C": 1})
    ({'A': 0.5}, {'C': 1})
    """
    if profile is not None:
        get = profile.get if isinstance(profile, Mapping) else lambda key: getattr(profile, key, None)
        continuous = {**(get("continuous") or {}), **(continuous or {})}
        discrete = {**(get("discrete") or {}), **(discrete or {})}
    return _present(continuous), _present(discrete)


def _checked_profile(model: LogicalModel, continuous: Mapping, discrete: Mapping) -> tuple:
    continuous, discrete = (_by_id(model, values) for values in (continuous, discrete))
    for kind, values in (("continuous", continuous), ("discrete", discrete)):
        unknown = sorted(set(values) - model.nodes.keys())
        if unknown:
            raise ProfileError(f"{kind} profile names node(s) not in the model: {', '.join(unknown)}")
    for node_id, x in continuous.items():
        if not isinstance(x, (int, float)) or not 0.0 <= x <= 1.0:
            raise ProfileError(f"continuous value of {node_id} is {x!r}, not a number in [0, 1]")
    for node_id, x in discrete.items():
        if x not in (0, 1):
            raise ProfileError(f"discrete value of {node_id} is {x!r}, not 0 or 1")
    return continuous, {k: int(v) for k, v in discrete.items()}


class _Editor:
    """Mutable working copy of a model's rates, parameters and initial states."""

    def __init__(self, model: LogicalModel):
        self.model = model
        self.rates = {"u": dict(model.rates_up), "d": dict(model.rates_down)}
        self.parameters = dict(model.parameters)
        self.initial = dict(model.initial_probabilities)

    def _rate(self, direction: str, node_id: str) -> Expr:
        if node_id in self.rates[direction]:
            return self.rates[direction][node_id]
        return self.model.rate_up(node_id) if direction == "u" else self.model.rate_down(node_id)

    def own_parameter(self, direction: str, node_id: str) -> Optional[str]:
        """``u_X`` / ``d_X`` when X's rate reads that parameter and the model defines it."""
        name = f"{direction}_{node_id}"
        if name in self.parameters and name in parameters(self._rate(direction, node_id)):
            return name
        return None

    def scale(self, direction: str, node_id: str, multiplier: float):
        name = self.own_parameter(direction, node_id)
        if name:
            self.parameters[name] = multiplier * self.parameters[name]
        else:
            self.rates[direction][node_id] = Arith("*", Const(multiplier), self._rate(direction, node_id))

    def zero_parameter(self, direction: str, node_id: str):
        name = self.own_parameter(direction, node_id)
        if name:
            self.parameters[name] = 0

    def result(self) -> LogicalModel:
        return self.model.replace(rates_up=self.rates["u"], rates_down=self.rates["d"],
                                  parameters=self.parameters, initial_probabilities=self.initial)


def _default_initial_states(editor: _Editor, input_probability: Optional[float]):
    model = editor.model
    if input_probability is not None:
        for node_id in model.inputs:
            editor.initial[node_id] = input_probability
    for node_id in model.constants:
        if model.nodes[node_id].max_level == 1:
            editor.initial[node_id] = float(model.rules[node_id].value)


def _apply_rates(editor: _Editor, continuous: Mapping[str, float], factor: float, round_down: bool = True):
    for node_id, x in continuous.items():
        up, down = rate_factors(x, factor, round_down)
        editor.scale("u", node_id, up)
        editor.scale("d", node_id, down)
        editor.initial[node_id] = round(x, _DECIMALS)


def _mean_of(nodes, continuous: Mapping[str, float]) -> Optional[float]:
    values = [continuous[n] for n in nodes if n in continuous]
    return sum(values) / len(values) if values else None


def _apply_advanced_rates(editor: _Editor, continuous: Mapping[str, float], factor: float):
    graph = editor.model.graph
    for node_id in editor.model.nodes:
        edges = graph.in_edges(node_id, data="sign")
        activators = [source for source, _, sign in edges if sign >= 0]
        inhibitors = [source for source, _, sign in edges if sign <= 0]
        for direction, regulators in (("u", activators), ("d", inhibitors)):
            mean = _mean_of(regulators, continuous)
            if mean is not None:
                editor.scale(direction, node_id, round(factor ** (2 * mean - 1), _DECIMALS))
    for node_id in editor.model.inputs:
        if node_id in continuous:
            editor.initial[node_id] = round(continuous[node_id], _DECIMALS)


def personalize(model: LogicalModel, profile=None, *, continuous: Optional[Mapping] = None,
                discrete: Optional[Mapping] = None, factor: float = DEFAULT_FACTOR,
                continuous_as: str = "rates", discrete_as: str = "fix",
                input_probability: Optional[float] = 0.5,
                drugs: Optional[Mapping[str, float]] = None, compat: Optional[str] = None) -> LogicalModel:
    """A personalised copy of ``model`` (PROFILE's method; see the module docstring).

    Parameters
    ----------
    model : LogicalModel (Boolean)
    profile : optional object or mapping with ``continuous`` and ``discrete`` node -> value
        mappings (NaN = no data); ``continuous=`` / ``discrete=`` give them directly
    factor : amplification factor F of the rates (PROFILE ``-rf``), > 1
    continuous_as : ``"rates"`` (PROFILE -rb), ``"advanced"`` (-ra) or ``"initial"``
    discrete_as : ``"fix"`` (forced nodes, PROFILE -m) or ``"initial"`` (initial states only)
    input_probability : initial probability of inputs without data; None keeps the model's
    drugs : node -> drug strength in [0, 1], added as ``anti_<node>`` (see :func:`add_drugs`)
    compat : None (PROFILE's documented method) or ``"profile-scripts"``: what PROFILE's
        simulation script ``MaBoSS_specific_Linux.py`` wrote into the .cfg.  Its
        ``sed`` for a node forced ON looks for ``d_X= *=`` and matches nothing, so
        ``$d_X`` keeps its value (scaled by the RNA rates) and the node only *starts*
        ON (``[X].istate=1[1], 0[1]``): with ``discrete_as="fix"`` a 1 becomes an
        initial state, a 0 stays forced.  Its down-rate factor is ``1/up`` unrounded.

    Returns
    -------
    LogicalModel

    Raises
    ------
    ProfileError
        unknown node, value out of range, unknown mode.

    Examples
    --------
    >>> from booleanidt.expr import Var
    >>> m = LogicalModel.from_rules({"A": None, "B": Var("A")})
    >>> personalize(m, continuous={"B": 0.25}, continuous_as="initial").initial_probabilities
    {'A': 0.5, 'B': 0.25}
    """
    if continuous_as not in CONTINUOUS_MODES:
        raise ProfileError(f"continuous_as must be one of {', '.join(CONTINUOUS_MODES)} (got {continuous_as!r})")
    if discrete_as not in DISCRETE_MODES:
        raise ProfileError(f"discrete_as must be one of {', '.join(DISCRETE_MODES)} (got {discrete_as!r})")
    if compat not in COMPAT_MODES:
        raise ProfileError(f"compat must be one of {', '.join(map(str, COMPAT_MODES))} (got {compat!r})")
    if not factor > 0:
        raise ProfileError(f"amplification factor must be > 0 (got {factor})")
    continuous, discrete = _checked_profile(model, *profile_values(profile, continuous, discrete))

    editor = _Editor(model)
    _default_initial_states(editor, input_probability)
    scripts = compat == "profile-scripts"
    if continuous_as == "rates":
        _apply_rates(editor, continuous, factor, round_down=not scripts)
    elif continuous_as == "advanced":
        _apply_advanced_rates(editor, continuous, factor)
    else:
        editor.initial.update({k: round(v, _DECIMALS) for k, v in continuous.items()})
    if discrete_as == "fix" and scripts:   # the script's sed zeroes $u_X of OFF nodes only
        editor.initial.update({k: 1.0 for k, v in discrete.items() if v == 1})
        discrete = {k: v for k, v in discrete.items() if v == 0}
    if discrete_as == "fix":
        for node_id, value in discrete.items():
            editor.zero_parameter("u" if value == 0 else "d", node_id)
    else:
        editor.initial.update({k: float(v) for k, v in discrete.items()})
    personalised = editor.result()
    if discrete_as == "fix" and discrete:
        personalised = personalised.fix(discrete)
    return add_drugs(personalised, drugs) if drugs else personalised


def _by_id(model: LogicalModel, values: Mapping) -> dict:
    """``values`` keyed by node ids: nodes may be named by id or by name; unknown keys are kept."""
    return {resolve_known(model, key): value for key, value in values.items()}


def drug_problem(model: LogicalModel, drugs: Mapping[str, float]) -> Optional[str]:
    """What is wrong with ``drugs`` (target -> strength) for ``model``, in one line, or None.

    Every target must be a node, its ``anti_`` node must not exist yet, every strength
    must lie in [0, 1]; all offenders are named.

    >>> drug_problem(LogicalModel.from_rules({"A": None}), {"A": 1.5, "Z": 1.0})
    'drug target(s) not in the model: Z'
    >>> drug_problem(LogicalModel.from_rules({"A": None}), {"A": 1.5})
    'drug strength must lie in [0, 1], got A=1.5'
    """
    unknown = [target for target in drugs if target not in model.nodes]
    if unknown:
        return f"drug target(s) not in the model: {', '.join(unknown)}"
    existing = [f"anti_{target}" for target in drugs if f"anti_{target}" in model.nodes]
    if existing:
        return f"drug node(s) already in the model: {', '.join(existing)}"
    bad = {target: strength for target, strength in drugs.items() if not 0.0 <= strength <= 1.0}
    if bad:
        return "drug strength must lie in [0, 1], got " + ", ".join(f"{t}={s:g}" for t, s in bad.items())
    return None


def add_drugs(model: LogicalModel, drugs: Mapping[str, float]) -> LogicalModel:
    """Add a drug node ``anti_X`` per target X: X's rule becomes ``(rule) & !anti_X``.

    ``anti_X`` is a free input whose initial probability is the drug's strength.

    >>> from booleanidt.expr import Var, to_text
    >>> m = add_drugs(LogicalModel.from_rules({"A": None, "B": Var("A")}), {"B": 0.8})
    >>> to_text(m.rules["B"]), m.initial_probabilities["anti_B"]
    ('A & !anti_B', 0.8)
    """
    drugs = _by_id(model, drugs)
    problem = drug_problem(model, drugs)
    if problem:
        raise ProfileError(problem)
    nodes, rules = dict(model.nodes), dict(model.rules)
    initial = dict(model.initial_probabilities)
    for target, strength in drugs.items():
        drug = f"anti_{target}"
        rule = rules[target] if rules[target] is not None else Var(target)
        rules[target] = And((rule, Not(Var(drug))))
        nodes[drug], rules[drug] = Node(drug), None
        initial[drug] = float(strength)
    return model.replace(nodes=nodes, rules=rules, initial_probabilities=initial)


def mark_outputs(model: LogicalModel, outputs) -> LogicalModel:
    """A copy where exactly ``outputs`` are external (MaBoSS ``is_internal = FALSE``), as PROFILE does.

    >>> from booleanidt.expr import Var
    >>> m = mark_outputs(LogicalModel.from_rules({"A": None, "B": Var("A")}), ["B"])
    >>> [n.internal for n in m.nodes.values()]
    [True, False]
    """
    outputs = [resolve_known(model, n) for n in outputs]
    unknown = [n for n in outputs if n not in model.nodes]
    if unknown:
        raise ProfileError(f"output node(s) not in the model: {', '.join(unknown)}")
    nodes = {node_id: dataclasses.replace(node, internal=node_id not in outputs)
             for node_id, node in model.nodes.items()}
    return model.replace(nodes=nodes)
