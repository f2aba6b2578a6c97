"""``booleanidt simulate``: run a model stochastically (MaBoSS semantics) and write the tables.

OUTDIR gets probtraj.csv (MaBoSS's format, tab-separated, states by node id),
fixed_points.csv (the fixed points reached, grouped by the outputs' values), names.csv
(node id, name and the label shown), nodes.csv (node probabilities per window with their
standard errors, columns by name), run.json (settings, seed, model checksum, package
versions) and, with ``--plot``, trajectories.png.  Every fixed point over all nodes is
written on request: ``--full-fp`` writes fp.csv (MaBoSS's format) and fp.parquet.
``--prefix PREFIX`` writes MaBoSS's file set, PREFIX_probtraj.csv and PREFIX_fp.csv, as
MaBoSS names them, so pyMaBoSS's ``StoredResult(OUTDIR, PREFIX)`` reads them.
Nodes are named by id or by name.  Without ``--outputs`` the outputs of a MaBoSS .bnd are
its nodes not marked internal, as in MaBoSS; those of other formats are the model's
phenotypes (see booleanidt.naming.phenotypes).
``--final`` writes only finalprob.csv (the output states at max_time, MaBoSS's
``--final``) and run.json; ``--exact`` writes probabilities with all their digits;
``--check`` reads and checks the model, its .cfg and the options, and stops.
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
from pathlib import Path

from .. import __version__, simulation
from .._versions import installed_versions
from ..errors import InputError
from ..io import maboss as maboss_io
from ..io import read
from ..io._files import png_bytes
from ..io._results import result_folder, write_into
from ..naming import labels
from ..simulation import quickstart
from ..simulation.engine import COMPILING_NOTICE, needs_compiling, quick_start_enabled
from ._common import model_path, with_declared_phenotypes

__all__ = ["add_parser", "run", "parse_assignments", "parse_schedule", "default_outputs"]

#: every file a run may write (MaBoSS's files also as PREFIX_name and model_K_name); OUTDIR
#: holding another file is refused, not replaced
RESULT_FILES = frozenset({"nodes.csv", "fixed_points.csv", "names.csv", "fp.csv", "fp.parquet", "levels.csv",
                          "probtraj.csv", "statdist.csv", "observed_graph.csv", "observed_durations.csv", "run.json",
                          "trajectories.png"})


def _is_result_file(name: str) -> bool:
    """Whether ``name`` is a file simulate writes.

    >>> _is_result_file("run.json"), _is_result_file("cellfate_probtraj.csv"), _is_result_file("notes.txt")
    (True, True, False)
    """
    return name in RESULT_FILES or any(name.endswith(f"_{known}") for known in RESULT_FILES)

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
    parser.add_argument("--schedule", action="append", metavar="NODE=T:P,T:P", default=[],
                        help="scheduled perturbation (MaBoSS NODE.schedule): at time T set NODE to 1 with "
                             "probability P, else to 0; repeatable")
    parser.add_argument("--outputs", metavar="A,B",
                        help="output nodes, by id or name (default: a .bnd's nodes not marked internal, "
                             "else the model's phenotypes)")
    parser.add_argument("--labels", choices=("name", "id"),
                        help="show nodes by name (ids where names repeat or are missing) or by id (default: "
                             "names, but ids on the shipped maps, whose names are descriptions)")
    parser.add_argument("-o", "--output", metavar="OUTDIR", help="folder for the results (required unless --check)")
    parser.add_argument("--prefix", metavar="PREFIX", help="name MaBoSS's files PREFIX_probtraj.csv, PREFIX_fp.csv, "
                                                           "PREFIX_finalprob.csv")
    parser.add_argument("--final", action="store_true", help="only the final-state distribution (finalprob.csv)")
    parser.add_argument("--exact", action="store_true",
                        help="write probabilities with all their digits (round-trip exact) instead of 6")
    parser.add_argument("--ensemble", nargs="+", metavar="MODEL", default=[],
                        help="more models with the same nodes (and the same .cfg and options): one run over all, as "
                             "MaBoSS --ensemble; pooled tables, and each model's as model_K_probtraj.csv, "
                             "model_K_fp.csv (K from 0, MODEL first)")
    parser.add_argument("--check", action="store_true", help="read and check the model and .cfg, run nothing")
    parser.add_argument("--plot", action="store_true", help="also write trajectories.png")
    parser.add_argument("--full-fp", action="store_true",
                        help="also write every fixed point over all nodes: fp.csv (MaBoSS format) and fp.parquet "
                             "(default: fixed_points.csv, the fixed points grouped by the outputs)")
    parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                        help="show a progress bar (default: on a terminal)")
    parser.set_defaults(func=run)
    return parser


def _read_model(arg: str, cfg):
    path = model_path(arg)
    model = maboss_io.read(path, cfg) if cfg and path.suffix.lower() == ".bnd" else read(path)
    return with_declared_phenotypes(model, path)


def _load(args):
    path = model_path(args.model)
    model = _read_model(args.model, args.cfg)
    cfg = Path(args.cfg) if args.cfg else (path.with_suffix(".cfg") if path.suffix.lower() == ".bnd" else None)
    settings = maboss_io.read_settings(cfg) if cfg is not None and cfg.is_file() else simulation.SimulationSettings()
    if args.cfg and not Path(args.cfg).is_file():
        raise InputError(args.cfg, None, "no such file")
    return model, settings, path, cfg


def default_outputs(model, path) -> list | None:
    """Outputs when none are named: a MaBoSS .bnd's own (its nodes not marked internal, None here),
    else the model's phenotypes."""
    return None if Path(path).suffix.lower() == ".bnd" else list(model.phenotypes)


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
    model = model.fix(fixed) if fixed else model
    schedules = {node: parse_schedule(value, node) for node, value in parse_assignments(args.schedule,
                                                                                         "--schedule").items()}
    return model.schedule(schedules) if schedules else model


