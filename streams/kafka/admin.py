"""Creating and listing topics with kafka-python's admin client; creating is idempotent."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from kafka.errors import TopicAlreadyExistsError, for_code  # type: ignore[import-untyped]

from convtrack.settings import Settings
from convtrack.streams.kafka.connection import KafkaSetupError, admin_client

_NO_ERROR = 0


@dataclass(frozen=True, slots=True)
class TopicSpec:
    name: str
    partitions: int
    replication_factor: int
    retention: timedelta

    def request(self) -> dict[str, Any]:
        return {
            "num_partitions": self.partitions,
            "replication_factor": self.replication_factor,
            "configs": {"retention.ms": str(int(self.retention.total_seconds() * 1000))},
        }


def topic_specs(settings: Settings) -> list[TopicSpec]:
    """The raw, dead-letter, trust (re-key) and metrics topics. Dead letters are few, but sharing
    the partition count lets a replay keep a dead letter on its conversation's partition; the
    trust topic shares it so faust assigns its partition n with raw partition n. The metrics
    topic has one partition: the alert judge needs every raw partition's reports in one order
    (docs/worker.md, Alerts), and gets one record per raw batch, few enough for one consumer."""
    specs = [
        TopicSpec(
            name,
            settings.kafka_partitions,
            settings.kafka_replication_factor,
            settings.kafka_retention,
        )
        for name in (settings.raw_topic, settings.dead_letter_topic, settings.trust_topic)
    ]
    metrics = TopicSpec(
        settings.metrics_topic, 1, settings.kafka_replication_factor, settings.kafka_retention
    )
    return [*specs, metrics]


@dataclass(frozen=True, slots=True)
class TopicState:
    name: str
    partitions: int
    created: bool
    """False when it existed already."""


class TopicMismatchError(KafkaSetupError):
    """An existing topic has another partition count than asked: keys would map elsewhere."""


def ensure_topics(bootstrap_servers: str, specs: list[TopicSpec]) -> list[TopicState]:
    """Create what is missing, keep what exists, then check every partition count.

    Retention is set on creation only: Tansu reports no topic configs to compare against, and
    changing retention on a live topic is an operator's decision, not a side effect.
    """
    with admin_client(bootstrap_servers, "creating topics") as admin:
        response = admin.create_topics(
            {spec.name: spec.request() for spec in specs},
            raise_errors=False,
            wait_for_metadata=False,
        )
        created = set()
        for result in response["topics"]:
            error = for_code(result["error_code"])
            if result["error_code"] == _NO_ERROR:
                created.add(result["name"])
            elif error is not TopicAlreadyExistsError:
                message = result.get("error_message") or error.__name__
                raise KafkaSetupError(f"cannot create topic {result['name']}: {message}")
        if created:
            admin.wait_for_topics(sorted(created))
        counts = _partition_counts(admin, [spec.name for spec in specs])
    states = []
    for spec in specs:
        found = counts.get(spec.name, 0)
        if found != spec.partitions:
            raise TopicMismatchError(
                f"topic {spec.name} has {found} partitions but {spec.partitions} are asked for; "
                f"set CONVTRACK_KAFKA_PARTITIONS={found} or delete the topic first"
            )
        states.append(TopicState(spec.name, found, spec.name in created))
    return states


def list_topics(bootstrap_servers: str) -> dict[str, int]:
    """Every topic with its partition count, by name."""
    with admin_client(bootstrap_servers, "listing topics") as admin:
        return dict(sorted(_partition_counts(admin, None).items()))


def partition_count(bootstrap_servers: str, topic: str) -> int | None:
    """None when the topic does not exist (asking never creates it)."""
    with admin_client(bootstrap_servers, f"describing topic {topic}") as admin:
        return _partition_counts(admin, [topic]).get(topic)


def _partition_counts(admin: Any, topics: list[str] | None) -> dict[str, int]:
    described = admin.describe_topics(topics)
    return {
        topic["name"]: len(topic["partitions"])
        for topic in described
        if topic["error_code"] == _NO_ERROR and not topic.get("is_internal")
    }
