"""Secrets kept in the data folder: made once, readable by this user only, shared by workers.

Every worker of one machine reads the same file, so what they sign or pseudonymise agrees;
replicas on other machines agree only when they share the data folder.
"""

from __future__ import annotations

import os
import secrets
import threading
from pathlib import Path

KEY_BYTES = 32
_lock = threading.Lock()


class KeyFileError(OSError):
    """A key file that is no key of :data:`KEY_BYTES` bytes (an OSError: the CLI names it in
    one line, as any file it cannot use)."""


def _checked(path: Path, key: bytes) -> bytes:
    """``key`` when it has :data:`KEY_BYTES` bytes. A shorter one (an empty file from a copy
    that failed, a truncated one) used to be taken as it was: an empty key pseudonymises every
    conversation id with a key everyone knows, so a phone number could be found again by
    trying them all."""
    if len(key) != KEY_BYTES:
        raise KeyFileError(
            f"{path} holds {len(key)} bytes, not a key of {KEY_BYTES}: copy it whole from the "
            'data folder that made it, or delete it to have a new one made (README: "Moving a '
            'store")'
        )
    return key


def check_key(data_dir: Path, name: str) -> None:
    """Raise :class:`KeyFileError` (or the OSError of reading it) when ``data_dir / name``
    exists and is no key; a missing one is made when first needed (:func:`load_key`)."""
    path = data_dir / name
    if path.exists():
        _checked(path, path.read_bytes())


def load_key(data_dir: Path, name: str) -> bytes:
    """The secret in ``data_dir / name`` (created, mode 0600, if missing); a file that holds
    no key of :data:`KEY_BYTES` bytes raises :class:`KeyFileError` naming it."""
    path = data_dir / name
    with _lock:
        if not path.exists():
            data_dir.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(f".{os.getpid()}.tmp")
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(secrets.token_bytes(KEY_BYTES))
            # Another worker may have written one first: keep whichever landed first.
            try:
                os.link(temporary, path)
            except FileExistsError:
                pass
            finally:
                temporary.unlink()
        return _checked(path, path.read_bytes())
