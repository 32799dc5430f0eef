"""A batching, idempotent ClickHouse sink for one table.

A batch is inserted when it holds `max_rows` rows or about `max_bytes` bytes, or when its oldest
row is `max_age` old (checked on `add`, `flush_if_due` and with the injected clock). Each insert
carries a token digested from the batch's natural keys and versions: a batch re-sent after a
timeout whose insert did land is dropped by ClickHouse, and anything that slips past the token
window (a batch cut differently after a restart) collapses in the ReplacingMergeTree.
"""

import hashlib
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, Generic, TypeVar, get_args, get_origin, get_type_hints

import orjson
from clickhouse_connect.datatypes.base import ClickHouseType
from clickhouse_connect.driver.client import Client
from clickhouse_connect.driver.exceptions import ClickHouseError

from convtrack.schemas.typing import kinds_of
from convtrack.settings import Settings
from convtrack.sinks.errors import (
    AUTH_CODES,
    MISSING_OBJECT_CODES,
    clickhouse_message,
    error_code,
    is_transient,
)
from convtrack.sinks.sink import SinkBackpressure, SinkRejectedError
from convtrack.sinks.tables import Table

R = TypeVar("R", bound=tuple[Any, ...])


@dataclass(frozen=True, slots=True)
class BatchPolicy:
    max_rows: int = 50_000
    max_bytes: int = 16 * 1024 * 1024
    max_age: float = 2.0
    """Seconds."""

    @classmethod
    def from_settings(cls, settings: Settings) -> "BatchPolicy":
        return cls(
            settings.sink_batch_rows,
            settings.sink_batch_bytes,
            settings.sink_batch_age.total_seconds(),
        )


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    retries: int = 5
    backoff: float = 0.5
    """Seconds before the first retry; doubled for each next one, up to `max_backoff`."""
    max_backoff: float = 30.0

    @classmethod
    def from_settings(cls, settings: Settings) -> "RetryPolicy":
        return cls(
            settings.sink_retries,
            settings.sink_retry_backoff.total_seconds(),
            settings.sink_retry_max_backoff.total_seconds(),
        )

    def delays(self) -> Iterator[float]:
        for attempt in range(self.retries):
            yield min(self.backoff * 2**attempt, self.max_backoff)


def dedup_token(table: str, keys: Sequence[tuple[object, ...]]) -> str:
    # the keys as JSON: unambiguous, and written in C (UUIDs, datetimes and enums included)
    # ten times faster than joining their str()
    digest = hashlib.sha256(table.encode())
    digest.update(orjson.dumps(keys, default=str))
    return f"{table}-{len(keys)}-{digest.hexdigest()[:32]}"


def approximate_bytes(row: tuple[Any, ...]) -> int:
    """Cheap uncompressed size: strings by length, everything else 8 bytes an item."""
    size = 0
    for value in row:
        if isinstance(value, str):
            size += len(value)
        elif isinstance(value, tuple):
            size += sum(len(v) if isinstance(v, str) else 8 for v in value)
        else:
            size += 8
    return size


def row_sizer(row_type: type[tuple[Any, ...]]) -> Callable[[tuple[Any, ...]], int]:
    """`approximate_bytes` for well-typed rows of one NamedTuple type, several times cheaper.

    Only the columns annotated as (optional) strings can hold a string, so only they are
    looked at, and in C (`itemgetter`, `map`, `tuple.count`); every other column counts 8
    bytes, as does a None. A row type with sequence columns, or that is not a NamedTuple,
    keeps the general estimate.
    """
    hints = list(get_type_hints(row_type).values()) if hasattr(row_type, "_fields") else []
    if not hints or any(_is_sequence(hint) for hint in hints):
        return approximate_bytes
    strings = [n for n, hint in enumerate(hints) if _is_string(hint)]
    fixed = 8 * (len(hints) - len(strings))
    if not strings:
        return lambda _: fixed
    # itemgetter returns a bare value for one index and a tuple for several
    pick = itemgetter(*strings) if len(strings) > 1 else lambda row: (row[strings[0]],)

    def size(row: tuple[Any, ...]) -> int:
        texts = pick(row)
        return fixed + 8 * texts.count(None) + sum(map(len, filter(None, texts)))

    return size


