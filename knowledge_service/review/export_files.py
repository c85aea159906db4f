"""Putting an export's files in place so that a stop never leaves half of an export.

Every file is first written into a temporary folder beside DIR, in the same parent
(``.<DIR's name>.export-<pid>-<random>``, the pid being the exporting process's). Only when all
of them are written:

- DIR does not exist: the finished folder is renamed to DIR, in one step.
- DIR exists (an earlier export, or the folder the files are kept in): each file that differs
  is moved over the file of the same path, after the old file was kept in the temporary folder;
  files already as exported, and other files, are left untouched. Before the first move, the
  list of files and folders that the moves touch is written there (``journal.json``); an error
  or a stop during the moves puts every old file back and removes what was added, so DIR is as
  it was.

Then the caller records the export; a stop while it does raises :class:`PlacedNotRecorded`
(the files are in place). A process killed part-way (kill -9, power loss) leaves its temporary
folder behind; the next export to the same DIR finds it by its ended process id, undoes its
moves with the same journal and removes it. A live process's folder is never touched.
"""

from __future__ import annotations

import errno
import filecmp
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path, PurePosixPath

from knowledge_service.index.leftovers import is_alive, write_atomic

JOURNAL = "journal.json"
_FILES, _PREVIOUS = "files", "previous"
_STAGE = re.compile(r"^\.(?P<name>.+)\.export-(?P<pid>\d+)-[a-z0-9_]{8}$")


class PlacedNotRecorded(KeyboardInterrupt):
    """A stop after the export's files were put in place, before the export was recorded."""


@contextmanager
def staged_folder(dest: Path, then: Callable[[], None]) -> Iterator[Path]:
    """A folder to write the export into. On leaving the block without an error its files are
    put in place under ``dest`` (see the module docstring) and ``then`` runs (the caller records
    the export); on an error or a stop before that, ``dest`` is left as it was. The temporary
    folder is removed either way (a stop while removing it, once the export is complete, leaves
    the rest to the next export)."""
    where = dest.resolve()
    try:
        where.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:  # a file where a folder of the path should be
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(dest)) from None
    recover_leftovers(where)
    prefix = f".{where.name}.export-{os.getpid()}-"
    stage, placed = Path(tempfile.mkdtemp(prefix=prefix, dir=where.parent)), False
    try:
        files = stage / _FILES
        files.mkdir()
        yield files
        if where.exists():
            _apply(stage, where)
        else:
            os.rename(files, where)
        placed = True
        try:
            then()
        except KeyboardInterrupt:
            raise PlacedNotRecorded from None
    finally:
        try:
            shutil.rmtree(stage, ignore_errors=True)
        except KeyboardInterrupt:
            if not placed:
                raise


def recover_leftovers(dest: Path) -> list[Path]:
    """Undo and remove what exports to ``dest`` by ended processes (and by this process's
    earlier, stopped, exports) left; the folders removed."""
    removed = []
    for path in dest.parent.iterdir() if dest.parent.is_dir() else ():
        match = _STAGE.match(path.name)
        if match is None or match["name"] != dest.name:
            continue
        pid = int(match["pid"])
        if pid != os.getpid() and is_alive(pid):
            continue
        roll_back(path, dest)
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def _apply(stage: Path, dest: Path) -> None:
    """Move the staged files over ``dest``'s, keeping the old ones until all are in place."""
    files = stage / _FILES
    staged = (p.relative_to(files).as_posix() for p in files.rglob("*") if p.is_file())
    rels = sorted(rel for rel in staged if not _same(files / rel, dest / rel))
    folders = {str(parent) for rel in rels for parent in PurePosixPath(rel).parents}
    made = sorted(f for f in folders if f != "." and not (dest / f).is_dir())
    write_atomic(stage / JOURNAL, json.dumps({"files": rels, "folders": made}).encode())
    try:
        for rel in rels:
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists():
                kept = stage / _PREVIOUS / rel
                kept.parent.mkdir(parents=True, exist_ok=True)
                _keep(target, kept)
            _move(files / rel, target)
        (stage / JOURNAL).unlink()  # done: from here on nothing is undone
    except BaseException:
        roll_back(stage, dest)
        raise


def roll_back(stage: Path, dest: Path) -> None:
    """Undo the moves of ``stage``'s journal, if it has one: every old file back, every added
    file and folder removed."""
    journal = stage / JOURNAL
    if not journal.is_file():
        return
    plan = json.loads(journal.read_text(encoding="utf-8"))
    for rel in reversed(plan["files"]):
        kept, target = stage / _PREVIOUS / rel, dest / rel
        if kept.exists():
            _move(kept, target)
        elif not (stage / _FILES / rel).exists():  # moved in, with no file before it
            target.unlink(missing_ok=True)
    for folder in reversed(plan["folders"]):  # the deepest first
        with suppress(OSError):
            (dest / folder).rmdir()
    journal.unlink()


def _same(staged: Path, target: Path) -> bool:
    """Whether ``target`` already holds ``staged``'s bytes (then it is left untouched)."""
    return target.is_file() and filecmp.cmp(staged, target, shallow=False)


def _keep(target: Path, kept: Path) -> None:
    """A second name for ``target``'s file (a copy where the file system has no hard links)."""
    try:
        os.link(target, kept)
    except OSError:
        shutil.copy2(target, kept)


def _move(source: Path, target: Path) -> None:
    """Rename ``source`` over ``target``; across file systems, a copy renamed into place."""
    try:
        os.replace(source, target)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        write_atomic(target, source.read_bytes())
        source.unlink()
