"""Where the pseudonymization key comes from."""

import stat
from pathlib import Path

import pytest
from pydantic import SecretStr

from convtrack.keys import DEV_KEY_FILE, PseudonymizationKeyError, resolve_pseudonymization_key
from convtrack.settings import Mode, Settings


def settings(tmp_path: Path, mode: Mode, key: str | None = None) -> Settings:
    secret = SecretStr(key) if key is not None else None
    return Settings(mode=mode, data_dir=tmp_path / "data", pseudonymization_key=secret)


@pytest.mark.parametrize("mode", list(Mode))
def test_a_configured_key_is_used_as_is(tmp_path: Path, mode: Mode) -> None:
    key = resolve_pseudonymization_key(settings(tmp_path, mode, "k" * 40))
    assert key.secret == b"k" * 40
    assert key.dev_key_path is None
    assert "kkkk" not in repr(key)
    assert not (tmp_path / "data").exists()


def test_production_refuses_to_run_without_a_key(tmp_path: Path) -> None:
    with pytest.raises(PseudonymizationKeyError, match="CONVTRACK_PSEUDONYMIZATION_KEY") as error:
        resolve_pseudonymization_key(settings(tmp_path, Mode.PRODUCTION))
    assert "\n" not in str(error.value)
    assert not (tmp_path / "data").exists()


def test_development_generates_a_private_key_once_and_reuses_it(tmp_path: Path) -> None:
    first = resolve_pseudonymization_key(settings(tmp_path, Mode.DEVELOPMENT))
    path = tmp_path / "data" / DEV_KEY_FILE
    assert first.dev_key_path == path and first.generated
    assert len(first.secret) == 64
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind
    second = resolve_pseudonymization_key(settings(tmp_path, Mode.DEVELOPMENT))
    assert second.secret == first.secret and not second.generated


def test_a_damaged_development_key_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "data" / DEV_KEY_FILE
    path.parent.mkdir()
    path.write_text("short\n")
    with pytest.raises(PseudonymizationKeyError, match="delete it"):
        resolve_pseudonymization_key(settings(tmp_path, Mode.DEVELOPMENT))


def test_an_unwritable_data_dir_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("a file, not a directory")
    with pytest.raises(PseudonymizationKeyError, match="cannot use the development key file"):
        resolve_pseudonymization_key(settings(tmp_path, Mode.DEVELOPMENT))
