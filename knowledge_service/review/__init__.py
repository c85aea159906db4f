"""Review: the editorial workflow, four eyes, the review queue, risk acceptance and the audit."""
