"""Reading UPMaBoSS ``.upp`` files: what happens to a cell population between two MaBoSS runs.

A ``.upp`` file has one statement per line, each ending with ``;``::

    death = Death;                 // cells in a state with Death = 1 are removed
    division = Division;           // cells with Division = 1 become two cells (Division reset to 0)
    steps = 12;                    // number of population updates
    $TNF_induc u= $ProdTNF_NFkB * p[(NFkB,Death) = (1,0)];   // parameter updated from the population
    @TNF u= 0.5 * #pop_ratio;      // pyMaBoSS: node's initial probability for the next run

``p[(A,B) = (1,0)]`` is the fraction of living cells with A = 1 and B = 0, ``#pop_ratio``
the current population size relative to the start, ``#rand`` a uniform random number.
A ``MaBoSS = ...`` line (the path of the executable in the original Perl tool) is ignored.

Examples
--------
>>> spec = parse_upp("death = Death;\\ndivision = Division;\\nsteps = 3;\\n$R u= 2 * p[(A,B)=(1,0)];")
>>> spec.death, spec.division, spec.steps, spec.parameters
('Death', 'Division', 3, {'R': '2 * p[(A,B)=(1,0)]'})
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import InputError
from ..io._files import read_text

__all__ = ["UppSpec", "parse_upp", "read_upp", "PROBABILITY_TERM"]

#: ``p[(A,B) = (1,0)]`` or ``p[A = 1]``: nodes, then their values
PROBABILITY_TERM = re.compile(r"p\[\s*\(?\s*([^\]=()]*?)\s*\)?\s*=\s*\(?\s*([^\]()]*?)\s*\)?\s*\]")

_ASSIGNMENT = re.compile(r"^(death|division|steps|MaBoSS)\s*=\s*(.*?)\s*$")
_UPDATE = re.compile(r"^([$@])\s*([A-Za-z_][A-Za-z0-9_]*)\s*u=\s*(.+?)\s*$")


@dataclass
class UppSpec:
    """What a ``.upp`` file says.

    Attributes
    ----------
    death, division : ids of the death and division nodes, or None
    steps : number of population updates (runs are ``steps + 1``)
    parameters : parameter name (no ``$``) -> update formula (text)
    node_formulas : node id -> formula for its initial probability in the next run
    source : file name, for error messages
    """

    death: str | None = None
    division: str | None = None
    steps: int = 0
    parameters: dict = field(default_factory=dict)
    node_formulas: dict = field(default_factory=dict)
    source: str = "<string>"

    def check_against(self, node_ids, parameter_names) -> None:
        """Raise :class:`InputError` when the file names nodes or parameters the model lacks."""
        nodes = set(node_ids)
        for role in ("death", "division"):
            name = getattr(self, role)
            if name is not None and name not in nodes:
                raise InputError(self.source, role, f"node {name!r} is not in the model")
        for name in self.node_formulas:
            if name not in nodes:
                raise InputError(self.source, f"@{name}", "no such node in the model")
        for name in self.parameters:
            if name not in parameter_names:
                raise InputError(self.source, f"${name}", "no such parameter in the model")
        for formula in (*self.parameters.values(), *self.node_formulas.values()):
            for match in PROBABILITY_TERM.finditer(formula):
                unknown = [n.strip() for n in match.group(1).split(",") if n.strip() not in nodes]
                if unknown:
                    raise InputError(self.source, match.group(0), f"unknown node(s) {', '.join(unknown)}")


def _strip_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def _check_probability_terms(formula: str, source: str, where: str) -> None:
    for match in PROBABILITY_TERM.finditer(formula):
        nodes = [n.strip() for n in match.group(1).split(",")]
        values = [v.strip() for v in match.group(2).split(",")]
        if len(nodes) != len(values) or any(v not in ("0", "1") for v in values) or not all(nodes):
            raise InputError(source, where, f"{match.group(0)}: expected p[(A,B,...) = (0|1,...)] "
                                            "with one value per node")
    rest = PROBABILITY_TERM.sub("0", formula)
    if "p[" in rest.replace(" ", ""):
        raise InputError(source, where, f"malformed probability term in {formula!r}")


def parse_upp(text: str, source: str = "<string>") -> UppSpec:
    """Parse the text of a ``.upp`` file; errors name ``source`` and the line."""
    spec = UppSpec(source=str(source))
    seen = set()
    for number, raw in enumerate(_strip_comments(text).splitlines(), start=1):
        for statement in (s.strip() for s in raw.split(";")):
            if not statement:
                continue
            where = f"line {number}"
            assignment, update = _ASSIGNMENT.match(statement), _UPDATE.match(statement)
            if assignment:
                key, value = assignment.groups()
                if key in seen:
                    raise InputError(source, where, f"{key} is defined twice")
                seen.add(key)
                if key == "steps":
                    if not re.fullmatch(r"\d+", value):
                        raise InputError(source, where, f"steps must be a whole number >= 0 (got {value!r})")
                    spec.steps = int(value)
                elif key in ("death", "division"):
                    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value):
                        raise InputError(source, where, f"{key} must name one node (got {value!r})")
                    setattr(spec, key, value)
            elif update:
                kind, name, formula = update.groups()
                table = spec.parameters if kind == "$" else spec.node_formulas
                if name in table:
                    raise InputError(source, where, f"{kind}{name} is updated twice")
                _check_probability_terms(formula, source, where)
                table[name] = formula
            else:
                raise InputError(source, where, f"cannot read {statement!r}: expected death = NODE, "
                                                "division = NODE, steps = N, $PARAM u= FORMULA or @NODE u= FORMULA")
    if "steps" not in seen:
        raise InputError(source, None, "no 'steps = N;' line")
    return spec


def read_upp(path) -> UppSpec:
    """Read a ``.upp`` file (see :func:`parse_upp`)."""
    return parse_upp(read_text(path), str(path))
