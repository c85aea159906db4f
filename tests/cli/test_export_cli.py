"""``export`` stopped part-way (Ctrl-C, SIGTERM) prints one line, exits 130 and leaves DIR, the
export marks and the folder beside DIR as they were."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from knowledge_service.cli import app, common
from knowledge_service.errors import InvalidRequestError
from knowledge_service.review import export, export_files
from tests.cli.conftest import invoke
from tests.factories import write_article_md, write_small_kb
from tests.review.test_export_stops import ctrl_c, failing, marks, snapshot, temporaries


@pytest.fixture(autouse=True)
def imported(cli_store: Path) -> Path:
    write_small_kb(cli_store)
    assert invoke("import")[0] == 0
    return cli_store


def sigterm() -> None:
    os.kill(os.getpid(), signal.SIGTERM)


@pytest.mark.parametrize("fault", [ctrl_c, sigterm], ids=["ctrl-c", "sigterm"])
def test_a_stopped_export_says_so_and_leaves_a_new_folder_unmade(
    imported: Path, monkeypatch: pytest.MonkeyPatch, fault: object
) -> None:
    before = marks(common.engine())
    with failing(monkeypatch, Path, "write_text", 2, fault):  # type: ignore[arg-type]
        result = CliRunner().invoke(app, ["export", "out"])
    assert result.exit_code == 130, result.output
    assert result.stderr.strip() == "Export stopped: out was left as it was (nothing exported)."
    assert not (imported / "out").exists() and temporaries(imported / "out") == []
    assert marks(common.engine()) == before
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # the handler is put back


def test_a_stopped_export_over_an_earlier_one_leaves_it_as_it_was(
    imported: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert invoke("export", "out")[0] == 0
    write_article_md(imported / "content", "lost-card", title="Lost card", answer="Call us.")
    write_article_md(imported / "content" / "billing", "refund-timeframe", answer="Soon.")
    assert invoke("import")[0] == 0
    files, before = snapshot(imported / "out"), marks(common.engine())
    with failing(monkeypatch, export_files, "_move", 2, sigterm):  # one file moved
        result = CliRunner().invoke(app, ["export", "out"])
    assert result.exit_code == 130 and "Export stopped" in result.stderr
    assert snapshot(imported / "out") == files
    assert temporaries(imported / "out") == []
    assert marks(common.engine()) == before
    code, output = invoke("export", "out")
    assert code == 0, output
    assert "Call us." in (imported / "out" / "content" / "lost-card.md").read_text("utf-8")


def test_a_stop_while_recording_says_the_files_are_in_place(
    imported: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with failing(monkeypatch, export, "set_mark", 1, ctrl_c):
        result = CliRunner().invoke(app, ["export", "out"])
    assert result.exit_code == 130, result.output
    assert result.stderr.strip() == (
        "Export stopped after its files were put in out, before they were recorded: run "
        "`knowledge-service export out` again."
    )
    assert (imported / "out" / "content" / "lost-card.md").is_file()


def test_an_export_blocked_by_a_file_in_dir_names_that_file(imported: Path) -> None:
    """A file ``content`` where the export makes the folder ``content/billing``: the error names
    that place, not only DIR ("cannot export to out: Not a directory" sent the user to DIR)."""
    (imported / "out").mkdir()
    (imported / "out" / "content").write_text("not a folder", encoding="utf-8")
    result = CliRunner().invoke(app, ["export", "out"])
    assert result.exit_code == 2, result.output
    assert result.stderr.strip() == (
        f"error: cannot export to out: {Path('out', 'content', 'billing')}: Not a directory"
    )
    assert sorted(p.name for p in (imported / "out").iterdir()) == ["content"]
    assert temporaries(imported / "out") == []


def test_an_export_to_a_file_names_the_argument_dir(imported: Path) -> None:
    """DIR naming a file was refused as ``parameter 'dir'``, a name the command does not show
    (its usage and an empty DIR's refusal say 'DIR')."""
    (imported / "out").write_text("a file", encoding="utf-8")
    result = CliRunner().invoke(app, ["export", "out"])
    assert isinstance(result.exception, InvalidRequestError)  # main() prints it, exit 2
    assert str(result.exception) == "parameter 'DIR': out exists and is not a folder"
