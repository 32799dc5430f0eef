"""Where the pseudonymization key comes from. This is the I/O the validate core must not do.

Production needs `CONVTRACK_PSEUDONYMIZATION_KEY`: pseudonyms must stay stable across restarts
and machines, and a key that silently changed would split every user in two. Development falls
back to a generated key kept in the data directory, so `convtrack validate` works on a fresh
clone and still gives the same pseudonyms run after run.
"""

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from convtrack.settings import ENV_PREFIX, Mode, Settings
from convtrack.streams.validate.pseudonym import MIN_KEY_BYTES

DEV_KEY_FILE = "dev-pseudonymization.key"
_VARIABLE = f"{ENV_PREFIX}PSEUDONYMIZATION_KEY"


class PseudonymizationKeyError(RuntimeError):
    """No usable key; the message is one line that says what to set."""


@dataclass(frozen=True, slots=True)
class PseudonymizationKey:
    secret: bytes = field(repr=False)
    dev_key_path: Path | None = None
    """Set when the secret is the generated development key kept in this file."""
    generated: bool = False
    """True when this call created that file."""


def resolve_pseudonymization_key(settings: Settings) -> PseudonymizationKey:
    if settings.pseudonymization_key is not None:
        return PseudonymizationKey(settings.pseudonymization_key.get_secret_value().encode())
    if settings.mode is Mode.PRODUCTION:
        raise PseudonymizationKeyError(
            f"set {_VARIABLE} (at least {MIN_KEY_BYTES} characters, e.g. the output of "
            "`python -c 'import secrets; print(secrets.token_hex(32))'`): production mode "
            "never generates one, because pseudonyms must stay stable"
        )
    return _development_key(settings.data_dir / DEV_KEY_FILE)


def _development_key(path: Path) -> PseudonymizationKey:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        generated = _create(path, secrets.token_hex(32))
        secret = path.read_text(encoding="ascii").strip().encode()
    except (OSError, UnicodeDecodeError) as error:
        raise PseudonymizationKeyError(
            f"cannot use the development key file {path} ({error}); fix it or set {_VARIABLE}"
        ) from None
    if len(secret) < MIN_KEY_BYTES:
        raise PseudonymizationKeyError(
            f"the development key file {path} holds fewer than {MIN_KEY_BYTES} characters; "
            f"delete it to generate a new one (pseudonyms will change) or set {_VARIABLE}"
        )
    return PseudonymizationKey(secret, dev_key_path=path, generated=generated)


def _create(path: Path, key: str) -> bool:
    """Write `key` to a new owner-only file; False if the file exists already.

    The key is written to a private temporary file first and then linked into place, which
    fails if the file exists: two processes starting at once agree on one complete key.
    """
    if path.exists():
        return False
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(key + "\n")
        os.link(temporary, path)
    except FileExistsError:
        return False
    finally:
        temporary.unlink()
    return True
