"""Import speed of the SBML-qual corpus: booleanidt's reader next to biodivine-aeon's and cmaboss's.

Prints, for each corpus file, the best of ``--repeat`` wall-clock times (ms) of
``booleanidt.io.sbmlqual.read``, ``biodivine_aeon.BooleanNetwork.from_sbml`` (text
already in memory, as aeon takes a string) and ``maboss.loadSBML(path, cmaboss=True)``,
and the ratios (reference / ours: above 1 means we are faster).

Usage: python benchmarks/import_speed.py [--repeat 3] [--corpus ../shared/corpus/sbml-qual]
"""
from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def best_time(action, repeat: int) -> float:
    """Best wall-clock time of ``action()`` over ``repeat`` runs, in milliseconds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return best * 1000


def time_or_refusal(action, repeat: int) -> tuple:
    """``(milliseconds, "")``, or ``(nan, message)`` when the reference tool refuses the file
    (aeon reads Boolean models only; cmaboss refuses transitions without function terms)."""
    try:
        return best_time(action, repeat), ""
    except Exception as exc:  # noqa: BLE001 - any refusal of a reference tool is reported, not fatal
        return float("nan"), str(exc).splitlines()[0][:60]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus" / "sbml-qual")
    args = parser.parse_args()

    import biodivine_aeon
    import maboss

    from booleanidt.io import sbmlqual

    warnings.simplefilter("ignore")
    files = sorted(args.corpus.glob("*.sbml")) + sorted(args.corpus.glob("*.xml"))
    print(f"{'file':<36} {'nodes':>5} {'ours ms':>8} {'aeon ms':>8} {'cmaboss ms':>10} {'aeon/ours':>9} {'cmaboss/ours':>12}")
    for path in files:
        text = path.read_text()
        nodes = len(sbmlqual.read(path).nodes)
        ours = best_time(lambda: sbmlqual.read(path), args.repeat)
        aeon, aeon_note = time_or_refusal(lambda: biodivine_aeon.BooleanNetwork.from_sbml(text), args.repeat)
        cmaboss, cmaboss_note = time_or_refusal(lambda: maboss.loadSBML(str(path), cmaboss=True), args.repeat)
        notes = "".join(f"  {tool}: {note}" for tool, note in (("aeon", aeon_note), ("cmaboss", cmaboss_note))
                        if note)
        print(f"{path.name[:36]:<36} {nodes:>5} {ours:>8.1f} {aeon:>8.1f} {cmaboss:>10.1f} "
              f"{aeon / ours:>9.2f} {cmaboss / ours:>12.2f}{notes}", flush=True)

if __name__ == "__main__":
    main()
