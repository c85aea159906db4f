"""knowledge-service: a governed knowledge service for customer-contact teams."""

__version__ = "0.1.0"
