"""Secrets in the data folder: made once, private to this user, the same on every read."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from knowledge_service.keyfile import KEY_BYTES, KeyFileError, check_key, load_key


def test_a_key_is_made_once_readable_by_its_owner_only(tmp_path: Path) -> None:
    folder = tmp_path / "data"  # not there yet: made on first use
    first = load_key(folder, "a.key")
    assert len(first) == KEY_BYTES
    assert load_key(folder, "a.key") == first
    assert stat.S_IMODE((folder / "a.key").stat().st_mode) == 0o600
    assert load_key(folder, "b.key") != first  # each name its own secret
    assert sorted(p.name for p in folder.iterdir()) == ["a.key", "b.key"]  # no temporary left


@pytest.mark.parametrize("held", [b"", b"short", b"x" * (KEY_BYTES + 1)])
def test_a_key_file_that_holds_no_key_is_refused_naming_it(tmp_path: Path, held: bytes) -> None:
    """An empty or truncated key file (a copy between replicas that failed) used to be taken as
    it was: an empty key pseudonymises every conversation id with a key everyone knows."""
    (tmp_path / "a.key").write_bytes(held)
    for call in (load_key, check_key):
        with pytest.raises(KeyFileError, match=rf"a\.key holds {len(held)} bytes, not a key"):
            call(tmp_path, "a.key")
    check_key(tmp_path, "missing.key")  # made when first needed, not by a check
    assert not (tmp_path / "missing.key").exists()
