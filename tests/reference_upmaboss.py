"""pyMaBoSS's own UPMaBoSS, ``UpdatePopulation(...).run(cmaboss=True)``, as the reference for ours.

Used by the UPMaBoSS tests and benchmarks/population_speed.py; never by the package.

pyMaBoSS (0.8.17) validates every ``Simulation`` it builds (``maboss.load`` and each ``copy``,
``maboss/simulation.py``, ``Simulation.__init__`` -> ``Simulation.check``) by running the
``MaBoSS --check`` binary in a subprocess.  The pip packages ship cmaboss, not that binary, so
``maboss.load`` fails with ``FileNotFoundError: 'MaBoSS'`` before any simulation.  The one shim
here, :func:`checked_by_cmaboss`, makes ``Simulation.check`` do the same check with cmaboss (parse
the .bnd/.cfg text it would have written; the error message as the check's one-line list) while
a reference run lasts.  Nothing else of pyMaBoSS is touched: its UPMaBoSS loop (state
renormalisation, ``$var u=`` and ``@node u=`` formulas, joint initial states) runs as shipped,
on cmaboss.

(``maboss.load(..., cmaboss=True)`` gives a ``CMaBoSSSimulation`` instead, which UpdatePopulation
cannot drive: its ``param`` rejects the string values ``$var u=`` updates produce,
``maboss/upp/cmaboss_results.py`` line 265, ``TypeError: must be real number, not str``.)
"""
from __future__ import annotations

import contextlib
from pathlib import Path

import pandas as pd


def available() -> bool:
    """Whether pyMaBoSS and cmaboss can be imported."""
    try:
        import cmaboss  # noqa: F401
        from maboss.upp.upp import UpdatePopulation  # noqa: F401
    except ImportError:
        return False
    return True


@contextlib.contextmanager
def checked_by_cmaboss():
    """While inside, pyMaBoSS's ``Simulation.check`` parses the model with cmaboss, not the MaBoSS binary."""
    import cmaboss
    from maboss.simulation import Simulation

    def check(simulation, command=None):
        try:
            cmaboss.MaBoSSSim(network_str=str(simulation.network), config_str=simulation.str_cfg())
        except cmaboss.BNException as error:
            return [str(error).strip()]
        return []

    shipped = Simulation.check
    Simulation.check = check
    try:
        yield
    finally:
        Simulation.check = shipped


def update_population(bnd: Path, cfg: Path, upp: Path, steps: int | None = None,
                      sample_count: int | None = None, threads: int = 1, nodes=()) -> tuple:
    """Run pyMaBoSS's cmaboss-backed UpdatePopulation on the files.

    Returns ``(population ratios per step, last-window probabilities of ``nodes`` per step)``
    (the ratios indexed by step number, as ours are).
    """
    import maboss
    from maboss.upp.upp import UpdatePopulation

    with checked_by_cmaboss():
        simulation = maboss.load(str(bnd), str(cfg))
        simulation.update_parameters(thread_count=threads)
        if sample_count is not None:
            simulation.update_parameters(sample_count=sample_count)
        model = UpdatePopulation(simulation, str(upp))
        if steps is not None:
            model.setStepNumber(steps)
        result = model.run(cmaboss=True)
    ratios = result.get_population_ratios().reset_index(drop=True)
    nodes_table = (result.get_nodes_stepwise_probability_distribution(list(nodes)).drop(columns="PopRatio")
                   if nodes else pd.DataFrame())
    return ratios.rename_axis("step"), nodes_table

