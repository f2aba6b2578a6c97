"""Helpers shared by the sub-commands: loading the MODEL argument.

Examples
--------
>>> load_model("no_such_model.sbml")
Traceback (most recent call last):
...
booleanidt.errors.InputError: no_such_model.sbml: no such file (and no shipped map of that name)
"""
from __future__ import annotations

import argparse
import importlib
from pathlib import Path

from ..errors import InputError
from ..io import read
from ..simulation.settings import SimulationSettings

__all__ = ["add_cfg_option", "key_value", "load_model", "model_path", "positive_int", "settings_from",
           "shipped_map_path", "with_declared_phenotypes"]


def shipped_map_path(name: str):
    """Path of the shipped map called ``name``, or None (also when booleanidt.maps has no ``path``)."""
    try:
        maps = importlib.import_module("booleanidt.maps")
    except ImportError:
        return None
    finder = getattr(maps, "path", None)
    if finder is None:
        return None
    try:
        return finder(name)
    except (KeyError, LookupError, ValueError, FileNotFoundError, InputError):
        return None


def model_path(arg: str) -> Path:
    """The file a MODEL argument names: the path itself, or the file of the shipped map so called.

    >>> model_path("th_naldi2010").name
    'th_naldi2010.sbml'
    """
    path = Path(arg)
    if not path.exists():
        shipped = shipped_map_path(arg)
        if shipped is None:
            raise InputError(arg, None, "no such file (and no shipped map of that name)")
        path = Path(shipped)
    return path


def load_model(arg: str, format: str | None = None, cfg: str | None = None):
    """Read the model named on the command line: a file path, or the name of a shipped map.

    Parameters
    ----------
    arg : path to a model file, or a shipped map name (``booleanidt.maps.path(name)``)
    format : format name when it cannot be told from the extension
    cfg : a MaBoSS .cfg to read with the model (``--cfg``)

    Returns
    -------
    LogicalModel
    """
    if cfg is not None and not Path(cfg).is_file():
        raise InputError(cfg, None, "no such file")
    path = model_path(arg)
    return with_declared_phenotypes(read(path, format=format, cfg=cfg), path)


def add_cfg_option(parser) -> None:
    """The ``--cfg FILE`` option of the commands that read a model."""
    parser.add_argument("--cfg", metavar="CFG", help="MaBoSS .cfg to read with MODEL (default: for a .bnd, "
                        "the .cfg of the same name beside it)")


def with_declared_phenotypes(model, path):
    """``model`` with its phenotypes declared when ``path`` is the file of a shipped map."""
    shipped = shipped_map_path(Path(path).stem)
    declare = getattr(importlib.import_module("booleanidt.maps"), "with_phenotypes", None) if shipped else None
    if declare is None or Path(shipped).resolve() != Path(path).resolve():
        return model
    return declare(model, Path(path).stem)


def key_value(text: str) -> tuple:
    """``"KEY=VALUE"`` -> ``("KEY", "VALUE")`` (argparse type of the ``--set`` options).

    >>> key_value(" max_time = 5")
    ('max_time', '5')
    """
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return key.strip(), value.strip()


def settings_from(base, pairs) -> SimulationSettings:
    """Run settings: the model's .cfg (or defaults), then ``--set KEY=VALUE`` (.cfg names).

    >>> settings_from(None, [("max_time", "5"), ("sample_count", "100")]).sample_count
    100
    """
    settings = base or SimulationSettings()
    return settings.replace(**dict(pairs)) if pairs else settings


def positive_int(text: str) -> int:
    """argparse type of counts (``--workers``, ``--batch-size``): a whole number >= 1.

    >>> positive_int("4")
    4
    >>> positive_int("0")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: expected a whole number >= 1, got '0'
    """
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return value
