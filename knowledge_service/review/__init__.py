"""The editorial workflow: lifecycle transitions, the review queue, risk acceptance and audit."""
