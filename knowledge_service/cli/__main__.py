"""``python -m knowledge_service.cli``: the ``knowledge-service`` command without its script."""

from __future__ import annotations

from knowledge_service.cli import main

if __name__ == "__main__":
    main()
