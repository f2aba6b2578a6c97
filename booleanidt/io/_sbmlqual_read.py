"""SBML-qual (L3 qual v1) text -> :class:`~booleanidt.model.LogicalModel`, with python-libsbml.

:mod:`booleanidt.io.sbmlqual` is the public entry point.
"""
from __future__ import annotations

import functools
import html
import re
import warnings

import libsbml

from ..errors import InputError
from ..expr import (MAX_NESTING, And, Arith, Compare, Const, Expr, IfThenElse, Implies, Neg, Not, Or, Var,
                    Xor, nesting_depth, simplify)
from ..model import MAX_LEVEL, Annotation, LogicalModel, Node
from ._xml import check_xml_depth

__all__ = ["parse_sbml_qual", "LAYOUT_NS"]

LAYOUT_NS = "http://www.sbml.org/sbml/level3/version1/layout/version1"

_RELATIONS = {
    libsbml.AST_RELATIONAL_EQ: "==", libsbml.AST_RELATIONAL_NEQ: "!=",
    libsbml.AST_RELATIONAL_GEQ: ">=", libsbml.AST_RELATIONAL_GT: ">",
    libsbml.AST_RELATIONAL_LEQ: "<=", libsbml.AST_RELATIONAL_LT: "<",
}
_SIGN_NAMES = {libsbml.INPUT_SIGN_POSITIVE: "positive", libsbml.INPUT_SIGN_NEGATIVE: "negative",
               libsbml.INPUT_SIGN_DUAL: "dual", libsbml.INPUT_SIGN_UNKNOWN: "unknown"}
_CONNECTIVES = {libsbml.AST_LOGICAL_AND: And, libsbml.AST_LOGICAL_OR: Or, libsbml.AST_LOGICAL_XOR: Xor}
_ARITHMETIC = {libsbml.AST_PLUS: "+", libsbml.AST_MINUS: "-", libsbml.AST_TIMES: "*", libsbml.AST_DIVIDE: "/"}
_XML_DECLARATION = re.compile(r"<\?xml[^>]*\?>")
_ESSENTIAL = re.compile(r'<(?:\w+:)?input\b[^>]*?\bqual:id="([^"]+)"[^>]*?\bessential="(true|false)"'
                        r'|<(?:\w+:)?input\b[^>]*?\bessential="(true|false)"[^>]*?\bqual:id="([^"]+)"')


def _each(count: int, getter):
    """Items of a libsbml list by index (faster than iterating the SWIG list object)."""
    return (getter(i) for i in range(count))


def _transitions(qual):
    return _each(qual.getNumTransitions(), qual.getTransition)


def _inputs(transition):
    return _each(transition.getNumInputs(), transition.getInput)


def _outputs(transition):
    return _each(transition.getNumOutputs(), transition.getOutput)


def _function_terms(transition):
    return _each(transition.getNumFunctionTerms(), transition.getFunctionTerm)


def _qualifier(term) -> str:
    if term.getQualifierType() == libsbml.MODEL_QUALIFIER:
        return "bqmodel:" + (libsbml.ModelQualifierType_toString(term.getModelQualifierType()) or "unknown")
    if term.getQualifierType() == libsbml.BIOLOGICAL_QUALIFIER:
        return "bqbiol:" + (libsbml.BiolQualifierType_toString(term.getBiologicalQualifierType()) or "unknown")
    return "unknown"


def _annotations(sbase) -> tuple:
    """MIRIAM statements of an element: every qualifier and every URI, in file order."""
    found = []
    for i in range(sbase.getNumCVTerms()):
        term = sbase.getCVTerm(i)
        resources = term.getResources()
        uris = tuple(resources.getValue(j) for j in range(resources.getLength()))
        if uris:
            found.append(Annotation(_qualifier(term), uris))
    return tuple(found)


