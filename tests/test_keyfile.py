"""Secrets in the data folder: made once, private to this user, the same on every read."""

from __future__ import annotations

import stat
from pathlib import Path

from knowledge_service.keyfile import KEY_BYTES, load_key


def test_a_key_is_made_once_readable_by_its_owner_only(tmp_path: Path) -> None:
    folder = tmp_path / "data"  # not there yet: made on first use
    first = load_key(folder, "a.key")
    assert len(first) == KEY_BYTES
    assert load_key(folder, "a.key") == first
    assert stat.S_IMODE((folder / "a.key").stat().st_mode) == 0o600
    assert load_key(folder, "b.key") != first  # each name its own secret
    assert sorted(p.name for p in folder.iterdir()) == ["a.key", "b.key"]  # no temporary left
