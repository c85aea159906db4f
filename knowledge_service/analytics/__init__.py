"""What was asked and answered, feedback, measures and exports, with personal data redacted."""
