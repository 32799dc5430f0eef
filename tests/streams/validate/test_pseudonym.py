"""The pseudonym is HMAC-SHA256 exactly (docs: streams/validate/pseudonym.py), whatever way the
MAC is computed: stored pseudonyms must stay the same across versions and key lengths."""

import hashlib
import hmac

import pytest

from convtrack.streams.validate import Pseudonymizer
from convtrack.streams.validate.pseudonym import PSEUDONYM_PREFIX


def reference(key: bytes, tenant_id: str, user_id: str) -> str:
    message = tenant_id.encode("utf-8", "surrogatepass") + b"\x00"
    message += user_id.encode("utf-8", "surrogatepass")
    return PSEUDONYM_PREFIX + hmac.digest(key, message, hashlib.sha256).hex()[:32]


def test_a_published_pseudonym_never_changes() -> None:
    assert (
        Pseudonymizer(b"k" * 32).pseudonym("acme", "user-1")
        == "p1_44899dbfa5b167d50f5ed3d6e54f64f4"
    )


@pytest.mark.parametrize("length", [32, 63, 64, 65, 200])
@pytest.mark.parametrize(
    ("tenant_id", "user_id"),
    [("acme", "user-1"), ("t", ""), ("tenant-é", "ユーザー"), ("a", "x" * 500), ("a", "\udcff")],
)
def test_the_pseudonym_is_hmac_sha256_for_any_key_length(
    length: int, tenant_id: str, user_id: str
) -> None:
    key = bytes(range(256))[:length]
    assert Pseudonymizer(key).pseudonym(tenant_id, user_id) == reference(key, tenant_id, user_id)
