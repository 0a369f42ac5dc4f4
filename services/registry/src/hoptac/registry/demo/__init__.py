"""Demonstration data: a realistic synthetic province, and a loader that posts it to a registry."""

from hoptac.registry.demo.generator import DemoOrganization, generate_province

__all__ = ["DemoOrganization", "generate_province"]
