"""The worker's saved state as table keys and values: plain bytes and JSON, portable between
processes and versions of the code (never the attribution's packed form, whose shared-value
indexes mean something only inside the process that packed them).

Every key starts with the partition whose state it is (`P|kind|...`), so the table sends it to
the changelog partition of the same number, and faust restores it to whoever owns that
partition next.
"""

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, NamedTuple
from uuid import UUID

import orjson

from convtrack.schemas.dead_letter import ReasonCode
from convtrack.schemas.types import Surface
from convtrack.streams.metrics import IngestCounters, IngestWindow, ReasonCounts, SurfaceWindow
from convtrack.streams.metrics.counters import SurfaceCounters
from convtrack.streams.metrics.tally import FIXED_FIELDS, MONEY_FIELDS, Tally

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_SEP = "\x1f"
_SCALE = 6

DEDUP, CONVERSATION, SURFACE, INGEST, USER = "d", "c", "s", "i", "u"
PROCESSED, JOURNAL = "o", "j"
"""The partition's processed offsets (see `offsets`), and its last batch's writes (`journal`)."""


def micros(at: datetime) -> int:
    return (at - EPOCH) // _US


def from_micros(value: int) -> datetime:
    return EPOCH + value * _US


def key(partition: int, kind: str, *parts: str) -> bytes:
    return f"{partition}|{kind}|{_SEP.join(parts)}".encode()


def split_key(raw: bytes) -> tuple[int, str, list[str]]:
    partition, kind, rest = raw.decode().split("|", 2)
    return int(partition), kind, rest.split(_SEP)


def partition_of(raw: bytes) -> int:
    return int(raw.split(b"|", 1)[0])


def processed_key(partition: int) -> bytes:
    return key(partition, PROCESSED)


# -- validator: one chunk of accepted ids per batch --------------------------------------------


class DedupChunk(NamedTuple):
    watermark: datetime | None
    ids: dict[int, list[UUID]]
    """Hour of event time (see validate.dedup.hour_of) -> ids accepted in that hour."""
    housekept_at: datetime | None = None
    """The pipeline's last housekeeping when the chunk was saved (`Pipeline.housekept_at`)."""


def encode_dedup(chunk: DedupChunk) -> bytes:
    hours = [[hour, [i.hex for i in ids]] for hour, ids in sorted(chunk.ids.items())]
    return orjson.dumps({"w": _at(chunk.watermark), "h": hours, "k": _at(chunk.housekept_at)})


def decode_dedup(value: bytes) -> DedupChunk:
    document = orjson.loads(value)
    ids = {hour: [UUID(i) for i in ids] for hour, ids in document["h"]}
    housekept_at = document.get("k")
    return DedupChunk(
        None if document["w"] is None else from_micros(document["w"]),
        ids,
        None if housekept_at is None else from_micros(housekept_at),
    )


def _at(value: datetime | None) -> int | None:
    return None if value is None else micros(value)


# -- attribution: a conversation as older workers saved it (see state.rebuild) ---------------


def decode_conversation(value: bytes) -> tuple[int, list[bytes]]:
    """A conversation as workers before the portable form saved it: its revision on the first
    line, then one validated event (compact JSON) per line."""
    first, _, rest = value.partition(b"\n")
    return int(first), rest.split(b"\n") if rest else []


# -- metric windows: latest (version, counters) ------------------------------------------------


def surface_key(partition: int, window: SurfaceWindow, part: int) -> bytes:
    tenant, surface, surface_id, start = window
    return key(partition, SURFACE, tenant, surface.value, surface_id, str(micros(start)), str(part))


def surface_window(parts: list[str]) -> tuple[SurfaceWindow, int]:
    tenant, surface, surface_id, start, part = parts
    return SurfaceWindow(tenant, Surface(surface), surface_id, from_micros(int(start))), int(part)


def tally_of(counters: SurfaceCounters) -> Tally:
    """The aggregator's working form of flushed counters (exact: fixed-point fields are
    millionths, as `tally` keeps them)."""
    tally = Tally()
    for name in SurfaceCounters.__dataclass_fields__:
        value: Any = getattr(counters, name)
        if name in MONEY_FIELDS:
            for currency, amount in value.items:
                tally.money[(name, currency)] = amount
        elif name in FIXED_FIELDS:
            if value:
                tally.counts[name] = int(Decimal(value).scaleb(_SCALE))
        elif value:
            tally.counts[name] = value
    return tally


def encode_surface(version: int, counters: SurfaceCounters) -> bytes:
    tally = tally_of(counters)
    money = [[field, currency, str(amount)] for (field, currency), amount in tally.money.items()]
    return orjson.dumps({"v": version, "c": tally.counts, "m": money})


def decode_surface(value: bytes) -> tuple[int, Tally]:
    document = orjson.loads(value)
    tally = Tally()
    tally.counts.update(document["c"])
    for field, currency, amount in document["m"]:
        tally.money[(field, currency)] = Decimal(amount)
    return document["v"], tally


def ingest_key(partition: int, window: IngestWindow, part: int) -> bytes:
    return key(partition, INGEST, window.tenant_id, str(micros(window.window_start)), str(part))


def ingest_window(parts: list[str]) -> tuple[IngestWindow, int]:
    tenant, start, part = parts
    return IngestWindow(tenant, from_micros(int(start))), int(part)


def encode_ingest(version: int, counters: IngestCounters) -> bytes:
    numbers, reasons = ingest_fields(counters)
    return orjson.dumps({"v": version, "n": numbers, "r": reasons})


def decode_ingest(value: bytes) -> tuple[int, IngestCounters]:
    document = orjson.loads(value)
    return document["v"], ingest_counters(document["n"], document["r"])


def ingest_fields(counters: IngestCounters) -> tuple[list[int], list[tuple[str, int]]]:
    """Ingest counters as plain JSON values (also in the alert stage's reports)."""
    numbers = [
        counters.inputs,
        counters.valid,
        counters.duplicates,
        counters.late_accepted,
        counters.dead_letters,
    ]
    return numbers, list(counters.dead_letters_by_reason.items)


def ingest_counters(numbers: Sequence[int], reasons: Iterable[Sequence[Any]]) -> IngestCounters:
    inputs, valid, duplicates, late, dead = numbers
    by_reason = ReasonCounts(tuple((ReasonCode(r).value, n) for r, n in reasons))
    return IngestCounters(inputs, valid, duplicates, late, dead, by_reason)


# -- durable trust: a user's visits ------------------------------------------------------------

Visit = tuple[datetime, Surface, str, str, str | None]
"""(at, surface, surface_id, conversation_id, conversion_id or None for a start)."""


def encode_user(last_seen: datetime, visits: Iterable[Visit], returned: Iterable[str]) -> bytes:
    return orjson.dumps(
        {
            "l": micros(last_seen),
            "v": [[micros(at), s.value, sid, conv, cid] for at, s, sid, conv, cid in visits],
            "r": sorted(returned),
        }
    )


def decode_user(value: bytes) -> tuple[datetime, list[Visit], frozenset[str]]:
    document = orjson.loads(value)
    visits: list[Visit] = [
        (from_micros(at), Surface(s), sid, conv, cid) for at, s, sid, conv, cid in document["v"]
    ]
    return from_micros(document["l"]), visits, frozenset(document["r"])
