"""pyMaBoSS (the ``maboss`` package) and cmaboss: models and simulations both ways.

:func:`to_pymaboss` turns a :class:`~booleanidt.model.LogicalModel` into a pyMaBoSS
``CMaBoSSSimulation`` (the class ``maboss.load(..., cmaboss=True)`` returns), built
from the .bnd/.cfg texts booleanidt writes, so it runs in cmaboss with the same rules,
rates, parameters, initial states (joint ones included), internal nodes, mutants,
fixed nodes and run settings, and needs no MaBoSS executable.  It picks cmaboss's
fixed-size build by the number of (booleanized) nodes, as pyMaBoSS does, and its
dynamic build ``cmaboss_dn`` beyond 1,024 nodes.

:func:`from_pymaboss` reads any pyMaBoSS simulation back: ``maboss.Simulation`` (what
``maboss.load`` returns when the MaBoSS executable is installed), ``CMaBoSSSimulation``
and the bare ``cmaboss.MaBoSSSim``.  Their .bnd/.cfg texts go through booleanidt's MaBoSS
reader (:mod:`booleanidt.io.maboss`), so pyMaBoSS's ``mutate`` wrappers become fixed
nodes as they do when read from files; parameter values and run settings are taken
from the simulation's ``param`` table, at full precision.  The run settings travel in
``model.metadata["simulation_settings"]`` and :func:`to_pymaboss` writes them back.

Where a round trip through cmaboss loses something (cmaboss 1.0.0b34):

* cmaboss prints number literals inside rules and rates with 6 significant digits
  (``0.123456789`` comes back as ``0.123457``); ``$parameters`` keep every digit.
* cmaboss's ``get_logical_rules()`` (pyMaBoSS's ``sim.get_logical_rules()``) crashes the
  process on a node that has an explicit ``rate_up`` and MaBoSS's default ``rate_down`` left
  out (booleanidt writes only explicit rates; cellfate's cFLIP is one); cmaboss simulates
  such nodes correctly, and the original files, which spell out both rates, do not crash.
* Scheduled perturbations (``model.schedules``) are carried and read back, but cmaboss
  aborts the process on a scheduled probability that reads node states (:func:`to_pymaboss`
  refuses those), and at each scheduled time it also changes the node it lists last
  (``sim.cmaboss_sim.get_nodes()[-1]``; :func:`to_pymaboss` warns): the other nodes' statistics
  agree with :func:`booleanidt.simulate`.  Reference states, observed-graph nodes
  (``in_graph``, which cmaboss simulates but does not print in ``str_cfg()``) and the statdist
  settings make the round trip.
* Names, annotations and notes have no MaBoSS syntax, and cmaboss lists nodes in its own
  order; :func:`to_pymaboss` keeps the description comment lines and the node order on the
  simulation (attributes ``booleanidt_descriptions`` and ``booleanidt_order``) and
  :func:`from_pymaboss` restores them; a ``copy()`` of the simulation does not carry them.

Examples
--------
>>> from booleanidt.model import LogicalModel
>>> from booleanidt.expr import Var
>>> model = LogicalModel.from_rules({"A": None, "B": Var("A")}).with_initial_probabilities({"A": 1.0})
>>> sim = to_pymaboss(model, max_time=2, time_tick=1, sample_count=200)
>>> sim.network["B"].get_logic()
'A'
>>> back = from_pymaboss(sim)
>>> back.rules == model.rules, back.initial_probabilities
(True, {'A': 1.0})
>>> back.metadata["simulation_settings"].sample_count
200
"""
from __future__ import annotations

import dataclasses
import importlib
import warnings

from ..booleanize import booleanize
from ..errors import BooleanidtError, InputError
from ..expr import Logic, Var, to_text, walk
from ..io import maboss as maboss_io
from ..model import LogicalModel
from ..simulation.settings import SettingsError, SimulationSettings

__all__ = ["to_pymaboss", "from_pymaboss", "model_and_settings", "SETTINGS_KEY", "is_pymaboss_simulation"]

#: where :func:`from_pymaboss` keeps the simulation's run settings in ``model.metadata``
SETTINGS_KEY = "simulation_settings"

_SOURCE = "<pyMaBoSS simulation>"
_DESCRIPTION_PREFIX = "// booleanidt "
_FIXED_SIZES = (64, 128, 256, 512, 1024)


def _import(name: str):
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise ImportError(f"{name} is needed for pyMaBoSS interop and is a requirement of booleanidt: "
                          f"pip install maboss cmaboss") from exc


