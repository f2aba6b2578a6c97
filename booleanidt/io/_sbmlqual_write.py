""":class:`~booleanidt.model.LogicalModel` -> SBML-qual (L3V1 qual v1) text, with python-libsbml.

The export validates with zero libsbml errors, keeps ids, names,
annotations, notes and a valid layout, writes thresholds as literal numbers and gives
every transition a functionTerm (cmaboss rejects transitions with only a defaultTerm).
"""
from __future__ import annotations

import re
import warnings
from html import escape

import libsbml

from ..errors import BooleanidtError
from ..expr import (COMPARISONS, TRUE, And, Compare, Const, Expr, IfThenElse, Implies, Neg, Not, Or, Var, Xor,
                    conjunction, disjunction, signs, to_text)
from ..model import LogicalModel
from ._sbmlqual_read import LAYOUT_NS

__all__ = ["format_sbml_qual", "rule_to_terms", "to_mathml"]

_SID = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_FLIPPED = {"==": "==", "!=": "!=", ">=": "<=", ">": "<", "<=": ">=", "<": ">"}
_MATHML_RELATIONS = {"==": "eq", "!=": "neq", ">=": "geq", ">": "gt", "<=": "leq", "<": "lt"}
_MATHML_CONNECTIVES = {And: "and", Or: "or", Xor: "xor"}
_MATHML_ARITHMETIC = {"+": "plus", "-": "minus", "*": "times", "/": "divide"}
_SIGNS = {1: libsbml.INPUT_SIGN_POSITIVE, -1: libsbml.INPUT_SIGN_NEGATIVE, 0: libsbml.INPUT_SIGN_DUAL}
_CORE_NS = "http://www.sbml.org/sbml/level3/version1/core"
_XHTML = "http://www.w3.org/1999/xhtml"


# --- MathML ------------------------------------------------------------------------------

def _number(value) -> str:
    if float(value).is_integer():
        return f'<cn type="integer">{int(value)}</cn>'
    return f"<cn>{value!r}</cn>"


def _value(expr: Expr, levels: dict) -> str:
    """MathML of an expression read as a number (a level)."""
    if isinstance(expr, Const):
        return _number(expr.value)
    if isinstance(expr, Var):
        return f"<ci>{expr.name}</ci>"
    if isinstance(expr, IfThenElse):
        return (f"<piecewise><piece>{_value(expr.then, levels)}{_condition(expr.cond, levels)}</piece>"
                f"<otherwise>{_value(expr.otherwise, levels)}</otherwise></piecewise>")
    if hasattr(expr, "op") and expr.op in _MATHML_ARITHMETIC:
        return f"<apply><{_MATHML_ARITHMETIC[expr.op]}/>{_value(expr.left, levels)}{_value(expr.right, levels)}</apply>"
    if isinstance(expr, Neg):
        return f"<apply><minus/>{_value(expr.arg, levels)}</apply>"
    if isinstance(expr, (Not, And, Or, Xor, Implies, Compare)):
        return _value(IfThenElse(expr, Const(1), Const(0)), levels)
    raise BooleanidtError(f"cannot write SBML-qual: {to_text(expr)} in a rule is not a level expression "
                          "(SBML-qual rules have no MaBoSS functions, parameters or @logic)")


def _condition(expr: Expr, levels: dict) -> str:
    """MathML of an expression read as true/false."""
    if isinstance(expr, Const):
        return "<true/>" if expr.value else "<false/>"
    if isinstance(expr, Var):
        if levels.get(expr.name, 1) == 1:
            return f'<apply><eq/><ci>{expr.name}</ci><cn type="integer">1</cn></apply>'
        return f'<apply><geq/><ci>{expr.name}</ci><cn type="integer">1</cn></apply>'
    if isinstance(expr, Not):
        return f"<apply><not/>{_condition(expr.arg, levels)}</apply>"
    if isinstance(expr, (And, Or, Xor)):
        inner = "".join(_condition(a, levels) for a in expr.args)
        return f"<apply><{_MATHML_CONNECTIVES[type(expr)]}/>{inner}</apply>"
    if isinstance(expr, Implies):
        return f"<apply><implies/>{_condition(expr.left, levels)}{_condition(expr.right, levels)}</apply>"
    if isinstance(expr, Compare):
        level_test = _level_test(expr, levels)
        if level_test is not None:
            return level_test
        return (f"<apply><{_MATHML_RELATIONS[expr.op]}/>{_value(expr.left, levels)}"
                f"{_value(expr.right, levels)}</apply>")
    return f"<apply><not/><apply><eq/>{_value(expr, levels)}{_number(0)}</apply></apply>"


