"""signup-service Lambda functions."""
