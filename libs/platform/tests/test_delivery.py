"""A delivery's numbers read from its reply subject (`delivery`), against nats-py's own
reading (`Msg.metadata`): the same numbers from every subject it reads, the same error for
every one it refuses."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from nats.aio.msg import Msg

from hoptac.platform.consumer.messages import delivery, message_of

pytestmark = pytest.mark.unit

NUMBER = st.integers(0, 2**64).map(str)
TOKEN = NUMBER | st.sampled_from(["", "_", "x", "-1", "+7", " 5", "1_0", "1e3", "99" * 12, "0x1"])
NAME = st.sampled_from(["HOPTAC_CHANGES", "search", "_", "$JS", "ACK", "a-b"])


@st.composite
def replies(draw: st.DrawFn) -> str | None:
    """Reply subjects of both forms (9 tokens; or 11 and more, with a domain and an account
    hash), some with a wrong prefix, a token too few or too many, or a number that is not one."""
    form = draw(st.sampled_from(["v1", "v2", "v2 with a token", "any"]))
    numbers = [draw(NUMBER) for _ in range(4)] + [draw(st.integers(0, 2**62).map(str))]
    numbers[3] = str(draw(st.integers(-(10**20), 10**30)))  # the time in nanoseconds, or none

    if draw(st.booleans()):
        numbers[draw(st.integers(0, 4))] = draw(TOKEN)
    names = [draw(NAME), draw(NAME)]
    if form == "v1":
        tokens = ["$JS", "ACK", *names, *numbers]
    elif form.startswith("v2"):
        tokens = ["$JS", "ACK", draw(NAME), "hash", *names, *numbers]
        tokens += ["random"] if form == "v2 with a token" else []
    else:
        tokens = draw(st.lists(TOKEN | NAME, max_size=13))
    if draw(st.integers(0, 9)) == 0 and tokens:  # a token too many or too few
        tokens = tokens[:-1] if draw(st.booleans()) else [*tokens, "1"]
    if draw(st.integers(0, 9)) == 0:
        tokens[:2] = draw(st.sampled_from([["$JS", "NAK"], ["JS", "ACK"], []]))
    return draw(st.sampled_from([".".join(tokens)] * 8 + ["", None]))


def _read_by_nats(msg: Msg) -> Any:
    try:
        metadata = msg.metadata
    except Exception as error:  # the error is what is compared
        return type(error), str(error)
    return metadata.sequence.stream, metadata.num_delivered, metadata.num_pending


def _read_here(msg: Msg) -> Any:
    try:
        return delivery(msg)
    except Exception as error:  # the error is what is compared
        return type(error), str(error)


@given(replies())
def test_a_delivery_is_read_as_nats_py_reads_it(reply: str | None) -> None:
    assert _read_here(Msg(None, reply=reply)) == _read_by_nats(Msg(None, reply=reply))


def test_a_message_carries_its_delivery() -> None:
    reply = "$JS.ACK.HOPTAC_CHANGES.search.2.118.97.1765000000123456789.40"
    message = message_of(Msg(None, subject="coop.v1.org.registered", reply=reply, data=b"{}"))
    assert (message.stream_sequence, message.deliveries, message.pending) == (118, 2, 40)
    assert (message.data, message.subject) == (b"{}", "coop.v1.org.registered")
