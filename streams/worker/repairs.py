"""Repairs to faust 0.15.3 for what the worker's recovery needs, kept in one place.

Changelog end offsets. faust restores a changelog partition up to the end offset the broker
reports. Tansu reports one past the *first* record of the last produce batch (INFRA.md), so a
restore stopped short and lost the last batch's state but its first key. Reading from the last
reported record to the real end gives the true end on any broker: on Apache Kafka that read
returns one record, the one at end - 1, and changes nothing.

Fetch wait. faust fixes aiokafka's `fetch_max_wait_ms` at 1500, and Tansu answers a fetch
only when that wait is over, even with records waiting: every record then sat up to 1.5 s
before the worker saw it (measured delivery p50 360 ms, max 745 ms; 4 ms / 32 ms at 50). The
worker's app builds its consumer with a shorter wait; an idle worker fetches more often, which
costs a broker next to nothing.

Gaps. When the offsets faust delivers jump, faust counts the offsets in between as
acknowledged: right for compacted topics and transaction markers, which hold no records there.
But faust also drops fetched records around a restart (`watchdog`), and then the commit passed
records no agent ever got: a worker stopped then, or anything that watches commits to know
when input is processed (the demo, the tests), lost them (seen: ~470 records of a partition
committed in 2 s while no event was processed). The worker's topics are neither compacted nor
transactional, so its consumer holds such gaps back: the commit stops at them, the watchdog
sees a stall and seeks back, and the records come again. A commit still held at the same
offset after that seek means the gap holds no records (a transactional producer's markers), and
the watchdog releases it.

Stalled partitions: see `watchdog`.
"""

import asyncio
import time
from collections.abc import Mapping
from typing import Any

import faust
from faust.tables.manager import TableManager
from faust.tables.recovery import Recovery
from faust.transport.drivers import aiokafka as aiokafka_driver
from faust.types import TP
from kafka import KafkaConsumer, TopicPartition  # type: ignore[import-untyped]

FETCH_MAX_WAIT_MS = 100
_PROBE_SECONDS = 10.0
_POLL_MS = 200


def last_offsets(servers: list[str], starts: Mapping[TopicPartition, int]) -> dict[Any, int]:
    """Per partition, the offset of its last record, reading from `starts` (at or before it).
    A partition that returns nothing keeps its start: the probe never lowers a reported end."""
    last = dict(starts)
    consumer = KafkaConsumer(
        bootstrap_servers=servers, group_id=None, enable_auto_commit=False, max_poll_records=5000
    )
    try:
        consumer.assign(list(starts))
        for partition, offset in starts.items():
            consumer.seek(partition, offset)
        deadline = time.monotonic() + _PROBE_SECONDS
        while time.monotonic() < deadline:
            fetched = consumer.poll(timeout_ms=_POLL_MS)
            if not fetched:
                break
            for partition, records in fetched.items():
                last[partition] = max(last[partition], records[-1].offset)
    finally:
        consumer.close()
    return last


class TrueEndRecovery(Recovery):
    async def _build_highwaters(
        self, consumer: Any, tps: set[TP], destination: Any, title: str
    ) -> None:
        await super()._build_highwaters(consumer, tps, destination, title)
        # faust stores "end - 1": the offset of the last record, -1 for an empty partition.
        starts = {
            TopicPartition(tp.topic, tp.partition): destination[tp]
            for tp in tps
            if destination.get(tp, -1) >= 0
        }
        if not starts:
            return
        servers = [f"{url.host}:{url.port}" for url in self.app.conf.broker]
        found = await asyncio.to_thread(last_offsets, servers, starts)
        for tp in tps:
            probed = found.get(TopicPartition(tp.topic, tp.partition))
            if probed is not None and probed > destination[tp]:
                self.log.info("%s: changelog ends at %d, not %d", tp, probed, destination[tp])
                destination[tp] = probed


class WorkerTableManager(TableManager):
    @property
    def recovery(self) -> Recovery:
        if self._recovery is None:
            self._recovery = TrueEndRecovery(self.app, self, beacon=self.beacon, loop=self.loop)
        return self._recovery


class _ShortFetchWaitThread(aiokafka_driver.AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport: Any) -> Any:
        consumer = super()._create_worker_consumer(transport)
        # aiokafka hands this to its fetcher when the consumer starts, which is after this
        consumer._fetch_max_wait_ms = FETCH_MAX_WAIT_MS
        return consumer


class _Consumer(aiokafka_driver.Consumer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held_gaps: dict[TP, list[tuple[int, int]]] = {}

    def _new_consumer_thread(self) -> aiokafka_driver.AIOKafkaConsumerThread:
        return _ShortFetchWaitThread(self, loop=self.loop, beacon=self.beacon)

    async def _add_gap(self, tp: TP, offset_from: int, offset_to: int) -> None:
        committed = self._committed_offset.get(tp)
        held = self._held_gaps.setdefault(tp, [])
        held[:] = [gap for gap in held if committed is None or gap[1] >= committed]
        held.append((offset_from, offset_to))

    async def release_gaps(self, tp: TP) -> bool:
        """Lets the commit pass the gaps held back on the partition; False if none is left."""
        committed = self._committed_offset.get(tp)
        held = self._held_gaps.pop(tp, [])
        live = [gap for gap in held if committed is None or gap[1] >= committed]
        for offset_from, offset_to in live:
            await super()._add_gap(tp, offset_from, offset_to)
        return bool(live)


class _Transport(aiokafka_driver.Transport):
    Consumer = _Consumer


class WorkerFaustApp(faust.App):
    """faust's app with the worker's consumer (see the fetch wait above)."""

    def _new_transport(self) -> Any:
        return _Transport(self.conf.broker_consumer, self)
