"""Where simulated payloads go. Generation only yields bytes, so a new destination (Kafka) is
one more class with `write` and `close`."""

import gzip
import io
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO, Protocol

STDOUT = "-"
_BUFFER = 1 << 20


class ByteSink(Protocol):
    def write(self, data: bytes, /) -> object: ...
    def flush(self) -> None: ...
    def close(self) -> None: ...


class PayloadWriter(Protocol):
    def write(self, payload: bytes) -> None:
        """Send one payload (one JSON document, or a deliberately broken one)."""

    def close(self) -> None:
        """Flush and release the destination; the writer is unusable afterwards."""


class JsonlWriter:
    """One payload per line. Payloads never contain a newline (orjson writes none and the
    broken ones are cut from orjson output), so lines and payloads correspond one to one."""

    def __init__(self, stream: ByteSink, *, owns_stream: bool) -> None:
        self._stream = stream
        self._owns_stream = owns_stream

    def write(self, payload: bytes) -> None:
        self._stream.write(payload + b"\n")

    def close(self) -> None:
        if self._owns_stream:
            self._stream.close()
        else:
            self._stream.flush()


def open_jsonl(target: str) -> JsonlWriter:
    """`-` is stdout; a name ending in .gz is gzip-compressed. The gzip header carries no file
    name or time, so the same run gives the same compressed bytes."""
    if target == STDOUT:
        return JsonlWriter(sys.stdout.buffer, owns_stream=False)
    path = Path(target)
    if path.suffix == ".gz":
        raw = path.open("wb")
        try:
            zipped = gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=6, mtime=0)
        except BaseException:
            raw.close()
            raise
        # compressing line by line costs more than generating them; compress in 1 MiB blocks
        return JsonlWriter(_ClosingBoth(io.BufferedWriter(zipped, _BUFFER), raw), owns_stream=True)
    return JsonlWriter(path.open("wb", buffering=_BUFFER), owns_stream=True)


class _ClosingBoth:
    """A gzip stream over a file it did not open: GzipFile.close leaves the file open."""

    def __init__(self, zipped: io.BufferedWriter, raw: BinaryIO) -> None:
        self._zipped = zipped
        self._raw = raw

    def write(self, data: bytes) -> int:
        return self._zipped.write(data)

    def flush(self) -> None:
        self._zipped.flush()

    def close(self) -> None:
        try:
            self._zipped.close()
        finally:
            self._raw.close()


def write_all(payloads: Iterable[bytes], writer: PayloadWriter) -> int:
    """Write every payload and close the writer (also on error); returns how many were written."""
    written = 0
    try:
        for payload in payloads:
            writer.write(payload)
            written += 1
    finally:
        writer.close()
    return written
