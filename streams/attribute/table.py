"""Packed conversations of one tenant in an open-addressing hash table.

A dict keyed by conversation_id would cost, per live conversation, the key string (~60 B) and
a dict entry (~40-70 B): as much as the packed state itself. Each packed state already starts
with its conversation_id (`layout.KEY_AT`), so the table keeps only a list of the blobs and an
array of 32-bit hash tags: ~12 B a slot, ~25 B a conversation at the usual load.

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


class PackedTable:
    __slots__ = ("_blobs", "_filled", "_hash", "_live", "_tags")

    def __init__(self, hash_of: Callable[[str], int] = hash) -> None:
        """`hash_of`: the tests force collisions with it."""
        self._hash = hash_of
        self._tags = array("I", bytes(4 * _MIN_CAPACITY))
        self._blobs: list[bytes | None] = [_EMPTY] * _MIN_CAPACITY
        self._live = 0
        self._filled = 0
        """Live slots plus tombstones: what the probe lengths depend on."""

    def __len__(self) -> int:
        return self._live

    def get(self, conversation_id: str) -> bytes | None:
        slot = self._find(conversation_id, self._hash(conversation_id) & _MASK32)
        return None if slot < 0 else self._blobs[slot]

    def put(self, conversation_id: str, blob: bytes) -> None:
        """Stores `blob`, which must be packed from the state of `conversation_id`."""
        tag = self._hash(conversation_id) & _MASK32
        slot = self._find(conversation_id, tag)
        if slot >= 0:
            self._blobs[slot] = blob
            return
        blobs, mask = self._blobs, len(self._blobs) - 1
        slot = tag & mask
        while blobs[slot]:
            slot = (slot + 1) & mask
        if blobs[slot] is _EMPTY:
            self._filled += 1
        blobs[slot] = blob
        self._tags[slot] = tag
        self._live += 1
        if self._filled * 3 >= len(blobs) * 2:
            self._rebuild()

    def blobs(self) -> Iterator[bytes]:
        return (blob for blob in self._blobs if blob)

    def remove_if(self, doomed: Callable[[bytes], bool]) -> list[str]:
        """Deletes the blobs `doomed` says so of; returns their conversation ids."""
        removed = []
        blobs = self._blobs
        for slot, blob in enumerate(blobs):
            if blob and doomed(blob):
                removed.append(key_of(blob))
                blobs[slot] = _DELETED
        self._live -= len(removed)
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
        old = [(tag, blob) for tag, blob in zip(self._tags, self._blobs, strict=True) if blob]
        self._tags = array("I", bytes(4 * capacity))
        blobs: list[bytes | None] = [_EMPTY] * capacity
        self._blobs = blobs
        mask = capacity - 1
        for tag, blob in old:
            slot = tag & mask
            while blobs[slot] is not _EMPTY:
                slot = (slot + 1) & mask
            blobs[slot] = blob
            self._tags[slot] = tag
        self._filled = self._live
