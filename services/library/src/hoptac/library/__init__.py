"""The policy library service."""
