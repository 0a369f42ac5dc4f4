"""A dry run's fingerprint is hashed a part of the rows at a time (`handlers._fingerprint`), so
that the thread it runs in lets the others run between parts; spliced together, the parts must
hash exactly as the whole does, whatever the size of a part, or an import would not find the
dry run of the same rows. The JSON is orjson's with sorted keys: the standard library's with
sorted keys, but in UTF-8 rather than escaped."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import orjson
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
    st.dates(),
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
    return hashlib.sha256(orjson.dumps(value, option=orjson.OPT_SORT_KEYS)).hexdigest()


@settings(max_examples=200, deadline=None)
@given(caller=_callers, sent=_rows, part=st.integers(1, 5))
def test_the_fingerprint_in_parts_is_the_hash_of_the_whole(
    caller: Caller, sent: list[dict[str, Any]], part: int
) -> None:
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(handlers, "FINGERPRINT_PART", part)
        assert handlers._fingerprint(caller, sent) == whole(caller, sent)


@settings(max_examples=200, deadline=None)
@given(sent=_rows)
def test_the_canonical_json_is_the_standard_librarys_with_sorted_keys_in_utf8(
    sent: list[dict[str, Any]],
) -> None:
    standard = json.dumps(
        sent, sort_keys=True, default=str, ensure_ascii=False, separators=(",", ":")
    )
    assert handlers._canonical(sent) == standard.encode()


def test_rows_with_an_integer_beyond_64_bits_have_a_fingerprint_of_their_own() -> None:
    caller = Caller("lan", "reviewer")
    big = [{"members_count": 2**70}, {"name": "Hợp tác xã"}]
    bigger = [{"members_count": 2**70 + 1}, {"name": "Hợp tác xã"}]

    assert handlers._fingerprint(caller, big) == handlers._fingerprint(caller, big)
    assert handlers._fingerprint(caller, big) != handlers._fingerprint(caller, bigger)
