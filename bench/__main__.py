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

Profiled with cProfile and py-spy; figures per input, CPU time.

- **Validation, ~10 us:** pydantic-core's `validate_json` of the tagged union is 5-7 us of it,
  close to its floor (`orjson.loads` alone is 1-3 us, and a model still has to be built and the
  model validators run). Pseudonyms come from SHA-256 states that absorbed the padded key once
  (0.6 us per new user instead of 2.2). Tried and dropped, measured slower or no gain: a
  pure-Python fast path with checkers derived from the models (10-17 us), validating a batch as
  one list, msgspec (at most 2-3 us, as a pydantic object is still needed downstream).
- **Attribution, trust, metrics, rollup, ~40 us:** computing a touched conversation's facts
  once per batch (`facts_of`), packing it (~24 us per conversation touched), `MetricsAggregator`
  and `TrustTracker`. Housekeeping no longer scans all state: conversations keep their expiry
  deadline beside the packed bytes and metric windows wait in heaps by start (this took ~15% of
  a replayed week). State is ~245 B per live conversation (target 300) with the deadlines.
- **Write path, ~15-20 us:** the chDB insert ~9 us (C++, releases the GIL; a background insert
  thread measured slower, from contention with serialization), clickhouse-connect's Native
  serialization in Python ~5 us, building and adding rows ~5 us (insert dedup tokens are
  hashed from orjson, ten times cheaper than joining str() of the keys).

**Why three throughput targets stay out of reach of this design.** Each is a budget per event:
- embedded, 0.10 of `orjson.loads` (~80k events/s here): ~12 us per input for the whole job,
  about what validation alone takes;
- worker on batched records, 0.25 of a raw aiokafka consumer (~280-370k events/s): 70-90k
  events/s from one worker, the same ~12 us budget;
- worker on one-event records, 0.8 of a bare faust agent: with 10,000-record takes the bare
  agent spends ~100 us per record, which leaves ~25 us per event for everything convtrack
  does, while its cores alone take 60-80 us.
One Python process that validates into pydantic models, attributes event by event and
serializes rows in Python cannot meet them: this round of tuning took the embedded job from
~10.5k to 13-15k events/s and the one-event worker from ~1.5k to 2.6-3.9k, far from the 2-20x
needed. What would: a compiled core
(validation from the schemas, attribution and row encoding in Rust or Cython, rows handed to
ClickHouse as Arrow or JSONEachRow), or several processes per host each owning a shard of the
partitions. The Kafka path already shards by partition, but with the embedded store the
workers would share one chDB directory, which only one process may open, so that needs a
ClickHouse server (production has one; this machine cannot run one).

The worker adds to the cores faust's cost per record (~100-190 us, INFRA.md), a ClickHouse
insert per batch, and its state changelog: replaying simulated days in seconds touches a new
(surface, minute) window with most events, so a batch writes thousands of small state records
(producer batches of 512 KiB with 10 ms linger made this a third cheaper). The GIL is held most
of the time, so one worker uses one core; scaling out is more worker processes in the group.
Batches are bounded by records and bytes (`streams/worker/take.py`): faust's take counts
records only, and 500-record batches of one-event records paid a batch's fixed costs every
500 events (the one-event worker went from ~1.4k to ~3.3k events/s).
Latency: faust fixes `fetch_max_wait_ms` at 1500 and Tansu answers a fetch only when the wait
is over, so the worker's consumer overrides it to 100 ms (streams/worker/repairs.py). The take
window runs from the oldest buffered record and the next batch fills while one is processed.
What is left is the 0.5 s window, the batch's processing and insert, and a worker that runs at
about the offered 5k events/s: when it keeps up, p99 is under 2 s; when it falls a few percent
behind, latency grows with the run. Runs of the same code on this machine gave p99 from 1.9 to
5 s for replayed days, so the latency target is met only in some runs, not reliably. The
live-like run is no easier (sustained ~3.7-4k events/s, p99 6.5-8 s), against the expectation
that fewer new windows per batch would help. py-spy says why: with event time near the clock a
conversation gets one or two events per batch, so each batch unpacks, judges and packs again
almost every conversation it touches (unpack, `facts_of` before and after, `pack`: a quarter
of the cores), where a replay sees a conversation's events in one batch. Two remedies, to be
measured against each other: keeping recently touched conversations unpacked (memory grows
with the event rate times how long conversations last: ~1.7 KB each unpacked), or judging
incrementally, so that an event re-examines only the facts it can change.
"""

KAFKA_NOTES = """
One embedded Tansu broker started by the benchmark; every consumer gets its own topics (4
partitions) and group and reads the same records, encoded beforehand as convtrack's producer
encodes them and sent with its settings (acks=all, idempotence, linger 20 ms, gzip). Each
consumer runs in a child process: the worker (`convtrack worker`, default settings, chDB store),
a raw aiokafka consumer (`getmany(max_records=5000)`, uvloop, every event split out of its record
and decoded with orjson, commit after each fetch) and a bare faust agent (the worker's consumer
settings, uvloop and batches (`take_bounded`), every event split and decoded, nothing else).

Throughput: the consumer joins its group and processes a warm-up of 2,000 events (join, faust
start and the first pipeline per partition are not timed); it is then frozen (SIGSTOP) while
the measured records are produced, and released (SIGCONT). The time runs from the release until
the group has committed every record of the raw topic (committed offsets polled every 50 ms
against the producer's acknowledged offsets; faust commits every second, so up to 1 s of it is
the commit interval). Freezing keeps the producer (kafka-python with gzip, slower than the raw
consumer here) out of the figures. The worker's trust stage runs meanwhile but is not waited for.

Latency: a fresh worker, warmed up the same way, is offered events at a fixed rate, in two runs:
"replayed days" offers three simulated days in 15 s (event time runs ~15,000 times faster than
the clock, so most batches open new metric windows, as in a catch-up), "live-like" a dense
simulated minute (event time ~4.5 times the clock, close to live traffic at this rate). Every 50
ms what was offered leaves as one NDJSON record per partition. The benchmark polls the worker's
`convtrack_worker_stored_offset` gauge every 50 ms (that gauge only, through prometheus-client's
`name[]` filter, so the probe costs the worker little; one past the highest offset whose events
are inserted into ClickHouse; it moves at the end of the batch, after the insert, the state save
and the sends of dead letters and re-keyed messages). An event's latency is the first poll that
shows its record stored minus the moment it was offered: producer batching, Kafka, the worker's
take window, the cores, the insert, and up to 50 ms of polling. "sustained" is events stored per
second from the first store to the last: below the offered rate, the worker did not keep up, and
then latency grows with the length of the run (the percentiles hold for this run only).
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
