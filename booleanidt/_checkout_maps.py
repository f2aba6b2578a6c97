"""Find the shipped maps from a source checkout that shadows the installed package.

``setup.cfg`` installs the top-level ``maps/`` folder as ``booleanidt.maps``, and the
editable install maps it there too.  Python started in the repository root after a plain
``pip install .`` imports the checkout's ``booleanidt/`` instead of the installed one,
and the checkout has no ``booleanidt/maps``: :func:`install` adds a finder, consulted
after every other, that gives ``booleanidt.maps`` the checkout's ``maps/`` folder.

Examples
--------
>>> finder = CheckoutMapsFinder(CHECKOUT_MAPS)
>>> finder.find_spec("booleanidt.maps").origin == str(CHECKOUT_MAPS / "__init__.py")
True
>>> finder.find_spec("booleanidt.io") is None
True
"""
from __future__ import annotations

import importlib.abc
import importlib.util
import sys
from pathlib import Path

__all__ = ["CHECKOUT_MAPS", "CheckoutMapsFinder", "install"]

#: where ``maps/`` lies in a source checkout: beside the ``booleanidt/`` package folder
CHECKOUT_MAPS = Path(__file__).resolve().parent.parent / "maps"


class CheckoutMapsFinder(importlib.abc.MetaPathFinder):
    """Finds ``booleanidt.maps`` in ``folder`` (a package folder with an ``__init__.py``)."""

    def __init__(self, folder: Path):
        self.folder = folder

    def find_spec(self, name, path=None, target=None):
        if name != "booleanidt.maps":
            return None
        return importlib.util.spec_from_file_location(name, self.folder / "__init__.py",
                                                      submodule_search_locations=[str(self.folder)])


def install() -> None:
    """Add the finder, last, when this package folder has no ``maps`` and a checkout's ``maps/`` is beside it."""
    installed_maps = Path(__file__).resolve().parent / "maps"
    if installed_maps.is_dir() or not (CHECKOUT_MAPS / "__init__.py").is_file():
        return
    if not any(isinstance(finder, CheckoutMapsFinder) for finder in sys.meta_path):
        sys.meta_path.append(CheckoutMapsFinder(CHECKOUT_MAPS))
