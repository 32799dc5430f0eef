"""Keyed pseudonyms for user ids, so the raw id a producer sends is never stored.

A pseudonym is `p1_` + the first 32 hex digits of HMAC-SHA256(key, tenant_id NUL user_id). The
tenant is inside the MAC so one person's ids cannot be linked across tenants; NUL separates the
two because tenant ids are slugs and never contain it. `p1` names this scheme, so a later scheme
can coexist. A value that already is a pseudonym is kept, which makes a scrubbed dead letter
replayable: validating it again yields the same event.
"""

import hashlib
import re

import orjson

PSEUDONYM_PREFIX = "p1_"
MIN_KEY_BYTES = 32
_RECENT_USERS = 16_384
"""Bounds the cache of recent pseudonyms (about 4 MB when full)."""

_PSEUDONYM = re.compile(r"p1_[0-9a-f]{32}")
_SEPARATOR = b"\x00"
_BLOCK = 64
"""SHA-256's block size: HMAC pads or hashes the key to it."""
# For bytes that are not JSON (typically a truncated line): the id's string is scrubbed in place,
# best effort, so even a broken payload does not carry the raw id into the dead-letter store.
_USER_ID_TEXT = re.compile(rb'("user_id"\s*:\s*")([^"\\]*)(")')
_TENANT_ID_TEXT = re.compile(rb'"tenant_id"\s*:\s*"([^"\\]*)"')


def is_pseudonym(value: str) -> bool:
    return _PSEUDONYM.fullmatch(value) is not None


class Pseudonymizer:
    """Replaces user ids with keyed pseudonyms. Holds the secret, so it never shows it."""

    __slots__ = ("_inner", "_outer", "_recent")

    def __init__(self, key: bytes) -> None:
        if len(key) < MIN_KEY_BYTES:
            raise ValueError(f"a pseudonymization key needs at least {MIN_KEY_BYTES} bytes")
        # HMAC (RFC 2104) from SHA-256 states that have absorbed the padded key already: each
        # MAC then hashes only the message, three times faster than hmac.digest, which
        # prepares the key on every call. test_pseudonym checks it against hmac.digest.
        block = key if len(key) <= _BLOCK else hashlib.sha256(key).digest()
        block = block.ljust(_BLOCK, b"\x00")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))
        self._recent: dict[tuple[str, str], str] = {}
        """(tenant_id, user_id) -> pseudonym of recent users: a user sends a conversation's
        worth of events in a short time, so this saves most of the MAC computations."""

    def __repr__(self) -> str:
        return "Pseudonymizer(key=<hidden>)"

    def pseudonym(self, tenant_id: str, user_id: str) -> str:
        recent = self._recent.get((tenant_id, user_id))
        if recent is not None:
            return recent
        if len(self._recent) >= _RECENT_USERS:
            self._recent.clear()
        pseudonym = self._recent[(tenant_id, user_id)] = self._compute(tenant_id, user_id)
        return pseudonym

    def _compute(self, tenant_id: str, user_id: str) -> str:
        if is_pseudonym(user_id):
            return user_id
        # surrogatepass: never raise, even on a string no JSON parser would produce
        message = (
            tenant_id.encode("utf-8", "surrogatepass")
            + _SEPARATOR
            + user_id.encode("utf-8", "surrogatepass")
        )
        return PSEUDONYM_PREFIX + self._mac(message).hex()[:32]

    def _mac(self, message: bytes) -> bytes:
        """HMAC-SHA256(key, message)."""
        inner = self._inner.copy()
        inner.update(message)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.digest()

    def scrub_document(self, document: dict[str, object]) -> bytes | None:
        """The JSON object re-serialized with its user_id pseudonymized; None if it has none.

        A non-string id (a number, say) is pseudonymized from its JSON text, so `48213` and
        `"48213"` get the same pseudonym and a fixed, replayed payload keeps it.
        """
        user_id = document.get("user_id")
        if user_id is None:
            return None
        if not isinstance(user_id, str):
            user_id = orjson.dumps(user_id, option=orjson.OPT_SORT_KEYS).decode()
        tenant_id = document.get("tenant_id")
        tenant = tenant_id if isinstance(tenant_id, str) else ""
        return orjson.dumps({**document, "user_id": self.pseudonym(tenant, user_id)})

    def scrub_text(self, raw: bytes) -> bytes:
        """Bytes that are not JSON, with any `"user_id": "..."` string pseudonymized in place."""
        tenant_match = _TENANT_ID_TEXT.search(raw)
        tenant = tenant_match.group(1).decode("utf-8", "surrogateescape") if tenant_match else ""

        def replace(match: re.Match[bytes]) -> bytes:
            user_id = match.group(2).decode("utf-8", "surrogateescape")
            return match.group(1) + self.pseudonym(tenant, user_id).encode() + match.group(3)

        return _USER_ID_TEXT.sub(replace, raw)