def _level_test(expr: Compare, levels: dict) -> str | None:
    """``X op c`` written with eq, geq and leq only (cmaboss knows no lt/gt/neq and
    crashes on ``X <= 0``); None when ``expr`` is not a variable against a constant."""
    var, const, op = expr.left, expr.right, expr.op
    if isinstance(var, Const) and isinstance(const, Var):
        var, const, op = const, var, _FLIPPED[op]
    if not (isinstance(var, Var) and isinstance(const, Const)):
        return None
    top = levels.get(var.name, 1)
    true_levels = [lv for lv in range(top + 1) if COMPARISONS[op](lv, const.value)]
    ci = f"<ci>{var.name}</ci>"
    if not true_levels or len(true_levels) == top + 1:
        return "<true/>" if true_levels else "<false/>"
    low, high = true_levels[0], true_levels[-1]
    if true_levels == list(range(low, high + 1)):
        if low == high:
            return f"<apply><eq/>{ci}{_number(low)}</apply>"
        if high == top:
            return f"<apply><geq/>{ci}{_number(low)}</apply>"
        if low == 0:
            return f"<apply><leq/>{ci}{_number(high)}</apply>"
    return "<apply><or/>" + "".join(f"<apply><eq/>{ci}{_number(lv)}</apply>" for lv in true_levels) + "</apply>"


def to_mathml(condition: Expr, levels: dict | None = None) -> str:
    """A condition as a MathML document (Boolean variables written ``X == 1``).

    >>> to_mathml(Not(Var("A")))[-84:]
    '><apply><not/><apply><eq/><ci>A</ci><cn type="integer">1</cn></apply></apply></math>'
    """
    return f'<math xmlns="http://www.w3.org/1998/Math/MathML">{_condition(condition, levels or {})}</math>'


def _constant_leaf_branches(rule: Expr) -> list | None:
    """``[(condition, level)...]``, first match wins and the last condition is true, of an
    if-then-else tree whose leaves are constants; None for any other rule."""
    if isinstance(rule, Const):
        return [(Const(1), rule.value)]
    if not isinstance(rule, IfThenElse):
        return None
    then, otherwise = _constant_leaf_branches(rule.then), _constant_leaf_branches(rule.otherwise)
    if then is None or otherwise is None:
        return None
    return [(_conjunction(rule.cond, condition), level) for condition, level in then] + otherwise


def _conjunction(*conditions: Expr) -> Expr:
    """``a & b & ...`` without the true parts (no other simplification: levels are not known here)."""
    return conjunction(c for c in conditions if c != TRUE)


def _exclusive_terms(branches: list) -> tuple:
    """First-match branches as one condition per level, mutually exclusive, and the default level."""
    default = branches[-1][1]
    by_level, earlier = {}, []
    for condition, level in branches[:-1]:
        if level != default:
            exclusive = _conjunction(condition, *(Not(c) for c in earlier))
            by_level.setdefault(level, []).append(exclusive)
        earlier.append(condition)
    return [(disjunction(conditions), level) for level, conditions in sorted(by_level.items(), reverse=True)], default


