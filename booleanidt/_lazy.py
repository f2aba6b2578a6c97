"""Attributes of a package imported on first use, so that light imports stay light.

Examples
--------
>>> namespace = {}
>>> getattr_ = lazy_getattr("demo", {"dumps": ("json", "dumps")}, namespace)
>>> getattr_("dumps")({"a": 1})
'{"a": 1}'
>>> "dumps" in namespace
True
"""
from __future__ import annotations

import importlib
from typing import Callable, Mapping, MutableMapping

__all__ = ["lazy_getattr"]


def lazy_getattr(package: str, attributes: Mapping[str, tuple], namespace: MutableMapping) -> Callable:
    """A module ``__getattr__`` importing ``attributes[name] = (module, attribute or None)`` on first use.

    The value is cached in ``namespace`` (the package's ``globals()``), so the import happens once.
    """
    def __getattr__(name: str):
        if name not in attributes:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module_name, attribute = attributes[name]
        module = importlib.import_module(module_name)
        value = module if attribute is None else getattr(module, attribute)
        namespace[name] = value
        return value
    return __getattr__
