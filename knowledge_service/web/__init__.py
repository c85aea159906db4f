"""Pages for agents and content owners."""
