"""Imports every table module so that ``SQLModel.metadata`` knows all tables.

Each domain that adds tables appends its ``models`` module here. Only adapters (API, CLI) and
tests import this module: domains below them must not depend on each other's tables.
"""

from sqlalchemy.engine import Engine

from knowledge_service import audit  # noqa: F401
from knowledge_service.access import models as access_models  # noqa: F401
from knowledge_service.analytics import models as analytics_models  # noqa: F401
from knowledge_service.content import models as content_models  # noqa: F401
from knowledge_service.freshness import models as freshness_models  # noqa: F401
from knowledge_service.index import models as index_models  # noqa: F401
from knowledge_service.migrations import prepare_store
from knowledge_service.review import workflow_models  # noqa: F401


def create_all_tables(engine: Engine) -> None:
    """Make the store ready: an empty one gets every domain's tables at the newest schema
    revision; one at the newest revision is left alone (idempotent; two processes starting on a
    new store at once take turns: see ``migrations.prepare_store``).

    Raises:
        StoreSchemaError: the store's schema is behind (``knowledge-service db upgrade``).
    """
    prepare_store(engine)
