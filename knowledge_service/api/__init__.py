"""The JSON API's routers; the app itself is composed in :mod:`knowledge_service.app`."""
