"""Build a txtai index of ``bench_peers.py``'s units (run by that script with a txtai venv).

    /tmp/txtai-venv/bin/python scripts/bench_peers_txtai.py UNITS.jsonl MODEL_DIR INDEX_DIR

Imports only txtai and the standard library, so it runs in a venv of its own (txtai is never a
dependency of the product). Indexes every unit (``{"id", "text"}`` per line) with the given
sentence-transformers model into a flat FAISS index (exact search, like the product's and the
bare app's), saves it in INDEX_DIR with the ``config.yml`` the txtai API serves it from, and
prints ``{"units": N, "seconds": S}`` as its last line.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def config(model: str) -> dict[str, object]:
    return {
        "path": model,
        "method": "sentence-transformers",
        "backend": "faiss",
        "faiss": {"components": "IDMap,Flat"},
        "content": False,
    }


def main(units_file: str, model: str, index_dir: str) -> int:
    from txtai import Embeddings

    units = [json.loads(line) for line in Path(units_file).read_text().splitlines() if line]
    index = Path(index_dir)
    embeddings = Embeddings(config(model))
    start = time.perf_counter()
    embeddings.index((u["id"], u["text"], None) for u in units)
    seconds = time.perf_counter() - start
    embeddings.save(str(index / "embeddings"))
    api_config = {  # JSON is YAML: the API loads the saved index and serves its routes
        "path": str(index / "embeddings"),
        "writable": False,
        "embeddings": config(model),
    }
    (index / "config.yml").write_text(json.dumps(api_config, indent=1), encoding="utf-8")
    print(json.dumps({"units": len(units), "seconds": seconds}))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
