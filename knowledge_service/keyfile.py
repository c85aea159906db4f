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


def load_key(data_dir: Path, name: str) -> bytes:
    """The secret in ``data_dir / name`` (created, mode 0600, if missing)."""
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
        return path.read_bytes()
