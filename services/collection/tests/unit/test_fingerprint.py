"""A dry run's fingerprint is hashed a part of the rows at a time (`handlers._fingerprint`), so
that the thread it runs in lets the others run between parts; spliced together, the parts must
hash exactly as the whole does, or a dry run stored before would no longer be reused."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hoptac.collection import handlers
from hoptac.platform.identity import Caller

pytestmark = pytest.mark.unit

_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.text(max_size=12),
)
_rows = st.lists(
    st.dictionaries(
        st.sampled_from(["registration_number", "name", "id", "version", "members_count"]),
        _values,
        max_size=5,
    ),
    max_size=12,
)
_callers = st.builds(
    Caller,
    name=st.just("lan"),
    role=st.sampled_from(["area_officer", "reviewer", "admin"]),
    provinces=st.lists(st.sampled_from(["01", "79", "96"]), max_size=3).map(tuple),
    communes=st.lists(st.sampled_from(["00004", "32025"]), max_size=2).map(tuple),
)


def whole(caller: Caller, sent: list[dict[str, Any]]) -> str:
    """The hash of the canonical JSON of everything, in one piece."""
    value = [caller.role, sorted(caller.provinces), sorted(caller.communes), sent]
    text = json.dumps(value, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


@settings(max_examples=200, deadline=None)
@given(caller=_callers, sent=_rows, part=st.integers(1, 5))
def test_the_fingerprint_in_parts_is_the_hash_of_the_whole(
    caller: Caller, sent: list[dict[str, Any]], part: int
) -> None:
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(handlers, "FINGERPRINT_PART", part)
        assert handlers._fingerprint(caller, sent) == whole(caller, sent)