def parse_schedule(text: str, node: str) -> list:
    """``"20:0.1,40:0.9"`` -> ``[(20.0, 0.1), (40.0, 0.9)]`` (the value of ``--schedule NODE=...``).

    >>> parse_schedule("20:0.1, 40:0.9", "TNF")
    [(20.0, 0.1), (40.0, 0.9)]
    """
    entries = []
    for item in text.split(","):
        time, sep, probability = item.partition(":")
        try:
            entries.append((float(time), float(probability)))
        except ValueError:
            raise InputError("--schedule", node, f"{item.strip()!r} is not TIME:PROBABILITY") from None
        if not sep or not 0 <= entries[-1][1] <= 1 or entries[-1][0] < 0:
            raise InputError("--schedule", node, f"{item.strip()!r}: expected TIME:PROBABILITY with TIME >= 0 "
                             "and PROBABILITY in [0, 1]")
    return entries


def _tables(result, named, exact: bool, full_fp: bool) -> dict:
    """File name -> text of the per-window tables (MaBoSS's names through ``named``)."""
    summary = result.fixed_point_summary().rename(columns=result.label)
    files = {"nodes.csv": _nodes_table(result), "fixed_points.csv": summary.to_csv(sep="\t", index=False)}
    if full_fp:
        files[named("fp.csv")] = result.fp_text(exact)
    if result.levels:
        levels = result.level_probabilities()
        levels.columns = [f"{result.names.get(node, node)}={level}" for node, level in levels.columns]
        files["levels.csv"] = levels.to_csv(sep="\t", float_format="%.6g")
    if result.stationary is not None:
        files[named("statdist.csv")] = result.stationary.statdist_text()
    if result.observed_graph is not None:  # MaBoSS's layout: State, then one column per destination
        files[named("observed_graph.csv")] = result.observed_graph.to_csv(sep="\t")
        files[named("observed_durations.csv")] = result.observed_durations.to_csv(sep="\t", float_format="%.10g")
    if result.state_probabilities is not None:
        files[named("probtraj.csv")] = result.probtraj_text(exact)
    else:
        print("note: too many outputs for state tables; probtraj.csv not written", file=sys.stderr)
    return files


