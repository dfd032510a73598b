"""Option values the command line checks before a run starts, shared by cli and bench.

Each raises :class:`argparse.ArgumentTypeError`, which argparse turns into a
usage error (exit 64) naming the option, before any model loads.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def count(value: str) -> int:
    """A whole number above 0: processes, bytes, rows."""
    number = _whole(value)
    if number <= 0:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number above 0")
    return number


def port(value: str) -> int:
    """A TCP port to listen on, 1 to 65535: checked here, since bind() refuses any other with a traceback."""
    number = _whole(value)
    if not 1 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port number; give a whole number from 1 to 65535")
    return number


def _whole(value: str) -> int:
    """``value`` as a whole number; 0 (refused by every caller) when it is not one."""
    try:
        return int(value)
    except ValueError:
        return 0


def output_file(value: str) -> Path:
    """A file to write at the end of a run: checked first, so that a typo does not cost the run."""
    path = Path(value)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{value!r} is a folder; give the name of a file to write")
    if not path.parent.is_dir():
        raise argparse.ArgumentTypeError(f"{value!r} cannot be written: its folder {str(path.parent)!r} does not exist")
    return path
