"""index domain."""
