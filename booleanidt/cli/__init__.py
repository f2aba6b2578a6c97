"""The ``booleanidt`` command.  Thin: each sub-command is a module of this package
with an ``add_parser(subparsers)`` function that registers it and sets ``func``.

User errors (:class:`~booleanidt.errors.BooleanidtError`) print one line on stderr
and exit with code 2, without a traceback.  Warnings (what an export cannot keep,
what an import had to repair) print one line each on stderr, without the source line
Python would show.

Examples
--------
>>> main(["--version"])  # doctest: +SKIP
booleanidt 0.1.0
"""
from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
import warnings

from .. import __version__
from ..errors import BooleanidtError

__all__ = ["main", "console_main", "build_parser"]

#: order in which sub-commands are listed in ``--help``
_ORDER = ["convert", "info", "validate", "maps", "simulate", "personalize", "cohort", "treat", "analyze", "screen", "population"]


def _command_names() -> list:
    names = [m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")]
    return sorted(names, key=lambda n: (_ORDER.index(n) if n in _ORDER else len(_ORDER), n))


def _needed_commands(argv) -> list:
    """The sub-commands whose modules a parse of ``argv`` needs: only the one named when it is the first
    argument (a run imports only what that command uses), every one otherwise (``--help``, a typo).

    >>> _needed_commands(["simulate", "model.bnd"])
    ['simulate']
    >>> len(_needed_commands(["--help"])) == len(_command_names())
    True
    """
    names = _command_names()
    return [argv[0]] if argv and argv[0] in names else names


def build_parser(commands=None) -> argparse.ArgumentParser:
    """The argument parser with the sub-commands ``commands`` registered (default: every one)."""
    parser = argparse.ArgumentParser(
        prog="booleanidt",
        description="Logical models of the immune system: import, simulate, personalise, export.")
    parser.add_argument("--version", action="version", version=f"booleanidt {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in commands or _command_names():
        importlib.import_module(f"{__name__}.{name}").add_parser(subparsers)
    return parser


#: commands that end their process as soon as they are done (see :func:`_end_process`)
_QUICK_EXIT = frozenset({"simulate"})


def main(argv=None) -> int:
    """Run the command line (``argv``, default ``sys.argv[1:]``); returns the exit code (0 ok, 2 user error)."""
    return _main(argv, whole_process=False)


def console_main() -> None:
    """The ``booleanidt`` script and ``python -m booleanidt``: run ``sys.argv`` and end the process.

    A command of ``_QUICK_EXIT`` ends the process as soon as its files are written.
    """
    sys.exit(_main(None, whole_process=True))


def _main(argv, whole_process: bool) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(_needed_commands(argv))
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    code = _run(args)
    if whole_process and args.command in _QUICK_EXIT:
        _end_process(code)
    return code


def _end_process(code: int) -> None:
    """Flush stdout and stderr and end the process with ``code``, skipping Python's teardown.

    A simulation has written its files (each run writes its folder whole before it returns) and
    joined its threads; freeing every module one by one, numba's compiled code among them, would
    add 0.1-0.3 s to a run of a small model that takes about as long itself.
    """
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can reach it
            pass
    os._exit(code)


def _run(args) -> int:
    """Run the parsed command; user errors become one line on stderr and exit code 2."""
    with warnings.catch_warnings():
        warnings.showwarning = _warning_printer(args.command)
        try:
            return args.func(args) or 0
        except BooleanidtError as exc:
            print(f"booleanidt {args.command}: error: {_one_line(str(exc))}", file=sys.stderr)
            return 2
        except BrokenPipeError:  # the reader stopped (``| head``): stop quietly, as other shell tools do
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 141
        except OSError as exc:  # what the output helpers did not name: one line all the same
            where = f"{exc.filename}: " if exc.filename else ""
            print(f"booleanidt {args.command}: error: {_one_line(f'{where}{exc.strerror or exc}')}", file=sys.stderr)
            return 2
        except KeyboardInterrupt:
            print("booleanidt: interrupted", file=sys.stderr)
            return 130


def _one_line(text: str) -> str:
    """``text`` with line breaks and other control characters (from file names, node names) escaped.

    >>> _one_line("bad name 'a\\nb'")
    "bad name 'a\\\\nb'"
    """
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _warning_printer(command: str):
    """A ``warnings.showwarning`` that prints ``booleanidt COMMAND: warning: MESSAGE``."""
    def show(message, category, filename, lineno, file=None, line=None):
        print(f"booleanidt {command}: warning: {_one_line(str(message))}", file=sys.stderr)
    return show


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
