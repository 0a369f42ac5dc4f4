"""The shared consumer's cost per message on the NATS side, in process: a pull fetch in batches,
each message's `Message` (`message_of`: its JetStream metadata), its acknowledgement.

    .venv/bin/python bench/consumer/fetch.py [--messages 20000 --batch 256 --size 4000]

A nats-server in a temporary directory; --messages bodies of --size bytes published to one
stream, then read back through a durable pull subscription in batches of --batch, twice: with
nats-py's fetch as it is, then with the messages already received taken from the queue at once
(`hoptac.platform.consumer.ready_messages`, as the consumer runs). CPU µs a message, under uvloop
as the services run; fetching includes nats-py's reading and parsing of the messages meanwhile.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import nats
import uvloop
from nats.js.api import StreamConfig

from hoptac.platform.consumer.messages import message_of
from hoptac.platform.consumer.ready_messages import take_ready_messages_at_once
from hoptac.platform.embedded.nats import EmbeddedNats
from hoptac.platform.embedded.ports import free_port


async def one_pass(url: str, args: argparse.Namespace, durable: str, ready: bool) -> None:
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        subscription = await js.pull_subscribe("bench.x", durable=durable, stream="BENCH")
        if ready:
            take_ready_messages_at_once(subscription)
        fetching = making = acking = 0.0
        got = 0
        while got < args.messages:
            started = time.process_time()
            batch = await subscription.fetch(args.batch, timeout=2)
            fetching += time.process_time() - started
            started = time.process_time()
            for msg in batch:
                message_of(msg)
            making += time.process_time() - started
            started = time.process_time()
            for msg in batch:
                await msg.ack()
            acking += time.process_time() - started
            got += len(batch)
        per = 1e6 / got
        what = "ready messages taken at once" if ready else "nats-py's fetch as it is"
        print(
            f"{what}: fetch {fetching * per:.1f}, message_of {making * per:.1f}, "
            f"ack {acking * per:.1f} µs a message ({got} messages)"
        )
    finally:
        await nc.close()


async def main(args: argparse.Namespace) -> None:
    with (
        tempfile.TemporaryDirectory(prefix="hoptac-consumer-fetch-") as workdir,
        EmbeddedNats(Path(workdir) / "jetstream", free_port()) as server,
    ):
        nc = await nats.connect(server.url)
        js = nc.jetstream()
        await js.add_stream(StreamConfig(name="BENCH", subjects=["bench.>"]))
        body = b"x" * args.size
        for _ in range(args.messages):
            await js.publish("bench.x", body)
        await nc.close()
        await one_pass(server.url, args, "as_it_is", ready=False)
        await one_pass(server.url, args, "ready", ready=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--size", type=int, default=4000)
    arguments = parser.parse_args()
    if arguments.messages < 1 or arguments.batch < 1:
        parser.error("--messages and --batch must be >= 1")
    uvloop.run(main(arguments))
