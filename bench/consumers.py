"""The two baselines of the worker benchmark, each run in a child process like the worker:

    python -m bench.consumers raw BOOTSTRAP TOPIC GROUP
    python -m bench.consumers faust BOOTSTRAP TOPIC GROUP PARTITIONS DATADIR

`raw`: an aiokafka consumer, `getmany(max_records=5000)`, every event split out of its record
(docs/record-format.md) and decoded with orjson, offsets committed after each fetch.
`faust`: the least a faust agent can do: the worker's consumer settings, event loop and
batches (`take_bounded`), every event split and decoded, nothing else.
Both run until SIGTERM or SIGINT.
"""

import asyncio
import signal
import sys
from typing import cast

import faust
import orjson
from aiokafka import AIOKafkaConsumer  # type: ignore[import-untyped,unused-ignore]

from convtrack.settings import Settings
from convtrack.streams.kafka import split_record
from convtrack.streams.kafka.record import RecordHeaders
from convtrack.streams.worker.app import _CONSUMER_OPTIONS
from convtrack.streams.worker.run import use_uvloop
from convtrack.streams.worker.take import take_bounded

RAW_MAX_RECORDS = 5_000


def decode(value: bytes | None, headers: RecordHeaders) -> None:
    for raw in split_record(value or b"", headers):
        try:
            orjson.loads(raw)
        except orjson.JSONDecodeError:
            continue  # the simulator's broken payloads cost a parse attempt, as in the worker


async def _raw(bootstrap: str, topic: str, group: str) -> None:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        # the worker's timeouts and fetch size (streams/worker/app.py), in aiokafka's names
        session_timeout_ms=int(_CONSUMER_OPTIONS["broker_session_timeout"] * 1000),
        heartbeat_interval_ms=int(_CONSUMER_OPTIONS["broker_heartbeat_interval"] * 1000),
        max_partition_fetch_bytes=_CONSUMER_OPTIONS["consumer_max_fetch_size"],
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await consumer.start()
    try:
        while not stop.is_set():
            batches = await consumer.getmany(timeout_ms=100, max_records=RAW_MAX_RECORDS)
            for records in batches.values():
                for record in records:
                    decode(record.value, record.headers)
            if batches:
                await consumer.commit()
    finally:
        await consumer.stop()


def _faust(bootstrap: str, topic: str, group: str, partitions: int, datadir: str) -> None:
    defaults = Settings()
    records, size = defaults.worker_take_records, defaults.worker_take_bytes
    within = defaults.worker_take_within.total_seconds()
    app = faust.App(
        group,
        broker=f"kafka://{bootstrap}",
        store="memory://",
        datadir=datadir,
        key_serializer="raw",
        value_serializer="raw",
        topic_partitions=partitions,
        web_enabled=False,
        **_CONSUMER_OPTIONS,
    )

    async def decode_all(stream: faust.StreamT[bytes]) -> None:
        async for events in take_bounded(cast(faust.Stream[bytes], stream), records, size, within):
            for event in events:
                decode(event.message.value, event.message.headers)

    app.agent(app.topic(topic, key_type=bytes, value_type=bytes), name="decode")(decode_all)
    use_uvloop()  # as the worker does (streams/worker/run.py)
    asyncio.set_event_loop(asyncio.new_event_loop())
    faust.Worker(app, loglevel="info", quiet=True).execute_from_commandline()


def main(argv: list[str]) -> None:
    kind, bootstrap, topic, group, *rest = argv
    if kind == "raw":
        use_uvloop()
        asyncio.run(_raw(bootstrap, topic, group))
    elif kind == "faust":
        partitions, datadir = rest
        _faust(bootstrap, topic, group, int(partitions), datadir)
    else:
        raise SystemExit(f"unknown baseline {kind!r}: raw or faust")


if __name__ == "__main__":
    main(sys.argv[1:])