def _cmaboss_build(node_count: int):
    """cmaboss's build for ``node_count`` nodes (64, 128... 1024 nodes, else the dynamic one)."""
    size = next((k for k in _FIXED_SIZES if node_count <= k), None)
    name = "cmaboss" if size == 64 else f"cmaboss_{size}n" if size else "cmaboss_dn"
    return _import(name)


def to_pymaboss(model: LogicalModel, settings: SimulationSettings | None = None, **overrides):
    """A pyMaBoSS ``CMaBoSSSimulation`` of ``model``, runnable in cmaboss.

    Parameters
    ----------
    model : LogicalModel (a multi-valued one goes through its Van Ham booleanization,
        as in :func:`booleanidt.io.maboss.dumps`)
    settings : run settings; default: those the model carries
        (``metadata["simulation_settings"]``, set by :func:`from_pymaboss`), else
        booleanidt's defaults
    **overrides : settings by readable or .cfg name (``max_time=50``, ``sample_count=1000``...)

    Returns
    -------
    maboss.cmabosssimulation.CMaBoSSSimulation
        ``.run()`` simulates in cmaboss; ``.mutate``, ``.update_parameters`` work as in pyMaBoSS.

    Examples
    --------
    >>> from booleanidt.model import LogicalModel
    >>> from booleanidt.expr import Not, Var
    >>> sim = to_pymaboss(LogicalModel.from_rules({"A": None, "B": Not(Var("A"))}), max_time=3)
    >>> sim.param["max_time"], sim.network["B"].get_logic()
    (3.0, 'NOT A')
    """
    simulation_class = _import("maboss.cmabosssimulation").CMaBoSSSimulation
    settings = settings or model.metadata.get(SETTINGS_KEY) or SimulationSettings()
    if overrides:
        settings = settings.replace(**overrides)
    boolean = booleanize(model)
    _check_schedules(boolean)
    bnd, cfg = maboss_io.dumps(boolean, settings)
    build = _cmaboss_build(len(boolean.nodes))
    try:
        native = build.MaBoSSSim(network_str=bnd, config_str=cfg)
    except build.BNException as exc:
        raise BooleanidtError(f"cmaboss refuses the model: {str(exc).strip()}") from None
    simulation = simulation_class(cmaboss=build, cmaboss_sim=native)
    simulation.booleanidt_descriptions = "\n".join(
        line for line in bnd.splitlines() if line.startswith(_DESCRIPTION_PREFIX))
    simulation.booleanidt_order = tuple(boolean.nodes)
    return simulation


def _check_schedules(model: LogicalModel) -> None:
    """Refuse what cmaboss cannot take: it aborts the whole process on a scheduled
    probability that reads a node state (cmaboss 1.0.0b34)."""
    for node_id, entries in model.schedules.items():
        for time, probability in entries:
            if any(isinstance(e, (Var, Logic)) for e in walk(probability)):
                raise BooleanidtError(
                    f"cmaboss cannot take the schedule of {node_id}: its probability at t={time:g} "
                    f"({to_text(probability)}) reads node states, which aborts cmaboss; "
                    f"simulate this model with booleanidt.simulate")
    if model.schedules:
        warnings.warn("cmaboss 1.0.0b34 also changes the node it lists last at each scheduled time "
                      "(a constant node with istate 0 becomes 1): its statistics of that node are wrong",
                      stacklevel=3)


def is_pymaboss_simulation(obj) -> bool:
    """True for the simulations :func:`from_pymaboss` reads (they can print a .cfg).

    >>> is_pymaboss_simulation("model.bnd")
    False
    """
    return callable(getattr(obj, "str_cfg", None)) and (
        callable(getattr(obj, "str_bnd", None)) or getattr(obj, "network", None) is not None)


def _bnd_text(simulation) -> str:
    if callable(getattr(simulation, "str_bnd", None)):
        text = simulation.str_bnd()
    else:  # maboss.Simulation prints its network
        text = str(simulation.network)
    return text + "\n" + getattr(simulation, "booleanidt_descriptions", "")


def _numbers(param) -> tuple:
    """``(parameters without $, run settings)`` of a pyMaBoSS ``param`` table, numbers only."""
    parameters, settings = {}, {}
    for key, value in dict(param).items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            if key.startswith("$"):
                continue  # an expression: the .cfg text gives it
            value = int(value) if isinstance(value, bool) else value
        (parameters if key.startswith("$") else settings)[key.lstrip("$")] = value
    return parameters, settings


