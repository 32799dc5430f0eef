"""5. Malformed and duplicate events on the raw topic, alone or inside a batch record: both reach
the dead-letter topic and table with their reason and exact position (index_in_record inside a
batch), a duplicate as reason `duplicate` with the pseudonymized event; the event itself is
stored once, duplicates are counted as duplicates and not as dead letters, the rest of the batch
is processed, and the worker keeps going."""

import base64
import uuid
from pathlib import Path
from typing import Any

import orjson
from kafka import KafkaProducer  # type: ignore[import-untyped]
from typer.testing import CliRunner

from convtrack.broker import EmbeddedBroker
from convtrack.cli import app
from convtrack.schemas.dead_letter import ANY_DEAD_LETTER, DeadLetterV2, KafkaPosition, Reason
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
from tests.streams.validate.support import RAW_USER_ID, all_examples

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
        settings.kafka_bootstrap_servers, settings.dead_letter_topic, group_id="check", expect=5
    )
    letters = sorted(
        (ANY_DEAD_LETTER.validate_json(r.value) for r in topic),
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
        (Reason.INVALID_JSON, offsets[0], 0),
        (Reason.DUPLICATE, offsets[2], 0),
        (Reason.INVALID_JSON, offsets[3], 1),
        (Reason.DUPLICATE, offsets[3], 2),
        (Reason.SCHEMA_VIOLATION, offsets[3], 3),
    ]
    assert all(isinstance(d, DeadLetterV2) for d in letters)
    duplicates_of = {d.event_id for d in letters if d.reason is Reason.DUPLICATE}
    assert duplicates_of == {orjson.loads(first)["event_id"]}
    for letter in letters:
        if letter.reason is Reason.DUPLICATE:
            payload = base64.b64decode(letter.payload_b64)
            assert RAW_USER_ID.encode() not in payload
            assert orjson.loads(payload)["user_id"].startswith("p1_")
    client = open_store(tmp_path / "worker" / "clickhouse")
    try:
        stored = client.query(
            "SELECT reason, source_offset, source_index_in_record FROM dead_letters FINAL "
            "ORDER BY source_offset, source_index_in_record"
        ).result_rows
        events = client.query("SELECT count() FROM events FINAL").result_rows[0][0]
        counted = client.query(
            "SELECT sum(duplicates), sum(dead_letters) FROM ingest_metrics FINAL"
        ).result_rows
    finally:
        client.close()
    assert [(Reason(r), o, i) for r, o, i in stored] == where
    assert events == 4  # first, second, third, last: each once
    # Duplicates: `first` again alone and again inside the batch. Dead letters: the batch's two
    # bad inputs, never the duplicates (the first record, read before any event time, has no
    # minute of the ingest clock to be counted in).
    assert counted == [(2, 2)]

    # Fixed or not, `dlq replay` sends the payloads back to the raw topic; duplicates never.
    exported = tmp_path / "dead.jsonl"
    exported.write_bytes(b"".join(r.value + b"\n" for r in topic))
    env = worker_env(settings)
    everything = CliRunner().invoke(
        app, ["dlq", "replay", "--file", str(exported), "--dry-run"], env=env
    )
    assert everything.exit_code == 0, everything.output
    assert everything.stderr.splitlines() == [
        "3 dead letters selected",
        "2 duplicates skipped: their event was accepted already",
    ]
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
