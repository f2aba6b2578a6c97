"""A .bnd and the .cfg written with it carry the same pair stamp, so a torn pair is refused.

Writing a MaBoSS model replaces two files, one rename after the other.  A process killed
between the two renames leaves the new .bnd beside the old .cfg (or the reverse), and
nothing in the files would tell.  booleanidt therefore starts both files with one comment
line, ``// booleanidt pair <stamp>``, the stamp a digest of the two texts written together.
Reading a .bnd and a .cfg that both carry a stamp, and not the same one, is an error that
says what happened and how to repair it.  A file without the line (written by hand, by
MaBoSS tools or by an older booleanidt) is never refused; editing either file keeps its
line, so edited pairs still read.  MaBoSS and pyMaBoSS skip the line as a comment.

Examples
--------
>>> bnd, cfg = stamped("node A { logic = A; }\\n", "A.istate = 1;\\n")
>>> print(bnd.splitlines()[0])
// booleanidt pair 405bf95203150fda
>>> check_pair(bnd, cfg, "m.bnd", "m.cfg")          # the pair written together: fine
>>> _, other_cfg = stamped("node A { logic = A; }\\n", "A.istate = 0;\\n")
>>> check_pair(bnd, other_cfg, "m.bnd", "m.cfg")
Traceback (most recent call last):
...
booleanidt.errors.InputError: m.cfg: line 1: was not written with m.bnd (pair stamp d7fd288e4ae8a448, m.bnd has 405bf95203150fda): a write of the pair was interrupted or the files come from different conversions; write the model again, or delete this line to use the two files together
"""
from __future__ import annotations

import hashlib
import re
from typing import Optional

from ..errors import InputError

__all__ = ["stamped", "check_pair"]

_STAMP_LINE = re.compile(r"\A(?:[ \t]*\r?\n)*[ \t]*// booleanidt pair ([0-9a-f]{16})[ \t]*\r?$", re.MULTILINE)


def _stamp(bnd_text: str, cfg_text: str) -> str:
    return hashlib.sha256(f"{bnd_text}\0{cfg_text}".encode("utf-8")).hexdigest()[:16]


def stamped(bnd_text: str, cfg_text: str) -> tuple:
    """``(bnd_text, cfg_text)``, each preceded by the same ``// booleanidt pair`` line."""
    line = f"// booleanidt pair {_stamp(bnd_text, cfg_text)}\n"
    return line + bnd_text, line + cfg_text


def _stamp_of(text: str) -> Optional[str]:
    match = _STAMP_LINE.match(text)
    return match.group(1) if match else None


def check_pair(bnd_text: str, cfg_text: Optional[str], bnd_source: str, cfg_source: str) -> None:
    """Refuse (:class:`~booleanidt.errors.InputError`) a .bnd and a .cfg whose pair stamps differ."""
    if cfg_text is None:
        return
    bnd_stamp, cfg_stamp = _stamp_of(bnd_text), _stamp_of(cfg_text)
    if bnd_stamp and cfg_stamp and bnd_stamp != cfg_stamp:
        line = cfg_text.count("\n", 0, cfg_text.index(cfg_stamp)) + 1
        raise InputError(cfg_source, f"line {line}",
                         f"was not written with {bnd_source} (pair stamp {cfg_stamp}, {bnd_source} has {bnd_stamp}): "
                         "a write of the pair was interrupted or the files come from different conversions; "
                         "write the model again, or delete this line to use the two files together")
