"""Where the scripts look for the public evaluation sets, and a clear error where they are not.

The sets (BANKING77, StackFAQ, HWU64-OOS; see README "Quality and benchmarks") are kept outside
the repository, by default in ``../shared/eval-data`` beside the checkout. A script run from a
checkout elsewhere, or given a wrong ``--data``, says which folder it looked in and what it
needs there, instead of failing deep inside with a FileNotFoundError.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "eval-data"
"""``../shared/eval-data`` beside the checkout."""

SET_FILES = ("corpus.jsonl", "queries.jsonl")
"""What every set folder holds (BEIR style)."""


def _missing(folder: Path, names: tuple[str, ...]) -> list[str]:
    return [name for name in names if not (folder / name).exists()]


def data_folder(*sets: str) -> Callable[[str], Path]:
    """An argparse ``type`` for a folder holding the named ``sets`` (``banking77``, ...)."""

    def check(value: str) -> Path:
        path = Path(value)
        if not path.is_dir():
            raise argparse.ArgumentTypeError(
                f"no folder {path}: give the folder holding the evaluation sets"
                f"{f' ({names})' if (names := ', '.join(sets)) else ''}, such as --data "
                "../shared/eval-data"
            )
        missing = [f"{name}/{file}" for name in sets for file in _missing(path / name, SET_FILES)]
        if missing:
            raise argparse.ArgumentTypeError(f"{path} has no {', '.join(missing)}")
        return path

    return check


def _one_set(value: str, wanted: str, files: tuple[str, ...]) -> Path:
    path = Path(value)
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"no folder {path}: give {wanted}")
    missing = _missing(path, files)
    if missing:
        raise argparse.ArgumentTypeError(f"{path} has no {', '.join(missing)}")
    return path


def set_folder(value: str) -> Path:
    """An argparse ``type`` for one set's folder (``.../stackfaq``)."""
    return _one_set(value, "one evaluation set's folder", SET_FILES)


HWU64_FILES = ("queries.jsonl", "content")
"""What HWU64-OOS's folder holds: its test queries and its articles (no corpus.jsonl)."""


def hwu64_folder(value: str) -> Path:
    """An argparse ``type`` for HWU64-OOS's folder (``.../hwu64_oos``)."""
    return _one_set(value, "HWU64-OOS's folder (its queries.jsonl and content/)", HWU64_FILES)
