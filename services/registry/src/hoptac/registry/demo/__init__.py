"""Demonstration data: a realistic synthetic province, and a loader that posts it to a registry."""

from hoptac.registry.demo.generator import DemoAreas, DemoOrganization, generate_province

__all__ = ["DemoAreas", "DemoOrganization", "generate_province"]
