"""Imports every table module so that ``SQLModel.metadata`` knows all tables.

Each domain that adds tables appends its ``models`` module here.
"""

from knowledge_service.content import models as content_models  # noqa: F401
