"""freshness domain."""
