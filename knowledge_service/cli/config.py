"""The settings a command runs with: a bad ``KS_*`` variable, an unusable data folder or
missing content folders exit 2 with one line naming them."""

from __future__ import annotations

import os
import re
from pathlib import Path

from pydantic import ValidationError
from pydantic_settings import SettingsError
from rich.markup import escape

from knowledge_service.cli.output import err_console, fail
from knowledge_service.settings import Settings, get_settings

__all__ = [
    "content_folders",
    "describe_settings_error",
    "describe_unparsed_setting",
    "require_data_dir",
    "settings",
]


def settings() -> Settings:
    """The settings; a bad ``KS_*`` variable exits 2 naming it and what is wrong."""
    try:
        return get_settings()
    except ValidationError as exc:
        raise fail(describe_settings_error(exc)) from None
    except SettingsError as exc:  # a section (KS_INDEX, ...) set to text that is no JSON
        raise fail(describe_unparsed_setting(exc)) from None


def describe_settings_error(exc: ValidationError) -> str:
    """Each bad setting as its variable and the reason (never its value: it may be a secret).
    A section set to JSON that is no object (``KS_ANALYTICS='[1]'``) is told as a section set
    to text that is no JSON: pydantic's "Input should be a valid dictionary or instance of
    AnalyticsSettings" names a class, not how a section is set."""
    problems = []
    for error in exc.errors():
        variable = "KS_" + "__".join(str(part) for part in error["loc"]).upper()
        if error["type"] == "model_type" and len(error["loc"]) == 1:
            problems.append(f"{variable}: {_NO_JSON_OBJECT.format(variable=variable)}")
        else:
            problems.append(f"{variable}: {error['msg']}")
    return "bad setting: " + "; ".join(problems)


_NO_JSON_OBJECT = (
    "is no JSON object (a section: set its settings one by one as {variable}__NAME, or together "
    "as a JSON object)"
)


def describe_unparsed_setting(exc: SettingsError) -> str:
    """A section's variable (``KS_ANALYTICS``) set to text that is no JSON object: named, with
    how a section is set (never its value). pydantic-settings names the field only in its
    message (``error parsing value for field "analytics" from source ...``)."""
    field = re.search(r'field "(\w+)"', str(exc))
    if field is None:
        return f"bad setting: {exc}"
    variable = f"KS_{field.group(1).upper()}"
    where = " (in .env)" if "DotEnv" in str(exc) else ""
    return f"bad setting: {variable}{where}: {_NO_JSON_OBJECT.format(variable=variable)}"


def require_data_dir() -> None:
    """Exit 2 with one ``error:`` line naming ``KS_DATA_DIR`` and its path when it is no folder
    this process can write in, or cannot be created (a file where it or a folder above it should
    be, a folder above it that is not writable): before anything is written, the store
    included, and before the model is loaded (which would fail on ``KS_DATA_DIR/models``)."""
    folder = settings().data_dir
    if folder.exists():
        if not folder.is_dir():
            raise fail(f"KS_DATA_DIR: {folder} is not a folder")
        if not os.access(folder, os.W_OK | os.X_OK):
            raise fail(f"KS_DATA_DIR: {folder} is not writable")
        return
    above = folder.absolute().parent
    while not above.exists() and above != above.parent:
        above = above.parent
    if not above.is_dir():
        raise fail(f"KS_DATA_DIR: cannot create {folder}: {above} is not a folder")
    if not os.access(above, os.W_OK | os.X_OK):
        raise fail(f"KS_DATA_DIR: cannot create {folder}: {above} is not writable")


def content_folders(
    content: Path | None = None, policies: Path | None = None, *, verb: str
) -> list[Path]:
    """The content and policies folders to ``verb`` ("import", "check"): ``content`` and
    ``policies`` when given, else KS_CONTENT_DIR and KS_POLICIES_DIR. One given that is no
    folder, or a file where a default folder should be, exits 2; a default folder that is
    missing is a warning naming its variable (a knowledge base may have no policies yet), and
    both missing exit 2: nothing would be read, silently."""
    asked = (
        ("content", "KS_CONTENT_DIR", content, content or settings().content_dir),
        ("policies", "KS_POLICIES_DIR", policies, policies or settings().policies_dir),
    )
    for label, _, given, folder in asked:
        if not folder.is_dir() and (given is not None or folder.exists()):
            problem = "is not a folder" if folder.exists() else "does not exist"
            raise fail(f"{label} folder {folder} {problem}")
    missing = [(label, variable, folder) for label, variable, _, folder in asked
               if not folder.is_dir()]  # fmt: skip
    if len(missing) == len(asked):
        (_, content_variable, content_dir), (_, policies_variable, policies_dir) = missing
        raise fail(
            f"neither the content folder {content_dir} nor the policies folder {policies_dir} "
            f"exists (set {content_variable} and {policies_variable}, or give the folders to "
            f"{verb})"
        )
    for label, variable, folder in missing:
        err_console.print(
            escape(
                f"warning: the {label} folder {folder} does not exist, so nothing in it is "
                f"{verb}ed (set {variable}, or give the folders to {verb})"
            )
        )
    return [folder for *_, folder in asked if folder.is_dir()]
