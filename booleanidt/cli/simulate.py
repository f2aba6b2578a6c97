"""``booleanidt simulate``: run a model stochastically (MaBoSS semantics) and write the tables.

OUTDIR gets probtraj.csv (MaBoSS's format, tab-separated, states by node id),
fixed_points.csv (the fixed points reached, grouped by the outputs' values), names.csv
(node id, name and the label shown), nodes.csv (node probabilities per window with their
standard errors, columns by name), run.json (settings, seed, model checksum, package
versions), with ``--plot`` trajectories.png, and with ``--full-fp`` every fixed point over
all nodes in fp.csv (MaBoSS's format) and fp.parquet.
Nodes are named by id or by name.  Without ``--outputs`` the outputs are the nodes the
.cfg does not mark internal, else the model's phenotypes (see booleanidt.naming.phenotypes).
A multi-valued model runs through its Van Ham booleanization; levels.csv then
gives P(node = level) per window for every original node.
Nothing is written unless the run succeeds; each file is written atomically.

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
from ..io._files import atomic_write_bytes, atomic_write_text, png_bytes
from ..naming import labels
from ..simulation.kernel import COMPILING_NOTICE, needs_compiling
from ._common import model_path, with_declared_phenotypes

__all__ = ["add_parser", "run", "parse_assignments", "default_outputs"]

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
    parser.add_argument("--outputs", metavar="A,B",
                        help="output nodes, by id or name (default: those the .cfg does not mark internal, "
                             "else the model's phenotypes)")
    parser.add_argument("--labels", choices=("name", "id"),
                        help="show nodes by name (ids where names repeat or are missing) or by id (default: "
                             "names, but ids on the shipped maps, whose names are descriptions)")
    parser.add_argument("-o", "--output", required=True, metavar="OUTDIR", help="folder for the results")
    parser.add_argument("--plot", action="store_true", help="also write trajectories.png")
    parser.add_argument("--full-fp", action="store_true",
                        help="also write every fixed point over all nodes: fp.csv (MaBoSS format) and fp.parquet "
                             "(default: fixed_points.csv, the fixed points grouped by the outputs)")
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
    return with_declared_phenotypes(model, path), settings, path, cfg


def default_outputs(model) -> list | None:
    """Outputs when none are named: MaBoSS's (the nodes not internal) if the model marks any node
    internal, else the model's phenotypes."""
    if any(node.internal for node in model.nodes.values()):
        return None
    return list(model.phenotypes)


def _perturbed(model, args):
    params = {}
    for name, value in parse_assignments(args.param, "--param").items():
        try:
            params[name.lstrip("$")] = float(value)
        except ValueError:
            raise InputError("--param", name, f"value {value!r} is not a number") from None
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
    probabilities = result.node_probabilities.rename(columns=result.label)
    table = probabilities.join(result.node_errors.rename(columns=lambda node: f"SE_{result.label(node)}"))
    return table.to_csv(sep="\t", float_format="%.6g")


def _names_table(model, shown: dict) -> str:
    """id, name, compartment and the label shown, one row per node."""
    rows = ["id\tname\tcompartment\tlabel"]
    rows += [f"{n}\t{node.name or ''}\t{node.compartment or ''}\t{shown[n]}" for n, node in model.nodes.items()]
    return "\n".join(rows) + "\n"


def _parquet(table) -> bytes:
    import io

    buffer = io.BytesIO()
    table.to_parquet(buffer, index=False)
    return buffer.getvalue()


def _png(result) -> bytes:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(13, result.final_states_height()),
                                      gridspec_kw={"width_ratios": [3, 2]})
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
    outputs = args.outputs if args.outputs else default_outputs(model)
    if needs_compiling():
        print(f"booleanidt simulate: {COMPILING_NOTICE}", file=sys.stderr)
    result = simulation.simulate(model, settings, outputs=outputs, progress=progress)
    elapsed = time.time() - started
    result.names = labels(model, args.labels)

    summary = result.fixed_point_summary().rename(columns=result.label)
    files = {"nodes.csv": _nodes_table(result), "fixed_points.csv": summary.to_csv(sep="\t", index=False),
             "names.csv": _names_table(model, result.names)}
    if args.full_fp:
        files["fp.csv"] = result.fp_text()
    if result.levels:
        levels = result.level_probabilities()
        levels.columns = [f"{result.names.get(node, node)}={level}" for node, level in levels.columns]
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
    folder = Path(args.output)
    for name, text in files.items():
        atomic_write_text(folder / name, text)
    if png is not None:
        atomic_write_bytes(folder / "trajectories.png", png)
    if args.full_fp:
        atomic_write_bytes(folder / "fp.parquet", _parquet(result.fixed_points))
    print(result.summary(nodes_at="nodes.csv", fixed_points_at="fixed_points.csv"))
    print(f"results in {folder}/")
    return 0
