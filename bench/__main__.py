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
  (`facts_of`), packing it (~24 us per conversation), `MetricsAggregator` and `TrustTracker`.
  The conversations fed last stay unpacked with their facts (`CONVTRACK_HOT_CONVERSATIONS`,
  ~4 KB each): traffic whose event time runs near the clock feeds a conversation an event every
  few batches, and each feed used to unpack it, judge it before and after, and pack it again
  (the core ran 1.8 times faster on live-like input, 7.4k -> 13.6k events/s; replays gain
  little, as they see a conversation's events in one batch). Idle conversations stay packed,
  ~245 B each (target 300). Housekeeping visits only what expires: deadlines beside the packed
  bytes, metric windows in heaps by start.
- **Write path, ~15-20 us:** the chDB insert ~5-9 us (C++, releases the GIL; timed around
  the engine's query call on 2026-12-06: 4.7 us per input for all five tables, 3.5 of it the
  events table; a background insert thread measured slower, from contention with
  serialization), clickhouse-connect's Native
  serialization in Python ~5 us, building and adding rows ~5 us (insert dedup tokens are
  hashed from orjson, ten times cheaper than joining str() of the keys). Rows sent as
  JSONCompactEachRow written by orjson measured slower: 8 us of CPU per events row against 5
  for the Native format, and twice the wall time (ClickHouse parses JSON slower).

**Why three throughput targets stay out of reach of this design.** Each is a budget per event:
- embedded, 0.10 of `orjson.loads` (~80-90k events/s here): ~12 us per input for the whole
  job, about what validation alone takes;
- worker on batched records, 0.25 of a raw aiokafka consumer (~260-330k events/s): 65-80k
  events/s from one worker, the same ~12 us budget;
- worker on one-event records, 0.8 of a bare faust agent: with 10,000-record takes the bare
  agent spends ~90-100 us per record, which leaves ~25 us per event for everything convtrack
  does, while the worker's own work takes ~100 us per event (its rate on batched records, where
  faust's cost per record is spread over hundreds of events).
One Python process that validates into pydantic models, attributes event by event and
serializes rows in Python cannot meet them: the tuning so far took the embedded job from
~10.5k to ~17k events/s and the one-event worker from ~1.5k to ~5k, far from the 2-10x
needed, and the profile is flat (no function above ~6% of the time). Compiling the cores with
mypyc (same typed sources) was measured and dropped: 1.25-1.3x on the core and 1.15x on
validation, because ~28% of the time is already in C (pydantic-core, datetime) and compiled
code still reads pydantic attributes generically; it also needed source changes (no
`slots=True` dataclasses), broke the editable install, and one compiled module
(`metrics/counters.py`) returned wrong answers without an error. What would meet the targets:
a compiled core in another language (validation from the schemas, attribution and row encoding
in Rust, rows handed to ClickHouse as Arrow or JSONEachRow), which this Python-only machine
kind is not for, or several processes per host each owning a shard of the partitions. The
Kafka path already shards by partition, but with the embedded store the workers would share
one chDB directory, which only one process may open, so that needs a ClickHouse server
(production has one; this machine cannot run one). A compiled core alone would be close:
at 2026-12-06's `orjson.loads` rate (~1.1M lines/s) the embedded budget is ~9 us per input,
and ClickHouse's own insert takes about half of it, so such a core would also have to run
the insert beside itself on the second core.

The worker adds to the cores faust's cost per record (~100-190 us, INFRA.md), a ClickHouse
insert per batch, and its state changelog: a batch writes a state record per conversation it
touched and per metric window it changed, thousands of them. Those records used to go through
faust's producer one message at a time (a future, a callback and a buffer slot apiece): the
worker now builds whole aiokafka record batches from a batch's changes and sends them at once
(`streams/worker/tables.py`), which took a quarter off the worker's GIL samples and the
one-event worker from ~3.5k to ~4.8-5.2k events/s. A conversation's changelog record is its packed
attribution state (`streams/attribute/portable.py`), not its event history: a 2,750-event batch
writes ~3.3 MB instead of 8-11 MB, and a restore no longer replays events. The raw stage queues
its dead letters and re-keyed events before the ClickHouse insert, so they travel while the
insert runs. The GIL is held most of the time, so one worker uses about one core; scaling out
is more worker processes in the group. Batches are bounded by records and bytes
(`streams/worker/take.py`): faust's take counts records only, and 500-record batches of
one-event records paid a batch's fixed costs every 500 events. The one-event input was 12k
events until 2026-11-24: runs of 1-3 s, where faust's 1 s commit interval made the ratio swing
between 0.37 and 0.69; at 55k events it reads 0.44-0.49 (bare agent ~10.9-13.5k records/s,
worker ~4.8-6.7k), and the gap is the worker's own ~100 us per event.
Latency: faust fixes `fetch_max_wait_ms` at 1500 and Tansu answers a fetch only when the wait
is over, so the worker's consumer overrides it to 100 ms (streams/worker/repairs.py). The take
window runs from the oldest buffered record and the next batch fills while one is processed.
What is left is the 0.5 s window, the batch's processing and insert, and a worker that runs
close to the offered 5k events/s: when it keeps up, p99 is under 2 s; when it falls a few
percent behind, latency grows with the run, so the verdict can change from run to run.
Live-like runs by hand now sustain ~5.1k events/s with p99 1.2-1.65 s (3.5-8 s before the hot
conversations, the producer buffer and the batched changelog). A 0.3 s window
(`CONVTRACK_WORKER_TAKE_WITHIN`) measured p99 0.8-1.0 s at the same throughput; the default
stays at 0.5 s because every batch is an insert per table, and a ClickHouse server wants few,
large inserts (two a second per table at most, at idle traffic).
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
