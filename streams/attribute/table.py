"""Packed conversations of one tenant in an open-addressing hash table.

A dict keyed by conversation_id would cost, per live conversation, the key string (~60 B) and
a dict entry (~40-70 B): as much as the packed state itself. Each packed state already starts
with its conversation_id (`layout.KEY_AT`), so the table keeps only a list of the blobs, an
array of 32-bit hash tags and an array of expiry deadlines: ~20 B a slot, ~40 B a
conversation at the usual load.

The deadlines let the hourly expiry compare plain ints instead of reading every live blob's
header, and skip the scan altogether while the earliest deadline is still ahead.

Linear probing; a deleted slot holds an empty tombstone until the next rebuild, and rebuilds
keep the load between a third and two thirds (a half right after a shrink).
"""

from array import array
from collections.abc import Callable, Iterator

from convtrack.streams.attribute.layout import KEY_AT, key_of

_MIN_CAPACITY = 8
_EMPTY: None = None
_DELETED = b""
_MASK32 = 0xFFFFFFFF
_NEVER = (1 << 63) - 1
"""The deadline of empty slots and tombstones: no clock reaches it."""


class PackedTable:
    __slots__ = ("_blobs", "_deadlines", "_earliest", "_filled", "_hash", "_live", "_tags")

    def __init__(self, hash_of: Callable[[str], int] = hash) -> None:
        """`hash_of`: the tests force collisions with it."""
        self._hash = hash_of
        self._tags = array("I", bytes(4 * _MIN_CAPACITY))
        self._deadlines = array("q", [_NEVER]) * _MIN_CAPACITY
        self._blobs: list[bytes | None] = [_EMPTY] * _MIN_CAPACITY
        self._live = 0
        self._filled = 0
        """Live slots plus tombstones: what the probe lengths depend on."""
        self._earliest = _NEVER
        """At most the earliest live deadline (puts only lower it; a scan makes it exact)."""

    def __len__(self) -> int:
        return self._live

    def get(self, conversation_id: str) -> bytes | None:
        slot = self._find(conversation_id, self._hash(conversation_id) & _MASK32)
        return None if slot < 0 else self._blobs[slot]

    def put(self, conversation_id: str, blob: bytes, deadline: int) -> None:
        """Stores `blob`, which must be packed from the state of `conversation_id`, to be
        removed by the first `remove_expired` called at a clock past `deadline`."""
        self._earliest = min(self._earliest, deadline)
        tag = self._hash(conversation_id) & _MASK32
        slot = self._find(conversation_id, tag)
        if slot >= 0:
            self._blobs[slot] = blob
            self._deadlines[slot] = deadline
            return
        blobs, mask = self._blobs, len(self._blobs) - 1
        slot = tag & mask
        while blobs[slot]:
            slot = (slot + 1) & mask
        if blobs[slot] is _EMPTY:
            self._filled += 1
        blobs[slot] = blob
        self._tags[slot] = tag
        self._deadlines[slot] = deadline
        self._live += 1
        if self._filled * 3 >= len(blobs) * 2:
            self._rebuild()

    def pop(self, conversation_id: str) -> bytes | None:
        """Removes the conversation's blob and returns it, or None if it is not here."""
        slot = self._find(conversation_id, self._hash(conversation_id) & _MASK32)
        if slot < 0:
            return None
        blob = self._blobs[slot]
        self._blobs[slot] = _DELETED
        self._deadlines[slot] = _NEVER
        self._live -= 1
        return blob

    def blobs(self) -> Iterator[bytes]:
        return (blob for blob in self._blobs if blob)

    def remove_expired(self, clock: int) -> list[str]:
        """Deletes the blobs whose deadline is before `clock`; returns their conversation
        ids."""
        if clock <= self._earliest:
            return []
        blobs, deadlines = self._blobs, self._deadlines
        expired = [slot for slot, deadline in enumerate(deadlines) if deadline < clock]
        removed = [key_of(blob) for slot in expired if (blob := blobs[slot])]
        for slot in expired:
            blobs[slot] = _DELETED
            deadlines[slot] = _NEVER
        self._live -= len(removed)
        self._earliest = min(deadlines)
        if removed and self._live * 6 < len(blobs):
            self._rebuild()
        return removed

    def _find(self, conversation_id: str, tag: int) -> int:
        """The slot holding the conversation, or -1."""
        blobs, tags, mask = self._blobs, self._tags, len(self._blobs) - 1
        prefix = conversation_id.encode("utf-8", "surrogatepass") + b"\x00"
        slot = tag & mask
        while (blob := blobs[slot]) is not _EMPTY:
            if tags[slot] == tag and blob and blob.startswith(prefix, KEY_AT):
                return slot
            slot = (slot + 1) & mask
        return -1

    def _rebuild(self) -> None:
        capacity = _MIN_CAPACITY
        while capacity < 2 * self._live:
            capacity *= 2
        old = [
            (tag, blob, deadline)
            for tag, blob, deadline in zip(self._tags, self._blobs, self._deadlines, strict=True)
            if blob
        ]
        tags = self._tags = array("I", bytes(4 * capacity))
        deadlines = self._deadlines = array("q", [_NEVER]) * capacity
        blobs: list[bytes | None] = [_EMPTY] * capacity
        self._blobs = blobs
        mask = capacity - 1
        for tag, blob, deadline in old:
            slot = tag & mask
            while blobs[slot] is not _EMPTY:
                slot = (slot + 1) & mask
            blobs[slot] = blob
            tags[slot] = tag
            deadlines[slot] = deadline
        self._filled = self._live
