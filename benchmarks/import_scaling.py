"""Import time per MB of generated SBML-qual, .bnet and .bnd files from 1 to 70 MB, next to biodivine-aeon.

Reading should cost time in proportion to the file: the seconds per MB column must stay
about flat as files grow.  Each model has one node per few hundred bytes (every node reads
three earlier nodes through ``&``, ``|`` and ``!``), plus one wide rule of 10,000 terms.
aeon reads the same SBML-qual and .bnet text (``BooleanNetwork.from_sbml`` / ``from_bnet``,
text already in memory); the ratio is aeon / ours (above 1: we are faster).  cmaboss is not
timed: its builds hold at most 1,024 nodes, far fewer than these files have.

``--fresh`` also times the read in a new Python process, as a user's first ``booleanidt.read``
(the "fresh s" column), to show that nothing from generating the file in this process helps.

Usage: python benchmarks/import_scaling.py [--sizes 1,5,20,70] [--formats sbml,bnet,bnd] [--no-aeon] [--fresh]
"""
from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

from booleanidt.expr import And, Not, Or, Var
from booleanidt.io import bnet, maboss, sbmlqual
from booleanidt.model import LogicalModel

#: bytes one node takes in each format (measured on these models; used to pick the node count)
_BYTES_PER_NODE = {"sbml": 2000, "bnet": 40, "bnd": 70}
_WRITERS = {"sbml": sbmlqual.dumps, "bnet": bnet.dumps, "bnd": lambda model: maboss.dumps(model)[0]}
_READERS = {"sbml": sbmlqual.read, "bnet": bnet.read, "bnd": maboss.read}
_SUFFIXES = {"sbml": ".sbml", "bnet": ".bnet", "bnd": ".bnd"}
_WIDE_RULE_TERMS = 10_000


def generated_model(node_count: int, seed: int = 0) -> LogicalModel:
    """A random Boolean model: node ``N{i}`` reads three earlier nodes; the last one reads 10,000."""
    rng = random.Random(seed)
    rules = {"N0": None}
    for i in range(1, node_count):
        a, b, c = (Var(f"N{rng.randrange(i)}") for _ in range(3))
        rules[f"N{i}"] = Or((And((a, Not(b))), c)) if rng.random() < 0.5 else And((a, Or((b, Not(c)))))
    wide = min(_WIDE_RULE_TERMS, node_count - 1)
    rules["WIDE"] = Or(tuple(Var(f"N{i}") for i in range(wide)))
    return LogicalModel.from_rules(rules)


def write_file(fmt: str, megabytes: float, folder: Path) -> Path:
    """A generated model of about ``megabytes`` MB written in format ``fmt``."""
    model = generated_model(max(10, int(megabytes * 1e6 / _BYTES_PER_NODE[fmt])))
    path = folder / f"generated_{megabytes:g}MB{_SUFFIXES[fmt]}"
    path.write_text(_WRITERS[fmt](model))
    return path


def seconds(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def aeon_seconds(fmt: str, path: Path) -> float:
    """aeon's time to read the text, or nan when aeon has no reader for the format."""
    import biodivine_aeon

    reader = {"sbml": biodivine_aeon.BooleanNetwork.from_sbml, "bnet": biodivine_aeon.BooleanNetwork.from_bnet}
    if fmt not in reader:
        return float("nan")
    text = path.read_text()
    return seconds(lambda: reader[fmt](text))


def fresh_seconds(fmt: str, path: Path) -> float:
    """Seconds ``fmt``'s reader takes on ``path`` in a new Python process (imports not counted)."""
    reader = _READERS[fmt]
    code = (f"import sys, time, warnings; warnings.simplefilter('ignore'); import {reader.__module__} as m; "
            f"start = time.perf_counter(); m.{reader.__name__}(sys.argv[1]); print(time.perf_counter() - start)")
    return float(subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True,
                                check=True).stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1,5,20,70", help="file sizes in MB, comma separated")
    parser.add_argument("--formats", default="sbml,bnet,bnd")
    parser.add_argument("--no-aeon", action="store_true", help="time booleanidt only")
    parser.add_argument("--fresh", action="store_true", help="also time the read in a new Python process")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    print(f"{'format':<6} {'MB':>6} {'nodes':>9} {'ours s':>8} {'s per MB':>9} {'fresh s':>8} {'aeon s':>8} "
          f"{'aeon/ours':>9}")
    with tempfile.TemporaryDirectory(prefix="booleanidt-import-") as folder:
        for fmt in args.formats.split(","):
            for size in (float(s) for s in args.sizes.split(",")):
                path = write_file(fmt, size, Path(folder))
                megabytes = path.stat().st_size / 1e6
                holder = {}
                ours = seconds(lambda: holder.setdefault("model", _READERS[fmt](path)))
                fresh = fresh_seconds(fmt, path) if args.fresh else float("nan")
                aeon = float("nan") if args.no_aeon else aeon_seconds(fmt, path)
                print(f"{fmt:<6} {megabytes:>6.1f} {len(holder['model'].nodes):>9,} {ours:>8.2f} "
                      f"{ours / megabytes:>9.3f} {fresh:>8.2f} {aeon:>8.2f} {aeon / ours:>9.2f}", flush=True)
                path.unlink()


if __name__ == "__main__":
    main()
