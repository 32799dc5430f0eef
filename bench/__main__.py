"""`make bench`: every benchmark, printed and written to docs/benchmarks.md.

python -m bench                     # all sections, then docs/benchmarks.md
python -m bench --only kafka        # some sections, printed only (core, embedded, kafka)
"""

import argparse
from collections.abc import Callable
from pathlib import Path

from bench import core, embedded, worker
from bench.results import Result, table, write_markdown

NOTES = """
## Where the time goes, and what is left

Per valid event the core spends about 16 us validating (12 us of it in pydantic's
`validate_json`, which alone caps validation near 0.16 of orjson.loads), 15 us in attribution,
10 us flushing snapshots, rolling up and judging alerts, and 9 us in durable trust and metrics;
Python's garbage collector takes 15-18% of the total. Reaching the 0.10 end-to-end target
needs a validation fast path that does not go through pydantic (for instance msgspec structs
generated from the pydantic schemas, which stay the source of truth) and cheaper per-batch
flushes; attribution state near 300 B needs state outside per-conversation Python objects
(2-byte shared indexes, exposures referenced by position, int32 time offsets).
"""

KAFKA_NOTES = """
One embedded Tansu broker started by the benchmark; every consumer gets its own topics (4
partitions) and group and reads the same records, encoded beforehand as convtrack's producer
encodes them and sent with its settings (acks=all, idempotence, linger 20 ms, gzip). Each
consumer runs in a child process: the worker (`convtrack worker`, default settings, chDB store),
a raw aiokafka consumer (`getmany(max_records=5000)`, uvloop, every event split out of its record
and decoded with orjson, commit after each fetch) and a bare faust agent (the worker's consumer
settings, uvloop and `take_events` batches, every event split and decoded, nothing else).

Throughput: the consumer joins its group and processes a warm-up of 2,000 events (join, faust
start and the first pipeline per partition are not timed); it is then frozen (SIGSTOP) while
the measured records are produced, and released (SIGCONT). The time runs from the release until
the group has committed every record of the raw topic (committed offsets polled every 50 ms
against the producer's acknowledged offsets; faust commits every second, so up to 1 s of it is
the commit interval). Freezing keeps the producer (kafka-python with gzip, slower than the raw
consumer here) out of the figures. The worker's trust stage runs meanwhile but is not waited for.

Latency: a fresh worker, warmed up the same way, is offered events at a fixed rate; every 50 ms
what was offered leaves as one NDJSON record per partition. The benchmark polls the worker's
`convtrack_worker_stored_offset` gauge every 50 ms (one past the highest offset whose events are
inserted into ClickHouse; it moves at the end of the batch, after the insert, the state save
and the sends of dead letters and re-keyed messages). An event's latency is the first poll
that shows its record stored minus the moment it was offered: producer batching, Kafka, the
worker's take window, the cores, the insert, and up to 50 ms of polling. "sustained" is events
stored per second from the first store to the last: below the offered rate, the worker did not
keep up, and then latency grows with the length of the run (the percentiles hold for this run
only).
"""

SECTIONS: dict[str, tuple[str, Callable[[], list[Result]], str]] = {
    "core": ("Pipeline core", core.measure, ""),
    "embedded": ("Embedded main job (chDB)", embedded.measure, ""),
    "kafka": ("Kafka worker (embedded Tansu)", worker.measure, KAFKA_NOTES),
}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only",
        type=lambda text: [name.strip() for name in text.split(",")],
        default=list(SECTIONS),
        help=f"comma-separated sections ({', '.join(SECTIONS)}); docs/benchmarks.md is written "
        "only when all run",
    )
    only = parser.parse_args().only
    if unknown := set(only) - set(SECTIONS):
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")
    sections, notes = {}, {}
    for name in [name for name in SECTIONS if name in only]:
        title, measure, section_notes = SECTIONS[name]
        print(f"\n{title}")
        sections[title] = measure()
        notes[title] = section_notes
        print(table(sections[title]))
    if len(sections) < len(SECTIONS):
        print("\ndocs/benchmarks.md not written: only part of the benchmarks ran")
        return
    path = Path("docs/benchmarks.md")
    write_markdown(path, sections, NOTES, notes)
    print(f"\nwritten to {path}")


if __name__ == "__main__":
    main()
