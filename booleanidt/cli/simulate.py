"""``booleanidt simulate``: run a model stochastically (MaBoSS semantics) and write the tables.

OUTDIR gets probtraj.csv and fp.csv (MaBoSS's formats, tab-separated), nodes.csv
(node probabilities per window with their standard errors), run.json (settings,
seed, model checksum, package versions) and, with ``--plot``, trajectories.png.
A multi-valued model runs through its Van Ham booleanization; levels.csv then
gives P(node = level) per window for every original node.
Nothing is written unless the run succeeds, and the files are written as one set: an
earlier run's folder is replaced whole (no file of it is left), and a folder holding
other files is refused.

Examples
--------
>>> main(["simulate", "cellfate.bnd", "--cfg", "cellfate_TNF.cfg", "--set", "max_time=50",
...       "--mutant", "CASP8=OFF", "-o", "out"])  # doctest: +SKIP
"""
from __future__ import annotations

import argparse
import hashlib
import json
import platform
import sys
import time
from importlib import metadata
from pathlib import Path

from .. import __version__, simulation
from ..errors import InputError
from ..io import maboss as maboss_io
from ..io import read
from ..io._files import png_bytes
from ..io._results import result_folder, write_into
from ._common import model_path

__all__ = ["add_parser", "run", "parse_assignments"]

#: every file a run may write; OUTDIR holding another file is refused, not replaced
RESULT_FILES = frozenset({"nodes.csv", "fp.csv", "levels.csv", "probtraj.csv", "run.json", "trajectories.png"})

_VERSIONED = ("numpy", "numba", "pandas", "networkx", "python-libsbml")


def parse_assignments(items, option: str) -> dict:
    """``["a=1", "b=x"]`` -> ``{"a": "1", "b": "x"}``; a missing ``=`` is an error naming the option.

    >>> parse_assignments(["max_time=100", "seed_pseudorandom = 3"], "--set")
    {'max_time': '100', 'seed_pseudorandom': '3'}
    """
    values = {}
    for item in items or ():
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise InputError(option, item, "expected NAME=VALUE")
        values[name.strip()] = value.strip()
    return values


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "simulate", help="stochastic simulation with MaBoSS semantics", description=__doc__.splitlines()[0])
    parser.add_argument("model", metavar="MODEL", help="model file (.bnd, .sbml, .bnet) or shipped map name")
    parser.add_argument("--cfg", metavar="CFG", help="MaBoSS .cfg (default: the .cfg beside a .bnd)")
    parser.add_argument("--set", action="append", metavar="KEY=VALUE", default=[],
                        help="run setting by its .cfg name (max_time, time_tick, sample_count, thread_count, "
                             "seed_pseudorandom, discrete_time); repeatable")
    parser.add_argument("--param", action="append", metavar="NAME=VALUE", default=[],
                        help="set a $parameter (with or without $); repeatable")
    parser.add_argument("--mutant", action="append", metavar="NODE=ON|OFF", default=[],
                        help="MaBoSS mutant as cmaboss's mutate (rule constant, default rates); repeatable")
    parser.add_argument("--fix", action="append", metavar="NODE=0|1", default=[],
                        help="hold a node at a value for the whole run (PROFILE's forced node); repeatable")
    parser.add_argument("--outputs", metavar="A,B", help="output nodes (default: those not marked internal)")
    parser.add_argument("-o", "--output", required=True, metavar="OUTDIR", help="folder for the results")
    parser.add_argument("--plot", action="store_true", help="also write trajectories.png")
    parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                        help="show a progress bar (default: on a terminal)")
    parser.set_defaults(func=run)
    return parser


def _load(args):
    path = model_path(args.model)
    model = maboss_io.read(path, args.cfg) if args.cfg and path.suffix.lower() == ".bnd" else read(path)
    cfg = Path(args.cfg) if args.cfg else (path.with_suffix(".cfg") if path.suffix.lower() == ".bnd" else None)
    settings = maboss_io.read_settings(cfg) if cfg is not None and cfg.is_file() else simulation.SimulationSettings()
    if args.cfg and not Path(args.cfg).is_file():
        raise InputError(args.cfg, None, "no such file")
    return model, settings, path, cfg


