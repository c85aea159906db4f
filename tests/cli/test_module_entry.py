"""``python -m knowledge_service.cli`` (and ``python -m knowledge_service``) run the command as
the ``knowledge-service`` script does: its help, and its one-line errors with exit code 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]


def _run(module: str, *args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": path, "HF_HUB_OFFLINE": "1", **env},
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("module", ["knowledge_service.cli", "knowledge_service"])
def test_python_m_prints_the_help(module: str, tmp_path: Path) -> None:
    done = _run(module, "--help", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"python -m {module}" in done.stdout
    assert "review" in done.stdout and "import" in done.stdout


def test_python_m_reports_an_error_as_the_script_does(tmp_path: Path) -> None:
    done = _run("knowledge_service.cli", "review", cwd=tmp_path, KS_MAX_FILE_BYTES="abc")
    assert done.returncode == 2
    assert done.stderr.startswith("error: bad setting: KS_MAX_FILE_BYTES:"), done.stderr
    assert "Traceback" not in done.stderr
