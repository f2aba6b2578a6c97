"""Live interop with the reference tools' Python objects: pyMaBoSS, pyboolnet, networkx.

=========================================  ==========================================  =====================
booleanidt -> other                        other -> booleanidt                         module
=========================================  ==========================================  =====================
:func:`to_pymaboss` (cmaboss simulation)    :func:`from_pymaboss`                       :mod:`.pymaboss`
:func:`to_primes` (pyboolnet primes)        :func:`from_primes`                         :mod:`.primes`
:func:`to_networkx` (signed DiGraph)        :func:`from_networkx`                       :mod:`.graph`
=========================================  ==========================================  =====================

``booleanidt.simulate`` also takes a pyMaBoSS simulation directly.  pyMaBoSS and cmaboss are
imported only when used; pyboolnet, which reads the primes, comes with
``pip install 'booleanidt[interop]'``.

Examples
--------
>>> from booleanidt.model import LogicalModel
>>> from booleanidt.expr import Var, Not
>>> model = LogicalModel.from_rules({"A": None, "B": Not(Var("A"))})
>>> to_primes(model)["B"]
[[{'A': 1}], [{'A': 0}]]
>>> from_networkx(to_networkx(model)).rules == model.rules
True
"""
from .graph import from_networkx, to_networkx
from .primes import from_primes, to_primes
from .pymaboss import from_pymaboss, to_pymaboss

__all__ = ["to_pymaboss", "from_pymaboss", "to_primes", "from_primes", "to_networkx", "from_networkx"]
