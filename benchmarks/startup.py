"""Start-up: the whole process of a small run, booleanidt's command line vs a ``python -c`` running cmaboss.

A user scripting many small runs, or a cohort worker, pays the process start every
time.  For the 10-node cell-cycle model of the MaBoSS corpus (1,000 trajectories,
max_time 10) this prints the wall time of ``booleanidt simulate`` as a whole process,
on the quick-start kernel (built first into a temporary cache folder, as the first
``booleanidt simulate`` on a machine does in the background) and on numba's kernel
(``BOOLEANIDT_QUICK_START=0``), and of ``python -c`` loading the same .bnd/.cfg into
cmaboss and running it, best of ``--repeat`` runs each, their ratios, and where
booleanidt's time goes: the imports of its heavy dependencies (``python -X importtime``).
It also prints the floor of any process that runs a numba kernel from numba's
on-disk cache: Python importing numba, calling one tiny cached function and
ending without Python's teardown, as ``booleanidt simulate`` does (the first
cached function a process loads makes numba register its whole library of
typing and lowering rules, which imports scipy.linalg among others), and of a
process that imports pandas (which every run's result tables need).
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
HEAVY = ("numpy", "pandas", "pyarrow", "numba", "networkx", "matplotlib", "libsbml", "scipy",
         "booleanidt.simulation.kernel")

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


def wall_seconds(command: list, repeat: int, env: dict = ENV) -> float:
    """Best wall time of ``repeat`` runs of ``command`` (a whole process each)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=env)
        best = min(best, time.perf_counter() - start)
    return best


def import_seconds(command: list, env: dict) -> dict:
    """Cumulative import time of each heavy module in one run of ``command`` (``-X importtime``)."""
    out = subprocess.run([sys.executable, "-X", "importtime", *command], capture_output=True, text=True, env=env)
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
        quick_env = {**ENV, "BOOLEANIDT_CACHE_DIR": f"{folder}/cache", "BOOLEANIDT_QUICK_START": "1"}
        numba_env = {**ENV, "BOOLEANIDT_QUICK_START": "0"}
        subprocess.run([sys.executable, "-m", "booleanidt.simulation.quickstart"], check=True, env=quick_env)
        ours_command = ["-m", "booleanidt", "simulate", str(BND), "--cfg", str(cfg), "-o", f"{folder}/out",
                        "--no-progress"]
        theirs_command = ["-c", CMABOSS_RUN.format(bnd=str(BND), cfg=str(cfg))]
        subprocess.run([sys.executable, *ours_command], check=True, capture_output=True, env=numba_env)  # cached
        floor_script = Path(folder) / "numba_floor.py"
        floor_script.write_text(NUMBA_FLOOR)
        subprocess.run([sys.executable, str(floor_script)], check=True, env=ENV)   # cached
        measured = {"quick": [], "numba": [], "cmaboss": [], "pass": [], "floor": [], "pandas": []}
        for _ in range(args.repeat):   # interleaved, so a change in the machine's load touches all alike
            measured["quick"].append(wall_seconds([sys.executable, *ours_command], 1, quick_env))
            measured["numba"].append(wall_seconds([sys.executable, *ours_command], 1, numba_env))
            measured["cmaboss"].append(wall_seconds([sys.executable, *theirs_command], 1))
            measured["pass"].append(wall_seconds([sys.executable, "-c", "pass"], 1))
            measured["floor"].append(wall_seconds([sys.executable, str(floor_script)], 1))
            measured["pandas"].append(wall_seconds([sys.executable, "-c", "import pandas"], 1))
        best = {name: min(times) for name, times in measured.items()}
        imports = import_seconds(ours_command, quick_env)
    print(f"cellcycle (10 nodes), {SETTINGS['sample_count']} trajectories, best of {args.repeat}, wall seconds:")
    print(f"  booleanidt simulate, quick-start kernel: {best['quick']:.2f}")
    print(f"  booleanidt simulate, numba's kernel:     {best['numba']:.2f}")
    print(f"  python -c cmaboss run:                   {best['cmaboss']:.2f}")
    print(f"  python -c pass:                          {best['pass']:.2f}")
    print(f"  python -c 'import pandas':               {best['pandas']:.2f}")
    print(f"  numba floor (import + cached load):      {best['floor']:.2f}")
    print(f"  ratio booleanidt (quick-start) / cmaboss: {best['quick'] / best['cmaboss']:.1f}x")
    print(f"  ratio booleanidt (numba) / cmaboss:       {best['numba'] / best['cmaboss']:.1f}x")
    print("booleanidt's imports on the quick-start kernel (cumulative seconds, each counted where first imported):")
    for name, seconds in sorted(imports.items(), key=lambda item: -item[1]):
        print(f"  {name:<32} {seconds:.2f}")


if __name__ == "__main__":
    main()
