"""Adapters: the search engines behind one port, the registry's change log, NATS."""
