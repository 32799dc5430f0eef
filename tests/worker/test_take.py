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
        self.handed_at: list[float] = []
        self.done_at: list[float] = []


def _agent(
    max_records: int, max_bytes: int, within: float = WITHIN, work: float = 0.0
) -> tuple[faust.types.AgentT[bytes], Taken]:
    """`work`: seconds the caller spends on each batch."""
    app = faust.App(
        "take-test",
        broker="kafka://localhost:1",
        value_serializer="raw",
        loop=asyncio.get_running_loop(),
    )
    taken = Taken()
    previous: list[faust.types.EventT[bytes]] = []

    async def consume(stream: faust.StreamT[bytes]) -> None:
        loop = asyncio.get_running_loop()
        async for events in take_bounded(
            cast(faust.Stream[bytes], stream), max_records, max_bytes, within
        ):
            taken.handed_at.append(loop.time())
            taken.acked_after += [e.message.acked for e in previous]
            taken.acked_while_held += [e.message.acked for e in events]
            taken.batches.append([e.value for e in events])
            previous[:] = events
            await asyncio.sleep(work)
            taken.acked_while_held += [e.message.acked for e in events]
            taken.done_at.append(loop.time())

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
    assert taken.acked_while_held == [False] * 12
    assert taken.acked_after == [True] * 4


def test_what_arrives_while_the_caller_works_is_the_next_batch_without_a_new_wait() -> None:
    within = 1.0

    async def run() -> Taken:
        agent, taken = _agent(100, 1_000_000, within=within, work=1.5 * within)
        async with agent.test_context() as context:
            await context.put(b"a")
            await asyncio.sleep(1.2 * within)  # [a] is being worked on
            await context.put(b"b")
            await context.put(b"c")
            await asyncio.sleep(2.0 * within)
        cast(Any, agent.app.consumer)._thread.thread_loop.close()
        return taken

    taken = asyncio.run(run())
    assert taken.batches == [[b"a"], [b"b", b"c"]]
    # b and c waited a whole window while [a] was worked on: no second window after it
    assert taken.handed_at[1] - taken.done_at[0] < within / 2
