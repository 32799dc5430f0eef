"""Inputs for the alert-stage tests: a simulated period with a relevance drop, split into
partitions as the producer splits it, and trailing events that move every partition's clock
past the period, so a live judge can judge all of it; the reports each partition's pipeline
makes of it, and the embedded pipeline's judgement of the same input."""

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from itertools import count, islice, zip_longest
from uuid import NAMESPACE_URL, uuid5

import orjson

from convtrack.contracts import load_default_contracts
from convtrack.schemas.dead_letter import KafkaPosition
from convtrack.schemas.events.conversation_started_v1 import ConversationStartedV1
from convtrack.simulator import Scenarios, SimulationConfig, simulate
from convtrack.streams.alerts import Alert, AlertEvaluator, Subject
from convtrack.streams.alerts.judge import AlertJudge, MetricReport
from convtrack.streams.kafka.partitioner import partition_for, partition_for_payload
from convtrack.streams.metrics import IngestCounters, SurfaceCounters
from convtrack.streams.pipeline import Pipeline, PipelineConfig
from tests.streams.validate.support import make_validator

DROP = SimulationConfig(
    seed=21,
    duration=timedelta(hours=9),
    conversations=4_000,
    scenarios=Scenarios(drop_at=0.7),
)
"""About 28,600 payloads; hotels-vertical's relevance drops in the 7th hour, after the six
healthy hours a baseline needs."""
TAIL = timedelta(hours=2)
"""The trailing events' distance past the period: the judge's one-hour period plus its grace."""


def tail_events(end: datetime, partitions: int) -> list[bytes]:
    """One valid conversation start at `end + TAIL` on every partition."""
    example = ConversationStartedV1.model_json_schema()["examples"][0]
    at = end + TAIL
    events: dict[int, bytes] = {}
    names = (f"tail-{n}" for n in count())
    while len(events) < partitions:
        conversation = next(names)
        partition = partition_for(conversation.encode(), partitions)
        events.setdefault(
            partition,
            orjson.dumps(
                {
                    **example,
                    "conversation_id": conversation,
                    "event_id": str(uuid5(NAMESPACE_URL, conversation)),
                    "occurred_at": at.isoformat(),
                }
            ),
        )
    return [events[p] for p in sorted(events)]


def by_partition(lines: list[bytes], partitions: int) -> dict[int, list[bytes]]:
    split: dict[int, list[bytes]] = {p: [] for p in range(partitions)}
    for line in lines:
        split[partition_for_payload(line, partitions)[1]].append(line)
    return split


def judged_by(alerts: list[Alert], horizon: datetime) -> dict[str, tuple[object, ...]]:
    """Per incident, its latest record among those whose period ended by `horizon`: what the
    `alerts` table (FINAL) holds once the periods up to `horizon` are judged."""
    latest: dict[str, tuple[object, ...]] = {}
    for alert in alerts:
        if alert.window_end <= horizon:
            latest[alert.alert_id] = identity(alert)
    return latest


def identity(alert: Alert) -> tuple[object, ...]:
    subject = alert.subject
    return (
        alert.rule.value,
        alert.state.value,
        subject.tenant_id,
        subject.surface,
        subject.surface_id,
        alert.started_at,
        alert.window_start,
        alert.window_end,
    )


CONTRACTS = load_default_contracts()
PARTITIONS = 3
NOW = datetime(2030, 1, 1, tzinfo=UTC)


class Recorder(AlertEvaluator):
    """Records what it is asked to judge: the summed counters of each period."""

    def __init__(self) -> None:
        super().__init__(CONTRACTS)
        self.judged: list[tuple[datetime, dict[Subject, SurfaceCounters], int]] = []

    def evaluate(
        self,
        window_start: datetime,
        surfaces: Mapping[Subject, SurfaceCounters],
        ingest: Mapping[str, IngestCounters],
    ) -> list[Alert]:
        inputs = sum(c.inputs for c in ingest.values())
        self.judged.append((window_start, dict(surfaces), inputs))
        return super().evaluate(window_start, surfaces, ingest)


def lines() -> list[bytes]:
    """The simulated period and its trailing events."""
    simulated = list(simulate(DROP))
    return simulated + tail_events(DROP.start + DROP.duration, PARTITIONS)


def shard_reports(split: dict[int, list[bytes]], batch: int) -> dict[int, list[MetricReport]]:
    """Each partition through its own pipeline as the worker runs it (no alerts), one report
    per batch; versions are offsets, as on Kafka."""
    reports: dict[int, list[MetricReport]] = {}
    for partition, payloads in split.items():
        config = PipelineConfig(shard=partition, trust=False, alerts=False)
        pipeline = Pipeline(make_validator(), CONTRACTS, config)
        offsets = iter(enumerate(payloads))
        out = reports[partition] = []
        while taken := list(islice(offsets, batch)):
            inputs = [
                (raw, KafkaPosition(topic="raw", partition=partition, offset=n)) for n, raw in taken
            ]
            output = pipeline.process(inputs, NOW, version_floor=taken[-1][0] + 1)
            out += output.reports(partition, pipeline.validator.watermark)
    return reports


def embedded(payloads: list[bytes], batch: int = 2_000) -> tuple[list[Alert], Recorder]:
    """The embedded pipeline over `payloads` in batches of `batch` inputs, as `replay` runs."""
    pipeline = Pipeline(make_validator(), CONTRACTS)
    pipeline.judge.evaluator = recorder = Recorder()
    numbered = iter(enumerate(payloads))
    alerts: list[Alert] = []
    while taken := list(islice(numbered, batch)):
        inputs = [(raw, KafkaPosition(topic="raw", partition=0, offset=n)) for n, raw in taken]
        alerts += pipeline.process(inputs, NOW).alerts
    return alerts + pipeline.finish().alerts, recorder


def judge_all(
    reports: Iterator[MetricReport], shards: int = PARTITIONS
) -> tuple[list[Alert], Recorder]:
    recorder = Recorder()
    judge = AlertJudge(recorder, shards, PipelineConfig().alert_grace)
    return [alert for report in reports for alert in judge.add(report)], recorder


def round_robin(reports: dict[int, list[MetricReport]]) -> Iterator[MetricReport]:
    for row in zip_longest(*reports.values()):
        yield from (r for r in row if r is not None)


Judged = list[tuple[datetime, dict[Subject, SurfaceCounters], int]]
Simulated = tuple[list[Alert], Judged, dict[int, list[MetricReport]]]


def simulate_both() -> Simulated:
    """The embedded judgement and the 3 partitions' reports of `lines()`."""
    payloads = lines()
    alerts, recorder = embedded(payloads)
    return alerts, recorder.judged, shard_reports(by_partition(payloads, PARTITIONS), 400)
