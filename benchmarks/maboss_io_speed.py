"""Reading MaBoSS .bnd/.cfg files: booleanidt next to cmaboss, in one process, as time ratios.

For every corpus model: the best of ``--repeat`` reads with ``booleanidt.io.maboss.read``
and with cmaboss's ``MaBoSSSim(network=..., config=...)`` (the build for the model's
size), which parses both files and builds its network; cmaboss's first read of a file in the
process is shown apart (later ones are several times faster).  Also the time to write the
model back (``dumps``).  Ratios > 1 mean booleanidt is faster.

Usage: python benchmarks/maboss_io_speed.py [--repeat 5]
"""
from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from conftest import MABOSS  # noqa: E402
from test_maboss_io import PAIRS  # noqa: E402

from booleanidt.io import maboss  # noqa: E402


def best_time(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def cmaboss_module(node_count: int):
    size = next(k for k in (64, 128, 256, 512, 1024) if node_count <= k)
    return importlib.import_module("cmaboss" if size == 64 else f"cmaboss_{size}n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    print(f"{'model':<40}{'nodes':>6}{'ours ms':>10}{'cmaboss 1st':>12}{'cmaboss ms':>12}{'ratio':>8}"
          f"{'dumps ms':>10}")
    for bnd, cfg in PAIRS:
        bnd_path, cfg_path = MABOSS / bnd, MABOSS / cfg
        model = maboss.read(bnd_path, cfg_path)
        module = cmaboss_module(len(model.nodes))
        ours = best_time(lambda: maboss.read(bnd_path, cfg_path), args.repeat)
        first = best_time(lambda: module.MaBoSSSim(network=str(bnd_path), config=str(cfg_path)), 1)
        reference = best_time(lambda: module.MaBoSSSim(network=str(bnd_path), config=str(cfg_path)), args.repeat)
        writing = best_time(lambda: maboss.dumps(model), args.repeat)
        print(f"{(bnd[:-4] + '/' + cfg[:-4])[:39]:<40}{len(model.nodes):>6}{ours * 1e3:>10.1f}{first * 1e3:>12.1f}"
              f"{reference * 1e3:>12.1f}{reference / ours:>8.2f}{writing * 1e3:>10.1f}")


if __name__ == "__main__":
    main()
