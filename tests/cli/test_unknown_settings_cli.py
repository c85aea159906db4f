"""A ``KS_`` variable that is no setting (a misspelling: ``KS_HEADER_TIMOUT``) is ignored by the
settings; the command says so on stderr, one line naming it and the nearest setting, and runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from knowledge_service.settings import unknown_settings
from tests.server import CLI


def _run(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """The CLI with only ``env``'s ``KS_`` variables (none of the caller's)."""
    base = {k: v for k, v in os.environ.items() if not k.upper().startswith("KS_")}
    return subprocess.run(
        [sys.executable, "-c", CLI, *args], env={**base, **env}, cwd=tmp_path,
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def test_a_misspelt_setting_is_one_warning_naming_the_nearest_and_the_command_runs(
    tmp_path: Path,
) -> None:
    result = _run(tmp_path, {"KS_HEADER_TIMOUT": "1"}, "version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()  # the version
    assert result.stderr.splitlines() == [
        "warning: KS_HEADER_TIMOUT is not a setting and is ignored "
        "(did you mean KS_HEADER_TIMEOUT?)"
    ]


def test_settings_in_any_case_and_sections_are_not_warned_about(tmp_path: Path) -> None:
    env = {"KS_LOG_LEVEL": "info", "ks_index__batch_size": "8", "KS_WORKFLOW__BULK_LIMIT": "5",
           "KS_TEST_ROUNDS": "2"}  # fmt: skip
    result = _run(tmp_path, env, "version")
    assert result.returncode == 0 and result.stderr == "", result.stderr


def test_unknown_settings_name_each_with_its_nearest_setting_if_any() -> None:
    environ = {
        "KS_INDEX__BATCHSIZE": "1",
        "KS_NOTHING_LIKE_ANY_SETTING": "1",
        "KS_DATA_DIR": "data",
        "KS_INDEX": "{}",
        "PATH": "/bin",
    }
    assert unknown_settings(environ) == [
        ("KS_INDEX__BATCHSIZE", "KS_INDEX__BATCH_SIZE"),
        ("KS_NOTHING_LIKE_ANY_SETTING", None),
    ]


def test_an_unknown_field_of_a_section_set_as_json_is_named_too() -> None:
    """KS_INDEX='{"batch_sise": 5}' was ignored without a word, unlike KS_INDEX__BATCH_SISE;
    fields are read whatever their case, as the settings read them."""
    environ = {
        "KS_INDEX": '{"batch_sise": 5, "BATCH_SIZE": 8, "nothing_like_any": 1}',
        "KS_ANSWERS": "not json",  # refused as a bad setting, not warned about here
    }
    assert unknown_settings(environ) == [
        ("KS_INDEX: batch_sise", "batch_size"),
        ("KS_INDEX: nothing_like_any", None),
    ]