def from_pymaboss(simulation) -> LogicalModel:
    """The :class:`~booleanidt.model.LogicalModel` of a pyMaBoSS simulation.

    Parameters
    ----------
    simulation : ``maboss.Simulation``, ``CMaBoSSSimulation`` (``maboss.load(..., cmaboss=True)``,
        :func:`to_pymaboss`) or ``cmaboss.MaBoSSSim``

    Returns
    -------
    LogicalModel
        Same rules, rates, parameters, initial states, internal nodes and mutants; the
        run settings in ``metadata["simulation_settings"]``
        (:class:`~booleanidt.simulation.settings.SimulationSettings`).

    Raises
    ------
    TypeError
        ``simulation`` is not a pyMaBoSS simulation.
    booleanidt.errors.InputError
        the simulation's .bnd/.cfg text is not a model booleanidt reads.

    Examples
    --------
    >>> import cmaboss
    >>> native = cmaboss.MaBoSSSim(network_str="node A { logic = !A; rate_up = @logic ? $k : 0; }",
    ...                            config_str="$k = 0.25; A.istate = 1; max_time = 5;")
    >>> model = from_pymaboss(native)
    >>> model.parameters, model.initial_probabilities, model.metadata["simulation_settings"].max_time
    ({'k': 0.25}, {'A': 1.0}, 5.0)
    """
    if not is_pymaboss_simulation(simulation):
        raise TypeError(f"expected a pyMaBoSS simulation (maboss.load(...), maboss.Simulation, "
                        f"cmaboss.MaBoSSSim), not {type(simulation).__name__}")
    model = maboss_io.loads(_bnd_text(simulation), simulation.str_cfg(), source=_SOURCE)
    parameters, values = _numbers(simulation.param)
    exact = {name: value for name, value in parameters.items() if name in model.parameters}
    try:
        settings = SimulationSettings.from_cfg_values(values)
    except SettingsError as exc:
        raise InputError(_SOURCE, None, str(exc)) from None
    nodes = _with_observed(_without_unset_refstates(model.nodes), _observed_graph_nodes(simulation))
    nodes = _in_order(nodes, getattr(simulation, "booleanidt_order", ()))
    return model.replace(nodes=nodes, parameters={**model.parameters, **exact},
                         metadata={**model.metadata, SETTINGS_KEY: settings})


def _in_order(nodes: dict, order) -> dict:
    """``nodes`` with those named in ``order`` first, in that order (cmaboss lists nodes its own way)."""
    first = {n: nodes[n] for n in order if n in nodes}
    return {**first, **{n: node for n, node in nodes.items() if n not in first}}


def _observed_graph_nodes(simulation) -> frozenset:
    """The ``in_graph`` nodes of a cmaboss simulation: cmaboss simulates them but its
    ``str_cfg()`` does not print them."""
    network = getattr(simulation, "network", None)
    observed = getattr(network, "get_observed_graph_nodes", None)
    return frozenset(observed()) if callable(observed) else frozenset()


def _with_observed(nodes: dict, observed: frozenset) -> dict:
    """``nodes`` with ``maboss_in_graph`` set on those in ``observed``."""
    return {node_id: dataclasses.replace(node, metadata={**node.metadata, "maboss_in_graph": True})
            if node_id in observed else node for node_id, node in nodes.items()}


def _without_unset_refstates(nodes: dict) -> dict:
    """cmaboss prints ``X.refstate = -1;`` (no reference state) for every node: not kept."""
    kept = {}
    for node_id, node in nodes.items():
        if node.metadata.get("maboss_refstate") == -1:
            metadata = {k: v for k, v in node.metadata.items() if k != "maboss_refstate"}
            node = dataclasses.replace(node, metadata=metadata)
        kept[node_id] = node
    return kept


def model_and_settings(simulation, settings: SimulationSettings | None = None) -> tuple:
    """``(model, settings)`` to simulate a pyMaBoSS simulation with booleanidt.

    ``settings`` given win over the simulation's own.  This is what
    :func:`booleanidt.simulate` does with a pyMaBoSS simulation.

    >>> import cmaboss
    >>> native = cmaboss.MaBoSSSim(network_str="node A { logic = A; }", config_str="sample_count = 50;")
    >>> model_and_settings(native)[1].sample_count
    50
    """
    model = from_pymaboss(simulation)
    return model, settings or model.metadata[SETTINGS_KEY]
