"""take_bounded on faust's in-memory agent test context: batches close at the record bound, the
byte bound or the time bound, and a batch's records are acked only once it is finished."""

import asyncio
from typing import Any, cast

import faust

from convtrack.streams.worker.take import take_bounded

WITHIN = 0.2


class Taken:
    def __init__(self) -> None:
        self.batches: list[list[bytes]] = []
        self.acked_while_held: list[bool] = []
        self.acked_after: list[bool] = []


def _agent(max_records: int, max_bytes: int) -> tuple[faust.types.AgentT[bytes], Taken]:
    app = faust.App(
        "take-test",
        broker="kafka://localhost:1",
        value_serializer="raw",
        loop=asyncio.get_running_loop(),
    )
    taken = Taken()
    previous: list[faust.types.EventT[bytes]] = []

    async def consume(stream: faust.StreamT[bytes]) -> None:
        async for events in take_bounded(
            cast(faust.Stream[bytes], stream), max_records, max_bytes, WITHIN
        ):
            taken.acked_after += [e.message.acked for e in previous]
            taken.acked_while_held += [e.message.acked for e in events]
            taken.batches.append([e.value for e in events])
            previous[:] = events

    agent = app.agent(app.topic("raw", value_type=bytes), name="take")(consume)
    return agent, taken


async def _run(max_records: int, max_bytes: int, values: list[bytes], pause: float) -> Taken:
    agent, taken = _agent(max_records, max_bytes)
    async with agent.test_context() as context:
        for value in values:
            await context.put(value)
        await asyncio.sleep(pause)
    # the test context never starts the Kafka consumer, whose thread made its own loop
    cast(Any, agent.app.consumer)._thread.thread_loop.close()
    return taken


def test_batches_close_at_the_record_bound() -> None:
    values = [bytes([65 + n]) for n in range(7)]
    taken = asyncio.run(_run(3, 1_000_000, values, WITHIN * 3))
    assert taken.batches == [values[0:3], values[3:6], values[6:7]]


def test_batches_close_at_the_byte_bound_and_a_big_record_goes_alone() -> None:
    values = [b"a" * 10, b"b" * 10, b"c" * 50, b"d" * 200, b"e", b"f"]
    taken = asyncio.run(_run(100, 60, values, WITHIN * 3))
    assert taken.batches == [values[0:3], values[3:4], values[4:6]]


def test_what_arrived_within_the_time_bound_is_a_batch() -> None:
    taken = asyncio.run(_run(100, 1_000_000, [b"x", b"y"], WITHIN * 3))
    assert taken.batches == [[b"x", b"y"]]


def test_a_batch_is_acked_only_after_the_caller_is_done_with_it() -> None:
    values = [bytes([65 + n]) for n in range(6)]
    taken = asyncio.run(_run(2, 1_000_000, values, WITHIN * 3))
    assert len(taken.batches) == 3
    assert taken.acked_while_held == [False] * 6
    assert taken.acked_after == [True] * 4
