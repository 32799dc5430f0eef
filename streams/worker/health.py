"""Worker health as Prometheus metrics (prometheus-client), and as a log line.

Consumer lag per partition is `max(log end, last read + 1) - committed`, the log end being the
later of the high watermark in fetches and the broker's answer when asked (every few seconds,
`guard`: a partition that is never fetched has no high watermark). On Apache Kafka both are
exact. On Tansu they are not (after a batched send they point one past the *first* record of the
last produce batch, INFRA.md), so there the lag can read low while records remain; what was
read (`last read + 1`) bounds it from below, and the only exact figure is the producer's own
count (`ProduceReport.next_offsets`) against the committed offsets, which is how
`convtrack demo --kafka` and the tests decide a run is done.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import chain
from time import monotonic

from faust.types import TP
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

from convtrack.schemas.dead_letter import KafkaPosition
from convtrack.streams.pipeline import Output


@dataclass(frozen=True, slots=True)
class PartitionOffsets:
    topic: str
    partition: int
    committed: int | None
    read: int | None
    """Offset of the last record read."""
    end: int | None
    """Where the partition's log ends, as last seen in a fetch or asked of the broker."""

    @property
    def lag(self) -> int:
        end = max(self.end or 0, (self.read + 1) if self.read is not None else 0)
        return max(0, end - (self.committed or 0))


class WorkerHealth:
    """Counts what the agents did. Its own registry, so two workers in one process (tests)
    do not share counters."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        self.records = Counter(
            "convtrack_worker_records", "Kafka records processed", ["topic"], registry=registry
        )
        self.events = Counter(
            "convtrack_worker_events",
            "Raw events processed, by outcome",
            ["outcome"],
            registry=registry,
        )
        self.dead_letters = Counter(
            "convtrack_worker_dead_letters",
            "Inputs dead-lettered, by reason",
            ["reason"],
            registry=registry,
        )
        self.sink_flush = Histogram(
            "convtrack_worker_sink_flush_seconds",
            "Writing one batch's output to ClickHouse, waits for an unavailable store included",
            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
            registry=registry,
        )
        self.sink_waits = Counter(
            "convtrack_worker_sink_waits",
            "Times the store pushed back (input paused until it took the rows)",
            registry=registry,
        )
        self.reseeks = Counter(
            "convtrack_worker_partition_reseeks",
            "Partitions sought back to their committed offset after faust dropped fetched records",
            ["topic", "partition"],
            registry=registry,
        )
        self.lag = Gauge(
            "convtrack_worker_consumer_lag",
            "Records not committed yet: fetch high watermark (or last read + 1) - committed",
            ["topic", "partition"],
            registry=registry,
        )
        # How far each partition is queryable, for latency measured from outside (bench/): lag
        # and commits trail the store by up to a commit interval.
        self.stored = Gauge(
            "convtrack_worker_stored_offset",
            "One past the highest offset whose events are stored (valid or dead-lettered)",
            ["topic", "partition"],
            registry=registry,
        )
        self.conversations = Gauge(
            "convtrack_worker_conversations",
            "Live conversations in attribution state, packed or unpacked (the hot set: "
            "CONVTRACK_HOT_CONVERSATIONS shared among the raw partitions)",
            ["partition", "form"],
            registry=registry,
        )
        self._conversation_partitions: set[str] = set()
        self._started = monotonic()
        self._last_log = (self._started, 0.0)
        self.total_events = 0
        self.total_dead = 0

    def serve(self, port: int, host: str) -> None:
        """Metrics at http://HOST:PORT/metrics; port 0 serves nothing."""
        if port:
            start_http_server(port, addr=host, registry=self.registry)

    def observe_raw(self, records: int, topic: str, outputs: Iterable[Output]) -> None:
        """Called once a batch's outputs are stored."""
        self.records.labels(topic).inc(records)
        ends: dict[int, int] = {}
        for output in outputs:
            valid = (event.source for event in output.events)
            for source in chain(valid, (letter.source for letter in output.dead_letters)):
                if isinstance(source, KafkaPosition):
                    ends[source.partition] = max(ends.get(source.partition, 0), source.offset + 1)
            # duplicates are stored as dead letters too, but count as duplicates only
            rejected = output.rejected
            dead = len(rejected)
            self.events.labels("valid").inc(len(output.events))
            self.events.labels("duplicate").inc(output.duplicates)
            self.events.labels("dead_letter").inc(dead)
            for letter in rejected:
                self.dead_letters.labels(letter.reason.value).inc()
            self.total_events += len(output.events) + output.duplicates + dead
            self.total_dead += dead
        for partition, end in ends.items():
            self.stored.labels(topic, str(partition)).set(end)

    def observe_conversations(self, counts: Mapping[int, tuple[int, int]]) -> None:
        """`counts`: per raw partition this worker owns, (packed, unpacked); partitions not in
        it are no longer owned and leave the gauge."""
        owned = {str(partition) for partition in counts}
        for gone in self._conversation_partitions - owned:
            for form in ("packed", "unpacked"):
                self.conversations.remove(gone, form)
        self._conversation_partitions = owned
        for partition, (packed, unpacked) in counts.items():
            self.conversations.labels(str(partition), "packed").set(packed)
            self.conversations.labels(str(partition), "unpacked").set(unpacked)

    def observe_offsets(self, offsets: Iterable[PartitionOffsets]) -> list[PartitionOffsets]:
        seen = list(offsets)
        for tp in seen:
            self.lag.labels(tp.topic, str(tp.partition)).set(tp.lag)
        return seen

    def summary(self, offsets: Iterable[PartitionOffsets]) -> str:
        """One log line: rates since the previous summary, lag per partition."""
        now = monotonic()
        then, events_then = self._last_log
        self._last_log = (now, float(self.total_events))
        rate = (self.total_events - events_then) / max(now - then, 1e-9)
        lags = " ".join(f"{tp.topic}[{tp.partition}]={tp.lag}" for tp in offsets) or "-"
        dead_share = self.total_dead / self.total_events if self.total_events else 0.0
        return (
            f"{rate:,.0f} events/s, {self.total_events:,} events, "
            f"{dead_share:.2%} dead-lettered, lag {lags}"
        )


def partition_offsets(
    committed: Mapping[TP, int],
    read: Mapping[TP, int],
    fetched_ends: Mapping[TP, int],
    asked_ends: Mapping[TP, int],
    topics: set[str],
) -> list[PartitionOffsets]:
    """From faust's monitor maps (keyed by TP named tuples) and the log ends asked of the broker
    to rows for `topics`."""
    keys = {tp for tp in (*committed, *read, *fetched_ends, *asked_ends) if tp.topic in topics}
    return [
        PartitionOffsets(
            tp.topic,
            tp.partition,
            committed.get(tp),
            read.get(tp),
            _later(tp, fetched_ends, asked_ends),
        )
        for tp in sorted(keys)
    ]


def _later(tp: TP, *ends: Mapping[TP, int]) -> int | None:
    return max((found[tp] for found in ends if tp in found), default=None)
