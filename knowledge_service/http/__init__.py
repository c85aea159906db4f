"""HTTP parts shared by every adapter (``api`` today, ``web`` later): dependencies, the
problem+json error handler, middleware, OpenAPI finishing and shared response shapes."""
