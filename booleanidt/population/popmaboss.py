"""PopMaBoSS semantics: a continuous-time Markov process over a multiset of cells.

The population is a multiset of Boolean cell states.  From population ``P``, every cell
state ``S`` present ``P(S)`` times contributes

* one transition per node that can flip in ``S`` (rate ``P(S) * rate_up/down(S)``),
* one per ``division`` block with a positive rate: ``S`` is replaced by its two daughters
  (each daughter's nodes set by the block's ``NODE.daughter1/2`` rules evaluated on ``S``,
  the other nodes copied from ``S``),
* death: ``S`` loses one cell (rate ``P(S) * death rate(S)``).

Rates may use ``#cell(expr)``: the number of cells of ``P`` where ``expr`` holds.  The
next transition is drawn as in Gillespie's algorithm (exponential waiting time with
the total rate).  As in MaBoSS, results are time averages over windows of ``time_tick``.

The process runs in a compiled kernel (:mod:`~booleanidt.population.popkernel`; cell states have
no node limit).  Trajectory ``i`` draws its random numbers from a stream seeded by ``(seed, i)``;
trajectories are summed in fixed blocks merged in order, so results do not depend on the number
of threads.

Examples
--------
>>> from booleanidt.population.pbnd import loads_pbnd
>>> pop = loads_pbnd("node A { logic = A; rate_up = 0; rate_down = 0; }\\n"
...                  "division { rate = 1 / #cell(A); }", "A.istate = 1; max_time = 2; time_tick = 1;")
>>> result = run_popmaboss(pop, sample_count=2000, seed=1)
>>> result.population_size["Population"].round(1).tolist()   # 1 + t: one division per time unit
[1.5, 2.5]
"""
from __future__ import annotations

import dataclasses
import math
import sys
from concurrent.futures import ThreadPoolExecutor

from tqdm.auto import tqdm

from ..model import LogicalModel
from .pbnd import PopModel
from .popcompile import CompiledPopulation, compile_population
from .popkernel import Block, needs_compiling, run_block
from .popstates import PopulationSums
from .result import PopResult

__all__ = ["run_popmaboss", "compiled", "COMPILING_NOTICE"]

#: trajectories per block: blocks are simulated independently (on ``threads`` threads) and merged
#: in order, so results do not depend on the number of threads
BLOCK = 10_000

#: what is said before a run that compiles the population kernel
COMPILING_NOTICE = "compiling the population kernel, once per machine (about 40 s)"


#: what a compilation reads: the model's fields (not its metadata) and the population's (not its settings)
_MODEL_FIELDS = tuple(f.name for f in dataclasses.fields(LogicalModel) if f.name != "metadata")
_POP_FIELDS = tuple(f.name for f in dataclasses.fields(PopModel) if f.name not in ("model", "settings", "source"))
#: the last models compiled: (what the compilation read, its result), reused while that content is equal
_COMPILED: dict = {}


def _content(pop: PopModel) -> tuple:
    """What :func:`compile_population` reads, with dicts copied: equal content, equal compiled model."""
    model = pop.model
    return (tuple(dict(v) if isinstance(v, dict) else v for v in (getattr(model, f) for f in _MODEL_FIELDS)) +
            tuple(getattr(pop, f) for f in _POP_FIELDS))


def compiled(pop: PopModel) -> CompiledPopulation:
    """:func:`~booleanidt.population.popcompile.compile_population`, reused while the model's content is equal
    to that of a recent run (a rerun of the same model skips the compilation; a changed one recompiles)."""
    content = _content(pop)
    known = _COMPILED.get(id(pop))
    if known is not None and known[0] == content:
        return known[1]
    net = compile_population(pop)
    if len(_COMPILED) >= 8:
        _COMPILED.pop(next(iter(_COMPILED)))
    _COMPILED[id(pop)] = content, net
    return net


def run_popmaboss(pop: PopModel, settings=None, *, progress: bool = False, **overrides) -> PopResult:
    """Run a PopMaBoSS model.

    Parameters
    ----------
    pop : a :class:`~booleanidt.population.pbnd.PopModel` (``read_pbnd``)
    settings : run settings (default: the model's configuration)
    progress : show a progress bar over trajectories
    **overrides : settings by readable or .cfg name (``sample_count``, ``max_time``, ``seed``...)

    Returns
    -------
    PopResult : population size, population-state probabilities, expected cells per state
        and per active node, the custom output's distribution
    """
    settings = settings or pop.settings
    settings = settings.replace(**overrides) if overrides else settings
    net = compiled(pop)  # a model the kernel cannot run fails here, before any trajectory
    windows = max(1, math.ceil(settings.max_time / settings.time_tick - 1e-9))
    starts = range(0, settings.sample_count, BLOCK)

    def block(first: int) -> Block:
        return run_block(*net.kernel_arrays(), seed=settings.seed, first=first,
                         count=min(BLOCK, settings.sample_count - first), max_time=settings.max_time,
                         dt=settings.time_tick, windows=windows)

    if progress and needs_compiling():
        tqdm.write(COMPILING_NOTICE, file=sys.stderr)
    sums = PopulationSums(windows, net.node_ids)
    bar = tqdm(total=settings.sample_count, unit="traj", desc="population") if progress else None
    workers = min(max(1, int(settings.threads)), len(starts))
    pool = ThreadPoolExecutor(max_workers=workers) if workers > 1 else None
    try:
        for first, result in zip(starts, pool.map(block, starts) if pool else map(block, starts)):
            sums.add(result)
            if bar:
                bar.update(min(BLOCK, settings.sample_count - first))
    finally:
        if pool:
            pool.shutdown(wait=True, cancel_futures=True)
        if bar:
            bar.close()
    return PopResult(sums, settings, has_custom=pop.custom_output is not None)