def rule_to_terms(rule: Expr, max_level: int) -> tuple:
    """Split a rule into SBML-qual functionTerms ``[(condition, level)...]`` and a default level.

    An ``a ? 1 : (b ? 2 : 0)`` chain is written as it stands (first term that holds wins, as
    read).  Any other if-then-else tree with constant leaves (``a ? (b ? 2 : 1) : 0``) gets one
    term per level it can take besides the default, the terms mutually exclusive.  Any other
    multi-valued rule gets one ``rule == level`` term per non-zero level (so every transition
    has at least one functionTerm).  A constant c is a true term for level c, and 0 a false
    term for level 1: cmaboss crashes (double free) on ``<true/>`` with resultLevel 0.

    >>> rule_to_terms(Var("A"), 1)
    ([(Var(name='A'), 1)], 0)
    >>> rule_to_terms(Const(0), 1)
    ([(Const(value=0), 1)], 0)
    >>> from booleanidt.expr import to_text
    >>> terms, default = rule_to_terms(IfThenElse(Var("A"), IfThenElse(Var("B"), Const(2), Const(1)), Const(0)), 2)
    >>> [(to_text(condition), level) for condition, level in terms], default
    ([('A & B', 2), ('A & !(A & B)', 1)], 0)
    """
    branches = []
    while isinstance(rule, IfThenElse) and isinstance(rule.then, Const):
        branches.append((rule.cond, rule.then.value))
        rule = rule.otherwise
    tree = _constant_leaf_branches(rule) if not isinstance(rule, Const) else None
    if tree is not None:
        terms, default = _exclusive_terms(branches + tree)
        if terms:
            return terms, default
        branches, rule = [], Const(default)
    if isinstance(rule, Const):
        if branches:
            return branches, rule.value
        return ([(Const(1), rule.value)] if rule.value else [(Const(0), 1)]), 0
    if max_level == 1 or isinstance(rule, (Not, And, Or, Xor, Implies, Compare)):
        return branches + [(rule, 1)], 0
    return branches + [(Compare("==", rule, Const(level)), level) for level in range(max_level, 0, -1)], 0


# --- ids, annotations, notes -------------------------------------------------------------

class _Ids:
    """Unique SIds and metaids for the document being written."""

    def __init__(self):
        self.sids, self.metaids = set(), set()
        self.dropped_statements = 0

    def sid(self, wanted: str | None, fallback: str) -> str:
        base = wanted if wanted and _SID.match(wanted) else fallback
        candidate, n = base, 1
        while candidate in self.sids:
            n += 1
            candidate = f"{base}_{n}"
        self.sids.add(candidate)
        return candidate

    def metaid(self, wanted: str | None, fallback: str) -> str:
        candidate, n = (wanted or fallback), 1
        while candidate in self.metaids:
            n += 1
            candidate = f"{wanted or fallback}_{n}"
        self.metaids.add(candidate)
        return candidate


_ABOUT = re.compile(r'rdf:about="#([^"]+)"')
_UNKNOWN_QUALIFIER = re.compile(r"<bqbiol:unknownQualifier>.*?</bqbiol:unknownQualifier>|<bqbiol:unknownQualifier/>",
                                re.DOTALL)


def _without_unknown_qualifiers(raw: str, ids: "_Ids") -> str:
    """GINsim writes ``bqbiol:unknownQualifier``, which is not a MIRIAM qualifier and on
    which libsbml's writer crashes (segfault): those statements are not written (counted
    in ``ids.dropped_statements`` for one warning per export)."""
    cleaned, count = _UNKNOWN_QUALIFIER.subn("", raw)
    ids.dropped_statements += count
    return cleaned


def _set_annotation(sbase, kept: dict, annotations: tuple, ids: _Ids, fallback_metaid: str):
    """Set the metaid and annotation: the raw XML read from the file when libsbml takes it,
    else MIRIAM statements built from ``annotations``."""
    raw = kept.get("sbml_annotation")
    if raw and "unknownQualifier" in raw:
        raw = _without_unknown_qualifiers(raw, ids)
    about = _ABOUT.search(raw) if raw else None
    wanted = kept.get("sbml_metaid") or (about.group(1) if about else None)
    if not (raw or annotations or wanted):
        return
    metaid = ids.metaid(wanted, fallback_metaid)
    sbase.setMetaId(metaid)
    if raw:
        if about and about.group(1) != metaid:
            raw = raw.replace(f'rdf:about="#{about.group(1)}"', f'rdf:about="#{metaid}"')
        if sbase.setAnnotation(raw) == libsbml.LIBSBML_OPERATION_SUCCESS:
            return
        warnings.warn(f"annotation of {sbase.getId() or sbase.getElementName()} could not be kept as it "
                      "was; its MIRIAM statements are written anew", stacklevel=5)
    for annotation in annotations:
        prefix, _, kind = annotation.qualifier.partition(":")
        if kind == "unknown":
            continue
        term = libsbml.CVTerm()
        if prefix == "bqmodel":
            term.setQualifierType(libsbml.MODEL_QUALIFIER)
            term.setModelQualifierType(libsbml.ModelQualifierType_fromString(kind))
        else:
            term.setQualifierType(libsbml.BIOLOGICAL_QUALIFIER)
            term.setBiologicalQualifierType(libsbml.BiolQualifierType_fromString(kind))
        for uri in annotation.uris:
            term.addResource(uri)
        sbase.addCVTerm(term, True)  # a bag per statement, as read: libsbml merges same-qualifier terms otherwise


