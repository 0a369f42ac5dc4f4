"""The timeline of an organisation equals the registry's fold of its history on every day,
whatever order its versions arrive in."""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hoptac.reporting.domain.facts import facts_of, facts_on, timeline

from ..histories import FakeRegistry, histories, interesting_days, oracle_record_on

pytestmark = pytest.mark.unit


@settings(max_examples=150, deadline=None, derandomize=True)
@given(registry=histories(), seed=st.integers(0, 2**32 - 1))
def test_the_timeline_equals_the_registrys_fold_on_every_day(
    registry: FakeRegistry, seed: int
) -> None:
    for org in registry.organizations.values():
        versions = org.own_versions()
        random.Random(seed).shuffle(versions)
        intervals = timeline(versions, org.record())
        for day in interesting_days(registry):
            expected = oracle_record_on(org, day)
            facts = None if expected is None else facts_of(expected, day)
            assert facts_on(intervals, day) == facts, day


@settings(max_examples=50, deadline=None, derandomize=True)
@given(registry=histories())
def test_intervals_are_ordered_contiguous_and_never_repeat_the_same_facts(
    registry: FakeRegistry,
) -> None:
    for org in registry.organizations.values():
        intervals = timeline(org.own_versions())
        for before, after in itertools.pairwise(intervals):
            assert before.valid_to == after.valid_from
            assert before.facts != after.facts
        if intervals:
            assert intervals[-1].valid_to is None
