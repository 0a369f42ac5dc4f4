"""Test settings for the whole repository."""

from __future__ import annotations

import os

from hypothesis import settings

# Locally, property tests explore new examples on every run; in CI the same examples run every
# time, so a submission's result does not depend on luck.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI") == "true":
    settings.load_profile("ci")
