"""Versions of installed distributions, read quickly from the names of their metadata folders.

``importlib.metadata.version`` searches every folder of ``sys.path`` again for each
name it is asked (about 10 ms each in a large environment); a run records a few
versions in its run.json and should not pay that.  An installed distribution's
metadata folder is named ``<name>-<version>.dist-info`` (or ``.egg-info``), so one
listing of each folder gives them all; a name not found that way goes through
``importlib.metadata``.

Examples
--------
>>> import numpy
>>> installed_versions(["numpy"])["numpy"] == numpy.__version__
True
>>> installed_versions(["no-such-distribution"])
{}
"""
from __future__ import annotations

import os
import re
import sys

__all__ = ["installed_versions"]

_METADATA_FOLDER = re.compile(r"^(?P<name>[^-]+)-(?P<version>[^-]+?)(-py[^-]*)?\.(dist|egg)-info$")


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _listed_versions() -> dict:
    """Normalized distribution name -> version, from the first folder of ``sys.path`` that has it."""
    found = {}
    for folder in sys.path:
        try:
            entries = os.listdir(folder or ".")
        except OSError:
            continue
        for entry in entries:
            match = _METADATA_FOLDER.match(entry)
            if match:
                found.setdefault(_normalized(match["name"]), match["version"])
    return found


def installed_versions(names) -> dict:
    """``name -> version`` for each of ``names`` that is installed (names as pip spells them)."""
    listed = _listed_versions()
    versions = {}
    for name in names:
        version = listed.get(_normalized(name))
        if version is None:
            from importlib import metadata   # here: its import costs more than a listing
            try:
                version = metadata.version(name)
            except metadata.PackageNotFoundError:
                continue
        versions[name] = version
    return versions