def _plain_text(xhtml: str) -> str:
    """The text of an XHTML fragment, entities decoded, white space collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", xhtml)).split())


def _declared_namespaces(document) -> dict:
    """prefix -> URI declared on the <sbml> element (annotations often rely on them)."""
    spaces = document.getNamespaces()
    return {spaces.getPrefix(i): spaces.getURI(i) for i in range(spaces.getNumNamespaces()) if spaces.getPrefix(i)}


def _self_contained(annotation: str, namespaces: dict) -> str:
    """The annotation XML with the prefixes it uses from the root element declared on it,
    so that it can be set on an element of another document."""
    missing = [p for p in namespaces if f"<{p}:" in annotation and f"xmlns:{p}=" not in annotation]
    if not missing:
        return annotation
    declarations = "".join(f' xmlns:{p}="{namespaces[p]}"' for p in missing)
    return annotation.replace("<annotation", "<annotation" + declarations, 1)


def _kept_xml(sbase, namespaces: dict | None = None) -> dict:
    """Raw annotation / notes XML, metaid and SBO term, kept so that nothing is lost on export."""
    kept = {}
    if sbase.isSetMetaId():
        kept["sbml_metaid"] = sbase.getMetaId()
    if sbase.isSetAnnotation():
        kept["sbml_annotation"] = _self_contained(sbase.getAnnotationString(), namespaces or {})
    if sbase.isSetNotes():
        kept["sbml_notes"] = sbase.getNotesString()
    if sbase.isSetSBOTerm():
        kept["sbo_term"] = sbase.getSBOTermID()
    return kept


class _Reader:
    """Walks one libsbml document (kept referenced for the whole walk)."""

    def __init__(self, text: str, source: str):
        self.source = source
        self.text = text
        self.document = libsbml.readSBMLFromString(text)
        self._check_document()
        self.model = self.document.getModel()
        self.qual = self.model.getPlugin("qual")
        self.namespaces = _declared_namespaces(self.document)

    def error(self, element, problem) -> InputError:
        return InputError(self.source, element, problem)

    # --- document-level checks -------------------------------------------------------

    def _check_document(self):
        doc = self.document
        if doc.getModel() is None:
            errors = [doc.getError(i) for i in range(doc.getNumErrors())
                      if doc.getError(i).getSeverity() >= libsbml.LIBSBML_SEV_ERROR]
            first = errors[0] if errors else None
            if first is not None and first.getErrorId() == libsbml.BadXMLDecl:
                declaration = _XML_DECLARATION.match(self.text)
                shown = declaration.group(0) if declaration else "the XML declaration"
                raise self.error(f"line {first.getLine()}", f"unreadable XML declaration {shown} "
                                 "(libsbml needs a known encoding such as encoding=\"UTF-8\")")
            if "<sbml" not in self.text[:4096]:
                raise self.error(None, "not an SBML document (no <sbml> root element)")
            message = " ".join(first.getMessage().split()) if first else "no <model> element"
            raise self.error(f"line {first.getLine()}" if first else None, "not a readable SBML file: " + message)
        if doc.getModel().getPlugin("qual") is None:
            raise self.error("model", "SBML without the qual package (not a logical model)")
        self._refuse_petri_nets(doc.getModel().getPlugin("qual"))

    def _refuse_petri_nets(self, qual):
        for index, tr in enumerate(_transitions(qual)):
            effects = [i.getTransitionEffect() for i in _inputs(tr)] + \
                      [o.getTransitionEffect() for o in _outputs(tr)]
            if libsbml.INPUT_TRANSITION_EFFECT_CONSUMPTION in effects[:tr.getNumInputs()] or \
                    libsbml.OUTPUT_TRANSITION_EFFECT_PRODUCTION in effects[tr.getNumInputs():]:
                raise self.error(f"transition {tr.getId() or index + 1}",
                                 "not a logical model: a Petri net (production/consumption transitions)")

    def layout_problems(self) -> list:
        doc = self.document
        return [" ".join(doc.getError(i).getMessage().split()) for i in range(doc.getNumErrors())
                if doc.getError(i).getPackage() == "layout"
                and doc.getError(i).getSeverity() >= libsbml.LIBSBML_SEV_ERROR]

    # --- species ---------------------------------------------------------------------

    def species(self) -> dict:
        found = {}
        for s in _each(self.qual.getNumQualitativeSpecies(), self.qual.getQualitativeSpecies):
            sid = s.getId()
            if not sid:
                raise self.error("qualitativeSpecies", "has no qual:id")
            if sid in found:
                raise self.error(f"qualitativeSpecies {sid}", "id declared twice")
            found[sid] = s
        return found

    def check_levels(self, species: dict):
        """A maxLevel above :data:`~booleanidt.model.MAX_LEVEL`, or an initialLevel outside
        0..maxLevel, is refused (libsbml's validator flags the latter too)."""
        for sid, s in species.items():
            if not 1 <= self.max_levels[sid] <= MAX_LEVEL:
                raise self.error(f"qualitativeSpecies {sid}", f"maxLevel {self.max_levels[sid]:,} is outside "
                                 f"1..{MAX_LEVEL} (the levels booleanidt can represent)")
            if s.isSetInitialLevel() and not 0 <= s.getInitialLevel() <= self.max_levels[sid]:
                raise self.error(f"qualitativeSpecies {sid}", f"initialLevel {s.getInitialLevel()} is outside "
                                 f"0..{self.max_levels[sid]} (its maxLevel)")

    # --- MathML ----------------------------------------------------------------------

    def math(self, ast, where: str, thresholds: dict, species: dict) -> Expr:
        kind = ast.getType()
        kids = [ast.getChild(i) for i in range(ast.getNumChildren())]
        if kind in _CONNECTIVES:
            args = tuple(self.math(k, where, thresholds, species) for k in kids)
            if not args:
                return Const(1) if kind == libsbml.AST_LOGICAL_AND else Const(0)
            return args[0] if len(args) == 1 else _CONNECTIVES[kind](args)
        if kind == libsbml.AST_LOGICAL_NOT:
            return Not(self.math(kids[0], where, thresholds, species))
        if kind == libsbml.AST_LOGICAL_IMPLIES:
            left, right = (self.math(k, where, thresholds, species) for k in kids)
            return Implies(left, right)
        if kind in _RELATIONS:
            args = [self.math(k, where, thresholds, species) for k in kids]
            pairs = [Compare(_RELATIONS[kind], a, b) for a, b in zip(args, args[1:])]
            if not pairs:
                raise self.error(where, f"comparison <{ast.getName() or kind}> needs two operands")
            return pairs[0] if len(pairs) == 1 else And(tuple(pairs))
        if kind == libsbml.AST_CONSTANT_TRUE:
            return Const(1)
        if kind == libsbml.AST_CONSTANT_FALSE:
            return Const(0)
        if kind == libsbml.AST_INTEGER:
            return Const(ast.getInteger())
        if kind in (libsbml.AST_REAL, libsbml.AST_REAL_E, libsbml.AST_RATIONAL):
            value = ast.getReal()
            return Const(int(value) if float(value).is_integer() else value)
        if kind == libsbml.AST_NAME:
            name = ast.getName()
            if name in thresholds:
                return Const(thresholds[name])
            if name in species:
                return Var(name)
            raise self.error(where, f"MathML names unknown identifier {name!r} "
                                    "(neither a qualitativeSpecies nor an input id)")
        if kind == libsbml.AST_FUNCTION_PIECEWISE and kids:
            return self.piecewise([self.math(k, where, thresholds, species) for k in kids])
        if kind in _ARITHMETIC and kids:
            args = [self.math(k, where, thresholds, species) for k in kids]
            if len(args) == 1:
                return Neg(args[0]) if kind == libsbml.AST_MINUS else args[0]
            return functools.reduce(lambda left, right: Arith(_ARITHMETIC[kind], left, right), args)
        operator = ast.getName() or libsbml.formulaToL3String(ast) or str(kind)
        raise self.error(where, f"unsupported MathML operator <{operator}>")

    @staticmethod
    def piecewise(parts: list) -> Expr:
        """``<piecewise>`` children (value, condition, value, condition, ..., [otherwise]) as nested if-then-else;
        with no ``<otherwise>`` and no piece true the value is 0."""
        result = parts[-1] if len(parts) % 2 else Const(0)
        for value, condition in reversed(list(zip(parts[0::2], parts[1::2]))):
            result = IfThenElse(condition, value, result)
        return result

    # --- transitions -----------------------------------------------------------------

    def transitions(self, species: dict) -> dict:
        """output id -> (rule, transition id, inputs info); several outputs share one function."""
        rules, seen = {}, set()
        for index, tr in enumerate(_transitions(self.qual)):
            tid = tr.getId() or f"#{index + 1}"
            where = f"transition {tid}"
            if tid in seen:
                raise self.error(where, "id declared twice (SBML ids must be unique)")
            if tid in species:
                raise self.error(where, f"id {tid} is also a qualitativeSpecies id (SBML ids must be unique)")
            seen.add(tid)
            thresholds, inputs = self._inputs(tr, where, species)
            outputs = self._outputs(tr, where, species)
            rule = self._function(tr, where, thresholds, species, outputs)
            for out in outputs:
                if out in rules:
                    previous_rule, previous_tid, _ = rules[out]
                    if previous_rule != rule:
                        raise self.error(where, f"species {out} is also the output of transition "
                                                f"{previous_tid} with a different function "
                                                "(several transitions for one output cannot be combined)")
                    continue
                rules[out] = (rule, tid, inputs)
        return rules

    def _inputs(self, tr, where: str, species: dict):
        thresholds, inputs = {}, []
        for item in _inputs(tr):
            sid = item.getQualitativeSpecies()
            if sid not in species:
                raise self.error(where, f"input names undeclared species {sid!r}")
            threshold = item.getThresholdLevel() if item.isSetThresholdLevel() else None
            if item.isSetId() and threshold is not None:
                thresholds[item.getId()] = threshold
            inputs.append({"id": item.getId() if item.isSetId() else None, "species": sid,
                           "sign": _SIGN_NAMES.get(item.getSign()) if item.isSetSign() else None,
                           "threshold": threshold})
        return thresholds, tuple(inputs)

    def _outputs(self, tr, where: str, species: dict) -> list:
        outputs = []
        for item in _outputs(tr):
            sid = item.getQualitativeSpecies()
            if sid not in species:
                raise self.error(where, f"output names undeclared species {sid!r}")
            if species[sid].getConstant():
                raise self.error(where, f"output {sid} is declared constant")
            outputs.append(sid)
        if not outputs:
            raise self.error(where, "has no output")
        return outputs

    def _function(self, tr, where: str, thresholds: dict, species: dict, outputs: list):
        """The output's target level as an if-then-else chain; None when the transition has no terms."""
        terms = tr.getListOfFunctionTerms()
        default = terms.getDefaultTerm() if terms is not None else None
        if default is None and not tr.getNumFunctionTerms():
            return None  # no function at all (biodivine-aeon's export of a free input)
        default_level = default.getResultLevel() if default is not None and default.isSetResultLevel() else 0
        branches = []
        for term in _function_terms(tr):
            if not term.isSetMath():
                raise self.error(where, "functionTerm without math")
            condition = self.math(term.getMath(), where, thresholds, species)
            if nesting_depth(condition) > MAX_NESTING:
                raise self.error(where, f"MathML nested more than {MAX_NESTING} levels deep")
            branches.append((condition, term.getResultLevel()))
        levels = [default_level] + [level for _, level in branches]
        for out in outputs:
            top = self.max_levels.get(out)
            too_high = [lv for lv in levels if top is not None and lv > top]
            if too_high:
                raise self.error(where, f"resultLevel {max(too_high)} is above the maxLevel {top} of {out}")
            if min(levels) < 0:
                raise self.error(where, f"resultLevel {min(levels)} is negative")
        rule: Expr = Const(default_level)
        for condition, level in reversed(branches):
            rule = IfThenElse(condition, Const(level), rule)
        return rule

    # --- maxLevel --------------------------------------------------------------------

    def declared_max_levels(self, species: dict) -> dict:
        return {sid: s.getMaxLevel() for sid, s in species.items() if s.isSetMaxLevel()}

    def inferred_max_levels(self, species: dict) -> dict:
        """bioLQM-style inference for species without maxLevel: resultLevels, thresholds, initialLevel."""
        missing = [sid for sid in species if sid not in self.max_levels]
        if not missing:
            return {}
        seen = {sid: 1 for sid in missing}
        for sid in missing:
            s = species[sid]
            if s.isSetInitialLevel():
                seen[sid] = max(seen[sid], s.getInitialLevel())
        for tr in _transitions(self.qual):
            terms = tr.getListOfFunctionTerms()
            levels = [t.getResultLevel() for t in _function_terms(tr)
                      if t.isSetResultLevel()]
            default = terms.getDefaultTerm() if terms is not None else None
            if default is not None and default.isSetResultLevel():
                levels.append(default.getResultLevel())
            for item in _outputs(tr):
                sid = item.getQualitativeSpecies()
                if sid in seen and levels:
                    seen[sid] = max(seen[sid], *levels)
            for item in _inputs(tr):
                sid = item.getQualitativeSpecies()
                if sid in seen and item.isSetThresholdLevel():
                    seen[sid] = max(seen[sid], item.getThresholdLevel())
        return seen

    # --- the whole model ---------------------------------------------------------------

    def read(self) -> LogicalModel:
        species = self.species()
        self.max_levels = self.declared_max_levels(species)
        inferred = self.inferred_max_levels(species)
        if inferred:
            shown = ", ".join(sorted(inferred)[:5]) + (" ..." if len(inferred) > 5 else "")
            warnings.warn(f"{self.source}: {len(inferred)} qualitativeSpecies without maxLevel "
                          f"({shown}); inferred from resultLevels and thresholds", stacklevel=4)
            self.max_levels.update(inferred)
        self.check_levels(species)
        functions = self.transitions(species)
        essential = self._essential()
        nodes, rules = {}, {}
        for sid, s in species.items():
            rule, tid, inputs = functions.get(sid, (None, None, ()))
            if rule is not None:
                rule = simplify(rule, self.max_levels)
            metadata = _kept_xml(s, self.namespaces)
            if tid is not None:
                metadata["sbml_transition"] = tid
                metadata["sbml_inputs"] = tuple({**i, **({"essential": essential[i["id"]]} if i["id"] in essential else {})}
                                                for i in inputs)
            nodes[sid] = Node(
                sid, name=s.getName() if s.isSetName() else None, max_level=self.max_levels[sid],
                initial_level=s.getInitialLevel() if s.isSetInitialLevel() else None,
                constant=bool(s.getConstant()), annotations=_annotations(s),
                notes=_plain_text(s.getNotesString()) if s.isSetNotes() else None,
                compartment=s.getCompartment() if s.isSetCompartment() else None, metadata=metadata)
            rules[sid] = rule
        return LogicalModel(nodes=nodes, rules=rules, metadata=self.model_metadata())

    def _essential(self) -> dict:
        """The non-standard ``essential`` attribute of inputs (biodivine-boolean-models); read only."""
        if "essential=" not in self.text:
            return {}
        found = {}
        for match in _ESSENTIAL.finditer(self.text):
            input_id = match.group(1) or match.group(4)
            found[input_id] = (match.group(2) or match.group(3)) == "true"
        return found

    def model_metadata(self) -> dict:
        model = self.model
        metadata = {"sbml_model": _kept_xml(model, self.namespaces), "source": self.source}
        if model.isSetId():
            metadata["id"] = model.getId()
        if model.isSetName():
            metadata["name"] = model.getName()
        if model.isSetNotes():
            metadata["notes"] = _plain_text(model.getNotesString())
        metadata["annotations"] = _annotations(model)
        metadata["compartments"] = tuple(
            {"id": c.getId(), "name": c.getName() if c.isSetName() else None,
             **_kept_xml(c, self.namespaces)} for c in model.getListOfCompartments())
        layout = model.getPlugin("layout")
        if layout is not None and layout.getNumLayouts():
            problems = self.layout_problems()
            if problems:
                warnings.warn(f"{self.source}: layout dropped, it is invalid ({len(problems)} error(s), "
                              f"first: {problems[0]})", stacklevel=5)
            else:
                metadata["sbml_layout"] = layout.getListOfLayouts().toSBML()
        return metadata


def parse_sbml_qual(text: str, source: str = "<string>") -> LogicalModel:
    """Parse SBML-qual text into a model (see :func:`booleanidt.io.sbmlqual.loads`)."""
    if not text.strip():
        raise InputError(source, None, "file is empty")
    if not text.lstrip().startswith("<"):
        raise InputError(source, "line 1", "not XML (SBML-qual files start with '<')")
    check_xml_depth(text, source)
    return _Reader(text, source).read()
