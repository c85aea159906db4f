"""review domain."""
