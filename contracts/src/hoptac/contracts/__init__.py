"""Integration events: the only messages that cross a service boundary."""
