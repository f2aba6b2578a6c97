"""Start-up: the whole process of a small run, booleanidt's command line vs a ``python -c`` running cmaboss.

A user scripting many small runs, or a cohort worker, pays the process start every
time.  For the 10-node cell-cycle model of the MaBoSS corpus (1,000 trajectories,
max_time 10) this prints the wall time of ``booleanidt simulate`` as a whole process
and of ``python -c`` loading the same .bnd/.cfg into cmaboss and running it, best of
``--repeat`` runs each, their ratio, and where booleanidt's time goes: the imports
of its heavy dependencies (``python -X importtime``) and the simulation itself.
It also prints the floor of any process that runs a numba kernel from numba's
on-disk cache: Python importing numba, calling one tiny cached function and
ending without Python's teardown, as ``booleanidt simulate`` does (the first
cached function a process loads makes numba register its whole library of
typing and lowering rules, which imports scipy.linalg among others).
Not a test: the numbers depend on the machine and its load.  The processes run
with bytecode caching on (``PYTHONDONTWRITEBYTECODE`` unset), as in an
installed package: without .pyc files every run compiles booleanidt's sources.

Run::

    python benchmarks/startup.py
    python benchmarks/startup.py --repeat 5
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "maboss"
BND, CFG = CORPUS / "cellcycle.bnd", CORPUS / "cellcycle_runcfg.cfg"
SETTINGS = {"sample_count": 1000, "max_time": 10, "time_tick": 0.5, "thread_count": 1}
#: the environment of the measured processes: .pyc files written and read, as an installed package has them
ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
HEAVY = ("numpy", "pandas", "numba", "networkx", "matplotlib", "libsbml", "scipy", "booleanidt.simulation.kernel")

CMABOSS_RUN = """
import cmaboss
sim = cmaboss.MaBoSSSim(network={bnd!r}, config={cfg!r})
sim.run()
"""


NUMBA_FLOOR = """
import os

import numba
import numpy as np


@numba.njit(cache=True)
def zeros(n):
    return np.zeros(n)


zeros(3)
os._exit(0)
"""


def wall_seconds(command: list, repeat: int) -> float:
    """Best wall time of ``repeat`` runs of ``command`` (a whole process each)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=ENV)
        best = min(best, time.perf_counter() - start)
    return best


def import_seconds(command: list) -> dict:
    """Cumulative import time of each heavy module in one run of ``command`` (``-X importtime``)."""
    out = subprocess.run([sys.executable, "-X", "importtime", *command], capture_output=True, text=True, env=ENV)
    found = {}
    for line in out.stderr.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+(\d+) \|(\s*)(\S+)", line)
        if match and match.group(3) in HEAVY and match.group(3) not in found:
            found[match.group(3)] = int(match.group(1)) / 1e6
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    if not BND.is_file():
        sys.exit(f"reference corpus not found at {CORPUS}")
    with tempfile.TemporaryDirectory() as folder:
        cfg = Path(folder) / "run.cfg"
        cfg.write_text(CFG.read_text() + "".join(f"\n{k} = {v};" for k, v in SETTINGS.items()) + "\n")
        ours_command = ["-m", "booleanidt", "simulate", str(BND), "--cfg", str(cfg), "-o", f"{folder}/out",
                        "--no-progress"]
        theirs_command = ["-c", CMABOSS_RUN.format(bnd=str(BND), cfg=str(cfg))]
        subprocess.run([sys.executable, *ours_command], check=True, capture_output=True, env=ENV)   # cached
        ours = wall_seconds([sys.executable, *ours_command], args.repeat)
        theirs = wall_seconds([sys.executable, *theirs_command], args.repeat)
        bare = wall_seconds([sys.executable, "-c", "pass"], args.repeat)
        floor_script = Path(folder) / "numba_floor.py"
        floor_script.write_text(NUMBA_FLOOR)
        subprocess.run([sys.executable, str(floor_script)], check=True, env=ENV)   # cached
        floor = wall_seconds([sys.executable, str(floor_script)], args.repeat)
        imports = import_seconds(ours_command)
    print(f"cellcycle (10 nodes), {SETTINGS['sample_count']} trajectories, best of {args.repeat}, wall seconds:")
    print(f"  booleanidt simulate (whole process): {ours:.2f}")
    print(f"  python -c cmaboss run:               {theirs:.2f}")
    print(f"  python -c pass:                      {bare:.2f}")
    print(f"  numba floor (import + cached load):  {floor:.2f}")
    print(f"  ratio booleanidt / cmaboss:          {ours / theirs:.1f}x")
    print(f"  booleanidt above the numba floor:    {ours - floor:.2f}")
    print("booleanidt's imports (cumulative seconds, each counted where first imported):")
    for name, seconds in sorted(imports.items(), key=lambda item: -item[1]):
        print(f"  {name:<32} {seconds:.2f}")


if __name__ == "__main__":
    main()
