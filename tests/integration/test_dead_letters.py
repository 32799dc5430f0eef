"""5. Malformed and duplicate events on the raw topic, alone or inside a batch record: the
malformed ones reach the dead-letter topic and table with their reason and exact position
(index_in_record inside a batch), duplicates are counted and stored once, the rest of the batch
is processed, and the worker keeps going."""

import uuid
from pathlib import Path
from typing import Any

import orjson
from kafka import KafkaProducer  # type: ignore[import-untyped]
from typer.testing import CliRunner

from convtrack.broker import EmbeddedBroker
from convtrack.cli import app
from convtrack.schemas.dead_letter import DeadLetterV1, KafkaPosition, ReasonCode
from convtrack.streams.kafka import (
    BATCH_HEADERS,
    client_options,
    encode_batch,
    partition_for,
    split_record,
)
from convtrack.streams.kafka.producer import ProduceReport
from tests.fixtures.broker import consume
from tests.integration.support import (
    PARTITIONS,
    create_topics,
    open_store,
    run_until_processed,
    worker_env,
    worker_settings,
)
from tests.streams.validate.support import all_examples

CONVERSATION = "conv-dead-letters"


def _event(**changes: Any) -> bytes:
    example = next(e for e in all_examples() if e["event_type"] == "exposure")
    event = {**example, "event_id": str(uuid.uuid4()), "conversation_id": CONVERSATION}
    return orjson.dumps({**event, **changes})


def test_bad_inputs_are_dead_lettered_and_the_rest_goes_through(
    kafka_broker: EmbeddedBroker, tmp_path: Path
) -> None:
    settings = worker_settings(kafka_broker, tmp_path / "worker")
    create_topics(settings)
    first, second, third, last = (_event(exposure_id=f"x-{n}") for n in range(4))
    schema_violation = orjson.dumps({**orjson.loads(_event()), "relevance": "very"})
    batch = [second, b'{"event_type": "exposure", "broken', first, schema_violation, third]
    records: list[tuple[bytes, tuple[tuple[str, bytes], ...]]] = [
        (b"{not json", ()),
        (first, ()),
        (first, ()),  # a re-sent event: a duplicate
        (encode_batch(batch), BATCH_HEADERS),
        (last, ()),  # after the bad ones: the worker is still going
    ]
    partition = partition_for(CONVERSATION.encode(), PARTITIONS)
    producer = KafkaProducer(**client_options(settings.kafka_bootstrap_servers), acks="all")
    offsets = [
        producer.send(settings.raw_topic, value=value, headers=list(headers), partition=partition)
        .get(10)
        .offset
        for value, headers in records
    ]
    producer.close()
    report = ProduceReport(next_offsets={partition: offsets[-1] + 1})

    run_until_processed(settings, report, tmp_path / "worker.log")

    topic = consume(
        settings.kafka_bootstrap_servers, settings.dead_letter_topic, group_id="check", expect=3
    )
    letters = sorted(
        (DeadLetterV1.model_validate_json(r.value) for r in topic),
        key=lambda d: (
            (d.source.offset, d.source.index_in_record)
            if isinstance(d.source, KafkaPosition)
            else (0, 0)
        ),
    )
    where = [
        (d.reason, d.source.offset, d.source.index_in_record)
        for d in letters
        if isinstance(d.source, KafkaPosition)
    ]
    assert where == [
        (ReasonCode.INVALID_JSON, offsets[0], 0),
        (ReasonCode.INVALID_JSON, offsets[3], 1),
        (ReasonCode.SCHEMA_VIOLATION, offsets[3], 3),
    ]
    client = open_store(tmp_path / "worker" / "clickhouse")
    try:
        stored = client.query(
            "SELECT reason, source_offset, source_index_in_record FROM dead_letters FINAL "
            "ORDER BY source_offset, source_index_in_record"
        ).result_rows
        events = client.query("SELECT count() FROM events FINAL").result_rows[0][0]
        duplicates = client.query("SELECT sum(duplicates) FROM ingest_metrics FINAL").result_rows
    finally:
        client.close()
    assert [(ReasonCode(r), o, i) for r, o, i in stored] == where
    assert events == 4  # first, second, third, last: each once
    assert duplicates[0][0] == 2  # `first` again alone, and again inside the batch

    # Fixed or not, `dlq replay` sends the payloads back to the raw topic.
    exported = tmp_path / "dead.jsonl"
    exported.write_bytes(b"".join(r.value + b"\n" for r in topic))
    env = worker_env(settings)
    result = CliRunner().invoke(
        app, ["dlq", "replay", "--file", str(exported), "--reason", "invalid_json"], env=env
    )
    assert result.exit_code == 0, result.output
    assert "replayed 2 payloads" in result.stdout
    raw = consume(
        settings.kafka_bootstrap_servers, settings.raw_topic, group_id="replayed", expect=6
    )
    replayed = [
        event
        for record in raw
        if (record.partition, record.offset) not in {(partition, o) for o in offsets}
        for event in split_record(record.value, record.headers)
    ]
    assert sorted(replayed) == sorted([b"{not json", b'{"event_type": "exposure", "broken'])
