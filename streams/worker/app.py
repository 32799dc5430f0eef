"""The faust app: topics, the two agents, the health timer. Built from settings and the parts
the caller opened (store client, pseudonymization key, contracts), so tests inject their own.
"""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass
from typing import Any, cast

import faust
from clickhouse_connect.driver.client import Client
from faust.tables.manager import TableManager

from convtrack.contracts import ContractBook
from convtrack.runner import StoreWriter
from convtrack.settings import Settings, TableStore
from convtrack.sinks.sink import SinkBackpressure
from convtrack.streams.kafka.connection import servers
from convtrack.streams.kafka.record import MAX_RECORD_BYTES
from convtrack.streams.pipeline import Pipeline, PipelineConfig
from convtrack.streams.validate import Pseudonymizer, ValidateConfig, Validator
from convtrack.streams.worker import guard
from convtrack.streams.worker.alert_stage import AlertStage, embedded_judge
from convtrack.streams.worker.health import WorkerHealth, partition_offsets
from convtrack.streams.worker.records import OutMessage
from convtrack.streams.worker.repairs import WorkerFaustApp, WorkerTableManager
from convtrack.streams.worker.shards import Loader, Shards
from convtrack.streams.worker.stages import RawStage, StoreGate, TrustStage
from convtrack.streams.worker.tables import state_table
from convtrack.streams.worker.take import Events, take_bounded
from convtrack.streams.worker.trust import TrustShards

log = logging.getLogger("convtrack.worker")
_RECOVERY_POLL_SECONDS = 0.05
_PRODUCER_BUFFER_MESSAGES = 1_000_000
"""faust's changelog buffer holds 100 messages, and past that its conductor waits for each
message sent (an asyncio.wait_for apiece) before taking the next record: a batch's thousands of
state writes paid that per key. The buffer holds one batch's writes (the take bounds them)."""

# Tansu joins a group in about session_timeout/2 (INFRA.md): short timeouts keep rebalances
# and the eviction of a crashed worker quick. The fetch and buffer sizes are the measured
# throughput settings for faust on this broker. The worker produces thousands of small state
# records per batch: faust's 16 KiB producer batches with no linger made that a quarter of its
# time, and bigger ones with 10 ms of linger raised batched throughput by about a third.
_CONSUMER_OPTIONS: dict[str, Any] = {
    "broker_session_timeout": 6.0,
    "broker_heartbeat_interval": 1.0,
    "broker_rebalance_timeout": 30.0,
    "broker_commit_interval": 1.0,
    "consumer_max_fetch_size": 8 * 1024 * 1024,
    "stream_buffer_maxsize": 65_536,
    "consumer_auto_offset_reset": "earliest",
    "producer_max_batch_size": 512 * 1024,
    "producer_linger": 0.01,
    # a full batch record (re-keyed trust events) plus key, headers and framing
    "producer_max_request_size": MAX_RECORD_BYTES + 48 * 1024,
}


def rocksdb_available() -> bool:
    try:
        import rocksdict  # type: ignore[import-not-found,unused-ignore]  # noqa: F401, PLC0415
    except ImportError:
        return False
    return True


def table_store_url(choice: TableStore) -> str:
    if choice is TableStore.ROCKSDB or (choice is TableStore.AUTO and rocksdb_available()):
        return "rocksdb://"
    return "memory://"


@dataclass(frozen=True, slots=True)
class WorkerParts:
    settings: Settings
    contracts: ContractBook
    pseudonymizer: Pseudonymizer
    client: Client
    """The ClickHouse client; the worker owns it for its lifetime."""


