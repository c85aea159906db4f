"""Processes exporting the same model at once (server workers starting on a new data folder):
the first exports, the others wait for it and use its export."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from knowledge_service.index.locks import taking_turns
from knowledge_service.index.onnx_export import EXPORT_LOCK, META_FILE, Variant, exported_folder
from tests.index.conftest import fake_model_folder

EXPORT = """
import logging, os, sys
from pathlib import Path
from knowledge_service.index import onnx_export

logging.basicConfig(level=logging.INFO, stream=sys.stderr)
model, cache, marker = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])

def counted_export(work, model_dir, layout, variant):
    with marker.open("a", encoding="utf-8") as handle:
        handle.write(f"{os.getpid()}\\n")
    (work / onnx_export.META_FILE).write_text("{}", encoding="utf-8")

onnx_export._export_into = counted_export  # the real one takes ~20 s of torch
print(onnx_export.export_onnx_model(model, cache, variant=onnx_export.Variant.FP32))
"""

EXPORT_IN_CHILD = """
import logging, sys
from pathlib import Path
from knowledge_service.index.onnx_export import Variant, export_in_child

logging.basicConfig(level=logging.INFO, stream=sys.stderr)
print(export_in_child(sys.argv[1], Path(sys.argv[2]), variant=Variant.FP32))
"""

WAITING = "waiting for another process's ONNX export"
DEADLINE = 120.0
"""A safeguard only: how long a child may take to reach the lock before the test gives up."""


def start(code: str, log: Path, *args: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", code, *map(str, args)],
        stdout=subprocess.PIPE, stderr=log.open("w", encoding="utf-8"), text=True,
    )  # fmt: skip


def wait_until_waiting(child: subprocess.Popen[str], log: Path) -> None:
    """Return once ``child`` has logged that it waits for another export; fail if it ends
    first (it exported, or tried to, without waiting)."""
    deadline = time.monotonic() + DEADLINE
    while WAITING not in log.read_text(encoding="utf-8"):
        if child.poll() is not None:  # ended: its log, complete now, must say it waited
            text = log.read_text(encoding="utf-8")
            assert WAITING in text, f"ended without waiting for the other export:\n{text}"
        assert time.monotonic() < deadline, f"no waiting line after {DEADLINE} s"
        time.sleep(0.05)


def finish(child: subprocess.Popen[str], log: Path) -> str:
    out, _ = child.communicate(timeout=DEADLINE)
    assert child.returncode == 0, log.read_text(encoding="utf-8")
    return out.strip().splitlines()[-1]


def test_processes_exporting_at_once_export_once(tmp_path: Path) -> None:
    model = fake_model_folder(tmp_path / "model", {"pooling_mode_mean_tokens": True})
    cache, marker = tmp_path / "models", tmp_path / "exports"
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    with taking_turns(cache / EXPORT_LOCK):  # another export under way: both must wait
        children = [start(EXPORT, log, model, cache, marker) for log in logs]
        for child, log in zip(children, logs, strict=True):
            wait_until_waiting(child, log)
    folders = {finish(child, log) for child, log in zip(children, logs, strict=True)}
    assert folders == {str(exported_folder(model, cache, Variant.FP32))}
    assert len(marker.read_text(encoding="utf-8").splitlines()) == 1  # exported once


def test_a_process_waiting_for_an_export_in_a_child_uses_the_finished_one(tmp_path: Path) -> None:
    """The server's path: the export runs in a child process, which this one's turn covers."""
    # no weights: an export of its own would fail, so success means it used the other's
    model = fake_model_folder(tmp_path / "model", {"pooling_mode_mean_tokens": True})
    cache, log = tmp_path / "models", tmp_path / "waiter.log"
    final = exported_folder(model, cache, Variant.FP32)
    with taking_turns(cache / EXPORT_LOCK):
        child = start(EXPORT_IN_CHILD, log, model, cache)
        wait_until_waiting(child, log)
        final.mkdir(parents=True)  # what the export under way leaves when it ends
        (final / META_FILE).write_text("{}", encoding="utf-8")
    assert finish(child, log) == str(final)
    assert "in a child process" not in log.read_text(encoding="utf-8")  # no export of its own
