"""The test stack: real PostgreSQL and NATS fixtures (a pytest plugin, loaded through the
`pytest11` entry point of hoptac-platform) and helpers for tests that wait on a condition."""

from hoptac.platform.testing.waiting import wait_until

__all__ = ["wait_until"]
