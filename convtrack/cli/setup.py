"""Building the pipeline's parts from settings, with one-line errors instead of tracebacks."""

from pathlib import Path

from convtrack.cli.common import err_console, fail
from convtrack.contracts import (
    ContractBook,
    ContractFileError,
    load_contracts,
    load_default_contracts,
)
from convtrack.keys import PseudonymizationKeyError, resolve_pseudonymization_key
from convtrack.settings import Settings
from convtrack.streams.validate import Pseudonymizer


def pseudonymizer_or_exit(settings: Settings) -> Pseudonymizer:
    try:
        key = resolve_pseudonymization_key(settings)
    except PseudonymizationKeyError as error:
        fail(str(error))
    if key.dev_key_path is not None:
        state = "newly generated" if key.generated else "generated"
        err_console.print(
            f"[yellow]note:[/] user ids are pseudonymized with the {state} development key in "
            f"{key.dev_key_path}; set CONVTRACK_PSEUDONYMIZATION_KEY to use your own",
            highlight=False,
            soft_wrap=True,
        )
    return Pseudonymizer(key.secret)


def contracts_or_exit(path: Path | None) -> ContractBook:
    """The contracts in `path`, or the sample shipped with convtrack when None."""
    try:
        return load_contracts(path) if path is not None else load_default_contracts()
    except ContractFileError as error:
        fail(f"{path}: {error.lines[0]} (check it with: convtrack contracts check {path})")
