"""Stochastic simulation with MaBoSS semantics.

``simulate(model, ...)`` returns a :class:`SimulationResult`; :class:`Simulation`
holds a model with its settings and perturbations in pyMaBoSS's style.

Modules: :mod:`.compile` (model -> flat arrays: rate tables, bytecode, initial
states), :mod:`.opcodes` (the bytecode's instructions), :mod:`.truthtable` (rules
evaluated on every assignment at once, for the rate tables), :mod:`.kernel` (the one compiled Gillespie kernel), :mod:`.statetable`
(hash table giving output states their columns; run totals of state sums),
:mod:`.api` (runs chunks of trajectories on threads and adds them up),
:mod:`.result` (tables, MaBoSS files, plots), :mod:`.settings` (run settings),
:mod:`.statdist` (stationary distributions and their clusters), :mod:`.ensemble`
(one run over several models), :mod:`.rate_sensitivity` (rate parameters scaled up and down).

Where we differ from MaBoSS 2.6 (cmaboss), on purpose
-----------------------------------------------------
* Output-state labels list active nodes in the model's declaration order;
  MaBoSS orders nodes by their first mention in the .bnd (a node read by an
  earlier rule comes first).  The states are the same sets of nodes.
* Mutants are cmaboss's default ``mutate`` (``simple=True``): the rule becomes the
  constant with the default rates, so the node moves there at rate 1 from its
  initial state.  pyMaBoSS's file-based ``mutate`` (and cmaboss's ``simple=False``)
  instead switches the node at once with a rate of 1.8e308 / nb_mutable; that is
  :meth:`~booleanidt.model.LogicalModel.fix` here (starts at the value, never leaves it).
* Rates that are negative, NaN or infinite stop the run with an error naming the
  node (cmaboss segfaults on negative rates).
* Stationary distributions use the full state; MaBoSS's accumulate ``state & refnode_mask``,
  which is ``<nil>`` for every trajectory without refstate nodes.
* Scheduled perturbations: a trajectory on a fixed point waits for the next scheduled
  time; MaBoSS also flips the model's last node there (its node draw with a total rate
  of 0).  Fixed points are counted once per trajectory, at its end (MaBoSS counts each
  wait).  cmaboss 1.0.0b34 accepts only constant schedule probabilities; we also take
  expressions of the state.
* The observed graph also records flips made by scheduled perturbations.
* With more than 63 output nodes the output-state table is not kept (a warning
  says so before the run); node probabilities are always computed for all nodes.
* Fixed points list full states (all nodes), as MaBoSS's ``_fp.csv`` does.
* Random numbers: each trajectory has its own xoshiro256** stream seeded from a
  hash of (seed, trajectory index), so results do not depend on the threads.
"""
from .._lazy import lazy_getattr
from .settings import SimulationSettings

# the engine (numba, pandas) is imported on first use, so that reading a .cfg stays light
__getattr__ = lazy_getattr(__name__, {
    "Simulation": ("booleanidt.simulation.api", "Simulation"),
    "SimulationError": ("booleanidt.simulation.api", "SimulationError"),
    "simulate": ("booleanidt.simulation.api", "simulate"),
    "SimulationResult": ("booleanidt.simulation.result", "SimulationResult"),
    "simulate_ensemble": ("booleanidt.simulation.ensemble", "simulate_ensemble"),
    "EnsembleResult": ("booleanidt.simulation.ensemble", "EnsembleResult"),
    "sensitivity": ("booleanidt.simulation.rate_sensitivity", "sensitivity"),
}, globals())

__all__ = ["Simulation", "SimulationError", "SimulationResult", "SimulationSettings", "simulate", "simulate_ensemble",
           "EnsembleResult", "sensitivity"]