def _set_notes(sbase, raw: str | None, text: str | None):
    if raw:
        sbase.setNotes(raw)
    elif text:
        sbase.setNotes(f'<body xmlns="{_XHTML}"><p>{escape(text)}</p></body>')


# --- layout ------------------------------------------------------------------------------

_LAYOUT_REFERENCE = re.compile(r'layout:(?:reference|species|compartment|reaction)="([^"]+)"')


def _copy_layout(layout_xml: str, model, known_ids: set, source: str):
    """Add the kept layouts to ``model``; returns the libsbml document they were parsed
    from, which the caller must keep alive until the output is written (the copies
    point into it: freeing it first crashes libsbml)."""
    unknown = sorted(set(_LAYOUT_REFERENCE.findall(layout_xml)) - known_ids)
    if unknown:
        warnings.warn(f"{source}: layout dropped, it refers to element(s) the model no longer has "
                      f"({', '.join(unknown[:5])}{' ...' if len(unknown) > 5 else ''})", stacklevel=5)
        return None
    holder_text = (f'<?xml version="1.0" encoding="UTF-8"?><sbml xmlns="{_CORE_NS}" level="3" version="1" '
                   f'xmlns:layout="{LAYOUT_NS}" layout:required="false"><model>{layout_xml}</model></sbml>')
    holder = libsbml.readSBMLFromString(holder_text)
    layouts = holder.getModel().getPlugin("layout")
    target = model.getPlugin("layout")
    for i in range(layouts.getNumLayouts()):
        target.addLayout(layouts.getLayout(i))
    return holder


# --- the document ------------------------------------------------------------------------

def _initial_level(model: LogicalModel, node_id: str):
    if node_id in model.initial_probabilities:
        p = model.initial_probabilities[node_id]
        return int(p) if p in (0.0, 1.0) else None
    return model.nodes[node_id].initial_level


def _check_ids(model: LogicalModel):
    bad = [n for n in model.nodes if not _SID.match(n)]
    if bad:
        raise BooleanidtError(f"cannot write SBML-qual: node id(s) {', '.join(bad[:5])} are not valid "
                              "SBML ids (letters, digits and _, not starting with a digit)")


def _compartments(sbml_model, model: LogicalModel, ids: _Ids) -> dict:
    """Write the compartments the nodes use; returns the id to give nodes without one."""
    declared = {c["id"]: c for c in model.metadata.get("compartments", ())}
    used = list(dict.fromkeys(n.compartment for n in model.nodes.values() if n.compartment))
    default = None
    if any(n.compartment is None for n in model.nodes.values()) or not used:
        default = ids.sid("default", "default")
    for cid in used + ([default] if default else []):
        info = declared.get(cid, {})
        comp = sbml_model.createCompartment()
        comp.setId(cid if cid == default else ids.sid(cid, "compartment"))
        comp.setConstant(True)
        if info.get("name"):
            comp.setName(info["name"])
        _set_annotation(comp, info, (), ids, f"meta_{cid}")
        _set_notes(comp, info.get("sbml_notes"), None)
    return default


def _write_species(qual, model: LogicalModel, ids: _Ids, default_compartment):
    for node_id, node in model.nodes.items():
        ids.sids.add(node_id)
    for node_id, node in model.nodes.items():
        species = qual.createQualitativeSpecies()
        species.setId(node_id)
        if node.name:
            species.setName(node.name)
        species.setCompartment(node.compartment or default_compartment)
        species.setConstant(bool(node.constant))
        species.setMaxLevel(node.max_level)
        level = _initial_level(model, node_id)
        if level is not None:
            species.setInitialLevel(int(level))
        if node.metadata.get("sbo_term"):
            species.setSBOTerm(node.metadata["sbo_term"])
        _set_annotation(species, node.metadata, node.annotations, ids, f"meta_{node_id}")
        _set_notes(species, node.metadata.get("sbml_notes"), node.notes)