def _perturbed(model, args):
    params = {}
    for name, value in parse_assignments(args.param, "--param").items():
        try:
            params[name.lstrip("$")] = float(value)
        except ValueError:
            raise InputError("--param", name, f"value {value!r} is not a number") from None
    unknown = sorted(set(params) - set(model.parameters))
    if unknown:
        known = ", ".join(f"${p}" for p in model.parameters) or "none"
        raise InputError("--param", f"${unknown[0]}", f"is not a parameter of the model (its parameters: {known})")
    model = model.with_parameters(params) if params else model
    mutants = {}
    for node, value in parse_assignments(args.mutant, "--mutant").items():
        if value.upper() not in ("ON", "OFF", "1", "0"):
            raise InputError("--mutant", node, f"value {value!r} is not ON or OFF")
        mutants[node] = int(value.upper() in ("ON", "1"))
    model = model.mutate(mutants) if mutants else model
    fixed = {}
    for node, value in parse_assignments(args.fix, "--fix").items():
        if value not in ("0", "1"):
            raise InputError("--fix", node, f"value {value!r} is not 0 or 1")
        fixed[node] = int(value)
    return model.fix(fixed) if fixed else model


def _checksum(*paths) -> str:
    digest = hashlib.sha256()
    for path in paths:
        if path is not None and Path(path).is_file():
            digest.update(Path(path).read_bytes())
    return digest.hexdigest()


def _versions() -> dict:
    versions = {"booleanidt": __version__, "python": platform.python_version()}
    for name in _VERSIONED:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def _nodes_table(result) -> str:
    table = result.node_probabilities.join(result.node_errors.add_prefix("SE_"))
    return table.to_csv(sep="\t", float_format="%.6g")


def _png(result) -> bytes:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.5), gridspec_kw={"width_ratios": [3, 2]})
    result.plot_trajectories(ax=left)
    result.plot_final_states(ax=right)
    fig.tight_layout()
    data = png_bytes(fig, dpi=110)
    plt.close(fig)
    return data


def run(args) -> int:
    model, settings, path, cfg = _load(args)
    settings = settings.replace(**parse_assignments(args.set, "--set"))
    model = _perturbed(model, args)
    progress = args.progress if args.progress is not None else sys.stderr.isatty()
    started = time.time()
    result = simulation.simulate(model, settings, outputs=args.outputs, progress=progress)
    elapsed = time.time() - started

    files = {"nodes.csv": _nodes_table(result), "fp.csv": result.fp_text()}
    if result.levels:
        levels = result.level_probabilities()
        levels.columns = [f"{node}={level}" for node, level in levels.columns]
        files["levels.csv"] = levels.to_csv(sep="\t", float_format="%.6g")
    if result.state_probabilities is not None:
        files["probtraj.csv"] = result.probtraj_text()
    else:
        print("note: too many outputs for state tables; probtraj.csv not written", file=sys.stderr)
    files["run.json"] = json.dumps({
        "model": str(args.model), "model_file": str(path), "cfg": str(cfg) if cfg else None,
        "model_sha256": _checksum(path, cfg),
        "settings": settings.to_cfg_values(), "seed": settings.seed, "outputs": list(result.output_nodes),
        "mutants": dict(model.mutations), "fixed": dict(model.fixed), "parameters": dict(model.parameters),
        "transitions": result.jumps, "wall_seconds": round(elapsed, 3), "versions": _versions(),
    }, indent=2, default=str) + "\n"
    png = _png(result) if args.plot else None
    if png is not None:
        files["trajectories.png"] = png
    folder = Path(args.output)
    with result_folder(folder, ours=RESULT_FILES.__contains__) as staging:
        write_into(staging, files)
    print(result.summary())
    print(f"results in {folder}/")
    return 0