class WorkerApp:
    def __init__(self, parts: WorkerParts, health: WorkerHealth | None = None) -> None:
        settings = parts.settings
        self.settings = settings
        self.health = health or WorkerHealth()
        datadir = settings.data_dir / "worker" / settings.worker_app_id
        # faust makes only the last level of its data directory
        datadir.mkdir(parents=True, exist_ok=True)
        self.app = WorkerFaustApp(
            settings.worker_app_id,
            broker=[f"kafka://{server}" for server in servers(settings.kafka_bootstrap_servers)],
            store=table_store_url(settings.worker_table_store),
            datadir=str(datadir),
            key_serializer="raw",
            value_serializer="raw",
            topic_partitions=settings.kafka_partitions,
            topic_replication_factor=settings.kafka_replication_factor,
            web_enabled=False,
            TableManager=WorkerTableManager,
            **_CONSUMER_OPTIONS,
        )
        self.app.producer.buffer.max_messages = _PRODUCER_BUFFER_MESSAGES
        raw_topic = self.app.topic(settings.raw_topic, key_type=bytes, value_type=bytes)
        dead_topic = self.app.topic(settings.dead_letter_topic, key_type=bytes, value_type=bytes)
        trust_topic = self.app.topic(settings.trust_topic, key_type=bytes, value_type=bytes)
        metrics_topic = self.app.topic(
            settings.metrics_topic, key_type=bytes, value_type=bytes, partitions=1
        )
        validate = ValidateConfig.from_settings(settings)
        hot_share = settings.hot_conversations // settings.kafka_partitions

        # Per-shard alerts would judge a partial of each window: the alert stage judges the
        # partials of every partition summed (docs/worker.md, Alerts).
        def new_pipeline(partition: int, restore: Loader | None) -> Pipeline:
            validator = Validator(validate, parts.pseudonymizer)
            config = PipelineConfig(
                shard=partition, trust=False, alerts=False, hot_conversations=hot_share
            )
            return Pipeline(validator, parts.contracts, config, restore=restore)

        gate = StoreGate(
            StoreWriter.from_settings(parts.client, settings, on_wait=self._store_waits),
            self.health,
        )

        async def send_dead_letter(message: OutMessage) -> Awaitable[object]:
            return await dead_topic.send(
                key=message.key, value=message.value, partition=message.partition
            )

        async def send_trust(message: OutMessage) -> Awaitable[object]:
            return await trust_topic.send(
                value=message.value, partition=message.partition, headers=list(message.headers)
            )

        async def send_metrics(message: OutMessage) -> Awaitable[object]:
            return await metrics_topic.send(value=message.value, partition=message.partition)

        raw_state = state_table(self.app, "raw-state", settings.kafka_partitions)
        trust_state = state_table(self.app, "trust-state", settings.kafka_partitions)
        alert_state = state_table(self.app, "alert-state", 1)
        self.raw = RawStage(
            settings.raw_topic,
            Shards(new_pipeline, raw_state),
            gate,
            self.health,
            assigned=lambda: self._assigned(settings.raw_topic),
            ready=self._recovered,
            saved=raw_state.send,
            send_dead_letter=send_dead_letter,
            send_trust=send_trust,
            send_metrics=send_metrics,
            trust_partitions=settings.kafka_partitions,
        )
        self.trust = TrustStage(
            settings.trust_topic,
            TrustShards(parts.contracts, validate.lateness, trust_state),
            gate,
            self.health,
            assigned=lambda: self._assigned(settings.trust_topic),
            ready=self._recovered,
            saved=trust_state.send,
        )
        self.alerts = AlertStage(
            settings.metrics_topic,
            lambda: embedded_judge(parts.contracts, settings.kafka_partitions),
            alert_state,
            gate,
            self.health,
            assigned=lambda: self._assigned(settings.metrics_topic),
            ready=self._recovered,
            saved=alert_state.send,
        )
        self._guard = guard.PartitionGuard(
            self.app,
            self.health,
            {settings.raw_topic, settings.trust_topic, settings.metrics_topic},
            {settings.raw_topic: self.raw.shards, settings.trust_topic: self.trust.shards},
            restored=self._restored,
        )
        records, size = settings.worker_take_records, settings.worker_take_bytes
        within = settings.worker_take_within.total_seconds()

        # events, not values: they keep each record's partition, offset and headers
        def batches(stream: faust.StreamT[bytes]) -> AsyncIterator[Events]:
            return take_bounded(cast(faust.Stream[bytes], stream), records, size, within)

        async def process_raw(stream: faust.StreamT[bytes]) -> None:
            async for events in batches(stream):
                await self._guard.handle(self.raw.handle, events)

        async def process_trust(stream: faust.StreamT[bytes]) -> None:
            async for events in batches(stream):
                await self._guard.handle(self.trust.handle, events)

        async def process_metrics(stream: faust.StreamT[bytes]) -> None:
            async for events in batches(stream):
                await self._guard.handle(self.alerts.handle, events)

        self.app.agent(raw_topic, name="raw")(process_raw)
        self.app.agent(trust_topic, name="trust")(process_trust)
        self.app.agent(metrics_topic, name="alerts")(process_metrics)
        self.app.timer(settings.worker_log_every.total_seconds())(self._log_health)
        self.app.timer(guard.CHECK_SECONDS)(self._guard.check)

    async def _recovered(self) -> None:
        while not self._restored():
            await asyncio.sleep(_RECOVERY_POLL_SECONDS)

    def _restored(self) -> bool:
        """faust has finished reading the changelogs (state built before is half of it)."""
        recovery = cast(TableManager, self.app.tables).recovery
        return not recovery.in_recovery and recovery.completed.is_set()

    def _assigned(self, topic: str) -> set[int]:
        return {tp.partition for tp in self.app.assignor.assigned_actives() if tp.topic == topic}

    def offsets(self) -> list[Any]:
        monitor = self.app.monitor
        topics = {self.settings.raw_topic, self.settings.trust_topic, self.settings.metrics_topic}
        return partition_offsets(
            monitor.tp_committed_offsets,
            monitor.tp_read_offsets,
            monitor.tp_end_offsets,
            self._guard.ends,
            topics,
        )

    async def _log_health(self) -> None:
        offsets = self.health.observe_offsets(self.offsets())
        log.info("health: %s", self.health.summary(offsets))
        if (alerts := self.alerts.progress()) is not None:
            log.info("%s", alerts)

    def _store_waits(self, pushback: SinkBackpressure) -> None:
        self.health.sink_waits.inc()
        log.warning(
            "store unavailable, input paused: %s; retrying in %.0fs", pushback, pushback.retry_after
        )
