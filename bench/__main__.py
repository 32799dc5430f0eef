"""`make bench`: every benchmark, printed and written to docs/benchmarks.md."""

from pathlib import Path

from bench import core, embedded
from bench.results import table, write_markdown

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


def main() -> None:
    sections = {"Pipeline core": core.measure(), "Embedded main job (chDB)": embedded.measure()}
    for title, results in sections.items():
        print(f"\n{title}\n{table(results)}")
    path = Path("docs/benchmarks.md")
    write_markdown(path, sections, NOTES)
    print(f"\nwritten to {path}")


if __name__ == "__main__":
    main()