def _is_string(hint: Any) -> bool:
    kinds = kinds_of(hint)
    return bool(kinds) and kinds <= {str}


def _is_sequence(hint: Any) -> bool:
    return any(get_origin(h) in (tuple, list) for h in (hint, *get_args(hint)))


class ClickHouseSink(Generic[R]):
    """Not thread-safe: one sink per table per worker."""

    def __init__(
        self,
        client: Client,
        table: Table[R],
        batch: BatchPolicy = BatchPolicy(),
        retry: RetryPolicy = RetryPolicy(),
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """Reads the table's column types once (so inserts need no round trip for them) and
        fails with SinkRejectedError right away if the table or a column is missing."""
        self.client = client
        self.table = table
        self.batch = batch
        self.retry = retry
        self._clock = clock
        self._sleep = sleep
        self._rows: list[R] = []
        self._size = row_sizer(table.row_type)
        self._bytes = 0
        self._opened_at = 0.0
        self._stalled = False
        self._types: Sequence[ClickHouseType] = self._column_types()

    @property
    def pending(self) -> int:
        return len(self._rows)

    def add(self, row: R) -> None:
        if self._stalled or self._due():
            self.flush()
        if not self._rows:
            self._opened_at = self._clock()
        self._rows.append(row)
        self._bytes += self._size(row)

    def flush_if_due(self) -> None:
        if self._due():
            self.flush()

    def flush(self) -> None:
        if not self._rows:
            return
        # The batch is frozen while it fails (add() refuses rows meanwhile), so every retry
        # sends the same rows under the same token.
        token = dedup_token(self.table.name, [self.table.key(row) for row in self._rows])
        delays = self.retry.delays()
        while True:
            try:
                self._insert(token)
                break
            except ClickHouseError as error:
                self._stalled = True
                if not is_transient(error):
                    raise self._rejected(error) from None
                delay = next(delays, None)
                if delay is None:
                    raise self._backpressure(error) from None
                self._sleep(delay)
        self._rows.clear()
        self._bytes = 0
        self._stalled = False

    def _due(self) -> bool:
        if not self._rows:
            return False
        return (
            len(self._rows) >= self.batch.max_rows
            or self._bytes >= self.batch.max_bytes
            or self._clock() - self._opened_at >= self.batch.max_age
        )

    def _insert(self, token: str) -> None:
        self.client.insert(
            self.table.name,
            self._rows,
            column_names=self.table.columns,
            column_types=self._types,
            settings={"insert_deduplication_token": token},
        )

    def _column_types(self) -> Sequence[ClickHouseType]:
        try:
            context = self.client.create_insert_context(
                self.table.name, column_names=list(self.table.columns)
            )
        except ClickHouseError as error:
            raise self._rejected(error) from None
        return context.column_types

    def _backpressure(self, error: ClickHouseError) -> SinkBackpressure:
        return SinkBackpressure(
            f"ClickHouse kept failing for `{self.table.name}` after {self.retry.retries} "
            f"retries ({clickhouse_message(error)}); holding {len(self._rows)} rows: pause "
            "input and flush again later",
            self.table.name,
            len(self._rows),
            retry_after=self.retry.max_backoff,
        )

    def _rejected(self, error: ClickHouseError) -> SinkRejectedError:
        code = error_code(error)
        if code in MISSING_OBJECT_CODES:
            fix = "run `convtrack db migrate`"
        elif code in AUTH_CODES:
            fix = "fix the credentials in CONVTRACK_CLICKHOUSE_DSN / CONVTRACK_CLICKHOUSE_PASSWORD"
        else:
            fix = "fix the cause and restart; nothing was committed"
        return SinkRejectedError(
            f"ClickHouse refused `{self.table.name}`: {clickhouse_message(error)}; {fix}",
            self.table.name,
            len(self._rows),
        )