def _checksum(*paths) -> str:
    digest = hashlib.sha256()
    for path in paths:
        if path is not None and Path(path).is_file():
            digest.update(Path(path).read_bytes())
    return digest.hexdigest()


def _versions() -> dict:
    return {"booleanidt": __version__, "python": platform.python_version(), **installed_versions(_VERSIONED)}


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


def _checked(model, outputs) -> str:
    """Compile ``model`` as a run would (rates, parameters, outputs); a one-line summary."""
    from ..booleanize import booleanize
    from ..simulation.api import resolve_outputs
    from ..simulation.compile import compile_model

    boolean = booleanize(model)
    net = compile_model(boolean, resolve_outputs(boolean, outputs, model))
    return (f"{len(model.nodes)} nodes, {len(net.output_index)} outputs, {len(model.schedules)} scheduled, "
            f"{net.reference_count} reference nodes")


def run(args) -> int:
    if not args.check and not args.output:
        raise InputError("simulate", None, "-o/--output OUTDIR is required (unless --check)")
    model, settings, path, cfg = _load(args)
    settings = settings.replace(**parse_assignments(args.set, "--set"))
    model = _perturbed(model, args)
    members = [_perturbed(_read_model(arg, args.cfg), args) for arg in args.ensemble]
    if args.check:
        for arg, checked in zip([args.model] + args.ensemble, [model] + members):
            print(f"{arg}: ok ({_checked(checked, args.outputs)})")
        return 0
    progress = args.progress if args.progress is not None else sys.stderr.isatty()
    outputs = args.outputs if args.outputs else default_outputs(model, path)
    if needs_compiling():
        print(f"booleanidt simulate: {COMPILING_NOTICE}", file=sys.stderr)
    started = time.time()
    if members:
        ensemble = simulation.simulate_ensemble([model] + members, settings, outputs=outputs, progress=progress)
        result = ensemble.pooled
    else:
        result = simulation.simulate(model, settings, outputs=outputs, progress=progress)
    elapsed = time.time() - started
    result.names = labels(model, args.labels)

    named = (lambda name: f"{args.prefix}_{name}") if args.prefix else (lambda name: name)
    if args.final:
        files = {named("finalprob.csv"): result.finalprob_text(args.exact)}
    else:
        files = _tables(result, named, args.exact, args.full_fp or bool(args.prefix))
        files["names.csv"] = _names_table(model, result.names)
        for k, member in enumerate(ensemble.models if members else ()):  # MaBoSS --save-individual's names
            files[named(f"model_{k}_fp.csv")] = member.fp_text(args.exact)
            if member.state_probabilities is not None:
                files[named(f"model_{k}_probtraj.csv")] = member.probtraj_text(args.exact)
    files["run.json"] = json.dumps({
        "model": str(args.model), "model_file": str(path), "cfg": str(cfg) if cfg else None,
        "model_sha256": _checksum(path, cfg),
        "settings": settings.to_cfg_values(), "seed": settings.seed, "outputs": list(result.output_nodes),
        "mutants": dict(model.mutations), "fixed": dict(model.fixed), "ensemble": list(args.ensemble),
        "schedules": {n: [[t, str(p)] for t, p in e] for n, e in model.schedules.items()},
        "parameters": dict(model.parameters),
        "transitions": result.jumps, "wall_seconds": round(elapsed, 3), "versions": _versions(),
    }, indent=2, default=str) + "\n"
    png = _png(result) if args.plot else None
    if png is not None:
        files["trajectories.png"] = png
    if args.full_fp:
        files[named("fp.parquet")] = _parquet(result.fixed_points)
    folder = Path(args.output)
    with result_folder(folder, ours=_is_result_file) as staging:
        write_into(staging, files)
    if quick_start_enabled():   # later runs load in milliseconds once it is built (quietly, once per machine)
        quickstart.start_background_build()
    print(result.summary(nodes_at="nodes.csv", fixed_points_at="fixed_points.csv"))
    print(f"results in {folder}/")
    return 0
