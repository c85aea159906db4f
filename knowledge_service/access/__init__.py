"""API keys, roles and ownership: who may do what."""
