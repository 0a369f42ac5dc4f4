"""The `hoptac` command."""
