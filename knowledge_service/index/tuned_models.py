"""Tuned encoders in the data folder: versioned folders with a manifest, written atomically.

Layout: ``data_dir/models/tuned-<n>/`` is a sentence-transformers model folder plus
``tune.json`` (base model, knowledge-base content hash, date, settings). A version is written to
a hidden temporary folder beside it and renamed into place, so a reader never sees half a model.
:func:`choose_model` picks the newest complete version when tuned models are enabled (or, by
default, when its manifest shows a validated gain) and falls back to the base model (with a log
line saying why) when there is none or it is broken.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

MANIFEST_FILE = "tune.json"
_PREFIX = "tuned-"
_VERSION_RE = re.compile(rf"^{_PREFIX}(\d+)$")
_MODEL_FILES = ("modules.json", "config.json")


@dataclass(frozen=True)
class TunedModel:
    """One saved tuned encoder."""

    path: Path
    version: int
    manifest: dict[str, Any]

    @property
    def model_name(self) -> str:
        """A name unique to these weights (embedding caches and index bundles key on it)."""
        return f"{self.path.name}-{self.manifest.get('model_id', 'unknown')}"


def models_dir(data_dir: Path) -> Path:
    return data_dir / "models"


def _versions(folder: Path) -> list[tuple[int, Path]]:
    if not folder.is_dir():
        return []
    found = [(_VERSION_RE.match(p.name), p) for p in folder.iterdir() if p.is_dir()]
    return sorted((int(m[1]), p) for m, p in found if m)


def read_tuned_model(path: Path) -> TunedModel:
    """The tuned model saved at ``path``.

    Raises:
        ValueError: The folder is not a complete tuned model (missing files or manifest).
    """
    match = _VERSION_RE.match(path.name)
    if match is None or not path.is_dir():
        raise ValueError(f"{path} is not a tuned model folder")
    missing = [name for name in (*_MODEL_FILES, MANIFEST_FILE) if not (path / name).is_file()]
    if missing:
        raise ValueError(f"{path} is incomplete (missing {', '.join(missing)})")
    try:
        manifest = json.loads((path / MANIFEST_FILE).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path / MANIFEST_FILE} is not valid JSON ({exc})") from exc
    if not isinstance(manifest, dict):
        raise ValueError(f"{path / MANIFEST_FILE} is not a JSON object")
    return TunedModel(path, int(match[1]), manifest)


def latest_tuned_model(data_dir: Path) -> Path | None:
    """The folder of the newest tuned version under ``data_dir`` (None: never tuned)."""
    versions = _versions(models_dir(data_dir))
    return versions[-1][1] if versions else None


def save_tuned_model(
    data_dir: Path, write_model: Callable[[Path], None], manifest: dict[str, Any]
) -> TunedModel:
    """Write a new version: ``write_model(folder)`` fills a temporary folder, the manifest is
    added, then the folder is renamed to ``tuned-<n>`` (n one past the newest)."""
    folder = models_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{_PREFIX}", dir=folder))
    try:
        write_model(tmp)
        text = json.dumps(manifest, indent=2, sort_keys=True)
        (tmp / MANIFEST_FILE).write_text(text + "\n", encoding="utf-8")
        while True:  # another tune may take a number first: rename fails, try the next one
            versions = _versions(folder)
            target = folder / f"{_PREFIX}{versions[-1][0] + 1 if versions else 1}"
            try:
                os.rename(tmp, target)
                break
            except OSError:
                if not target.exists():
                    raise
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return read_tuned_model(target)


def sign_test(gained: int, lost: int) -> float:
    """Two-sided exact sign test on the questions two models disagree on: how likely a split at
    least this uneven is when neither model is better."""
    n = gained + lost
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, i) for i in range(min(gained, lost) + 1)) / 2**n
    return float(min(1.0, 2 * tail))


VALIDATED_GAIN_P = 0.05
"""The sign test's chance below which a tuned model's gain on its held-out questions counts."""


def validated_gain(validation: dict[str, int] | None) -> bool:
    """Whether ``tune``'s held-out questions showed the tuned model matching more of them than
    the base model, beyond chance (:data:`VALIDATED_GAIN_P`)."""
    if not validation:
        return False
    gained, lost = validation.get("gained", 0), validation.get("lost", 0)
    return gained > lost and sign_test(gained, lost) < VALIDATED_GAIN_P


def choose_model(data_dir: Path, base_model: str, *, use_tuned: bool | str) -> TunedModel | None:
    """The tuned model to load instead of ``base_model``, or None to use the base model.

    ``use_tuned``: ``true`` takes the newest version; ``auto`` takes it only when its manifest
    shows a validated gain (:func:`validated_gain`), and is silent when there is none;
    ``false`` never. A missing or incomplete tuned model, or one tuned from another base model,
    is not fatal: the base model serves and a warning says why.
    """
    flag = {True: "true", False: "false"}
    mode = flag[use_tuned] if isinstance(use_tuned, bool) else use_tuned.lower()
    if mode not in ("true", "auto"):
        return None
    path = latest_tuned_model(data_dir)
    if path is None:
        if mode == "true":
            logger.warning(
                "no tuned model in %s; using the base model %s", models_dir(data_dir), base_model
            )
        return None
    try:
        tuned = read_tuned_model(path)
    except ValueError as exc:
        logger.warning("tuned model unusable (%s); using the base model %s", exc, base_model)
        return None
    if tuned.manifest.get("base_model") != Path(base_model).name:
        logger.warning(
            "tuned model %s was tuned from %s, not the configured %s; using the base model",
            path,
            tuned.manifest.get("base_model"),
            base_model,
        )
        return None
    if mode == "auto" and not validated_gain(tuned.manifest.get("validation")):
        logger.info(
            "tuned model %s is not used: its held-out questions did not show a gain beyond "
            "chance (KS_INDEX__USE_TUNED_MODEL=true uses it anyway); using the base model %s",
            path,
            base_model,
        )
        return None
    return tuned
