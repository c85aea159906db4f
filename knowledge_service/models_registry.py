"""Imports every table module so that ``SQLModel.metadata`` knows all tables.

Each domain that adds tables appends its ``models`` module here. Only adapters (API, CLI) and
tests import this module: domains below them must not depend on each other's tables.
"""

from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from knowledge_service import audit  # noqa: F401
from knowledge_service.access import models as access_models  # noqa: F401
from knowledge_service.analytics import models as analytics_models  # noqa: F401
from knowledge_service.content import models as content_models  # noqa: F401
from knowledge_service.freshness import models as freshness_models  # noqa: F401
from knowledge_service.index import models as index_models  # noqa: F401
from knowledge_service.migrations import prepare_store
from knowledge_service.review import workflow_models  # noqa: F401

_CREATE_ATTEMPTS = 3


def create_all_tables(engine: Engine) -> None:
    """Make the store ready: an empty one gets every domain's tables at the newest schema
    revision; one at the newest revision is left alone (idempotent, also when two processes start
    on a new SQLite store at once: the one that finds a table the other just created looks again).

    Raises:
        StoreSchemaError: the store's schema is behind (``knowledge-service db upgrade``).
    """
    for attempt in range(_CREATE_ATTEMPTS):
        try:
            prepare_store(engine)
            return
        except OperationalError as exc:  # SQLite: another process created a table meanwhile
            if "already exists" not in str(exc) or attempt == _CREATE_ATTEMPTS - 1:
                raise