def _write_transition(qual, model: LogicalModel, outputs: list, ids: _Ids):
    first = model.nodes[outputs[0]]
    rule = model.rules[outputs[0]]
    transition = qual.createTransition()
    transition.setId(ids.sid(first.metadata.get("sbml_transition"), f"tr_{outputs[0]}"))
    known_inputs = {i["species"]: i for i in first.metadata.get("sbml_inputs", ())}
    levels = model.max_levels
    for regulator, sign in signs(rule, levels).items():
        item = transition.createInput()
        item.setQualitativeSpecies(regulator)
        item.setTransitionEffect(libsbml.INPUT_TRANSITION_EFFECT_NONE)
        item.setSign(_SIGNS[sign])
        wanted = known_inputs.get(regulator, {}).get("id")
        item.setId(ids.sid(wanted, f"{transition.getId()}_in_{regulator}"))
    for node_id in outputs:
        item = transition.createOutput()
        item.setQualitativeSpecies(node_id)
        item.setTransitionEffect(libsbml.OUTPUT_TRANSITION_EFFECT_ASSIGNMENT_LEVEL)
    branches, default = rule_to_terms(rule, first.max_level)
    transition.createDefaultTerm().setResultLevel(int(default))
    for condition, level in branches:
        term = transition.createFunctionTerm()
        term.setResultLevel(int(level))
        term.setMath(libsbml.readMathMLFromString(to_mathml(condition, levels)))


def _transition_groups(model: LogicalModel) -> list:
    """Nodes that share a transition (same id in the source file and the same rule) are written together."""
    groups: dict = {}
    for node_id, rule in model.rules.items():
        if rule is None or model.nodes[node_id].constant:
            continue
        key = (model.nodes[node_id].metadata.get("sbml_transition") or f"\0{node_id}", rule)
        groups.setdefault(key, []).append(node_id)
    return list(groups.values())


def format_sbml_qual(model: LogicalModel) -> str:
    """SBML L3V1 qual text of ``model`` (see :func:`booleanidt.io.sbmlqual.dumps`)."""
    _check_ids(model)
    if model.rates_up or model.rates_down or model.parameters:
        warnings.warn("SBML-qual has no rates or parameters: they are not written", stacklevel=3)
    layout_xml = model.metadata.get("sbml_layout")
    namespaces = libsbml.SBMLNamespaces(3, 1, "qual", 1)
    if layout_xml:
        namespaces.addPackageNamespace("layout", 1)
    document = libsbml.SBMLDocument(namespaces)
    document.setPackageRequired("qual", True)
    if layout_xml:
        document.setPackageRequired("layout", False)
    ids = _Ids()
    sbml_model = document.createModel()
    sbml_model.setId(ids.sid(model.metadata.get("id"), "model"))
    if model.metadata.get("name"):
        sbml_model.setName(model.metadata["name"])
    kept = model.metadata.get("sbml_model", {})
    _set_annotation(sbml_model, kept, model.metadata.get("annotations", ()), ids, "meta_model")
    _set_notes(sbml_model, kept.get("sbml_notes"), model.metadata.get("notes"))
    default_compartment = _compartments(sbml_model, model, ids)
    qual = sbml_model.getPlugin("qual")
    _write_species(qual, model, ids, default_compartment)
    for outputs in _transition_groups(model):
        _write_transition(qual, model, outputs, ids)
    layout_holder = _copy_layout(layout_xml, sbml_model, ids.sids, model.metadata.get("source", "model")) \
        if layout_xml else None
    text = libsbml.writeSBMLToString(document)
    del layout_holder
    if ids.dropped_statements:
        warnings.warn(f"{ids.dropped_statements} annotation statement(s) with bqbiol:unknownQualifier "
                      "(not a MIRIAM qualifier) not written", stacklevel=3)
    return text
