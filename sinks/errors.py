"""What can go wrong with the store, as typed errors whose message is one line naming the fix,
and the rule that tells a transient ClickHouse failure (retry it) from a permanent one."""

import re

from clickhouse_connect.driver.exceptions import DatabaseError, OperationalError

DSN_VARIABLE = "CONVTRACK_CLICKHOUSE_DSN"


class StoreError(Exception):
    """The store cannot be used; `str(error)` is one line that says what to do."""


class BadDsnError(StoreError):
    pass


class StoreLockedError(StoreError):
    """Another process holds the embedded store's directory (chdb allows one per directory)."""


class StoreUnreachableError(StoreError):
    pass


class StoreAuthError(StoreError):
    pass


class MigrationError(StoreError):
    pass


# Server codes (ErrorCodes.cpp) that mean "try again later", not "this will never work".
TRANSIENT_CODES = frozenset(
    {
        3,  # UNEXPECTED_END_OF_FILE
        159,  # TIMEOUT_EXCEEDED
        164,  # READONLY (a replica catching up)
        202,  # TOO_MANY_SIMULTANEOUS_QUERIES
        203,  # NO_FREE_CONNECTION
        209,  # SOCKET_TIMEOUT
        210,  # NETWORK_ERROR
        236,  # ABORTED
        241,  # MEMORY_LIMIT_EXCEEDED
        242,  # TABLE_IS_READ_ONLY
        252,  # TOO_MANY_PARTS
        285,  # TOO_FEW_LIVE_REPLICAS
        319,  # UNKNOWN_STATUS_OF_INSERT
        425,  # SYSTEM_ERROR
        999,  # KEEPER_EXCEPTION
    }
)
AUTH_CODES = frozenset({192, 193, 194, 497, 516})
"""UNKNOWN_USER, WRONG_PASSWORD, REQUIRED_PASSWORD, ACCESS_DENIED, AUTHENTICATION_FAILED."""
MISSING_OBJECT_CODES = frozenset({16, 47, 60, 81})
"""NO_SUCH_COLUMN_IN_TABLE, UNKNOWN_IDENTIFIER, UNKNOWN_TABLE, UNKNOWN_DATABASE: the schema
is behind the code, which `convtrack db migrate` fixes."""

_CODE = re.compile(r"\bCode:\s*(\d+)|\bcode:\s*(\d+)")
_HTTP_STATUS = re.compile(r"HTTP status (\d{3})")
_WRAPPERS = (
    re.compile(r"^.*?server response:\s*"),
    re.compile(r"^Code:\s*\d+\.\s*"),
    re.compile(r"^DB::Exception:\s*"),
)
_TRAILERS = re.compile(r"\s*\((?:version|for url) [^)]*\)\s*$")


def error_code(error: BaseException) -> int | None:
    code = getattr(error, "code", None)
    if isinstance(code, int):
        return code
    match = _CODE.search(str(error))
    return int(match.group(1) or match.group(2)) if match else None


def is_transient(error: BaseException) -> bool:
    """Network trouble, timeouts, 5xx and overload codes are worth retrying; anything else
    (bad credentials, unknown table or column, bad data) would fail the same way again."""
    if isinstance(error, OperationalError | ConnectionError | TimeoutError):
        return True
    if not isinstance(error, DatabaseError):
        return False
    code = error_code(error)
    if code is not None:
        return code in TRANSIENT_CODES
    status = _HTTP_STATUS.search(str(error))
    return status is not None and status.group(1).startswith("5")


def clickhouse_message(error: BaseException) -> str:
    """ClickHouse's own message on one line, without the driver's wrappers, the version
    trailer or a stack trace."""
    lines = [line.strip() for line in str(error).strip().splitlines() if line.strip()]
    text = lines[0] if lines else type(error).__name__
    for wrapper in _WRAPPERS:
        text = wrapper.sub("", text)
    return _TRAILERS.sub("", text) or type(error).__name__
