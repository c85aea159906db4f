"""Guards that keep the README matching the code it documents."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from knowledge_service.settings import Settings

README = Path(__file__).parents[1] / "README.md"


def settings_of(model: type[BaseModel], prefix: str = "KS_") -> Iterator[tuple[str, Any]]:
    """Every environment variable of ``model`` with its default, nested sections walked
    (``KS_SECTION__FIELD``); PydanticUndefined for a default computed at run time."""
    for name, field in model.model_fields.items():
        kind = field.annotation
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            yield from settings_of(kind, f"{prefix}{name.upper()}__")
        else:
            yield f"{prefix}{name.upper()}", field.default


def configuration_table() -> dict[str, str | None]:
    """The README's "Configuration" table: variable -> its default as written (None when the
    row describes the default in words). A row may name several variables, the later ones
    abbreviated to their last part (`KS_ANALYTICS__QUEUE_SIZE`, `__BATCH_SIZE`), with as many
    defaults in the same order."""
    section = README.read_text(encoding="utf-8").split("\n## Configuration\n", 1)[1]
    section = section.split("\n## ", 1)[0]
    table: dict[str, str | None] = {}
    for line in section.splitlines():
        if not line.startswith("| `KS_"):
            continue
        names_cell, default_cell = line.split(" | ")[:2]
        names: list[str] = []
        for written in re.findall(r"`([^`]+)`", names_cell):
            if written.startswith("__"):
                written = names[0].rsplit("__", 1)[0] + written
            names.append(written)
        defaults = re.findall(r"`([^`]*)`", default_cell)
        plain = len(defaults) == len(names) and re.fullmatch(r"(`[^`]*`(, )?)+", default_cell)
        for i, name in enumerate(names):
            table[name] = defaults[i] if plain else None
    return table


def written_as(default: Any) -> str:
    """How the README writes a default: booleans in lower case, numbers without a needless
    ``.0``."""
    if isinstance(default, bool):
        return str(default).lower()
    if isinstance(default, float) and default.is_integer():
        return str(int(default))
    return str(default)


def test_every_setting_is_in_the_configuration_table() -> None:
    table = configuration_table()
    missing = [name for name, _ in settings_of(Settings) if name not in table]
    assert not missing, f"README.md, Configuration: no row for {', '.join(missing)}"


def test_the_table_names_only_settings_that_exist() -> None:
    known = {name for name, _ in settings_of(Settings)}
    unknown = [name for name in configuration_table() if name not in known]
    assert not unknown, f"README.md, Configuration: no such setting {', '.join(unknown)}"


def test_the_defaults_in_the_table_are_the_code_s() -> None:
    table = configuration_table()
    wrong = []
    for name, default in settings_of(Settings):
        if name not in table:
            continue  # test_every_setting_is_in_the_configuration_table names it
        written = table[name]
        if written is None:
            # described in words: only a default computed at run time, or none at all
            assert default in (PydanticUndefined, None), f"README.md: write {name}'s default"
            continue
        same = (
            float(written) == default
            if isinstance(default, float | int) and not isinstance(default, bool)
            else written == written_as(default)
        )
        if not same:
            wrong.append(f"{name} is {written_as(default)}, not {written}")
    assert not wrong, f"README.md, Configuration: {'; '.join(wrong)}"


def test_the_cli_block_says_index_status_brings_the_index_level_first() -> None:
    """``index status`` loads, catches up or builds the index before it prints (its --help says
    so); the README once said either command merely "prints the index's state"."""
    from knowledge_service.cli.index import status

    assert "level with the store" in (status.__doc__ or "")
    cli = README.read_text(encoding="utf-8").split("\n## CLI\n", 1)[1].split("\n```\n", 2)[1]
    (line,) = [row for row in cli.splitlines() if "index rebuild | status" in row]
    assert "either prints" not in line
    assert "status: brings the index level with the store first" in line
